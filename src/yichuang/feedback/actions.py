"""Everything that changes ratings, appeals, rectifications and complaints.

Each action is one transaction and writes a FeedbackEvent for every state
change; SMS goes out after commit. Refusals are DomainErrors with codes under
``feedback.`` (docs/feedback.md lists them).

One rating per service is a unique constraint on ``Rating.service_key``: the
insert is ``ON CONFLICT DO NOTHING`` and a row not inserted becomes 409
``feedback.already_rated``, so two raters racing for one code can never both
succeed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.cases.models import Case
from yichuang.cases.models import Status as CaseStatus
from yichuang.lib import workdays
from yichuang.lib.audit import audit_record
from yichuang.lib.config import DEFAULTS as SETTING_DEFAULTS
from yichuang.lib.config import Setting, setting_get
from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unprocessable,
)
from yichuang.lib.sms import public_link, sms_send
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import add_workdays, get_calendar
from yichuang.org.models import Centre, Department, Device, Staff, Window
from yichuang.org.scopes import centres_for, staff_of
from yichuang.queueing.models import Ticket

from .defaults import CATEGORIES, REASONS_V1
from .models import (
    Appeal,
    Complaint,
    ComplaintCategory,
    ComplaintCounter,
    ContactView,
    FeedbackEvent,
    OverdueNotice,
    Rating,
    RatingDay,
    Reason,
    ReasonList,
    Rectification,
    StaffPhone,
    Throttle,
)

log = logging.getLogger("yichuang.feedback")

MAX_COMMENT = 10_000
# Rate limits per client address (or pad device): attempts per minute, and
# failed look-ups (unknown or used codes) per hour — a code is 72 random bits,
# so 20 guesses an hour make guessing hopeless.
ATTEMPTS_PER_MINUTE = 30
FAILURES_PER_HOUR = 20

REVIEWER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)
OVERSEER_ROLES = (
    Role.CENTRE_DIRECTOR,
    Role.COUNTY_ADMIN,
    Role.DEPARTMENT_LEAD,
    Role.INSPECTOR,
    Role.SYSTEM_ADMIN,
)
ASSIGNER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD)


# --- helpers --------------------------------------------------------------------------


def _event(
    type: str,
    *,
    actor=None,
    old: str = "",
    new: str = "",
    note: str = "",
    at: dt.datetime | None = None,
    **targets: Any,
) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        type=type,
        old_status=old,
        new_status=new,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        note=note,
        at=at or timezone.now(),
        **targets,
    )


def is_reviewer(user) -> bool:
    return bool(user is not None and (user.is_superuser or user.has_role(*REVIEWER_ROLES)))


def is_overseer(user) -> bool:
    return bool(user is not None and (user.is_superuser or user.has_role(*OVERSEER_ROLES)))


def _due(start: dt.date, workdays: int) -> dt.date | None:
    """A deadline in working days, or None while the calendar year is missing
    (the worker fills it in once the year is loaded)."""
    try:
        return add_workdays(start, workdays)
    except CalendarYearMissing:
        return None


def ensure_defaults() -> None:
    """The reason list v1 and the complaint categories (the data migration's
    rows; re-made after a test database flush)."""
    if not ReasonList.objects.exists():
        rl = ReasonList.objects.create(version=1, is_current=True, note="国办发〔2019〕51号")
        Reason.objects.bulk_create(
            [
                Reason(reason_list=rl, code=code, label=label, sort_order=i)
                for i, (code, label) in enumerate(REASONS_V1)
            ]
        )
    if not ComplaintCategory.objects.exists():
        ComplaintCategory.objects.bulk_create(
            [
                ComplaintCategory(
                    code=code,
                    name=name,
                    kind=kind,
                    group=group,
                    description=desc,
                    attributes=attrs,
                    sort_order=i,
                )
                for i, (code, name, kind, group, desc, _dept, attrs) in enumerate(CATEGORIES)
            ]
        )


def current_reason_list() -> ReasonList | None:
    return ReasonList.objects.filter(is_current=True).prefetch_related("reasons").first()


@transaction.atomic
def reason_list_publish(*, reasons: list[tuple[str, str]], note: str = "", actor) -> ReasonList:
    """Publish a new version of the reason list; older ratings keep theirs."""
    if not reasons:
        raise Unprocessable("feedback.reasons_empty", _("差评原因清单不能为空。"))
    last = ReasonList.objects.select_for_update().order_by("-version").first()
    ReasonList.objects.filter(is_current=True).update(is_current=False)
    rl = ReasonList.objects.create(
        version=(last.version + 1) if last else 1, is_current=True, note=note
    )
    Reason.objects.bulk_create(
        [
            Reason(reason_list=rl, code=code, label=label, sort_order=i)
            for i, (code, label) in enumerate(reasons)
        ]
    )
    audit_record("feedback.reason_list_publish", actor=actor, obj=rl, version=rl.version)
    return rl


# --- throttling -----------------------------------------------------------------------


def _bucket(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _throttle_add(key: str, bucket: dt.datetime, *, also: tuple[str, dt.datetime] | None = None):
    """Count one more hit for ``key`` in ``bucket``: one upsert, which returns the
    new count (ON CONFLICT … RETURNING: SQLite ≥ 3.35 and PostgreSQL). With
    ``also`` = (key, bucket) it returns ``(new count, that counter's hits)``, read
    in the same statement — the rating path's whole rate-limit check."""
    table = Throttle._meta.db_table
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    params = [key, ops.adapt_datetimefield_value(bucket), now]
    extra = ""
    if also is not None:
        extra = f', (SELECT x.hits FROM {table} x WHERE x."key" = %s AND x.bucket = %s)'
        params += [also[0], ops.adapt_datetimefield_value(also[1])]
    with connection.cursor() as cur:
        cur.execute(
            f'INSERT INTO {table} ("key", bucket, hits, created_at) VALUES (%s, %s, 1, %s) '
            f'ON CONFLICT ("key", bucket) DO UPDATE SET hits = {table}.hits + 1 '
            f"RETURNING hits{extra}",
            params,
        )
        row = cur.fetchone()
    if also is None:
        return int(row[0])
    return int(row[0]), int(row[1] or 0)


def _too_many() -> TooManyRequests:
    return TooManyRequests(
        "feedback.too_many_attempts", _("评价尝试过于频繁，请稍后再试。"), retry_after=60
    )


def throttle_purge(*, older_than: dt.timedelta = dt.timedelta(hours=2)) -> int:
    cutoff = timezone.now() - older_than
    deleted, _rows = Throttle.objects.filter(bucket__lt=cutoff).delete()
    return deleted


# --- ratings --------------------------------------------------------------------------


def _client_key(device: Device | None, source_ip: str | None) -> str:
    if device is not None:
        return f"rate:dev:{device.pk}"
    return f"rate:ip:{source_ip or 'unknown'}"


def rating_submit(
    *,
    rating_code: str,
    level: int,
    channel: str,
    reasons: Iterable[str] | None = None,
    comment: str = "",
    phone: str = "",
    device: Device | None = None,
    user=None,
    source_ip: str | None = None,
) -> Rating:
    """A citizen rates a service by its rating code.

    Everything that only reads — validation, the service behind the code, the
    reason list, a bad rating's deadlines — happens before the transaction, so
    on SQLite the write lock is held only for the writes: the rate-limit upsert
    (which also reads the failure counter), the insert (``ON CONFLICT DO
    NOTHING``: a duplicate is a row not inserted) and the roll-up upsert (plus
    the rectification and its event for a bad rating). A refusal found while
    reading is raised only after the attempt is counted, so the attempt (and,
    for an unknown or used code, the failure) counts against the client, and a
    client over its limit learns nothing about the code.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("feedback.staff_cannot_rate", _("工作人员不能代替群众评价。"))
    if device is not None and device.kind != Device.Kind.PAD:
        raise Forbidden("feedback.device_not_pad", _("只有窗口评价器可以提交评价。"))
    now = timezone.now()
    key = _client_key(device, source_ip)
    fail_key = key + ":fail"
    minute, hour = _bucket(now, 60), _bucket(now, 3600)
    prepared: PreparedRating | None = None
    refused: DomainError | None = None
    try:
        prepared = _rating_prepare(
            rating_code=rating_code,
            level=level,
            channel=channel,
            reasons=list(reasons or []),
            comment=comment,
            phone=phone,
            device=device,
            source_ip=source_ip,
            now=now,
        )
    except DomainError as exc:
        refused = exc
    with transaction.atomic():
        attempts, failures = _throttle_add(key, minute, also=(fail_key, hour))
        if attempts > ATTEMPTS_PER_MINUTE or failures >= FAILURES_PER_HOUR:
            refused = _too_many()
        else:
            if prepared is not None:
                try:
                    return _rating_write(prepared)
                except DomainError as exc:
                    refused = exc
            assert refused is not None
            if refused.code in ("feedback.unknown_code", "feedback.already_rated"):
                _throttle_add(fail_key, hour)
    raise refused


def _unknown_code() -> NotFound:
    return NotFound("feedback.unknown_code", _("评价码无效或服务尚未办结。"))


_T, _W, _S = Ticket._meta.db_table, Window._meta.db_table, Staff._meta.db_table
TICKET_BY_CODE = (
    "SELECT t.id, t.centre_id, t.window_id, t.clerk_id, t.queue_id, w.department_id, "
    f"s.department_id, t.phone FROM {_T} t LEFT JOIN {_W} w ON w.id = t.window_id "
    f"LEFT JOIN {_S} s ON s.id = t.clerk_id WHERE t.rating_code = %s AND t.status = %s"
)


_TICKET_PHONE = Ticket._meta.get_field("phone")


def _service_for_code(code: str) -> dict[str, Any]:
    """The served object behind a rating code, with its attribution."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        raise _unknown_code()
    # The hot path: one indexed read by the unique rating code, no ORM compile.
    with connection.cursor() as cur:
        cur.execute(TICKET_BY_CODE, [code, Ticket.Status.DONE])
        row = cur.fetchone()
    ticket = (
        dict(
            zip(
                (
                    "pk",
                    "centre_id",
                    "window_id",
                    "clerk_id",
                    "queue_id",
                    "window__department_id",
                    "clerk__department_id",
                    "phone",
                ),
                row,
                strict=True,
            )
        )
        if row
        else None
    )
    if ticket is not None:
        tid = ticket["pk"]
        raw_phone = ticket["phone"]
        return {
            "service_kind": Rating.Kind.TICKET,
            "service_key": f"ticket:{tid}",
            "ticket_id": tid,
            "centre_id": ticket["centre_id"],
            "department_id": ticket["window__department_id"] or ticket["clerk__department_id"],
            "window_id": ticket["window_id"],
            "clerk_id": ticket["clerk_id"],
            "item_id": None,
            "queue_id": ticket["queue_id"],
            # Decrypted only when a bad rating needs a call-back.
            "phone": lambda: _TICKET_PHONE.from_db_value(raw_phone, None, connection) or "",
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
    raise _unknown_code()


def service_summary(code: str) -> dict[str, Any] | None:
    """What the rating screen shows about a service (no personal data)."""
    try:
        svc = _service_for_code(code)
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


_RL, _R = ReasonList._meta.db_table, Reason._meta.db_table
CURRENT_REASONS = (
    f"SELECT rl.id, r.code FROM {_RL} rl LEFT JOIN {_R} r ON r.reason_list_id = rl.id "
    "WHERE rl.is_current = %s"
)


def _current_reason_codes() -> tuple[int | None, set[str]]:
    """The current reason list's id and codes, in one query."""
    with connection.cursor() as cur:
        cur.execute(CURRENT_REASONS, [True])
        rows = cur.fetchall()
    if not rows:
        return None, set()
    return rows[0][0], {code for _id, code in rows if code}


def _check_reasons(level: int, reasons: list[str]) -> int | None:
    """Validate a rating's reasons; the id of the reason list they come from."""
    if level not in (1, 2):
        if reasons:
            # Reasons belong to bad ratings; a good one ignores none silently.
            raise Unprocessable(
                "feedback.reasons_only_for_bad", _("只有“不满意”“非常不满意”需要选择原因。")
            )
        return None
    if not reasons:
        raise Unprocessable(
            "feedback.reason_required", _("选择“不满意”或“非常不满意”时，请至少选择一项原因。")
        )
    list_id, known = _current_reason_codes()
    unknown = [r for r in reasons if r not in known]
    if unknown:
        raise Unprocessable(
            "feedback.unknown_reason", _("差评原因不在清单中。"), unknown=unknown[:10]
        )
    return list_id


@dataclass
class PreparedRating:
    """A rating checked and attributed, ready to be written."""

    rating: Rating
    values: list[Any]
    # A bad rating's rectification: contact and deadlines.
    rectification: dict[str, Any] | None


def _rating_create(**kwargs: Any) -> Rating:
    """Check, attribute and write a rating (the caller holds the transaction)."""
    return _rating_write(_rating_prepare(**kwargs))


def _rating_prepare(
    *,
    rating_code: str,
    level: int,
    channel: str,
    reasons: list[str],
    comment: str,
    phone: str,
    device: Device | None,
    source_ip: str | None,
    now: dt.datetime,
    is_default: bool = False,
) -> PreparedRating:
    """Everything a rating needs that only reads: validation, the service
    behind the code, the reasons; for a bad rating its contact and deadlines."""
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
        raise Unprocessable("feedback.bad_level", _("评价等级须为 1 至 5。"), level=level)
    if channel not in Rating.Channel.values or (
        channel == Rating.Channel.DEFAULT and not is_default
    ):
        raise Unprocessable("feedback.bad_channel", _("评价渠道不正确。"), channel=channel)
    if device is not None and channel != Rating.Channel.PAD:
        raise Unprocessable("feedback.bad_channel", _("评价器只能以 pad 渠道提交。"))
    comment = comment or ""
    if len(comment) > MAX_COMMENT:
        raise Unprocessable(
            "feedback.comment_too_long",
            _("评价内容不能超过 %(n)d 字。") % {"n": MAX_COMMENT},
            max_length=MAX_COMMENT,
        )
    reasons = list(dict.fromkeys(str(r) for r in reasons))
    reason_list_id = _check_reasons(level, reasons)
    phone = "".join((phone or "").split())
    if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise Unprocessable("feedback.bad_phone", _("手机号格式不正确。"))
    svc = _service_for_code(rating_code)
    if device is not None and device.window_id != svc["window_id"]:
        raise Forbidden("feedback.wrong_window", _("评价器只能评价本窗口办结的服务。"))
    rating = Rating(
        service_kind=svc["service_kind"],
        service_key=svc["service_key"],
        ticket_id=svc.get("ticket_id"),
        case=svc.get("case"),
        rating_code=rating_code.strip(),
        level=level,
        reason_list_id=reason_list_id,
        reasons=reasons,
        comment=comment,
        channel=channel,
        is_default=is_default,
        centre_id=svc["centre_id"],
        department_id=svc["department_id"],
        window_id=svc["window_id"],
        clerk_id=svc["clerk_id"],
        item_id=svc["item_id"],
        queue_id=svc["queue_id"],
        device=device,
        source_hash=keyed_hash(source_ip, "rater-ip") if source_ip else "",
        day=timezone.localdate(now),
        created_at=now,
    )
    rect = None
    if rating.is_bad and not is_default:
        callback_due, rectify_due = _rectification_deadlines(rating.day)
        rect = {
            "contact_phone": phone or svc["phone"](),
            "contact_name": svc["name"],
            "callback_due": callback_due,
            "rectify_due": rectify_due,
        }
    values = [f.get_db_prep_save(getattr(rating, f.attname), connection) for f in _RATING_FIELDS]
    return PreparedRating(rating=rating, values=values, rectification=rect)


def _rating_write(prepared: PreparedRating) -> Rating:
    """Insert the rating, count it in the roll-up, open its rectification."""
    rating = prepared.rating
    if not _rating_insert(rating, prepared.values):
        raise Conflict("feedback.already_rated", _("该服务已经评价过，不能重复评价。"))
    _rollup_add(rating, _level_field(rating), 1)
    if prepared.rectification is not None:
        rect = Rectification.objects.create(
            rating=rating,
            centre_id=rating.centre_id,
            department_id=rating.department_id,
            **prepared.rectification,
        )
        _event(
            "rectification.opened",
            rectification=rect,
            rating=rating,
            new=rect.status,
            at=rating.created_at,
        )
    return rating


_RATING_FIELDS = [f for f in Rating._meta.concrete_fields if not f.primary_key]
_RATING_COLUMNS = ", ".join(f'"{f.column}"' for f in _RATING_FIELDS)
RATING_INSERT = (
    f"INSERT INTO {Rating._meta.db_table} ({_RATING_COLUMNS}) "
    f"VALUES ({', '.join(['%s'] * len(_RATING_FIELDS))}) ON CONFLICT DO NOTHING RETURNING id"
)


def _rating_insert(rating: Rating, values: list[Any]) -> bool:
    """Insert a new rating (``values``: its columns, prepared); False when its
    service is already rated (a unique key says so). No savepoint, no failed
    statement: the caller's transaction goes on to count the failure."""
    with connection.cursor() as cur:
        cur.execute(RATING_INSERT, values)
        row = cur.fetchone()
    if row is None:
        return False
    rating.pk = row[0]
    rating._state.adding = False
    rating._state.db = connection.alias
    return True


def _level_field(rating: Rating) -> str:
    if rating.is_default:
        return "n_default"
    return f"n{rating.level}"


ROLLUP_KEY = (
    "day",
    "centre_id_key",
    "department_id_key",
    "window_id_key",
    "clerk_id_key",
    "item_id_key",
)
ROLLUP_FIELDS = frozenset({"n1", "n2", "n3", "n4", "n5", "n_excluded", "n_default"})


def _rollup_add(rating: Rating, field: str, delta: int) -> None:
    """Add ``delta`` to one count of the rating's roll-up cell: one upsert."""
    assert field in ROLLUP_FIELDS
    table = RatingDay._meta.db_table
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    key = [
        ops.adapt_datefield_value(rating.day),
        rating.centre_id,
        rating.department_id or 0,
        rating.window_id or 0,
        rating.clerk_id or 0,
        rating.item_id or 0,
    ]
    counts = ", ".join(f"n{i}" for i in range(1, 6))
    values = ", ".join(
        (str(max(delta, 0)) if name == field else "0")
        for name in ("n1", "n2", "n3", "n4", "n5", "n_excluded", "n_default")
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} ({', '.join(ROLLUP_KEY)}, {counts}, n_excluded, n_default, "
            f"created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, {values}, %s, %s) "
            f"ON CONFLICT ({', '.join(ROLLUP_KEY)}) DO UPDATE SET "
            f"{field} = {table}.{field} + %s, updated_at = %s",
            [*key, now, now, delta, now],
        )


def _settings(*keys: str) -> list[Any]:
    """Several settings in one query (``setting_get`` reads one per query)."""
    rows = dict(Setting.objects.filter(key__in=keys).values_list("key", "value"))
    return [rows[k] if k in rows else SETTING_DEFAULTS[k][0] for k in keys]


def _rectification_deadlines(day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Call-back and rectification due dates of a bad rating given on ``day``:
    one settings query and one calendar check."""
    callback_days, rectify_days = _settings("rating.callback_workdays", "rating.rectify_workdays")
    calendar = get_calendar()
    dues: list[dt.date | None] = []
    for n in (callback_days, rectify_days):
        try:
            dues.append(workdays.add_workdays(calendar, day, n))
        except CalendarYearMissing:
            dues.append(None)
    return dues[0], dues[1]


def rating_fill_defaults(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Where a province fills in "满意" for services not rated within N days
    (setting ``rating.default_after_days``; off by default), make those ratings
    with ``is_default`` and channel ``default`` — left out of every rate. Both
    kinds of service: tickets finished (一次一评) and cases completed (一事一评)
    N days ago, looking back a week so a stopped worker catches up. Each rating
    is its own transaction; a service rated meanwhile (or by another worker) is
    skipped by the unique key."""
    days = setting_get("rating.default_after_days")
    if not days:
        return 0
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(days))
    since = cutoff - dt.timedelta(days=7)
    tickets = (
        Ticket.objects.filter(
            status=Ticket.Status.DONE,
            finished_at__lt=cutoff,
            finished_at__gte=since,
            rating__isnull=True,
            rating_code__isnull=False,
        )
        .order_by("finished_at")
        .values_list("rating_code", flat=True)[:limit]
    )
    cases = (
        Case.objects.filter(
            status__in=(CaseStatus.COMPLETED, CaseStatus.DELIVERED),
            completed_at__lt=cutoff,
            completed_at__gte=since,
            rating__isnull=True,
            rating_code__isnull=False,
        )
        .order_by("completed_at")
        .values_list("rating_code", flat=True)[:limit]
    )
    made = 0
    for code in [*tickets, *cases]:
        try:
            with transaction.atomic():
                _rating_create(
                    rating_code=code,
                    level=Rating.Level.GOOD,
                    channel=Rating.Channel.DEFAULT,
                    reasons=[],
                    comment="",
                    phone="",
                    device=None,
                    source_ip=None,
                    now=now,
                    is_default=True,
                )
            made += 1
        except (Conflict, NotFound):
            continue
    return made


# --- reading ratings ------------------------------------------------------------------


def ratings_for(user):
    """The ratings a staff user may see: overseers their scope, clerks their own."""
    qs = Rating.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.has_role(Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
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


def satisfaction(counts: dict[int, int]) -> dict[str, Any]:
    """DOMAIN §6 from valid-rating counts by level: satisfaction = levels 3–5 ÷
    valid; bad = levels 1–2 ÷ valid; None when there are no valid ratings."""
    valid = sum(counts.get(lv, 0) for lv in range(1, 6))
    good = sum(counts.get(lv, 0) for lv in (3, 4, 5))
    bad = valid - good
    return {
        "ratings": valid,
        "satisfaction_rate": (good / valid) if valid else None,
        "bad_rating_rate": (bad / valid) if valid else None,
        "bad": bad,
    }


def rates_of(qs) -> dict[str, Any]:
    """Satisfaction over a QuerySet of ratings (excluded and default left out)."""
    from django.db.models import Count

    counts = dict(qs.valid().values_list("level").annotate(n=Count("id")).order_by())
    return satisfaction(counts)


# --- appeals --------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, rating: Rating, kind: str, reason: str, actor) -> Appeal:
    """The clerk of a bad rating (or its handler) appeals it as mistaken or malicious."""
    staff = staff_of(actor)
    rect = getattr(rating, "rectification", None)
    is_clerk = staff is not None and rating.clerk_id == staff.pk
    is_handler = rect is not None and rect.handler_id == actor.pk
    if not (is_clerk or is_handler):
        raise Forbidden("feedback.not_your_rating", _("只有被评价的工作人员或承办人可以申诉。"))
    if not rating.is_bad:
        raise Unprocessable("feedback.appeal_not_bad", _("只能对差评提出申诉。"))
    if rating.excluded:
        raise Conflict("feedback.already_excluded", _("该评价已被剔除。"))
    if kind not in Appeal.Kind.values:
        raise Unprocessable("feedback.bad_appeal_kind", _("申诉类型须为误评或恶意评价。"))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise Unprocessable("feedback.appeal_reason_required", _("请写明申诉理由。"))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rating=rating, kind=kind, reason=reason[:MAX_COMMENT], filed_by=actor
            )
    except IntegrityError:
        raise Conflict("feedback.appeal_pending", _("该评价已有待审核的申诉。")) from None
    _event(
        "appeal.filed", appeal=appeal, rating=rating, actor=actor, new=appeal.status, note=reason
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, upheld: bool, note: str = "", actor) -> Appeal:
    """A reviewer (director) decides; an upheld appeal excludes the rating from
    every rate, with the reason, and keeps it."""
    if not is_reviewer(actor):
        raise Forbidden("feedback.not_reviewer", _("只有中心主任可以审核申诉。"))
    appeal = Appeal.objects.select_for_update().select_related("rating").get(pk=appeal.pk)
    if not ratings_for(actor).filter(pk=appeal.rating_id).exists():
        raise NotFound("feedback.appeal_not_found", _("没有找到该申诉。"))
    if appeal.filed_by_id == actor.pk:
        raise Forbidden("feedback.own_appeal", _("不能审核自己提出的申诉。"))
    if appeal.status != Appeal.Status.PENDING:
        raise Conflict("feedback.appeal_decided", _("该申诉已审核。"))
    now = timezone.now()
    old = appeal.status
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decided_by = actor
    appeal.decision_note = (note or "")[:300]
    appeal.decided_at = now
    appeal.save(update_fields=["status", "decided_by", "decision_note", "decided_at", "updated_at"])
    _event(
        "appeal.decided",
        appeal=appeal,
        rating=appeal.rating,
        actor=actor,
        old=old,
        new=appeal.status,
        note=note,
    )
    if upheld:
        rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
        if not rating.excluded:
            rating.excluded = True
            rating.exclusion_reason = (
                f"{appeal.get_kind_display()}：{appeal.decision_note or appeal.reason}"
            )[:300]
            rating.excluded_at = now
            rating.save(update_fields=["excluded", "exclusion_reason", "excluded_at"])
            _rollup_add(rating, f"n{rating.level}", -1)
            _rollup_add(rating, "n_excluded", 1)
            _event(
                "rating.excluded",
                rating=rating,
                appeal=appeal,
                actor=actor,
                old="valid",
                new="excluded",
                note=rating.exclusion_reason,
            )
    return appeal


# --- rectification --------------------------------------------------------------------


def rectifications_for(user):
    """Overseers see their scope's rectifications; a handler sees his own."""
    qs = Rectification.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.has_role(Role.SYSTEM_ADMIN):
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


def _locked_rect(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("rating").get(pk=rect.pk)


def _require_status(obj, *allowed: str) -> None:
    if obj.status not in allowed:
        raise Conflict(
            "feedback.bad_state",
            _("当前状态（%(s)s）不能执行该操作。") % {"s": obj.get_status_display()},
            status_now=obj.status,
        )


def _require_handler(rect: Rectification, actor) -> None:
    if rect.handler_id != actor.pk:
        raise Forbidden("feedback.not_handler", _("只有承办人可以办理该整改单。"))


def _can_assign(actor, *, centre_id: int | None, department_id: int | None) -> bool:
    if actor.is_superuser:
        return True
    if not actor.has_role(*ASSIGNER_ROLES):
        return False
    staff = staff_of(actor)
    if staff is None:
        return False
    if staff.scope == Staff.Scope.DEPARTMENT:
        return department_id is not None and department_id == staff.department_id
    return centre_id is None or centres_for(actor).filter(pk=centre_id).exists()


def _set(obj, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=[*fields, "updated_at"])


def _rect_step(rect: Rectification, actor, new: str, fields: dict[str, Any], note: str) -> None:
    old = rect.status
    _set(rect, {"status": new, **fields})
    _event(
        f"rectification.{new}",
        rectification=rect,
        rating_id=rect.rating_id,
        actor=actor,
        old=old,
        new=new,
        note=note,
    )


@transaction.atomic
def rectification_assign(*, rectification: Rectification, handler, actor, note: str = ""):
    """The responsible unit assigns a handler (again, to reassign)."""
    rect = _locked_rect(rectification)
    if not _can_assign(actor, centre_id=rect.centre_id, department_id=rect.department_id):
        raise Forbidden("feedback.cannot_assign", _("只有中心主任或责任部门负责人可以分派。"))
    _require_status(rect, Rectification.Status.NEW, Rectification.Status.ASSIGNED)
    hstaff = staff_of(handler)
    if hstaff is None or not handler.is_active:
        raise Unprocessable("feedback.bad_handler", _("承办人须为在职工作人员。"))
    if rect.rating.clerk_id and hstaff.pk == rect.rating.clerk_id:
        raise Unprocessable("feedback.handler_is_rated", _("不能由被评价的工作人员承办本人差评。"))
    _rect_step(
        rect,
        actor,
        Rectification.Status.ASSIGNED,
        {"handler": handler},
        note or (handler.display_name or handler.username),
    )
    return rect


@transaction.atomic
def rectification_call_back(*, rectification: Rectification, note: str, actor) -> Rectification:
    rect = _locked_rect(rectification)
    _require_handler(rect, actor)
    _require_status(rect, Rectification.Status.ASSIGNED)
    if not (note or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写回访记录。"))
    _rect_step(
        rect,
        actor,
        Rectification.Status.CALLED_BACK,
        {"called_back_at": timezone.now(), "callback_note": note.strip()},
        note,
    )
    return rect


@transaction.atomic
def rectification_verify(
    *, rectification: Rectification, verdict: str, finding: str, actor
) -> Rectification:
    """核实: substantiated, or not — which files an appeal for the reviewer."""
    rect = _locked_rect(rectification)
    _require_handler(rect, actor)
    _require_status(rect, Rectification.Status.CALLED_BACK)
    if verdict not in Rectification.Verdict.values:
        raise Unprocessable("feedback.bad_verdict", _("核实结论须为属实或不属实。"))
    if not (finding or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写核实情况。"))
    _rect_step(
        rect,
        actor,
        Rectification.Status.VERIFIED,
        {"verdict": verdict, "finding": finding.strip(), "verified_at": timezone.now()},
        finding,
    )
    if verdict == Rectification.Verdict.UNSUBSTANTIATED and not rect.rating.excluded:
        pending = Appeal.objects.filter(rating=rect.rating, status=Appeal.Status.PENDING).exists()
        if not pending:
            appeal = Appeal.objects.create(
                rating=rect.rating,
                kind=Appeal.Kind.MISTAKEN,
                reason=finding.strip(),
                filed_by=actor,
            )
            _event(
                "appeal.filed",
                appeal=appeal,
                rating=rect.rating,
                actor=actor,
                new=appeal.status,
                note=finding,
            )
    return rect


@transaction.atomic
def rectification_rectify(*, rectification: Rectification, measures: str, actor) -> Rectification:
    rect = _locked_rect(rectification)
    _require_handler(rect, actor)
    _require_status(rect, Rectification.Status.VERIFIED)
    if not (measures or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写整改措施。"))
    _rect_step(
        rect,
        actor,
        Rectification.Status.RECTIFIED,
        {"measures": measures.strip(), "rectified_at": timezone.now()},
        measures,
    )
    return rect


@transaction.atomic
def rectification_give_feedback(*, rectification: Rectification, note: str, actor) -> Rectification:
    """Report back to the citizen; the SMS carries the link to rate the handling."""
    rect = _locked_rect(rectification)
    _require_handler(rect, actor)
    _require_status(rect, Rectification.Status.RECTIFIED)
    if not (note or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写反馈内容。"))
    _rect_step(
        rect,
        actor,
        Rectification.Status.FEEDBACK_GIVEN,
        {"feedback_note": note.strip(), "feedback_at": timezone.now()},
        note,
    )
    if rect.contact_phone:
        phone, code = rect.contact_phone, rect.followup_code
        text = _("【一窗】您对政务服务的评价已整改反馈，请对处理结果评价：%(u)s") % {
            "u": public_link(f"/m/rate/followup/{code}")
        }
        transaction.on_commit(lambda: sms_send(phone, text))
    return rect


@transaction.atomic
def rectification_close(*, rectification: Rectification, note: str = "", actor) -> Rectification:
    rect = _locked_rect(rectification)
    if not is_reviewer(actor) and not _can_assign(
        actor, centre_id=rect.centre_id, department_id=rect.department_id
    ):
        raise Forbidden("feedback.cannot_close", _("只有中心主任或责任部门负责人可以办结。"))
    _require_status(rect, Rectification.Status.FEEDBACK_GIVEN)
    _rect_step(rect, actor, Rectification.Status.CLOSED, {"closed_at": timezone.now()}, note)
    return rect


@transaction.atomic
def rectification_citizen_rate(*, followup_code: str, level: int, comment: str = "", user=None):
    """The citizen rates how the bad rating was handled; this closes it."""
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("feedback.staff_cannot_rate", _("工作人员不能代替群众评价。"))
    rect = (
        Rectification.objects.select_for_update()
        .filter(followup_code=(followup_code or "").strip()[:32])
        .first()
    )
    if rect is None:
        raise NotFound("feedback.unknown_code", _("评价码无效。"))
    if rect.citizen_level is not None:
        raise Conflict("feedback.already_rated", _("您已评价过整改结果。"))
    _require_status(rect, Rectification.Status.FEEDBACK_GIVEN)
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise Unprocessable("feedback.bad_level", _("评价等级须为 1 至 5。"))
    if len(comment or "") > MAX_COMMENT:
        raise Unprocessable("feedback.comment_too_long", _("评价内容过长。"))
    old = rect.status
    _set(
        rect,
        {
            "citizen_level": level,
            "citizen_comment": comment or "",
            "status": Rectification.Status.CLOSED,
            "closed_at": timezone.now(),
        },
    )
    _event(
        "rectification.citizen_rated",
        rectification=rect,
        rating_id=rect.rating_id,
        old=old,
        new=rect.status,
        note=str(level),
    )
    return rect


def contact_reveal(*, rectification=None, complaint=None, actor, source_ip=None) -> dict:
    """The rater's (or complainant's) contact details, for the handler only; each
    view is logged (ContactView + audit)."""
    target = rectification or complaint
    if target is None or target.handler_id != actor.pk:
        raise Forbidden("feedback.contact_handler_only", _("只有承办人可以查看联系方式。"))
    with transaction.atomic():
        ContactView.objects.create(
            rectification=rectification, complaint=complaint, viewer=actor, source_ip=source_ip
        )
        audit_record(
            "feedback.contact_view", actor=actor, obj=target, source_ip=source_ip, success=True
        )
    if rectification is not None:
        return {"phone": rectification.contact_phone, "name": rectification.contact_name}
    assert complaint is not None
    return {"phone": complaint.phone, "name": complaint.name, "email": complaint.email}


def deadlines_fill_pending() -> int:
    """Compute deadlines left empty while a calendar year was missing."""
    done = 0
    for rect in Rectification.objects.filter(rectify_due__isnull=True).select_related("rating")[
        :500
    ]:
        cb = _due(rect.rating.day, setting_get("rating.callback_workdays"))
        rd = _due(rect.rating.day, setting_get("rating.rectify_workdays"))
        if rd is not None:
            _set(rect, {"callback_due": cb, "rectify_due": rd})
            done += 1
    for c in Complaint.objects.filter(due_date__isnull=True).exclude(kind=Complaint.Kind.PRAISE)[
        :500
    ]:
        fields = _complaint_deadlines(c.kind, timezone.localdate(c.received_at), c.is_complex)
        if fields["due_date"] is not None:
            _set(c, fields)
            done += 1
    return done


# --- overdue items -------------------------------------------------------------------


def _overdue_candidates(today: dt.date):
    """(stage, the items late at that stage and not yet flagged, due-date field)."""
    R, C, S = Rectification, Complaint, OverdueNotice.Stage
    late_rects = R.objects.select_related("handler")
    late_complaints = C.objects.select_related("handler")
    return [
        (
            S.CALLBACK,
            late_rects.filter(
                status__in=(R.Status.NEW, R.Status.ASSIGNED), callback_due__lt=today
            ).exclude(overdue_notices__stage=S.CALLBACK),
            "callback_due",
        ),
        (
            S.RECTIFY,
            late_rects.filter(status__in=R.BEFORE_FEEDBACK, rectify_due__lt=today).exclude(
                overdue_notices__stage=S.RECTIFY
            ),
            "rectify_due",
        ),
        (
            S.REPLY,
            late_complaints.filter(status__in=C.AWAITING_REPLY, due_date__lt=today).exclude(
                Exists(
                    OverdueNotice.objects.filter(
                        complaint=OuterRef("pk"), stage=S.REPLY, round=OuterRef("reopen_count")
                    )
                )
            ),
            "due_date",
        ),
        (
            S.REASONS,
            late_complaints.filter(
                status__in=C.AWAITING_REPLY, reasons_due__lt=today, explained_at__isnull=True
            ).exclude(
                Exists(
                    OverdueNotice.objects.filter(
                        complaint=OuterRef("pk"), stage=S.REASONS, round=OuterRef("reopen_count")
                    )
                )
            ),
            "reasons_due",
        ),
    ]


def overdue_flag(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Flag every rectification and complaint whose stage passed its deadline
    (call-back, rectification and feedback, reply, "办不成事" reasons): one
    ``OverdueNotice`` per item, stage and round — shown on the director's board
    and the handler's desk — with an audit entry and a timeline event, and an
    SMS queued for the handler when a reminder number is on file. Several
    workers are safe: the notice's unique key lets only one of them flag an item."""
    today = today or timezone.localdate()
    made = 0
    for stage, candidates, due_field in _overdue_candidates(today):
        for item in candidates.order_by(due_field, "pk")[:limit]:
            if _overdue_notice_open(item, stage, getattr(item, due_field)):
                made += 1
    return made


def _overdue_notice_open(item: Rectification | Complaint, stage: str, due: dt.date) -> bool:
    is_rect = isinstance(item, Rectification)
    round_ = 0 if is_rect else item.reopen_count
    key = f"{'rect' if is_rect else 'complaint'}:{item.pk}:{stage}:{round_}"
    phone = _staff_phone(item.handler_id)
    notice = OverdueNotice(
        key=key,
        stage=stage,
        rectification=item if is_rect else None,
        complaint=None if is_rect else item,
        round=round_,
        due_date=due,
        centre_id=item.centre_id,
        department_id=item.department_id,
        handler_id=item.handler_id,
        sms_status=OverdueNotice.Sms.PENDING if phone else OverdueNotice.Sms.NONE,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
        except IntegrityError:
            return False  # another worker flagged it first
        label = notice.get_stage_display()
        targets: dict[str, Any] = (
            {"rectification": item, "rating_id": item.rating_id} if is_rect else {"complaint": item}
        )
        note = _("%(stage)s（期限 %(due)s）") % {"stage": label, "due": due.isoformat()}
        _event(
            "rectification.overdue" if is_rect else "complaint.overdue",
            note=note,
            old=item.status,
            new=item.status,
            **targets,
        )
        audit_record(
            "feedback.overdue",
            obj=item,
            stage=stage,
            due=due.isoformat(),
            handler=item.handler_id,
            notice=notice.pk,
        )
    return True


def _staff_phone(user_id: int | None) -> str:
    if not user_id:
        return ""
    row = StaffPhone.objects.filter(user_id=user_id).first()
    return row.phone if row else ""


SMS_ATTEMPTS = 3


def overdue_sms_send(*, limit: int = 100) -> int:
    """Send the queued overdue SMS, each once: a notice is claimed with a
    conditional UPDATE (pending → sending) before its SMS goes out, so two
    workers never send the same one; a failed send is retried on later passes,
    up to three attempts."""
    sent = 0
    Sms = OverdueNotice.Sms
    ids = list(
        OverdueNotice.objects.filter(sms_status=Sms.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        if not OverdueNotice.objects.filter(pk=pk, sms_status=Sms.PENDING).update(
            sms_status=Sms.SENDING, sms_attempts=F("sms_attempts") + 1, updated_at=timezone.now()
        ):
            continue
        notice = OverdueNotice.objects.select_related("rectification", "complaint").get(pk=pk)
        phone = _staff_phone(notice.handler_id)
        try:
            if not phone:
                raise ValueError("no reminder number on file")
            sms_send(phone, overdue_sms_text(notice))
        except Exception:
            log.exception("overdue SMS for %s failed", notice.key)
            retry = notice.sms_attempts < SMS_ATTEMPTS and bool(phone)
            OverdueNotice.objects.filter(pk=pk).update(
                sms_status=Sms.PENDING if retry else Sms.FAILED, updated_at=timezone.now()
            )
            continue
        now = timezone.now()
        OverdueNotice.objects.filter(pk=pk).update(sms_status=Sms.SENT, sms_at=now, updated_at=now)
        sent += 1
    return sent


def overdue_sms_text(notice: OverdueNotice) -> str:
    due = notice.due_date.strftime("%m-%d")
    if notice.rectification_id:
        return _("【一窗】差评整改单 %(n)s %(stage)s（期限 %(due)s），请尽快办理：%(u)s") % {
            "n": notice.rectification_id,
            "stage": notice.get_stage_display(),
            "due": due,
            "u": public_link(f"/feedback/rectifications/{notice.rectification_id}"),
        }
    assert notice.complaint is not None
    return _("【一窗】诉求 %(r)s %(stage)s（期限 %(due)s），请尽快办理：%(u)s") % {
        "r": notice.complaint.reference,
        "stage": notice.get_stage_display(),
        "due": due,
        "u": public_link(f"/feedback/complaints/{notice.complaint_id}"),
    }


def _overseen(user, qs):
    """``qs`` (rows with a centre, a department and a handler) as ``user`` may
    see it: an overseer his scope's (county scope also sees what has not been
    routed to a centre yet) and his own, a handler his own."""
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.has_role(Role.SYSTEM_ADMIN):
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


def notices_for(user):
    """The open overdue notices a user should see (``_overseen``)."""
    return _overseen(user, OverdueNotice.objects.open())


# --- complaints -----------------------------------------------------------------------


def _complaint_deadlines(kind: str, day: dt.date, is_complex: bool = False) -> dict[str, Any]:
    if kind == Complaint.Kind.PRAISE:
        return {"due_date": None, "reasons_due": None}
    if kind == Complaint.Kind.UNSOLVED:
        days = setting_get(
            "complaint.unsolved_complex_workdays" if is_complex else "complaint.unsolved_workdays"
        )
        return {
            "due_date": _due(day, days),
            "reasons_due": _due(day, setting_get("complaint.unsolved_reasons_workdays")),
        }
    return {"due_date": _due(day, setting_get("complaint.reply_workdays")), "reasons_due": None}


def _next_reference(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    counter, _created = ComplaintCounter.objects.select_for_update().get_or_create(year=year)
    ComplaintCounter.objects.filter(pk=counter.pk).update(last_seq=F("last_seq") + 1)
    counter.refresh_from_db(fields=["last_seq"])
    return f"TS{year}{counter.last_seq:06d}"


def _clean_phone(phone: str) -> str:
    phone = "".join((phone or "").split()).replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise Unprocessable("feedback.bad_phone", _("联系电话格式不正确。"))
    return phone


@transaction.atomic
def complaint_submit(
    *,
    kind: str,
    channel: str,
    description: str,
    title: str = "",
    category: ComplaintCategory | None = None,
    centre: Centre | None = None,
    window: Window | None = None,
    clerk: Staff | None = None,
    department: Department | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    address_string: str = "",
    lat=None,
    long=None,
    media_url: str = "",
    attributes: dict | None = None,
    external_ref: str = "",
    source_client=None,
    received_at: dt.datetime | None = None,
    actor=None,
) -> Complaint:
    """A complaint, suggestion, consultation, praise or "办不成事" from any channel.

    ``received_at`` is only taken from a 12345 work order (the hotline's own
    receipt time, which starts the clock); every other channel uses the server's.
    """
    if kind not in Complaint.Kind.values:
        raise Unprocessable("feedback.bad_kind", _("诉求类型不正确。"))
    if channel not in Complaint.Channel.values:
        raise Unprocessable("feedback.bad_channel", _("诉求渠道不正确。"))
    if channel in (Complaint.Channel.DESK, Complaint.Channel.PHONE) and not (
        actor is not None and staff_of(actor) is not None
    ):
        raise Forbidden("feedback.staff_only", _("电话与意见台诉求须由工作人员录入。"))
    description = (description or "").strip()
    if not description:
        raise Unprocessable("feedback.description_required", _("请填写诉求内容。"))
    if len(description) > MAX_COMMENT:
        raise Unprocessable("feedback.comment_too_long", _("诉求内容不能超过 10000 字。"))
    now = timezone.now()
    if received_at is not None and channel != Complaint.Channel.HOTLINE:
        received_at = None
    if received_at is not None and received_at > now:
        raise Unprocessable("feedback.bad_date", _("收到时间不能晚于现在。"))
    received_at = received_at or now
    if window is not None:
        centre = centre or window.centre
        department = department or window.department
    if clerk is not None:
        department = department or clerk.department
        centre = centre or clerk.centre
    if category is not None and department is None:
        department = category.department
    deadlines = _complaint_deadlines(kind, timezone.localdate(received_at))
    complaint = Complaint(
        reference=_next_reference(now),
        kind=kind,
        channel=channel,
        category=category,
        title=(title or "").strip()[:120],
        description=description,
        attributes=attributes or {},
        name=(name or "").strip()[:50],
        phone=_clean_phone(phone),
        email=(email or "").strip()[:120],
        address_string=(address_string or "")[:200],
        lat=lat,
        long=long,
        media_url=(media_url or "")[:500],
        external_ref=(external_ref or "").strip()[:40],
        source_client=source_client,
        centre=centre,
        department=department,
        window=window,
        clerk=clerk,
        received_at=received_at,
        **deadlines,
    )
    complaint.phone_hash = keyed_hash(complaint.phone, "phone") if complaint.phone else ""
    try:
        with transaction.atomic():
            complaint.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            "feedback.duplicate_work_order",
            _("该工单已导入：%(r)s") % {"r": external_ref},
            external_ref=external_ref,
        ) from None
    _event(
        "complaint.received",
        complaint=complaint,
        actor=actor,
        new=complaint.status,
        note=complaint.get_channel_display(),
    )
    return complaint


def complaints_for(user):
    """The complaints a user may see (``_overseen``)."""
    return _overseen(user, Complaint.objects.all())


def get_complaint_for(user, complaint_id: int) -> Complaint:
    c = complaints_for(user).filter(pk=complaint_id).first()
    if c is None:
        raise NotFound("feedback.complaint_not_found", _("没有找到该诉求。"))
    return c


def _locked_complaint(c: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=c.pk)


def _complaint_step(c: Complaint, actor, new: str, fields: dict[str, Any], note: str, type: str):
    old = c.status
    _set(c, {"status": new, **fields})
    _event(type, complaint=c, actor=actor, old=old, new=new, note=note)


@transaction.atomic
def complaint_assign(
    *,
    complaint: Complaint,
    handler,
    actor,
    department: Department | None = None,
    window: Window | None = None,
    clerk: Staff | None = None,
    note: str = "",
) -> Complaint:
    """Route to the unit, window or clerk concerned and name a handler."""
    c = _locked_complaint(complaint)
    if not _can_assign(actor, centre_id=c.centre_id, department_id=c.department_id):
        raise Forbidden("feedback.cannot_assign", _("只有中心主任或责任部门负责人可以分派。"))
    _require_status(c, Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED)
    if staff_of(handler) is None or not handler.is_active:
        raise Unprocessable("feedback.bad_handler", _("承办人须为在职工作人员。"))
    fields: dict[str, Any] = {"handler": handler}
    if window is not None:
        fields.update(window=window, centre=window.centre, department=window.department)
    if clerk is not None:
        fields["clerk"] = clerk
    if department is not None:
        fields["department"] = department
    _complaint_step(
        c,
        actor,
        Complaint.Status.ASSIGNED,
        fields,
        note or (handler.display_name or handler.username),
        "complaint.assigned",
    )
    return c


@transaction.atomic
def complaint_mark_complex(*, complaint: Complaint, note: str, actor) -> Complaint:
    """A "办不成事" request is complex: the limit becomes 10 working days."""
    c = _locked_complaint(complaint)
    if not is_reviewer(actor):
        raise Forbidden("feedback.not_reviewer", _("只有中心主任可以认定复杂事项。"))
    if c.kind != Complaint.Kind.UNSOLVED:
        raise Unprocessable("feedback.not_unsolved", _("只有“办不成事”可认定为复杂事项。"))
    _require_status(c, *Complaint.AWAITING_REPLY)
    if c.is_complex:
        raise Conflict("feedback.already_complex", _("已认定为复杂事项。"))
    due = _due(
        timezone.localdate(c.received_at), setting_get("complaint.unsolved_complex_workdays")
    )
    _set(c, {"is_complex": True, "due_date": due})
    _event("complaint.complex", complaint=c, actor=actor, old=c.status, new=c.status, note=note)
    return c


def _require_complaint_handler(c: Complaint, actor) -> None:
    if c.handler_id != actor.pk and not is_reviewer(actor):
        raise Forbidden("feedback.not_handler", _("只有承办人可以办理该诉求。"))


@transaction.atomic
def complaint_explain(*, complaint: Complaint, explanation: str, actor) -> Complaint:
    """ "办不成事": the reasons it cannot be done (or the plan), within 3 working days."""
    c = _locked_complaint(complaint)
    _require_complaint_handler(c, actor)
    _require_status(c, *Complaint.AWAITING_REPLY)
    if not (explanation or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写情况说明。"))
    _set(c, {"explanation": explanation.strip(), "explained_at": timezone.now()})
    _event(
        "complaint.explained",
        complaint=c,
        actor=actor,
        old=c.status,
        new=c.status,
        note=explanation,
    )
    return c


@transaction.atomic
def complaint_reply(*, complaint: Complaint, reply: str, actor) -> Complaint:
    c = _locked_complaint(complaint)
    _require_complaint_handler(c, actor)
    _require_status(c, *Complaint.AWAITING_REPLY)
    reply = (reply or "").strip()
    if not reply:
        raise Unprocessable("feedback.note_required", _("请填写答复内容。"))
    _complaint_step(
        c,
        actor,
        Complaint.Status.REPLIED,
        {"reply": reply[:MAX_COMMENT], "replied_at": timezone.now(), "replied_by": actor},
        reply,
        "complaint.replied",
    )
    if c.phone:
        phone, ref, code = c.phone, c.reference, c.track_code
        text = _("【一窗】您的诉求 %(r)s 已答复，请查看并评价：%(u)s") % {
            "r": ref,
            "u": public_link(f"/m/complaints/{code}"),
        }
        transaction.on_commit(lambda: sms_send(phone, text))
    return c


@transaction.atomic
def complaint_rate(*, track_code: str, satisfaction: str, comment: str = "", user=None):
    """The citizen's satisfaction with the reply: satisfied closes it; not
    satisfied reopens it with a fresh deadline."""
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("feedback.staff_cannot_rate", _("工作人员不能代替群众评价。"))
    c = (
        Complaint.objects.select_for_update()
        .filter(track_code=(track_code or "").strip()[:32])
        .first()
    )
    if c is None:
        raise NotFound("feedback.unknown_code", _("查询码无效。"))
    _require_status(c, Complaint.Status.REPLIED)
    if satisfaction not in Complaint.Satisfaction.values:
        raise Unprocessable("feedback.bad_satisfaction", _("请选择满意、基本满意或不满意。"))
    if satisfaction == Complaint.Satisfaction.UNSATISFIED:
        deadlines = _complaint_deadlines(c.kind, timezone.localdate(), c.is_complex)
        _complaint_step(
            c,
            None,
            Complaint.Status.ASSIGNED if c.handler_id else Complaint.Status.RECEIVED,
            {
                "satisfaction": satisfaction,
                "reopen_count": c.reopen_count + 1,
                "explained_at": None,
                **deadlines,
            },
            comment or _("群众不满意，重新办理"),
            "complaint.reopened",
        )
    else:
        _complaint_step(
            c,
            None,
            Complaint.Status.CLOSED,
            {"satisfaction": satisfaction, "closed_at": timezone.now()},
            comment,
            "complaint.closed",
        )
    return c


@transaction.atomic
def complaint_close(*, complaint: Complaint, note: str = "", actor) -> Complaint:
    """Close a replied complaint the citizen has not rated (or praise, at once)."""
    c = _locked_complaint(complaint)
    if not (is_reviewer(actor) or c.handler_id == actor.pk):
        raise Forbidden("feedback.cannot_close", _("只有承办人或中心主任可以办结。"))
    if c.kind == Complaint.Kind.PRAISE:
        _require_status(c, Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED)
    else:
        _require_status(c, Complaint.Status.REPLIED)
    _complaint_step(
        c, actor, Complaint.Status.CLOSED, {"closed_at": timezone.now()}, note, "complaint.closed"
    )
    return c


def new_api_key() -> str:
    return "o311_" + secrets.token_urlsafe(24)
