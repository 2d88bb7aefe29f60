"""Composed reads of cases for the pages and the API: what a user may see, the
desk, the API's list, the public progress lookup. Every protected case is
fetched through :func:`get_case_for`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.catalog.models import OneTimeNotice
from yichuang.lib.errors import NotFound
from yichuang.lib.pagination import MAX_LIMIT, MAX_OFFSET
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Post, Staff
from yichuang.org.permissions import holds, sees_everything
from yichuang.org.scopes import centres_for, staff_of
from yichuang.org.selectors import absent_ids, holder_on

from . import clock
from .models import Card, Case, CaseQuerySet, CaseStep, CreditRecord, MaterialReceipt


def cases_for(user: Any) -> CaseQuerySet:
    """Cases ``user`` may see: his centres' cases, and for department staff the
    cases with a step in his department (wherever they were received)."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    if sees_everything(user):
        return Case.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Case.objects.none()
    in_dept = Exists(
        CaseStep.objects.filter(case=OuterRef("pk"), department_id=staff.department_id)
    )
    if staff.scope == Staff.Scope.DEPARTMENT:
        return Case.objects.filter(in_dept)
    if staff.department_id:
        return Case.objects.filter(Q(centre__in=centres_for(user)) | in_dept)
    return Case.objects.filter(centre__in=centres_for(user))


def case_not_found() -> NotFound:
    return NotFound("cases.not_found", _("没有找到该办件。"))


def get_case_for(user: Any, case_id: int) -> Case:
    """The one way to fetch a protected case: an outsider gets 404 and nothing
    changes."""
    case = (
        cases_for(user)
        .filter(pk=case_id)
        .select_related("version", "centre", "department", "current_step")
        .first()
    )
    if case is None:
        raise case_not_found()
    return case


def my_posts(user: Any) -> list[int]:
    """Posts whose work is the user's now: his A posts, and his B posts while A is away."""
    staff = staff_of(user)
    if staff is None:
        return []
    posts = list(
        Post.objects.filter(Q(a_staff=staff) | Q(b_staff=staff)).select_related(
            "a_staff", "b_staff"
        )
    )
    today = timezone.localdate()
    away = absent_ids(today, [i for p in posts for i in (p.a_staff_id, p.b_staff_id)])
    return [p.pk for p in posts if holder_on(p, today, away) == staff]


def card_for(user: Any, card_id: int) -> Card:
    """A card of a case the user sees (404 otherwise)."""
    card = Card.objects.filter(pk=card_id, case__in=cases_for(user)).first()
    if card is None:
        raise NotFound("cases.card_not_found", _("没有找到该红黄牌。"))
    return card


def case_by_receipt_code(code: str) -> Case | None:
    """The top case a receipt's code opens (the public progress page)."""
    return (
        Case.objects.select_related("person", "department", "current_step", "centre")
        .filter(receipt_code=code, parent__isnull=True)
        .first()
    )


def notices_of(case: Case) -> Any:
    """The one-time notices issued for the case and its member cases."""
    ids = [case.notice_id, *case.children.values_list("notice_id", flat=True)]
    return OneTimeNotice.objects.filter(pk__in=[i for i in ids if i]).select_related("version")


# --- the desk ---------------------------------------------------------------------------

# Only what the desk's rows and the warning level read (fewer columns to convert).
DESK_FIELDS = (
    "id",
    "title",
    "status",
    "received_at",
    "accepted_on",
    "due_date",
    "statutory_due_date",
    "deadline_pending",
    "deadline_provisional",
    "visit_count",
    "current_step__kind",
    "current_step__name",
    "current_step__due_date",
    "department__name",
    "department__short_name",
    "person__name",
)
DESK_RELATED = ("current_step", "department", "person")
DESK_VIEWS = ("mine", "department", "centre")


@dataclass
class Desk:
    view: str
    page: int
    rows: list[Case]
    undated: list[Case]
    has_next: bool
    pending: int
    today: dt.date


def desk_cases_for(user: Any, *, view: str | None, page: int, page_size: int) -> Desk:
    """My tasks (``mine``), my department's tasks, or my centre's cases: open
    cases read through the partial (…, due_date, id) indexes, most urgent
    (earliest due) first, one page of ``page_size`` rows; cases without a due
    date yet (awaiting acceptance, or deadline pending calendar) are listed apart
    on page 1. A fixed number of queries whatever the size of the department or
    the history. Each case carries ``level`` and ``days_left``."""
    staff = staff_of(user)
    view = view or ("department" if staff and staff.department_id else "centre")
    if view == "mine":
        qs = Case.objects.open_indexed().filter(post__in=my_posts(user))
    elif view == "department" and staff and staff.department_id:
        # A case now in the user's department has a step there: it is in his
        # scope by definition, so the indexed column alone selects it.
        qs = Case.objects.open_indexed().filter(department_id=staff.department_id)
    else:
        view = "centre"
        centre_ids = [c.pk for c in centres_for(user)]
        qs = cases_for(user).open_indexed().filter(centre_id__in=centre_ids, parent__isnull=True)
    start = (page - 1) * page_size
    rows = list(
        qs.filter(due_date__isnull=False)
        .select_related(*DESK_RELATED)
        .only(*DESK_FIELDS)
        .order_by("due_date", "id")[start : start + page_size + 1]
    )
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    undated = (
        list(
            qs.filter(due_date__isnull=True)
            .select_related(*DESK_RELATED)
            .only(*DESK_FIELDS)
            .order_by("id")[:page_size]
        )
        if page == 1
        else []
    )
    cal, today, levels = get_calendar(), timezone.localdate(), clock.level_settings()
    for case in [*rows, *undated]:
        case.level = clock.warning_level(case, today=today, cal=cal, settings=levels)  # type: ignore[attr-defined]
        case.days_left = clock.working_days_left(case, today, cal)  # type: ignore[attr-defined]
    pending = qs.filter(due_date__isnull=True, deadline_pending=True).count()
    return Desk(
        view=view,
        page=page,
        rows=rows,
        undated=undated,
        has_next=has_next,
        pending=pending,
        today=today,
    )


# --- the API's list ----------------------------------------------------------------------


def case_list_for(
    user: Any, *, status: str = "", mine: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[Case], int]:
    """One page of the cases the user sees (top cases; with ``mine``, the cases
    at his posts, members included), by due date; and how many there are."""
    qs = cases_for(user)
    qs = qs.filter(post__in=my_posts(user)) if mine else qs.filter(parent__isnull=True)
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    total = qs.count()
    rows = list(
        qs.select_related(*DESK_RELATED).order_by("due_date", "-received_at")[
            offset : offset + limit
        ]
    )
    return rows, total


# The milestones the public progress page draws (受理 → 审核 → 决定 → 办结 → 送达),
# each reached once the case's status is one of ``reached``.
MILESTONES = (
    ("accepted", ("accepted", "review", "supplement", "suspended", "special", "decided",
                  "completed", "delivered")),
    ("review", ("decided", "completed", "delivered")),
    ("decided", ("decided", "completed", "delivered")),
    ("completed", ("completed", "delivered")),
    ("delivered", ("delivered",)),
)  # fmt: skip


def _local_day(at: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(at).date() if at else None


def progress_timeline(case: Case) -> list[dict[str, Any]]:
    """The public progress page's step timeline: the five milestones with the
    day each was reached (from the case's dates and status events), the review
    steps with their departments, the stops (补齐补正, 挂起) and a refusal or
    withdrawal that ends the case early. Nothing about the applicant."""
    firsts: dict[str, dt.date] = {}
    stops: list[dict[str, Any]] = []
    for e in case.events.filter(new_status__gt="").order_by("at", "id"):
        firsts.setdefault(e.new_status, _local_day(e.at))  # type: ignore[arg-type]
        if e.new_status in ("supplement", "suspended", "special"):
            stops.append({"label": _label(e.new_status), "day": _local_day(e.at)})
    steps = list(case.steps.select_related("department").order_by("position"))
    finished = [s.finished_at for s in steps if s.finished_at]
    days = {
        "accepted": case.accepted_on or firsts.get("accepted"),
        # the review ends with its last step, at the latest with the decision
        "review": (_local_day(max(finished)) if finished and len(finished) == len(steps) else None)
        or firsts.get("decided")
        or firsts.get("completed"),
        "decided": firsts.get("decided"),
        "completed": _local_day(case.completed_at) or firsts.get("completed"),
        "delivered": _local_day(case.delivered_at) or firsts.get("delivered"),
    }
    labels = {
        "accepted": _("受理"),
        "review": _("审核"),
        "decided": _("决定"),
        "completed": _("办结"),
        "delivered": _("送达"),
    }
    rows: list[dict[str, Any]] = []
    current_marked = False
    for key, reached in MILESTONES:
        done = case.status in reached
        row: dict[str, Any] = {"key": key, "label": labels[key], "done": done, "now": False}
        row["day"] = days[key] if done else None
        if not done and not current_marked and case.status not in ("refused", "withdrawn"):
            row["now"] = current_marked = not rows or rows[-1]["done"]
        if key == "review":
            row["steps"] = [
                {
                    "name": s.name,
                    "department": s.department.name,
                    "state": s.get_state_display(),
                    "day": _local_day(s.finished_at),
                }
                for s in steps
            ]
            row["stops"] = stops
        rows.append(row)
    if case.status in ("refused", "withdrawn"):
        rows.append(
            {"key": case.status, "label": case.get_status_display(), "done": True,
             "now": True, "day": firsts.get(case.status)}
        )  # fmt: skip
    return rows


def _label(status: str) -> str:
    from .states import Status

    return str(Status(status).label)


# --- 告知承诺 verification (docs/cases.md, "Commitments") ------------------------------------

VERIFY_ALERTS = 20


def commitments_of(case: Case, today: dt.date) -> list[MaterialReceipt]:
    """The case's commitments (告知承诺) with their verification, each marked
    ``overdue`` when its deadline has passed unverified."""
    rows = list(
        case.materials.filter(how=MaterialReceipt.How.COMMITTED).select_related("verify_department")
    )
    for row in rows:
        row.overdue = row.is_overdue_verification(today)  # type: ignore[attr-defined]
    return rows


def verification_alerts_for(user: Any, today: dt.date) -> dict[str, list[Any]]:
    """For the desk: the overdue verifications of the cases the user sees, and
    for a director (or anyone who sees every centre) the cases flagged for a
    later one-time notice that asked for more."""
    seen = cases_for(user)
    overdue = list(
        MaterialReceipt.objects.filter(
            case__in=seen,
            how=MaterialReceipt.How.COMMITTED,
            verified_at__isnull=True,
            due_date__lt=today,
        )
        .select_related("case", "verify_department")
        .order_by("due_date", "id")[:VERIFY_ALERTS]
    )
    breaches: list[Case] = []
    if holds(user, Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN) or sees_everything(user):
        breaches = list(
            seen.filter(notice_breach=True)
            .select_related("centre")
            .order_by("-received_at")[:VERIFY_ALERTS]
        )
    return {"overdue": overdue, "breaches": breaches}


# --- 失信记录 (docs/cases.md, "Credit records") ------------------------------------------

CREDIT_RECENT = 50


def credit_records_for(user: Any) -> Any:
    """The credit records of the cases ``user`` sees (``cases_for``), newest
    first, with what the page shows."""
    return (
        CreditRecord.objects.filter(case__in=cases_for(user))
        .select_related("person", "case", "case__centre", "department", "recorded_by")
        .order_by("-at", "-id")
    )


def credit_records_of_case(case: Case) -> list[CreditRecord]:
    """The records a case (or one of its member cases) gave its applicant: the
    public progress page names them, nothing about the person."""
    return list(
        CreditRecord.objects.filter(Q(case=case) | Q(case__parent=case))
        .select_related("case")
        .order_by("at", "id")
    )


def credit_records_of_person(person: Any) -> list[CreditRecord]:
    """A citizen's own records (/m/my-data, after the SMS code)."""
    return list(
        CreditRecord.objects.filter(person=person)
        .select_related("case", "department")
        .order_by("-at", "-id")[:100]
    )
