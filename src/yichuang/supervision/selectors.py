"""Composed reads of supervision: what each user may see (one access helper
per model: an outsider gets 404), the ledger with its filters, and the lists
the role pages show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import NotFound, Unprocessable
from yichuang.org.models import Centre, Staff
from yichuang.org.permissions import sees_everything
from yichuang.org.scopes import centres_for, staff_of

from .models import (
    Campaign,
    CampaignPhase,
    CampaignTask,
    Checklist,
    Inspection,
    Problem,
    ProblemQuerySet,
    RecheckTask,
    Severity,
    Source,
)
from .permissions import is_inspector, oversees_ledger

# --- the ledger ---------------------------------------------------------------------------


def problems_for(user) -> ProblemQuerySet:
    """The ledger rows a user may see.

    Overseers (inspectors, directors, department leads, the county
    administrator) see their scope's rows: the centres ``centres_for`` gives,
    narrowed to the department for department-scoped staff. Everyone sees
    the rows that name them (as owner or as the clerk concerned). A covert
    visit's rows stay hidden until published from everyone but the
    supervision office and whoever recorded the visit."""
    qs = Problem.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    staff = staff_of(user)
    if staff is None:
        return qs.none()
    named = Q(owner=staff) | Q(clerk=staff)
    if oversees_ledger(user):
        # The centres as a list of ids (a county has a handful), and no
        # condition at all when they are every centre: the ledger is read
        # by scanning, not by a look-up per row.
        centre_ids = set(centres_for(user).values_list("pk", flat=True))
        everywhere = centre_ids == set(Centre.objects.values_list("pk", flat=True))
        scope = Q() if everywhere else Q(centre_id__in=sorted(centre_ids))
        if staff.scope == Staff.Scope.DEPARTMENT:
            scope &= Q(department_id=staff.department_id)
        if scope:
            qs = qs.filter(scope | named)
    else:
        qs = qs.filter(named)
    if not is_inspector(user):
        qs = qs.filter(Q(hidden_until_published=False) | Q(opened_by=user))
    return qs


def get_problem_for(user, problem_id: int) -> Problem:
    problem = (
        problems_for(user)
        .select_related("centre", "department", "window", "owner", "clerk")
        .filter(pk=problem_id)
        .first()
    )
    if problem is None:
        raise NotFound("supervision.problem_not_found", _("没有找到该问题。"))
    return problem


LEDGER_FILTERS = ("status", "source", "severity", "centre", "department", "overdue", "recurring")


def _choice_list(value: str, allowed, field: str) -> list[str]:
    values = [v for v in value.split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise Unprocessable(
            "supervision.bad_filter",
            _("筛选条件不正确：%(f)s=%(v)s") % {"f": field, "v": ",".join(bad)},
            field=field,
        )
    return values


def _flag(value: str, field: str) -> bool:
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise Unprocessable(
        "supervision.bad_filter",
        _("筛选条件不正确：%(f)s=%(v)s") % {"f": field, "v": value},
        field=field,
    )


# A closed row has ``verified_at``, an open one none: one plain ORDER BY puts
# the rows not closed first, by deadline (so the overdue ones lead), then the
# closed ones, the latest closed first.
LEDGER_ORDER = (
    F("verified_at").desc(nulls_first=True),
    F("due_date").asc(nulls_last=True),
    "-id",
)


def ledger(
    user, filters: dict[str, str] | None = None, today: dt.date | None = None
) -> ProblemQuerySet:
    """``ledger_rows`` annotated with ``overdue_now``, in ``LEDGER_ORDER``."""
    today = today or timezone.localdate()
    return ledger_rows(user, filters, today).with_overdue(today).order_by(*LEDGER_ORDER)


def ledger_page(qs: ProblemQuerySet, offset: int, limit: int) -> list[Problem]:
    """One page of ``qs`` in ``LEDGER_ORDER``, with the rows' unit and
    people: the page's ids are found first, on the ledger table alone (a
    join on every row before the sort would cost the whole table), then
    those rows are read."""
    ids = list(qs.order_by(*LEDGER_ORDER).values_list("pk", flat=True)[offset : offset + limit])
    rows = Problem.objects.select_related(
        "centre", "department", "window", "owner", "clerk"
    ).in_bulk(ids)
    return [rows[pk] for pk in ids]


def ledger_rows(
    user, filters: dict[str, str] | None = None, today: dt.date | None = None
) -> ProblemQuerySet:
    """The rows ``user`` sees, filtered (the API's and the pages' query
    parameters: ``status``, ``source``, ``severity`` take comma-separated
    values; ``centre`` and ``department`` codes; ``overdue`` and
    ``recurring`` booleans)."""
    today = today or timezone.localdate()
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = problems_for(user)
    if "status" in filters:
        qs = qs.filter(status__in=_choice_list(filters["status"], Problem.Status.values, "status"))
    if "source" in filters:
        qs = qs.filter(source__in=_choice_list(filters["source"], Source.values, "source"))
    if "severity" in filters:
        qs = qs.filter(severity__in=_choice_list(filters["severity"], Severity.values, "severity"))
    if "centre" in filters:
        qs = qs.filter(centre__code=filters["centre"])
    if "department" in filters:
        qs = qs.filter(department__code=filters["department"])
    if "overdue" in filters:
        # Open rows are the ones without ``verified_at``: a condition the
        # scan checks, rather than a look-up per row through the status index.
        overdue = Q(verified_at__isnull=True, due_date__lt=today)
        qs = qs.filter(overdue) if _flag(filters["overdue"], "overdue") else qs.exclude(overdue)
    if "recurring" in filters:
        recurring = _flag(filters["recurring"], "recurring")
        qs = qs.filter(recurrence__gt=0) if recurring else qs.filter(recurrence=0)
    return qs


def with_previous_ids(rows: list[Problem]) -> dict[int, list[int]]:
    """The earlier rows each of ``rows`` recurs, in one query."""
    through = Problem.previous.through
    ids = [p.pk for p in rows]
    out: dict[int, list[int]] = {pk: [] for pk in ids}
    for from_id, to_id in (
        through.objects.filter(from_problem_id__in=ids)
        .order_by("to_problem_id")
        .values_list("from_problem_id", "to_problem_id")
    ):
        out[from_id].append(to_id)
    return out


def on_time_rate(*, on_time: int, closed: int, overdue: int) -> float | None:
    """Rate on time: closed by the deadline ÷ (closed + open past it); None without any."""
    settled = closed + overdue
    return on_time / settled if settled else None


def ledger_summary(qs: QuerySet[Problem], today: dt.date | None = None) -> dict[str, Any]:
    """Counts over a ledger query: open, overdue, recurring, verified, and the
    rate on time (``on_time_rate``)."""
    today = today or timezone.localdate()
    row = qs.order_by().aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=Problem.OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=Problem.OPEN_STATUSES, due_date__lt=today)),
        recurring=Count("id", filter=Q(recurrence__gt=0)),
        escalated=Count("id", filter=Q(escalated=True)),
        verified=Count("id", filter=Q(status=Problem.Status.VERIFIED)),
        on_time=Count("id", filter=Q(status=Problem.Status.VERIFIED, on_time=True)),
    )
    row["on_time_rate"] = on_time_rate(
        on_time=row["on_time"], closed=row["verified"], overdue=row["overdue"]
    )
    return row


# --- checklists and inspections -----------------------------------------------------------


def current_checklists() -> QuerySet[Checklist]:
    return Checklist.objects.filter(is_current=True).prefetch_related("lines").order_by("code")


def get_current_checklist(code: str) -> Checklist:
    checklist = Checklist.objects.filter(code=code, is_current=True).first()
    if checklist is None:
        raise Unprocessable(
            "supervision.unknown_checklist",
            _("没有这张检查表：%(c)s") % {"c": code},
            checklist=code,
        )
    return checklist


def inspections_for(user) -> QuerySet[Inspection]:
    """Visits of the user's centres: all of them for the supervision office
    and who recorded them; published ones for the other overseers."""
    if user is None or not user.is_authenticated or staff_of(user) is None:
        return Inspection.objects.none()
    qs = Inspection.objects.filter(centre__in=centres_for(user))
    if is_inspector(user):
        return qs
    if not oversees_ledger(user):
        return qs.none()
    return qs.filter(Q(published_at__isnull=False) | Q(inspector=user))


def get_inspection_for(user, inspection_id: int) -> Inspection:
    inspection = (
        inspections_for(user)
        .select_related("centre", "checklist", "inspector")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise NotFound("supervision.inspection_not_found", _("没有找到该次检查。"))
    return inspection


def centre_for_visit(user, code: str) -> Centre:
    centre = centres_for(user).filter(code=code).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
    return centre


# --- the role pages' lists ----------------------------------------------------------------


def inspector_today(user, today: dt.date | None = None) -> dict[str, Any]:
    """The inspector's home: re-checks due, rows waiting for verification
    (not his own submissions), covert visits not yet published."""
    today = today or timezone.localdate()
    rows = problems_for(user)
    return {
        "rechecks": RecheckTask.objects.filter(
            problem__in=rows, done_at__isnull=True, due_on__lte=today
        ).select_related("problem", "problem__centre"),
        "to_verify": rows.filter(status=Problem.Status.SUBMITTED)
        .exclude(submitted_by=user)
        .select_related("centre", "department", "window")
        .order_by("submitted_at"),
        "unpublished": Inspection.objects.filter(
            inspector=user, kind="covert", published_at__isnull=True
        ).select_related("centre"),
    }


def unit_rows(user, today: dt.date | None = None) -> ProblemQuerySet:
    """A director's or department lead's open rows, deadline first."""
    today = today or timezone.localdate()
    return (
        problems_for(user)
        .open()
        .with_overdue(today)
        .select_related("centre", "department", "window", "owner")
        .order_by("-overdue_now", "due_date", "id")
    )


def rows_naming(user) -> ProblemQuerySet:
    """A clerk's rows: those naming him as owner or clerk concerned."""
    staff = staff_of(user)
    if staff is None:
        return Problem.objects.none()
    return problems_for(user).filter(Q(owner=staff) | Q(clerk=staff))


def by_unit_and_category(qs: QuerySet[Problem], today: dt.date | None = None) -> list[dict]:
    """The director's table: per centre and department, open, overdue and
    recurring rows and the on-time rate of the closed ones."""
    today = today or timezone.localdate()
    rows = (
        qs.order_by()
        .values("centre__code", "centre__name", "department__code", "department__name", "category")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=Problem.OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=Problem.OPEN_STATUSES, due_date__lt=today)),
            recurring=Count("id", filter=Q(recurrence__gt=0)),
            verified=Count("id", filter=Q(status=Problem.Status.VERIFIED)),
            on_time=Count("id", filter=Q(status=Problem.Status.VERIFIED, on_time=True)),
        )
        .order_by("-overdue", "-recurring", "centre__code", "department__code", "category")
    )
    return list(rows)


# --- the campaign -------------------------------------------------------------------------


def campaigns_for(user) -> QuerySet[Campaign]:
    """Every signed-in member of staff sees the county's campaign."""
    if user is None or not user.is_authenticated or staff_of(user) is None:
        return Campaign.objects.none()
    return Campaign.objects.all()


# A campaign with its phases (in order), their tasks and evaluations.
CAMPAIGN_PREFETCH = (
    Prefetch(
        "phases",
        queryset=CampaignPhase.objects.order_by("number").prefetch_related(
            Prefetch(
                "tasks",
                queryset=CampaignTask.objects.select_related("centre", "department", "lead"),
            ),
            "evaluations",
        ),
    ),
)


def get_campaign_for(user, campaign_id: int) -> Campaign:
    campaign = (
        campaigns_for(user).prefetch_related(*CAMPAIGN_PREFETCH).filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotFound("supervision.campaign_not_found", _("没有找到该提升行动。"))
    return campaign
