"""Demo step: cases (办件) for the months of history, linked to the tickets of
their visits, with a believable mix — complete intakes, one-time notices and
second visits, 容缺 gaps, routing across departments, late cases that draw
cards, and vault documents reused across departments with an access log.

History is bulk-inserted (the product's actions are exercised by the tests);
the clock uses the real working-day calendar, and the cards are recorded by the
worker's own pass at the end.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets

from django.utils import timezone

from yichuang.catalog.models import Item
from yichuang.lib import workdays
from yichuang.lib.crypto import keyed_hash
from yichuang.org.calendar import get_calendar
from yichuang.queueing.models import Queue, Ticket
from yichuang.vault.models import AccessLog, Consent, Document, Person

from .base import DemoRun

PER_DAY = {"small": 4, "county": 18, "large": 60}
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
    queue = Queue.objects.filter(centre=hall, code="general").first()
    items = list(
        Item.objects.published()
        .filter(centres=hall)
        .select_related("current_version", "department")
        .prefetch_related("current_version__steps", "current_version__materials")
    )
    if not items or queue is None:
        run.say("办件：没有事项或队列，跳过")
        return

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

    start = today - dt.timedelta(days=30 * months)
    day = start
    made = seq = 0
    cases: list[Case] = []
    plans = []
    while day <= today:
        if day.year in cal.years and workdays.is_workday(cal, day):
            for _ in range(rng.randint(max(1, per_day // 2), per_day + per_day // 2)):
                plans.append((day, rng.choice(items), rng.choice(people), rng.random()))
        day += dt.timedelta(days=1)

    tickets: list[Ticket] = []
    ticket_of: list[list[int]] = []
    for day, item, person, roll in plans:
        version = item.current_version
        steps = list(version.steps.all())
        notice_first = roll < 0.15
        first_day = day
        accept_day = day
        if notice_first:
            accept_day = day + dt.timedelta(days=rng.randint(2, 7))
            if accept_day > today or accept_day.year not in cal.years:
                continue
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
        received = timezone.make_aware(
            dt.datetime.combine(first_day, dt.time(9 + rng.randrange(7), rng.randrange(60)))
        )
        accepted_at = received if not notice_first else received + (accept_day - first_day)
        case = Case(
            centre=hall,
            version=version,
            item=item,
            person=person,
            title=version.name,
            status="delivered" if finished else "review",
            decision="granted" if finished else "",
            receipt_code=secrets.token_urlsafe(12),
            rating_code=secrets.token_urlsafe(12) if finished else None,
            received_at=received,
            accepted_on=accept_day,
            committed_days=committed,
            legal_days=legal,
            due_date=due,
            statutory_due_date=statutory,
            completed_at=timezone.make_aware(dt.datetime.combine(done_on, dt.time(16)))
            if finished
            else None,
            delivered_at=timezone.make_aware(dt.datetime.combine(done_on, dt.time(16, 30)))
            if finished
            else None,
            delivery_method="window" if finished else "",
            department=item.department,
            visit_count=2 if notice_first else 1,
        )
        case._plan = (steps, notice_first, accept_day, accepted_at, finished, roll)  # type: ignore[attr-defined]
        cases.append(case)
        visits = []
        for visit_day in [first_day, accept_day] if notice_first else [first_day]:
            seq += 1
            at = timezone.make_aware(dt.datetime.combine(visit_day, dt.time(9, 30)))
            tickets.append(
                Ticket(
                    centre=hall,
                    queue=queue,
                    day=visit_day,
                    seq=None,
                    number=f"A9{seq % 100:02d}",
                    status="done",
                    channel="kiosk",
                    issued_at=at,
                    sort_at=at,
                    called_at=at,
                    started_at=at,
                    finished_at=at + dt.timedelta(minutes=8),
                )
            )
            visits.append(len(tickets) - 1)
        ticket_of.append(visits)
    tickets = Ticket.objects.bulk_create(tickets, batch_size=2000)
    cases = Case.objects.bulk_create(cases, batch_size=2000)

    case_steps, events, visits_rows, receipts, logs = [], [], [], [], []
    for case, tix in zip(cases, ticket_of, strict=True):
        steps, notice_first, accept_day, accepted_at, finished, roll = case._plan  # type: ignore[attr-defined]
        for t in tix:
            visits_rows.append(CaseVisit(case=case, ticket=tickets[t], at=tickets[t].issued_at))
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
                            centre=hall,
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
                        source_centre=hall,
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
            Case(pk=case_id, current_step_id=step.pk, department_id=step.department_id)
        )
    Case.objects.bulk_update(open_cases, ["current_step", "department"], batch_size=2000)
    for item in items:
        Item.objects.filter(pk=item.pk).update(case_count=Case.objects.filter(item=item).count())
    cards = cards_refresh(today=today)
    run.ctx["demo_people"] = people
    run.say(
        f"办件：{made} 件（其中在办 {len(open_cases)} 件），到现场 {len(visits_rows)} 次，"
        f"证照复用 {len(logs)} 次，红黄牌 {cards} 张"
    )
