"""The working-day calendar as the rest of the system sees it.

``get_calendar()`` builds a :class:`yichuang.lib.workdays.Calendar` from the
``CalendarYear`` and ``WorkCalendar`` tables. It is cached per process and
rebuilt when either table changes (their newest ``updated_at`` and row counts
are the cache key), so an admin's edit is seen at once by every process.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max

from yichuang.lib import workdays
from yichuang.lib.audit import audit_record

from .models import CalendarYear, WorkCalendar

_cache: dict[str, object] = {"key": None, "calendar": None}


def _version() -> tuple:
    y = CalendarYear.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    d = WorkCalendar.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (y["n"], y["t"], d["n"], d["t"])


def get_calendar() -> workdays.Calendar:
    key = _version()
    if _cache["key"] != key:
        years = {
            y.year: y.status == CalendarYear.Status.PROVISIONAL for y in CalendarYear.objects.all()
        }
        holidays: set[dt.date] = set()
        makeups: set[dt.date] = set()
        for date, kind in WorkCalendar.objects.values_list("date", "kind"):
            (makeups if kind == WorkCalendar.Kind.WORKDAY else holidays).add(date)
        _cache["calendar"] = workdays.Calendar(
            years=years, holidays=frozenset(holidays), workdays=frozenset(makeups)
        )
        _cache["key"] = key
    return _cache["calendar"]  # type: ignore[return-value]


def add_workdays(start: dt.date, n: int) -> dt.date:
    return workdays.add_workdays(get_calendar(), start, n)


def count_workdays(start: dt.date, end: dt.date) -> int:
    return workdays.count_workdays(get_calendar(), start, end)


def is_workday(day: dt.date) -> bool:
    return workdays.is_workday(get_calendar(), day)


@transaction.atomic
def calendar_load_official(*, years, actor=None, source: str = "") -> list[int]:
    """Load official years from the chinese-calendar package (replacing a
    provisional year of the same number)."""
    cal = workdays.calendar_from_chinese_calendar(years)
    loaded = []
    for year in years:
        WorkCalendar.objects.filter(date__year=year).exclude(
            kind=WorkCalendar.Kind.LOCAL_HOLIDAY
        ).delete()
        rows = [
            WorkCalendar(
                date=d, kind=WorkCalendar.Kind.HOLIDAY, source=source or "国务院办公厅通知"
            )
            for d in sorted(cal.holidays)
            if d.year == year and d.weekday() < 5
        ] + [
            WorkCalendar(
                date=d, kind=WorkCalendar.Kind.WORKDAY, source=source or "国务院办公厅通知"
            )
            for d in sorted(cal.workdays)
            if d.year == year
        ]
        WorkCalendar.objects.bulk_create(rows, ignore_conflicts=True)
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "status": CalendarYear.Status.OFFICIAL,
                "source": source or "chinese-calendar 数据（国务院办公厅放假通知）",
            },
        )
        loaded.append(year)
    span = f"{loaded[0]}-{loaded[-1]}" if loaded else ""
    audit_record(
        "calendar.load_official",
        actor=actor,
        object_type="org.calendaryear",
        object_id=span,
        years=loaded,
    )
    return loaded


@transaction.atomic
def calendar_load_provisional(*, year: int, actor=None) -> None:
    """Load a year as provisional: weekends plus fixed-date statutory holidays."""
    if CalendarYear.objects.filter(year=year, status=CalendarYear.Status.OFFICIAL).exists():
        from yichuang.lib.errors import Conflict

        raise Conflict("org.calendar_already_official", f"{year} 年已有正式日历，不能改为暂定。")
    holidays, _ = workdays.provisional_year_days(year)
    WorkCalendar.objects.filter(date__year=year).exclude(
        kind=WorkCalendar.Kind.LOCAL_HOLIDAY
    ).delete()
    WorkCalendar.objects.bulk_create(
        [
            WorkCalendar(
                date=d,
                kind=WorkCalendar.Kind.HOLIDAY,
                name="暂定",
                source="《全国年节及纪念日放假办法》固定日期",
            )
            for d in sorted(holidays)
            if d.weekday() < 5
        ],
        ignore_conflicts=True,
    )
    CalendarYear.objects.update_or_create(
        year=year,
        defaults={"status": CalendarYear.Status.PROVISIONAL, "source": "暂定：周末及固定日期节日"},
    )
    audit_record(
        "calendar.load_provisional",
        actor=actor,
        object_type="org.calendaryear",
        object_id=str(year),
    )
