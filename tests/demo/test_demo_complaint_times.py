"""Demo complaints come in when people could send them: the hall's desk and
phone in office hours, the other channels between 07:00 and 22:00, none in
the future."""

import datetime as dt
import random

from django.utils import timezone

from yichuang.demo.feedback import _received_at


def test_complaints_arrive_in_plausible_hours():
    rng = random.Random(3)
    now = timezone.make_aware(dt.datetime(2026, 12, 7, 2, 30))  # before any hall opens
    for channel in ("desk", "phone", "mobile", "hotline", "open311"):
        for _ in range(300):
            at = timezone.localtime(_received_at(rng, channel, now, days_back=rng.uniform(0, 60)))
            hour = at.hour + at.minute / 60
            low, high = (8.5, 17.5) if channel in ("desk", "phone") else (7, 22)
            assert low <= hour <= high, (channel, at)
            assert at < now
