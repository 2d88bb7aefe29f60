"""Recent service times: the per-queue reading (on every ticket issued) and the
many-queue reading (hall screens, alerts) agree, and both take only the day's
last RECENT_FINISHED finished tickets."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.queueing.estimates import (
    RECENT_FINISHED,
    service_minutes,
    service_minutes_by_queue,
)
from yichuang.queueing.models import Queue, Ticket


def _done(queue: Queue, seq: int, finished: dt.datetime, minutes: float, day) -> Ticket:
    called = finished - dt.timedelta(minutes=minutes)
    return Ticket.objects.create(
        centre=queue.centre,
        queue=queue,
        day=day,
        seq=seq,
        number=f"{queue.prefix}{seq:03d}",
        status=Ticket.Status.DONE,
        issued_at=called - dt.timedelta(minutes=5),
        sort_at=called - dt.timedelta(minutes=5),
        called_at=called,
        finished_at=finished,
    )


def test_many_queues_read_the_same_recent_service_times_as_one(hall):
    general, social, medical = (
        Queue.objects.get(centre=hall, code=c) for c in ("general", "social", "medical")
    )
    Queue.objects.filter(pk=medical.pk).update(service_minutes=9)
    medical.refresh_from_db()
    now = timezone.now()
    day = timezone.localdate(now)
    # general: 30 finished, the older ten of 20 minutes, the last twenty of 4
    for i in range(30):
        minutes = 20 if i < 10 else 4
        _done(general, i + 1, now - dt.timedelta(minutes=60 - i), minutes, day)
    # social: 5 finished of 2, 4, 6, 8, 10 minutes (mean 6)
    for i in range(5):
        _done(social, i + 1, now - dt.timedelta(minutes=10 - i), 2 * (i + 1), day)
    # medical: 2 finished, fewer than 3: the configured minutes
    for i in range(2):
        _done(medical, i + 1, now - dt.timedelta(minutes=5 - i), 1, day)
    # yesterday's tickets do not count
    _done(social, 99, now - dt.timedelta(days=1), 60, day - dt.timedelta(days=1))

    many = service_minutes_by_queue([general, social, medical], day)
    assert RECENT_FINISHED == 20
    assert many[general.pk] == 4.0
    assert many[social.pk] == 6.0
    assert many[medical.pk] == 9.0
    for q in (general, social, medical):
        assert service_minutes(q, day) == many[q.pk]
    assert service_minutes_by_queue([], day) == {}


def test_issuing_reuses_recent_service_times_for_a_few_seconds(hall, settings, monkeypatch):
    from yichuang.queueing import estimates

    general = Queue.objects.get(centre=hall, code="general")
    now = timezone.now()
    day = timezone.localdate(now)
    for i in range(5):
        _done(general, i + 1, now - dt.timedelta(minutes=30 - i), 4, day)
    clock = [1000.0]
    monkeypatch.setattr(estimates.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(estimates, "_ISSUING_MINUTES", {})

    settings.QUEUE_SERVICE_TIMES_SECONDS = 0  # off: every issue reads the day
    assert estimates.service_minutes_for_issue(general, day) == 4.0
    for i in range(5, 10):
        _done(general, i + 1, now - dt.timedelta(minutes=20 - i), 14, day)
    assert estimates.service_minutes_for_issue(general, day) == 9.0

    settings.QUEUE_SERVICE_TIMES_SECONDS = 5
    assert estimates.service_minutes_for_issue(general, day) == 9.0
    for i in range(10, 20):
        _done(general, i + 1, now - dt.timedelta(minutes=10 - i / 2), 24, day)
    clock[0] += 4.9  # still kept
    assert estimates.service_minutes_for_issue(general, day) == 9.0
    clock[0] += 0.2  # expired: read again
    assert estimates.service_minutes_for_issue(general, day) == service_minutes(general, day)
    assert service_minutes(general, day) == (5 * 4 + 5 * 14 + 10 * 24) / 20
