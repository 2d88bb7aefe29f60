"""The worker's pass that opens ledger rows from what the lower apps record
(docs/domain.md, "Supervision"): substantiated bad ratings, complaints found
substantiated (属实 or 部分属实) that reached 办结, red cards, peak alerts that
breached the wait limit, and clerks' flags on the knowledge base's answers. Each
source is read after its own cursor (``SourceCursor``), so a pass costs the
new rows only, never the history; no lower app knows about the ledger.

Concurrency: a batch is claimed by moving the cursor with a conditional
UPDATE inside the transaction that opens its rows, so two workers never open
the same batch (the second finds the cursor moved and does nothing), and the
unique (source, source_id) constraint stands behind it. Rows younger than
``SETTLE_SECONDS`` are left for the next pass: a transaction that took an
earlier id may still be committing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases.models import Card
from yichuang.feedback.models import Appeal, Complaint, FeedbackEvent, Rectification
from yichuang.knowledge.models import ArticleFlag
from yichuang.org.models import Staff
from yichuang.queueing.models import QueueAlert

from ..models import Category, Problem, Severity, Source, SourceCursor
from .common import NewProblem, owner_for, problem_create

SETTLE_SECONDS = 2
BATCH = 2000

# A bad rating's first reason says what the problem is about.
RATING_CATEGORIES = {
    "attitude": Category.ATTITUDE,
    "unskilled": Category.SKILLS,
    "many_trips": Category.ONE_NOTICE,
    "many_materials": Category.ONE_NOTICE,
    "long_wait": Category.QUEUEING,
    "overdue": Category.EFFICIENCY,
    "buck_passing": Category.FIRST_ASK,
}
COMPLAINT_CATEGORIES = {
    "attitude": Category.ATTITUDE,
    "buck_passing": Category.FIRST_ASK,
    "efficiency": Category.EFFICIENCY,
    "unsolved": Category.SKILLS,
}


def _day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


class Owners:
    """The owner of each (window, day) of a batch, looked up once."""

    def __init__(self) -> None:
        self.known: dict[tuple[int | None, dt.date], Staff | None] = {}

    def of(self, *, window, department, centre, day: dt.date) -> Staff | None:
        key = (window.pk if window else None, day)
        if window is None:
            return None
        if key not in self.known:
            self.known[key] = owner_for(
                window=window, department=department, centre=centre, day=day
            )
        return self.known[key]


# --- what each source's rows open ----------------------------------------------------------


def _rating_rows(low: int, high: int) -> Iterable[NewProblem]:
    """Substantiated bad ratings, severity 一般: the ``rectification.verified``
    events of a 属实 verdict, and the ``appeal.decided`` events that reject
    the appeal a 不属实 verdict filed (the reviewer overruled the handler, so
    the rating stands as a problem of the unit). A rating opens one row at
    most, whichever event comes first."""
    verified = Q(
        type="rectification.verified",
        rectification__verdict=Rectification.Verdict.SUBSTANTIATED,
    )
    overruled = Q(
        type="appeal.decided",
        new_status=Appeal.Status.REJECTED,
        appeal__kind=Appeal.Kind.MISTAKEN,
        appeal__rating__rectification__verdict=Rectification.Verdict.UNSUBSTANTIATED,
    )
    events = (
        FeedbackEvent.objects.filter(verified | overruled, id__gt=low, id__lte=high)
        .select_related(
            *(
                f"{via}__{part}"
                for via in ("rectification__rating", "appeal__rating")
                for part in ("centre", "department", "window__clerk", "clerk", "rectification")
            )
        )
        .order_by("id")
    )
    owners = Owners()
    for event in events:
        rating = (event.rectification or event.appeal).rating
        day = _day(event.at)
        reasons = rating.reasons or []
        category = RATING_CATEGORIES.get(reasons[0] if reasons else "", Category.ATTITUDE)
        if event.type == "appeal.decided":
            note = event.appeal.decision_note or rating.comment or ""
            description = _("差评经审核成立（申诉未获支持）：%(f)s") % {"f": note[:500]}
        else:
            finding = rating.rectification.finding or rating.comment
            description = _("差评核实属实：%(f)s") % {"f": finding[:500]}
        owner = owners.of(
            window=rating.window, department=rating.department, centre=rating.centre, day=day
        )
        yield NewProblem(
            source=Source.RATING,
            source_id=rating.pk,
            source_label=_("差评（%(l)s）") % {"l": rating.get_level_display()},
            centre=rating.centre,
            department=rating.department,
            window=rating.window,
            owner=owner or rating.clerk,
            clerk=rating.clerk,
            category=category,
            severity=Severity.GENERAL,
            description=description,
            found_on=day,
        )


def _complaint_rows(low: int, high: int) -> Iterable[NewProblem]:
    """Substantiated complaints (投诉, 办不成事 whose reply recorded 属实 or
    部分属实) routed to a centre that reached 办结: the ``complaint.closed``
    events. Severity 较重.

    A complaint is read once, at its close: the verdict is given with the
    reply and cannot change after the close, so reading the complaint's
    verdict through the event is reading the verdict it closed with. The
    cursor stays on the event ids, as before verdicts existed: a complaint
    replied before then carries the legacy 属实 of feedback's migration 0007
    (the old rule), so one closed then and not yet read still opens its row,
    and one already read is behind the cursor (and (source, source_id) is
    unique), so none is read twice or missed."""
    events = (
        FeedbackEvent.objects.filter(
            id__gt=low,
            id__lte=high,
            type="complaint.closed",
            complaint__kind__in=Complaint.VERIFIED_KINDS,
            complaint__verdict__in=Complaint.SUBSTANTIATED_VERDICTS,
            complaint__centre__isnull=False,
        )
        .select_related(
            "complaint__centre",
            "complaint__department",
            "complaint__window__clerk",
            "complaint__clerk",
            "complaint__category",
        )
        .order_by("id")
    )
    owners = Owners()
    for event in events:
        c = event.complaint
        day = _day(event.at)
        code = c.category.code if c.category else c.kind
        owner = owners.of(window=c.window, department=c.department, centre=c.centre, day=day)
        yield NewProblem(
            source=Source.COMPLAINT,
            source_id=c.pk,
            source_label=_("投诉 %(r)s") % {"r": c.reference},
            centre=c.centre,
            department=c.department,
            window=c.window,
            owner=owner or c.clerk,
            clerk=c.clerk,
            category=COMPLAINT_CATEGORIES.get(code, Category.ATTITUDE),
            severity=Severity.MAJOR,
            description=f"{c.get_verdict_display()}：{(c.title or c.description)[:480]}",
            found_on=day,
        )


def _card_rows(low: int, high: int) -> Iterable[NewProblem]:
    """Red cards not lifted. Severity 较重; the card's holder owns it."""
    cards = (
        Card.objects.filter(id__gt=low, id__lte=high, level="red", lifted_at__isnull=True)
        .select_related("case__centre", "department", "staff")
        .order_by("id")
    )
    for card in cards:
        yield NewProblem(
            source=Source.CARD,
            source_id=card.pk,
            source_label=_("红牌 · %(t)s") % {"t": card.case.title[:60]},
            centre=card.case.centre,
            department=card.department,
            owner=card.staff,
            clerk=card.staff,
            category=Category.EFFICIENCY,
            severity=Severity.MAJOR,
            description=_("办件亮红牌：%(r)s") % {"r": card.reason},
            found_on=_day(card.recorded_at),
        )


def _alert_rows(low: int, high: int) -> Iterable[NewProblem]:
    """Peak alerts that breached the queue's wait limit: the wait estimated
    when the alert rose reached the queue's 预计等候 line (an alert raised on
    the head count alone is an early warning, not yet a problem). Severity 一般."""
    alerts = (
        QueueAlert.objects.filter(
            id__gt=low,
            id__lte=high,
            queue__alert_wait_minutes__gt=0,
            estimated_wait_minutes__gte=F("queue__alert_wait_minutes"),
        )
        .select_related("centre", "queue")
        .order_by("id")
    )
    for alert in alerts:
        yield NewProblem(
            source=Source.ALERT,
            source_id=alert.pk,
            source_label=_("高峰预警 · %(q)s") % {"q": alert.queue.name},
            centre=alert.centre,
            category=Category.QUEUEING,
            severity=Severity.GENERAL,
            description=_("%(q)s 等候 %(n)d 人，预计等候 %(m)d 分钟，超过 %(l)d 分钟的预警线")
            % {
                "q": alert.queue.name,
                "n": alert.waiting,
                "m": alert.estimated_wait_minutes,
                "l": alert.queue.alert_wait_minutes,
            },
            found_on=_day(alert.raised_at),
        )


def _flag_rows(low: int, high: int) -> Iterable[NewProblem]:
    """Clerks' flags on the knowledge base (an answer wrong, outdated or
    missing): a row for the article's department, owned by its editor, at the
    centre of the clerk who raised it. Severity 一般. A flag raised by someone
    of no centre opens no row."""
    flags = (
        ArticleFlag.objects.filter(id__gt=low, id__lte=high)
        .select_related("article__department", "item__department", "raised_by", "assigned_to")
        .order_by("id")
    )
    staff = {
        s.user_id: s
        for s in Staff.objects.filter(
            user__in={u for f in flags for u in (f.raised_by_id, f.assigned_to_id) if u}
        ).select_related("centre")
    }
    for flag in flags:
        raiser = staff.get(flag.raised_by_id)
        editor = staff.get(flag.assigned_to_id)
        centre = (raiser.centre if raiser else None) or (editor.centre if editor else None)
        if centre is None:
            continue
        subject = flag.article.title if flag.article else flag.query
        department = flag.article.department if flag.article else None
        if department is None and flag.item is not None:
            department = flag.item.department
        yield NewProblem(
            source=Source.KNOWLEDGE,
            source_id=flag.pk,
            source_label=_("知识库反馈 · %(t)s") % {"t": subject[:60]},
            centre=centre,
            department=department,
            owner=editor,
            clerk=raiser,
            category=Category.SKILLS,
            severity=Severity.GENERAL,
            description=_("%(r)s：%(t)s %(n)s")
            % {"r": flag.get_reason_display(), "t": subject[:200], "n": flag.note[:250]},
            found_on=_day(flag.created_at),
        )


@dataclass(frozen=True)
class Feed:
    model: type[models.Model]
    time_field: str
    rows: Callable[[int, int], Iterable[NewProblem]]


FEEDS: dict[str, Feed] = {
    Source.RATING: Feed(FeedbackEvent, "at", _rating_rows),
    Source.COMPLAINT: Feed(FeedbackEvent, "at", _complaint_rows),
    Source.CARD: Feed(Card, "recorded_at", _card_rows),
    Source.ALERT: Feed(QueueAlert, "raised_at", _alert_rows),
    Source.KNOWLEDGE: Feed(ArticleFlag, "created_at", _flag_rows),
}


# --- the cursor ----------------------------------------------------------------------------


def cursor_of(source: str) -> SourceCursor:
    try:
        cursor, _created = SourceCursor.objects.get_or_create(source=source)
    except IntegrityError:
        cursor = SourceCursor.objects.get(source=source)
    return cursor


def _settled_upto(feed: Feed, after: int, limit: int, settle: float | None) -> int | None:
    """The last id of the contiguous run of rows after ``after`` old enough
    to be settled (no earlier id can still be committing). ``settle`` None:
    every row written is settled (a one-off pass with nothing else writing,
    such as the demo's)."""
    cutoff = timezone.now() - dt.timedelta(seconds=settle or 0)
    last = None
    for pk, at in (
        feed.model._default_manager.filter(id__gt=after)
        .order_by("id")
        .values_list("id", feed.time_field)[:limit]
    ):
        if settle is not None and at is not None and at >= cutoff:
            break
        last = pk
    return last


def ingest_source(source: str, *, limit: int = BATCH, settle: float | None = SETTLE_SECONDS) -> int:
    """Open the rows of one batch of one source: the number of ledger rows
    opened, or -1 when there was nothing settled to read (or another worker
    claimed the batch)."""
    feed = FEEDS[source]
    cursor = cursor_of(source)
    upto = _settled_upto(feed, cursor.last_id, limit, settle)
    if upto is None:
        return -1
    opened = 0
    with transaction.atomic():
        claimed = SourceCursor.objects.filter(pk=cursor.pk, last_id=cursor.last_id).update(
            last_id=upto, updated_at=timezone.now()
        )
        if not claimed:
            return -1
        rows = list(feed.rows(cursor.last_id, upto))
        known = set(
            Problem.objects.filter(
                source=source, source_id__in=[r.source_id for r in rows]
            ).values_list("source_id", flat=True)
        )
        for row in rows:
            if row.source_id in known:
                continue
            problem_create(row)
            known.add(row.source_id)
            opened += 1
    return opened


def problems_ingest(*, settle: float | None = SETTLE_SECONDS) -> str:
    """The worker task: every source brought up to date, batch by batch."""
    done = []
    for source in FEEDS:
        total = 0
        for _round in range(100):
            n = ingest_source(source, settle=settle)
            if n < 0:
                break
            total += n
        if total:
            done.append(f"{source}+{total}")
    return ", ".join(done)
