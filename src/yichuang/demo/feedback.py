"""Demo step: ratings, rectifications and complaints for the months of history.

Ratings are mostly good; the bad ones are concentrated on a few windows (and
the items behind a few cases) so the director's board tells a story. Every bad
rating has its rectification, in every state from new to closed (old ones
mostly closed, a few left overdue); complaints come from every channel.

History is bulk-inserted with the times it happened (the product's actions —
which never accept a client's time — are exercised by the tests); the daily
roll-up (``feedback.RatingDay``) is built from the inserted rows.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.accounts.models import Role, User
from yichuang.lib.crypto import keyed_hash
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import add_workdays
from yichuang.org.models import Centre, Staff, Window
from yichuang.queueing.models import Ticket

from .base import DemoRun
from .history import rating_days_add

LEVELS_GOOD = [(5, 0.74), (4, 0.2), (3, 0.06)]
REASONS_BY_WEIGHT = [
    ("long_wait", 4),
    ("attitude", 3),
    ("many_trips", 3),
    ("unskilled", 2),
    ("many_materials", 2),
    ("buck_passing", 1),
    ("overdue", 1),
    ("other", 1),
]
COMMENTS_BAD = [
    "等了一个多小时才叫到号",
    "工作人员说话不耐烦",
    "材料要求前后说法不一致，白跑一趟",
    "让我去别的窗口，那边又让我回来",
    "系统一直说故障，没办成",
]
COMMENTS_GOOD = ["很耐心，谢谢", "办得很快", "", "", "", "服务热情", "一次就办好了"]
COMPLAINTS = [
    ("complaint", "attitude", "窗口工作人员态度生硬，问了两遍就不耐烦"),
    ("complaint", "efficiency", "上午排了两个小时，只开了两个窗口"),
    ("complaint", "buck_passing", "社保和医保窗口互相推，说不归自己管"),
    ("suggestion", "environment", "建议大厅增加老年人座椅和老花镜"),
    ("suggestion", "process", "建议新生儿落户和医保参保一次办好"),
    ("consultation", "policy", "灵活就业人员社保补缴需要哪些材料？"),
    ("praise", "praise", "表扬医保窗口工作人员耐心细致"),
    ("unsolved", "unsolved", "老人行动不便，办理待遇认证跑了三次没办成"),
]
# The verdicts (核实结论) given in turn to the demo's replied 投诉 and 办不成事:
# most found 属实 or 部分属实, some 不属实. With the reply's words and the note.
VERDICTS = [
    ("substantiated", "已核实并处理，感谢您的监督。", "调取录像并询问当事人，反映情况属实"),
    ("partly", "已核实，部分情况属实，已整改并向您说明。", "等候时间较长属实，推诿情况未查实"),
    ("substantiated", "已约谈当事人并整改，感谢您的监督。", "经核查，反映问题属实"),
    ("unfounded", "经核实，当日按规定办理，已向您解释说明。", "调取录像，未发现反映的问题"),
    ("substantiated", "已核实并处理，感谢您的监督。", "当事人承认，情况属实"),
    ("partly", "已核实，部分情况属实，已整改。", "材料告知不全属实，态度问题未查实"),
    ("unfounded", "经核实，所需材料为法定要件，已向您说明。", "系政策理解差异，不属实"),
]
CHANNELS = [("mobile", 4), ("desk", 2), ("phone", 2), ("hotline", 3), ("open311", 1)]


def _received_at(rng, channel: str, now: dt.datetime, *, days_back: float) -> dt.datetime:
    """When a demo complaint came in: the hall's desk and its phone during
    office hours, the phone page, the hotline and partners' platforms between
    07:00 and 22:00; never after ``now`` (today's hour not come yet is
    taken from the day before)."""
    day = timezone.localdate(now - dt.timedelta(days=days_back))
    hours = (8.6, 17.4) if channel in ("desk", "phone") else (7.0, 22.0)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time())) + dt.timedelta(
        hours=rng.uniform(*hours)
    )
    return at if at < now else at - dt.timedelta(days=1)


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _handler_pool(centre_id: int, exclude_staff: set[int]) -> list[User]:
    ids = (
        Staff.objects.filter(centre_id=centre_id, user__isnull=False)
        .exclude(pk__in=exclude_staff)
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids, roles__role=Role.CLERK)[:12])


def build(run: DemoRun) -> None:
    from yichuang.feedback.actions import ensure_defaults

    ensure_defaults()
    n_ratings, n_bad = _ratings(run)
    n_complaints = _complaints(run)
    run.say(f"好差评：{n_ratings} 条评价（差评 {n_bad} 条，均有整改单），{n_complaints} 件投诉建议")


def _ratings(run: DemoRun) -> tuple[int, int]:
    from yichuang.cases.models import Case
    from yichuang.cases.models import Status as CaseStatus
    from yichuang.feedback.models import Rating, ReasonList

    rng = run.rng
    today = timezone.localdate()
    windows = {w.pk: w for w in Window.objects.select_related("department")}
    staff_dept = dict(Staff.objects.values_list("pk", "department_id"))
    # The story: a few windows with many more bad ratings than the rest.
    counters = sorted(
        (w for w in windows.values() if w.kind in ("comprehensive", "dedicated")),
        key=lambda w: (w.centre_id, w.number),
    )
    troubled = {w.pk for w in rng.sample(counters, min(3, len(counters)))} if counters else set()
    rl = ReasonList.objects.filter(is_current=True).first()
    rated_services = set(
        Rating.objects.values_list("ticket_id", flat=True).exclude(ticket_id__isnull=True)
    )
    ratings: list[Rating] = []
    tickets = (
        Ticket.objects.filter(status="done", rating_code__isnull=False, finished_at__isnull=False)
        .exclude(pk__in=rated_services)
        .values_list(
            "pk", "rating_code", "centre_id", "window_id", "clerk_id", "queue_id", "finished_at"
        )
        .iterator(chunk_size=5000)
    )
    for tid, code, centre_id, window_id, clerk_id, queue_id, finished in tickets:
        if rng.random() > 0.72:  # not everyone rates
            continue
        bad_share = 0.15 if window_id in troubled else 0.008
        level = rng.choice((1, 2, 2)) if rng.random() < bad_share else _weighted(rng, LEVELS_GOOD)
        window = windows.get(window_id)
        dept = (window.department_id if window else None) or staff_dept.get(clerk_id)
        at = finished + dt.timedelta(seconds=rng.randrange(20, 240))  # type: ignore[operator]
        ratings.append(
            _rating(
                rng,
                rl,
                level,
                kind="ticket",
                key=f"ticket:{tid}",
                code=code,
                at=at,
                channel="pad" if rng.random() < 0.8 else "qr",
                ticket_id=tid,
                centre_id=centre_id,
                department_id=dept,
                window_id=window_id,
                clerk_id=clerk_id,
                queue_id=queue_id,
            )
        )
    # 一事一评: completed cases, rated from the receipt or the progress page.
    items_hot: set[int] = set()
    cases = list(
        Case.objects.filter(
            status__in=(CaseStatus.COMPLETED, CaseStatus.DELIVERED),
            rating_code__isnull=False,
            rating__isnull=True,
        ).values_list(
            "pk",
            "rating_code",
            "centre_id",
            "department_id",
            "item_id",
            "accepted_by_id",
            "completed_at",
        )
    )
    item_ids = sorted({c[4] for c in cases if c[4]})
    if item_ids:
        items_hot = set(rng.sample(item_ids, min(2, len(item_ids))))
    for cid, code, centre_id, dept_id, item_id, clerk_id, completed in cases:
        if completed is None or rng.random() > 0.6:
            continue
        bad_share = 0.15 if item_id in items_hot else 0.015
        level = rng.choice((1, 2)) if rng.random() < bad_share else _weighted(rng, LEVELS_GOOD)
        ratings.append(
            _rating(
                rng,
                rl,
                level,
                kind="case",
                key=f"case:{cid}",
                code=code,
                at=completed + dt.timedelta(hours=rng.randrange(1, 48)),
                channel="progress" if rng.random() < 0.5 else "qr",
                case_id=cid,
                centre_id=centre_id,
                department_id=dept_id or staff_dept.get(clerk_id),
                clerk_id=clerk_id,
                item_id=item_id,
            )
        )
    now = timezone.now()
    ratings = [r for r in ratings if r.created_at < now]
    Rating.objects.bulk_create(ratings, batch_size=2000)
    saved = list(
        Rating.objects.filter(service_key__in=[r.service_key for r in ratings if r.is_bad])
    )
    _rectifications(run, saved, today)
    rating_days_add(
        (
            r.day,
            r.centre_id,
            r.department_id,
            r.window_id,
            r.clerk_id,
            r.item_id,
            r.level,
            False,
            False,
        )
        for r in ratings
    )
    return len(ratings), len(saved)


def _rating(rng, rl, level: int, *, kind: str, key: str, code: str, at: dt.datetime, **fk):
    from yichuang.feedback.models import Rating

    bad = level <= 2
    reasons = (
        sorted({_weighted(rng, REASONS_BY_WEIGHT) for _ in range(rng.choice((1, 1, 2)))})
        if bad
        else []
    )
    comment = rng.choice(COMMENTS_BAD) if bad and rng.random() < 0.7 else ""
    if not bad and rng.random() < 0.08:
        comment = rng.choice(COMMENTS_GOOD)
    return Rating(
        service_kind=kind,
        service_key=key,
        rating_code=code,
        level=level,
        reason_list=rl if bad else None,
        reasons=reasons,
        comment=comment,
        day=timezone.localdate(at),
        created_at=at,
        source_hash=keyed_hash(f"demo-{rng.randrange(10**6)}", "rater-ip"),
        **fk,
    )


def _rectifications(run: DemoRun, bad, today: dt.date) -> None:
    from yichuang.feedback.models import FeedbackEvent, Rectification

    rng = run.rng
    pools: dict[int, list[User]] = {}
    directors = {
        s.centre_id: s.user
        for s in Staff.objects.filter(user__roles__role=Role.CENTRE_DIRECTOR).select_related("user")
        if s.centre_id
    }
    county_director = User.objects.filter(username="director").first()
    order = [s.value for s in Rectification.Status]
    rects: list[Rectification] = []
    plans: list[tuple[int, dt.datetime, list[tuple[str, dt.datetime, User | None, str]]]] = []
    # The newest bad rating is always still waiting to be assigned.
    newest = max(bad, key=lambda r: (r.created_at, r.pk), default=None)
    for rating in bad:
        pool = pools.get(rating.centre_id)
        if pool is None:
            pool = pools[rating.centre_id] = _handler_pool(rating.centre_id, set())
        pool = [
            u for u in pool if getattr(u, "staff", None) is None or u.staff.pk != rating.clerk_id
        ]
        handler = rng.choice(pool) if pool else None
        cb_due: dt.date | None
        rd_due: dt.date | None
        try:
            cb_due = add_workdays(rating.day, 1)
            rd_due = add_workdays(rating.day, 15)
        except CalendarYearMissing:  # deadline pending until the year is loaded
            cb_due = rd_due = None
        age = (today - rating.day).days
        if age > 25:
            target = "closed" if rng.random() < 0.93 else rng.choice(("assigned", "verified"))
        elif age > 10:
            target = rng.choice(("rectified", "feedback_given", "closed", "closed", "verified"))
        elif age > 2:
            target = rng.choice(("called_back", "verified", "rectified", "assigned"))
        else:
            target = rng.choice(("new", "assigned", "called_back"))
        if handler is None or rating is newest:
            target = "new"
        steps: list[tuple[str, dt.datetime, User | None, str]] = []
        t = rating.created_at
        director = directors.get(rating.centre_id) or county_director
        notes = {
            "assigned": "请核实处理",
            "called_back": "已电话回访群众，致歉并了解情况",
            "verified": "调取录像核实，情况属实",
            "rectified": "约谈当事人，组织窗口服务规范培训",
            "feedback_given": "已向群众反馈整改结果",
            "closed": "整改到位",
        }
        for status in order[1 : order.index(target) + 1]:
            t += dt.timedelta(hours=rng.randrange(2, 30))
            actor = director if status in ("assigned", "closed") else handler
            steps.append((status, t, actor, notes[status]))
        fields = {s: at for s, at, _a, _n in steps}
        real_name = rng.random() < 0.6
        rect = Rectification(
            rating_id=rating.pk,
            status=target,
            centre_id=rating.centre_id,
            department_id=rating.department_id,
            handler=handler if target != "new" else None,
            contact_phone=f"13{rng.randrange(10**9):09d}" if real_name else "",
            callback_due=cb_due,
            rectify_due=rd_due,
            called_back_at=fields.get("called_back"),
            callback_note=notes["called_back"] if "called_back" in fields else "",
            verdict="substantiated" if "verified" in fields else "",
            finding=notes["verified"] if "verified" in fields else "",
            verified_at=fields.get("verified"),
            measures=notes["rectified"] if "rectified" in fields else "",
            rectified_at=fields.get("rectified"),
            feedback_note=notes["feedback_given"] if "feedback_given" in fields else "",
            feedback_at=fields.get("feedback_given"),
            closed_at=fields.get("closed"),
            citizen_level=rng.choice((3, 4, 4, 5)) if "closed" in fields else None,
        )
        rects.append(rect)
        plans.append((rating.pk, rating.created_at, steps))
    Rectification.objects.bulk_create(rects, batch_size=1000)
    by_rating = dict(
        Rectification.objects.filter(rating_id__in=[r.pk for r in bad]).values_list(
            "rating_id", "pk"
        )
    )
    events = []
    for rating_id, opened_at, steps in plans:
        rect_id = by_rating[rating_id]
        events.append(
            FeedbackEvent(
                type="rectification.opened",
                rating_id=rating_id,
                rectification_id=rect_id,
                new_status="new",
                at=opened_at,
            )
        )
        previous = "new"
        for status, at, actor, note in steps:
            events.append(
                FeedbackEvent(
                    type=f"rectification.{status}",
                    rating_id=rating_id,
                    rectification_id=rect_id,
                    old_status=previous,
                    new_status=status,
                    actor=actor,
                    note=note,
                    at=at,
                )
            )
            previous = status
    FeedbackEvent.objects.bulk_create(events, batch_size=2000)


def _complaints(run: DemoRun) -> int:
    from yichuang.feedback.models import (
        Complaint,
        ComplaintCategory,
        ComplaintCounter,
        FeedbackEvent,
        Open311Client,
    )
    from yichuang.feedback.open311 import key_hash

    rng = run.rng
    now = timezone.now()
    today = timezone.localdate()
    cats = {c.code: c for c in ComplaintCategory.objects.all()}
    centres = list(Centre.objects.all())
    hall = next((c for c in centres if c.kind == "county"), centres[0] if centres else None)
    if hall is None:
        return 0
    partner, _created = Open311Client.objects.get_or_create(
        name="12345 政务服务便民热线（演示）",
        defaults={"key_hash": key_hash(f"demo-{rng.random()}")},
    )
    windows = list(Window.objects.filter(centre=hall))
    handler_pool = _handler_pool(hall.pk, set())
    director = User.objects.filter(username="director").first()
    months = max(run.months, 1)
    n = 8 + 14 * months if run.months else 12
    year = today.year
    counter, _c = ComplaintCounter.objects.get_or_create(year=year)
    seq = counter.last_seq
    items, plans = [], []
    verified = 0
    for i in range(n):
        kind, cat_code, text = (
            COMPLAINTS[i % len(COMPLAINTS)] if i < len(COMPLAINTS) else rng.choice(COMPLAINTS)
        )
        channel = CHANNELS[i % len(CHANNELS)][0] if i < len(CHANNELS) else _weighted(rng, CHANNELS)
        received = _received_at(rng, channel, now, days_back=rng.uniform(0, 30.4 * months))
        day = timezone.localdate(received)
        window = rng.choice(windows) if windows and kind != "suggestion" else None
        try:
            days = {"unsolved": 5}.get(kind, 5)
            due = None if kind == "praise" else add_workdays(day, days)
            reasons_due = add_workdays(day, 3) if kind == "unsolved" else None
        except CalendarYearMissing:
            due = reasons_due = None
        age = (today - day).days
        if age > 12:
            status = "closed"
        elif age > 4:
            status = rng.choice(("replied", "closed", "assigned"))
        else:
            status = rng.choice(("received", "assigned", "assigned"))
        handler = rng.choice(handler_pool) if handler_pool and status != "received" else None
        replied = received + dt.timedelta(days=rng.uniform(0.5, 4))
        is_replied = status in ("replied", "closed")
        verdict = reply = note = ""
        if is_replied:
            reply = "已核实并处理，感谢您的监督。"
            if kind in Complaint.VERIFIED_KINDS:
                verdict, reply, note = VERDICTS[verified % len(VERDICTS)]
                verified += 1
        seq += 1
        items.append(
            Complaint(
                reference=f"TS{year}{seq:06d}",
                kind=kind,
                channel=channel,
                category=cats.get(cat_code),
                status=status,
                title=text[:20],
                description=text,
                name=rng.choice("王李张刘陈杨") + rng.choice(("先生", "女士")),
                phone=(phone := f"13{rng.randrange(10**9):09d}"),
                phone_hash=keyed_hash(phone, "phone"),
                external_ref=f"GD{day:%Y%m%d}{i:04d}" if channel == "hotline" else "",
                source_client=partner if channel == "open311" else None,
                centre=hall,
                department=window.department if window else None,
                window=window,
                handler=handler,
                received_at=received,
                due_date=due,
                reasons_due=reasons_due,
                reply=reply,
                replied_at=replied if is_replied else None,
                replied_by=handler if is_replied else None,
                verdict=verdict,
                verdict_note=note,
                verdict_at=replied if verdict else None,
                verdict_by=handler if verdict else None,
                satisfaction="satisfied" if status == "closed" else "",
                closed_at=replied + dt.timedelta(days=1) if status == "closed" else None,
            )
        )
        plans.append((status, received, replied, handler))
    counter.last_seq = seq
    counter.save(update_fields=["last_seq", "updated_at"])
    Complaint.objects.bulk_create(items, batch_size=1000)
    by_ref = dict(
        Complaint.objects.filter(reference__in=[c.reference for c in items]).values_list(
            "reference", "pk"
        )
    )
    events = []
    for c, (status, received, replied, handler) in zip(items, plans, strict=True):
        cid = by_ref[c.reference]
        events.append(
            FeedbackEvent(
                type="complaint.received", complaint_id=cid, new_status="received", at=received
            )
        )
        if status != "received":
            events.append(
                FeedbackEvent(
                    type="complaint.assigned",
                    complaint_id=cid,
                    old_status="received",
                    new_status="assigned",
                    actor=director,
                    at=received + dt.timedelta(hours=2),
                )
            )
        if status in ("replied", "closed"):
            events.append(
                FeedbackEvent(
                    type="complaint.replied",
                    complaint_id=cid,
                    old_status="assigned",
                    new_status="replied",
                    actor=handler,
                    at=replied,
                    note=f"【{c.get_verdict_display()}】{c.reply}" if c.verdict else c.reply,
                )
            )
        if status == "closed":
            events.append(
                FeedbackEvent(
                    type="complaint.closed",
                    complaint_id=cid,
                    old_status="replied",
                    new_status="closed",
                    at=replied + dt.timedelta(days=1),
                )
            )
    FeedbackEvent.objects.bulk_create(events, batch_size=2000)
    return len(items)
