"""Composed reads of feedback: what each user may see (one access helper per
model: an outsider gets 404), the service behind a rating code, the rates,
and the director's board and the handler's desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet, Sum, TextField
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from yichuang.accounts.models import User
from yichuang.cases.models import Case
from yichuang.cases.models import Status as CaseStatus
from yichuang.catalog.models import Item
from yichuang.lib.errors import NotFound
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.org.permissions import sees_everything
from yichuang.org.scopes import centres_for, staff_of
from yichuang.queueing.models import Ticket

from .models import (
    Appeal,
    Complaint,
    ComplaintQuerySet,
    OverdueNotice,
    Rating,
    RatingDay,
    RatingQuerySet,
    Reason,
    ReasonList,
    Rectification,
    RectificationQuerySet,
)
from .permissions import handlers_in_scope, is_overseer, is_reviewer, sees_every_item

# --- reasons -------------------------------------------------------------------------


def current_reason_list() -> ReasonList | None:
    return ReasonList.objects.filter(is_current=True).prefetch_related("reasons").first()


def current_reason_choices() -> list[tuple[str, str]]:
    """(code, label) of the current list, as the rating forms offer them."""
    rl = current_reason_list()
    return [(r.code, r.label) for r in rl.reasons.all()] if rl else []


def current_reason_codes() -> tuple[int | None, set[str]]:
    """The current reason list's id and codes, in one query."""
    rows = list(ReasonList.objects.filter(is_current=True).values_list("pk", "reasons__code"))
    if not rows:
        return None, set()
    return rows[0][0], {code for _id, code in rows if code}


def reason_labels() -> dict[str, str]:
    """Reason code → label over every version (codes keep their meaning)."""
    return dict(Reason.objects.order_by("reason_list_id").values_list("code", "label"))


# --- the service behind a rating code ------------------------------------------------


def unknown_code() -> NotFound:
    return NotFound("feedback.unknown_code", _("评价码无效或服务尚未办结。"))


_TICKET_PHONE = Ticket._meta.get_field("phone")


def service_for_code(code: str) -> dict[str, Any]:
    """The served object behind a rating code, with its attribution: a
    finished ticket, else a completed case; ``unknown_code()`` otherwise."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        raise unknown_code()
    # The hot path: one indexed read by the unique rating code. The phone is
    # read as stored and decrypted only when a bad rating needs a call-back.
    ticket = (
        Ticket.objects.filter(rating_code=code, status=Ticket.Status.DONE)
        .values(
            "pk",
            "centre_id",
            "window_id",
            "clerk_id",
            "queue_id",
            "window__department_id",
            "clerk__department_id",
            stored_phone=ExpressionWrapper(F("phone"), output_field=TextField()),
        )
        .order_by()[:1]
    )
    row = next(iter(ticket), None)
    if row is not None:
        stored = row["stored_phone"]
        return {
            "service_kind": Rating.Kind.TICKET,
            "service_key": f"ticket:{row['pk']}",
            "ticket_id": row["pk"],
            "centre_id": row["centre_id"],
            "department_id": row["window__department_id"] or row["clerk__department_id"],
            "window_id": row["window_id"],
            "clerk_id": row["clerk_id"],
            "item_id": None,
            "queue_id": row["queue_id"],
            "phone": lambda: _TICKET_PHONE.from_db_value(stored, None, connection) or "",
            "name": "",
        }
    case = (
        Case.objects.select_related("accepted_by", "person", "item")
        .filter(rating_code=code, status__in=(CaseStatus.COMPLETED, CaseStatus.DELIVERED))
        .first()
    )
    if case is not None:
        clerk = case.accepted_by
        person = case.person
        return {
            "service_kind": Rating.Kind.CASE,
            "service_key": f"case:{case.pk}",
            "case": case,
            "centre_id": case.centre_id,
            "department_id": case.department_id
            or (case.item.department_id if case.item else None)
            or (clerk.department_id if clerk else None),
            "window_id": None,
            "clerk_id": case.accepted_by_id,
            "item_id": case.item_id,
            "queue_id": None,
            "phone": lambda: getattr(person, "phone", "") if person else "",
            "name": person.name if person else "",
        }
    raise unknown_code()


def service_summary(code: str) -> dict[str, Any] | None:
    """What the rating screen shows about a service (no personal data)."""
    try:
        svc = service_for_code(code)
    except NotFound:
        return None
    ticket = (
        Ticket.objects.select_related("queue").get(pk=svc["ticket_id"])
        if svc.get("ticket_id")
        else None
    )
    case = svc.get("case")
    clerk = Staff.objects.filter(pk=svc["clerk_id"]).first() if svc["clerk_id"] else None
    window = Window.objects.filter(pk=svc["window_id"]).first() if svc["window_id"] else None
    return {
        "kind": svc["service_kind"],
        "number": ticket.number if ticket else (case.receipt_code if case else ""),
        "service": ticket.queue.name if ticket else (case.title if case else ""),
        "clerk": clerk.name if clerk else "",
        "clerk_no": clerk.employee_no if clerk else "",
        "window": window,
        "finished_at": ticket.finished_at if ticket else (case.completed_at if case else None),
        "rated": Rating.objects.filter(service_key=svc["service_key"]).exists(),
    }


def pad_ticket(window_id: int, *, fresh_minutes: int) -> Ticket | None:
    """The service just finished at a window and not yet rated, for its pad."""
    since = timezone.now() - dt.timedelta(minutes=fresh_minutes)
    return (
        Ticket.objects.filter(
            window_id=window_id,
            status=Ticket.Status.DONE,
            finished_at__gte=since,
            rating__isnull=True,
            rating_code__isnull=False,
        )
        .select_related("queue", "clerk")
        .order_by("-finished_at")
        .first()
    )


# --- who sees what -------------------------------------------------------------------

_QS = TypeVar("_QS", bound=QuerySet[Any])


def ratings_for(user) -> RatingQuerySet:
    """The ratings a staff user may see: overseers their scope, clerks their own."""
    qs = Rating.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if sees_everything(user):
        return qs
    staff = staff_of(user)
    if staff is None:
        return qs.none()
    if is_overseer(user):
        qs = qs.filter(centre__in=centres_for(user))
        if staff.scope == Staff.Scope.DEPARTMENT:
            qs = qs.filter(department_id=staff.department_id)
        return qs
    return qs.filter(clerk=staff)


def get_rating_for(user, rating_id: int) -> Rating:
    rating = ratings_for(user).filter(pk=rating_id).first()
    if rating is None:
        raise NotFound("feedback.rating_not_found", _("没有找到该评价。"))
    return rating


def rectifications_for(user) -> RectificationQuerySet:
    """Overseers see their scope's rectifications; a handler sees his own."""
    qs = Rectification.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if sees_every_item(user):
        return qs
    staff = staff_of(user)
    if staff is not None and is_overseer(user):
        scoped = qs.filter(centre__in=centres_for(user))
        if staff.scope == Staff.Scope.DEPARTMENT:
            scoped = scoped.filter(department_id=staff.department_id)
        return scoped | qs.filter(handler=user)
    return qs.filter(handler=user)


def get_rectification_for(user, rect_id: int) -> Rectification:
    rect = rectifications_for(user).filter(pk=rect_id).first()
    if rect is None:
        raise NotFound("feedback.rectification_not_found", _("没有找到该整改单。"))
    return rect


def _overseen(user, qs: _QS) -> _QS:
    """``qs`` (rows with a centre, a department and a handler) as ``user`` may
    see it: an overseer his scope's (county scope also sees what has not been
    routed to a centre yet) and his own, a handler his own."""
    if user is None or not user.is_authenticated:
        return qs.none()
    if sees_every_item(user):
        return qs
    staff = staff_of(user)
    if staff is not None and is_overseer(user):
        if staff.scope == Staff.Scope.DEPARTMENT:
            scoped = qs.filter(department_id=staff.department_id)
        elif staff.scope == Staff.Scope.CENTRE:
            scoped = qs.filter(centre_id=staff.centre_id)
        else:
            scoped = qs.filter(centre__in=centres_for(user)) | qs.filter(centre__isnull=True)
        return scoped | qs.filter(handler=user)
    return qs.filter(handler=user)


def complaints_for(user) -> ComplaintQuerySet:
    """The complaints a user may see (``_overseen``)."""
    return _overseen(user, Complaint.objects.all())


def get_complaint_for(user, complaint_id: int) -> Complaint:
    c = complaints_for(user).filter(pk=complaint_id).first()
    if c is None:
        raise NotFound("feedback.complaint_not_found", _("没有找到该诉求。"))
    return c


def notices_for(user) -> QuerySet[OverdueNotice]:
    """The open overdue notices a user should see (``_overseen``)."""
    return _overseen(user, OverdueNotice.objects.open())


def handlers_for(
    user, *, centre_id: int | None, department_id: int | None, subject_id: int | None
) -> list[User]:
    """The staff ``user`` may name handler of an item of this centre and
    department (``permissions.handlers_in_scope``), without the clerk the
    item is about (``subject_id``, a staff id)."""
    staff = handlers_in_scope(centre_id=centre_id, department_id=department_id, assigner=user)
    if subject_id is not None:
        staff = staff.exclude(pk=subject_id)
    ids = staff.values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("username")[:300])


# --- rates ---------------------------------------------------------------------------


def satisfaction(counts: dict[int, int]) -> dict[str, Any]:
    """Rates from valid-rating counts by level (docs/domain.md, "The three
    targets"): satisfaction = levels 3–5 ÷ valid; bad = levels 1–2 ÷ valid;
    None when there are no valid ratings."""
    valid = sum(counts.get(lv, 0) for lv in range(1, 6))
    good = sum(counts.get(lv, 0) for lv in (3, 4, 5))
    bad = valid - good
    return {
        "ratings": valid,
        "satisfaction_rate": (good / valid) if valid else None,
        "bad_rating_rate": (bad / valid) if valid else None,
        "bad": bad,
    }


def rates_of(qs: RatingQuerySet) -> dict[str, Any]:
    """Satisfaction over a QuerySet of ratings (excluded and default left out)."""
    counts = dict(qs.valid().values_list("level").annotate(n=Count("id")).order_by())
    return satisfaction(counts)


# --- the board -----------------------------------------------------------------------

# Satisfaction by centre, department, window, clerk or item over a period is
# read from the daily roll-up (``RatingDay``), so a year of history costs a few
# thousand summed rows, never a scan of ratings.
DIMENSIONS = {
    "centre": "centre_id_key",
    "department": "department_id_key",
    "window": "window_id_key",
    "clerk": "clerk_id_key",
    "item": "item_id_key",
}
DIMENSION_LABELS = [
    ("centre", _l("中心")),
    ("department", _l("部门")),
    ("window", _l("窗口")),
    ("clerk", _l("工作人员")),
    ("item", _l("事项")),
]
NONE_LABELS = {
    "centre": _l("（未关联中心）"),
    "department": _l("（未关联部门）"),
    "window": _l("（办件评价，不经窗口）"),
    "clerk": _l("（未关联人员）"),
    "item": _l("（窗口服务，未关联事项）"),
}
# Below this many valid ratings a rate is shown as "n ratings", not as a percentage.
FEW = 3
BOARD_RECTS = 25
BOARD_APPEALS = 50
NOTICES_SHOWN = 50


def _labels(dim: str, ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in ids if i]
    if dim == "centre":
        return dict(Centre.objects.filter(pk__in=ids).values_list("pk", "name"))
    if dim == "department":
        return {d.pk: str(d) for d in Department.objects.filter(pk__in=ids)}
    if dim == "window":
        return {
            w.pk: f"{w.number}号 {w.name}（{w.centre.name}）"
            for w in Window.objects.filter(pk__in=ids).select_related("centre")
        }
    if dim == "clerk":
        return dict(Staff.objects.filter(pk__in=ids).values_list("pk", "name"))
    return dict(Item.objects.filter(pk__in=ids).values_list("pk", "name"))


def board_rows(
    *,
    dim: str,
    centres: Iterable[int],
    start: dt.date | None,
    end: dt.date | None,
    department_id: int | None = None,
) -> list[dict[str, Any]]:
    """One row per member of ``dim`` with its counts beside its rates, worst first."""
    key = DIMENSIONS[dim]
    qs = RatingDay.objects.filter(centre_id_key__in=list(centres))
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    if department_id:
        qs = qs.filter(department_id_key=department_id)
    sums = (
        qs.values(key)
        .annotate(
            s1=Sum("n1"),
            s2=Sum("n2"),
            s3=Sum("n3"),
            s4=Sum("n4"),
            s5=Sum("n5"),
            sx=Sum("n_excluded"),
            sd=Sum("n_default"),
        )
        .order_by()
    )
    rows = list(sums)
    labels = _labels(dim, [r[key] for r in rows])
    out = []
    for r in rows:
        counts = {lv: r[f"s{lv}"] or 0 for lv in range(1, 6)}
        rates = satisfaction(counts)
        out.append(
            {
                "id": r[key],
                "label": labels.get(r[key]) or str(NONE_LABELS[dim]),
                "counts": counts,
                "excluded": r["sx"] or 0,
                "default": r["sd"] or 0,
                "few": rates["ratings"] < FEW,
                **rates,
            }
        )
    out.sort(
        key=lambda x: (
            x["satisfaction_rate"] if x["satisfaction_rate"] is not None else 2,
            -x["ratings"],
        )
    )
    return out


def board_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {lv: sum(r["counts"][lv] for r in rows) for lv in range(1, 6)}
    return {
        **satisfaction(counts),
        "excluded": sum(r["excluded"] for r in rows),
        "default": sum(r["default"] for r in rows),
    }


def open_notices(qs: QuerySet[OverdueNotice]) -> dict[str, Any]:
    """Open overdue notices, the longest late first, for the "逾期" panel."""
    return {
        "count": qs.count(),
        "items": list(
            qs.select_related("rectification", "complaint", "handler").order_by("due_date", "id")[
                :NOTICES_SHOWN
            ]
        ),
    }


def _board_rectifications(in_period: QuerySet[Rectification], today: dt.date) -> list[Any]:
    """Open rectifications, then the most recently closed, up to a page;
    overdue first. Each carries ``reason_text``."""
    related = ("rating", "rating__window", "rating__clerk", "department", "handler")
    rects = list(
        in_period.exclude(status=Rectification.Status.CLOSED)
        .select_related(*related)
        .order_by("rectify_due", "id")[:BOARD_RECTS]
    )
    if len(rects) < BOARD_RECTS:
        rects += list(
            in_period.filter(status=Rectification.Status.CLOSED)
            .select_related(*related)
            .order_by("-closed_at")[: BOARD_RECTS - len(rects)]
        )
    rects.sort(
        key=lambda r: (
            not r.is_overdue(today),
            r.status in Rectification.DONE,
            r.rectify_due or today,
        )
    )
    labels = reason_labels()
    for r in rects:
        r.reason_text = "、".join(labels.get(code, code) for code in r.rating.reasons)  # type: ignore[attr-defined]
    return rects


def board_for(user, *, dim: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Everything the director's board shows for ``user`` over a period: rates
    with counts by ``dim``, bad ratings and their rectification (overdue
    first), pending appeals, open complaints and overdue notices."""
    staff = staff_of(user)
    dept_id = staff.department_id if staff and staff.scope == Staff.Scope.DEPARTMENT else None
    centre_ids = list(centres_for(user).values_list("pk", flat=True))
    rows = board_rows(dim=dim, centres=centre_ids, start=start, end=end, department_id=dept_id)
    today = timezone.localdate()
    in_period = rectifications_for(user).filter(rating__day__gte=start, rating__day__lte=end)
    status_counts = dict(in_period.values_list("status").annotate(n=Count("id")).order_by())
    # The target of real-name bad ratings called back and rectified, 100 %
    # (docs/domain.md, "Ratings").
    real = in_period.exclude(contact_phone="").aggregate(
        n=Count("id"),
        called=Count("id", filter=Q(called_back_at__isnull=False)),
        done=Count("id", filter=Q(status__in=Rectification.DONE)),
    )
    pending = Appeal.objects.filter(status=Appeal.Status.PENDING, rating__centre_id__in=centre_ids)
    if dept_id:
        pending = pending.filter(rating__department_id=dept_id)
    appeals = pending.select_related("rating", "rating__clerk", "filed_by").order_by("created_at")[
        :BOARD_APPEALS
    ]
    complaints = complaints_for(user).open()
    return {
        "notices": open_notices(notices_for(user)),
        "rows": rows,
        "totals": board_totals(rows),
        "rects": _board_rectifications(in_period, today),
        "status_counts": [
            (label, status_counts.get(value, 0)) for value, label in Rectification.Status.choices
        ],
        "overdue": rectifications_for(user).overdue(today).count(),
        "real": real,
        "today": today,
        "appeals": appeals,
        "complaints_open": complaints.count(),
        "complaints_overdue": complaints.overdue(today).count(),
        "can_review": is_reviewer(user),
    }


def desk_for(user, *, may_assign: bool) -> dict[str, Any]:
    """The handler's desk: his rectifications and complaints, overdue first;
    for one who assigns, what waits for a handler."""
    today = timezone.localdate()
    rects = list(
        Rectification.objects.filter(handler=user)
        .exclude(status=Rectification.Status.CLOSED)
        .select_related("rating", "rating__window", "rating__clerk")
    )
    rects.sort(key=lambda r: (not r.is_overdue(today), r.rectify_due or today))
    complaints = list(
        Complaint.objects.filter(handler=user)
        .exclude(status=Complaint.Status.CLOSED)
        .select_related("centre", "department", "window")
    )
    complaints.sort(key=lambda c: (not c.is_overdue(today), c.due_date or today))
    to_assign_r: list[Rectification] = []
    to_assign_c: list[Complaint] = []
    if may_assign:
        to_assign_r = list(
            rectifications_for(user)
            .filter(status=Rectification.Status.NEW)
            .select_related("rating", "rating__window")[:50]
        )
        to_assign_c = list(
            complaints_for(user)
            .filter(status=Complaint.Status.RECEIVED)
            .select_related("centre", "window")[:50]
        )
    return {
        "notices": open_notices(notices_for(user).filter(handler=user)),
        "rects": rects,
        "complaints": complaints,
        "to_assign_r": to_assign_r,
        "to_assign_c": to_assign_c,
        "today": today,
    }
