"""Demo step: cases (办件) for the months of history, in the county hall and
the township centres, each opened by a citizen the hall history served (the
ticket of the visit, accepted by the clerk of that window, on a working day)
and of an item drawn by its weight, ``item_volumes``), with a believable mix:
complete intakes, one-time notices and second visits, 容缺 gaps, routing
across departments (each step on the post ``cases`` would give it), late
cases that draw cards, and vault documents reused across departments with an
access log.

History is bulk-inserted (the product's actions are exercised by the tests);
the clock uses the real working-day calendar, and the cards are recorded by the
worker's own pass at the end.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import NamedTuple

from django.utils import timezone

from yichuang.cases.actions.steps import post_for
from yichuang.catalog.models import Item
from yichuang.lib import workdays
from yichuang.lib.codes import new_code
from yichuang.lib.crypto import keyed_hash
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, Post
from yichuang.queueing.models import Queue, Ticket
from yichuang.vault.models import AccessLog, Consent, Document, Person

from .base import DemoRun
from .item_volumes import item_weight

PER_DAY = {"small": 4, "county": 18, "large": 60}
TOWNSHIP_CASES = 0.15  # a township centre's cases per day, relative to the county hall
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫波斌宇浩凯"


def _id_number(rng, n: int) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    body = f"369921{birth:%Y%m%d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def build(run: DemoRun) -> None:
    from yichuang.cases.models import Case, CaseEvent, CaseStep, CaseVisit, MaterialReceipt
    from yichuang.cases.tasks import cards_refresh

    rng = run.rng
    hall = run.ctx["hall"]
    cal = get_calendar()
    today = timezone.localdate()
    months = max(run.months, 1)
    per_day = PER_DAY.get(run.scale, 18) if run.months else 3
    items = list(
        Item.objects.published()
        .filter(centres__isnull=False)
        .distinct()
        .select_related("current_version", "department")
        .prefetch_related("current_version__steps", "current_version__materials")
    )
    if not items:
        run.say("办件：没有事项，跳过")
        return
    start = today - dt.timedelta(days=30 * months)
    visits_of = _served_tickets(run, start, today)
    if not visits_of:
        run.say("办件：没有叫号记录，跳过")
        return
    offered = _items_by_ticket(items)
    posts = list(Post.objects.select_related("centre"))
    centres = {c.pk: c for c in Centre.objects.all()}

    # A pool of residents, so that people come back and their documents get reused.
    n_people = max(20, per_day * 20)
    people = Person.objects.bulk_create(
        [
            Person(
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(2)),
                id_number=(number := _id_number(rng, i)),
                id_hash=keyed_hash(number, "id"),
                phone=(phone := f"139{rng.randrange(10**8):08d}"),
                phone_hash=keyed_hash(phone, "phone"),
            )
            for i in range(n_people)
        ],
        ignore_conflicts=True,
    )
    people = list(Person.objects.all())
    consents = Consent.objects.bulk_create(
        [
            Consent(person=p, scope="all", valid_until=today + dt.timedelta(days=365), centre=hall)
            for p in people
            if rng.random() < 0.6
        ]
    )
    consented = {c.person_id for c in consents}
    docs: dict[tuple[int | None, str], Document] = {}

    # Each working day, some of the citizens served at each centre's windows
    # open a case of an item that window's line takes, drawn by the item's
    # weight; the clerk who served them accepts it.
    used: set[int] = set()
    plans = []
    for (centre_id, day), served in sorted(visits_of.items()):
        if not workdays.is_workday(cal, day):
            continue
        county = centres[centre_id].kind == "county"
        wanted = rng.randint(max(1, per_day // 2), per_day + per_day // 2)
        wanted = wanted if county else max(1, round(wanted * TOWNSHIP_CASES))
        for ticket in rng.sample(served, min(wanted, len(served))):
            choice = offered(ticket, centres[centre_id])
            if not choice:
                continue
            item = rng.choices(choice[0], weights=choice[1])[0]
            used.add(ticket.pk)
            plans.append((ticket, item, rng.choice(people), rng.random()))

    cases: list[Case] = []
    ticket_of: list[list[_Visit]] = []
    made = 0
    for first, item, person, roll in plans:
        version = item.current_version
        steps = list(version.steps.all())
        centre = centres[first.centre_id]
        first_day = accept_day = first.day
        second = None
        if roll < 0.15:  # a one-time notice, then a second visit some days later
            later = first_day + dt.timedelta(days=rng.randint(2, 7))
            second = _second_visit(visits_of, first, later, used, cal)
            if second is not None:
                used.add(second.pk)
                accept_day = second.day
        notice_first = second is not None
        accepting = second or first
        committed = 0 if version.is_immediate else int(version.committed_limit or 0)
        legal = int(version.legal_limit) if version.legal_limit else None
        try:
            due = workdays.add_limit(cal, accept_day, committed, version.committed_limit_unit)
            statutory = (
                workdays.add_limit(cal, accept_day, legal, version.legal_limit_unit)
                if legal
                else None
            )
        except workdays.CalendarYearMissing:
            continue
        late = roll > 0.93
        ratio = rng.uniform(1.1, 1.6) if late else rng.uniform(0.3, 0.95)
        duration = 0 if version.is_immediate else max(1, math.ceil(committed * ratio))
        try:
            done_on = workdays.add_workdays(cal, accept_day, duration)
        except workdays.CalendarYearMissing:
            done_on = today + dt.timedelta(days=1)
        finished = done_on < today
        received = first.called_at
        accepted_at = accepting.called_at
        if duration == 0:  # done on the spot, when the window finished
            completed = accepting.finished_at
        else:
            completed = timezone.make_aware(dt.datetime.combine(done_on, dt.time(16)))
        case = Case(
            centre=centre,
            version=version,
            item=item,
            person=person,
            title=version.name,
            status="delivered" if finished else "review",
            decision="granted" if finished else "",
            receipt_code=new_code(),
            rating_code=secrets.token_urlsafe(12) if finished else None,
            received_at=received,
            accepted_on=accept_day,
            committed_days=committed,
            legal_days=legal,
            due_date=due,
            statutory_due_date=statutory,
            completed_at=completed if finished else None,
            delivered_at=completed + dt.timedelta(minutes=30) if finished else None,
            delivery_method="window" if finished else "",
            department=item.department,
            first_ask_id=first.clerk_id,
            accepted_by_id=accepting.clerk_id,
            visit_count=2 if notice_first else 1,
        )
        case._plan = (steps, notice_first, accept_day, accepted_at, finished, roll)  # type: ignore[attr-defined]
        cases.append(case)
        ticket_of.append([first, second] if second is not None else [first])
    cases = Case.objects.bulk_create(cases, batch_size=2000)

    case_steps, events, visits_rows, receipts, logs = [], [], [], [], []
    for case, tix in zip(cases, ticket_of, strict=True):
        steps, notice_first, accept_day, accepted_at, finished, roll = case._plan  # type: ignore[attr-defined]
        for t in tix:
            visits_rows.append(CaseVisit(case=case, ticket_id=t.pk, at=t.called_at))
        events.append(
            CaseEvent(case=case, type="received", new_status="received", at=case.received_at)
        )
        if notice_first:
            events.append(
                CaseEvent(
                    case=case,
                    type="notice",
                    old_status="received",
                    new_status="supplement",
                    at=case.received_at,
                    document="一次性告知书",
                )
            )
        events.append(CaseEvent(case=case, type="accepted", new_status="accepted", at=accepted_at))
        cum = 0
        for s in steps:
            cum += s.share
            try:
                step_due = workdays.add_workdays(
                    cal, accept_day, math.ceil(case.committed_days * min(cum, 100) / 100)
                )
            except workdays.CalendarYearMissing:
                step_due = None
            case_steps.append(
                CaseStep(
                    case=case,
                    position=s.position,
                    kind=s.kind,
                    name=s.get_kind_display(),
                    department_id=s.department_id,
                    post=post_for(case.centre, s.department_id, s.kind, posts),
                    share=s.share,
                    due_date=step_due,
                    state="done" if finished or s.kind == "accept" else "pending",
                )
            )
        if finished:
            events.append(
                CaseEvent(
                    case=case,
                    type="completed",
                    old_status="decided",
                    new_status="completed",
                    at=case.completed_at,
                )
            )
        # Materials: documents reused from the vault where the person has them.
        for m in case.version.materials.all():
            if m.requirement != "required" or m.removable:
                continue
            how, doc = "submitted", None
            if m.document_type:
                key = (case.person_id, m.document_type)
                doc = docs.get(key)
                shareable = m.document_type in ("id_card", "hukou_book")
                if doc is not None and (shareable or case.person_id in consented):
                    how = "vault"
                    logs.append(
                        AccessLog(
                            person_id=case.person_id,
                            document=doc,
                            kind="document",
                            department_id=case.department_id,
                            centre=case.centre,
                            case_id=case.pk,
                            case_label=f"{case.number} {case.title}",
                            purpose=f"受理材料复用：{m.name}",
                            basis="unconditional" if shareable else "consent",
                            at=accepted_at,
                        )
                    )
                elif doc is None:
                    doc = docs[key] = Document(
                        person_id=case.person_id,
                        doc_type=m.document_type,
                        name=m.name,
                        # an ID card is kept with its number (encrypted at rest)
                        number=case.person.id_number if m.document_type == "id_card" else "",
                        source_case_id=case.pk,
                        source_centre=case.centre,
                        source_department_id=case.department_id,
                    )
            if m.tolerable and 0.85 < roll < 0.93:
                how = "tolerated"
            receipts.append(
                MaterialReceipt(
                    case=case,
                    code=m.code,
                    name=m.name,
                    document_type=m.document_type,
                    how=how,
                    document=doc if how == "vault" else None,
                    due_date=case.due_date if how == "tolerated" else None,
                    supplemented_at=case.completed_at if how == "tolerated" else None,
                )
            )
        made += 1
    Document.objects.bulk_create(list(docs.values()), batch_size=2000)
    for r in receipts:
        if r.document is not None:
            r.document_id = r.document.pk
    for lg in logs:
        lg.document_id = lg.document.pk
    CaseStep.objects.bulk_create(case_steps, batch_size=2000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    CaseVisit.objects.bulk_create(visits_rows, batch_size=2000)
    MaterialReceipt.objects.bulk_create(receipts, batch_size=2000)
    AccessLog.objects.bulk_create(logs, batch_size=2000)

    # Open cases sit at their first step after acceptance.
    current = {}
    for step in (
        CaseStep.objects.filter(case__status="review")
        .exclude(kind="accept")
        .order_by("case_id", "-position")
    ):
        current[step.case_id] = step
    open_cases = []
    for case_id, step in current.items():
        CaseStep.objects.filter(pk=step.pk).update(state="active")
        open_cases.append(
            Case(
                pk=case_id,
                current_step_id=step.pk,
                department_id=step.department_id,
                post_id=step.post_id,
            )
        )
    Case.objects.bulk_update(open_cases, ["current_step", "department", "post"], batch_size=2000)
    for item in items:
        Item.objects.filter(pk=item.pk).update(case_count=Case.objects.filter(item=item).count())
    cards = cards_refresh(today=today)
    run.ctx["demo_people"] = people
    run.say(
        f"办件：{made} 件（其中在办 {len(open_cases)} 件），到现场 {len(visits_rows)} 次，"
        f"证照复用 {len(logs)} 次，红黄牌 {cards} 张"
    )


class _Visit(NamedTuple):
    """What a case needs of the served ticket it came through."""

    id: int
    centre_id: int
    day: dt.date
    queue_id: int
    window_id: int
    clerk_id: int | None
    called_at: dt.datetime
    finished_at: dt.datetime

    @property
    def pk(self) -> int:
        return self.id


def _served_tickets(run: DemoRun, start: dt.date, today: dt.date) -> dict:
    """{(centre, day): [served tickets]} of the history before today (not the
    transfers' follow-ons); with no history yet (``--months 0``), a short one
    is written first, so that every case has the visit it came through."""

    def read() -> dict[tuple[int, dt.date], list[_Visit]]:
        out: dict[tuple[int, dt.date], list[_Visit]] = {}
        for row in (
            Ticket.objects.filter(
                day__gte=start,
                day__lt=today,
                status="done",
                transferred_from__isnull=True,
                window__isnull=False,
            )
            .order_by("id")
            .values_list(*_Visit._fields)
        ):
            t = _Visit(*row)
            out.setdefault((t.centre_id, t.day), []).append(t)
        return out

    found = read()
    if not found:
        from .history import History

        History(seed=run.rng.randrange(2**32), per_day=60, cases=False, ratings=False).days(
            start, today - dt.timedelta(days=1)
        )
        found = read()
    return found


def _items_by_ticket(items: list[Item]):
    """``offered(ticket, centre)``: the items a served ticket may open a case
    of (those its queue takes at that centre; at a line taking no items of its
    own, such as 综合业务 in the county hall, any the centre offers), with
    their weights (``item_volumes``)."""
    by_queue: dict[int, set[int]] = {}
    for queue, item in Queue.items.through.objects.values_list("queue_id", "item_id"):
        by_queue.setdefault(queue, set()).add(item)
    at_centre: dict[int, set[int]] = {}
    for item, centre in Item.centres.through.objects.values_list("item_id", "centre_id"):
        at_centre.setdefault(centre, set()).add(item)
    cache: dict[tuple[int, int], tuple[list[Item], list[float]] | None] = {}

    def offered(ticket: _Visit, centre: Centre) -> tuple[list[Item], list[float]] | None:
        key = (ticket.queue_id, centre.pk)
        if key not in cache:
            here = at_centre.get(centre.pk, set())
            mine = by_queue.get(ticket.queue_id, set()) & here or here
            chosen = [i for i in items if i.pk in mine]
            weights = [item_weight(i.current_version.name, centre.kind) for i in chosen]
            cache[key] = (chosen, weights) if chosen else None
        return cache[key]

    return offered


def _second_visit(visits_of, first: _Visit, later: dt.date, used: set[int], cal):
    """A ticket served at the same centre on the first working day from
    ``later`` on, in the same line when there is one: the citizen's return."""
    for i in range(7):
        day = later + dt.timedelta(days=i)
        try:
            if not workdays.is_workday(cal, day):
                continue
        except workdays.CalendarYearMissing:
            return None
        served = [t for t in visits_of.get((first.centre_id, day), ()) if t.pk not in used]
        if not served:
            continue
        same = [t for t in served if t.queue_id == first.queue_id]
        return (same or served)[0]
    return None
