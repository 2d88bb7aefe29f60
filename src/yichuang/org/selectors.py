"""Composed reads of the organisation, for pages that oversee halls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Centre, Post, Staff, StaffAbsence


def absences_on(day: dt.date) -> QuerySet[StaffAbsence]:
    """The absences running on ``day`` (start and end inclusive), not cancelled."""
    return StaffAbsence.objects.filter(start__lte=day, end__gte=day, cancelled_at__isnull=True)


def away_q(day: dt.date, prefix: str = "") -> Q:
    """Staff rows (reached through ``prefix``, e.g. ``"post__a_staff__"``) away on
    ``day``: a dated absence runs, or the presence flag is off (the override for
    someone who left during the day)."""
    staff_ref = f"{prefix}pk" if prefix else "pk"
    running = absences_on(day).filter(staff_id=OuterRef(staff_ref))
    return Q(**{f"{prefix}is_present": False}) | Q(Exists(running))


def absent_on(day: dt.date, staff_qs: QuerySet[Staff] | None = None) -> QuerySet[Staff]:
    """The staff of ``staff_qs`` (all staff by default) away on ``day``."""
    qs = Staff.objects.all() if staff_qs is None else staff_qs
    return qs.filter(away_q(day))


def absent_ids(day: dt.date, staff_ids: Iterable[int | None]) -> set[int]:
    """Which of ``staff_ids`` are away on ``day`` (one query)."""
    ids = {i for i in staff_ids if i}
    if not ids:
        return set()
    return set(absent_on(day, Staff.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def is_absent(staff: Staff, day: dt.date | None = None) -> bool:
    return staff.pk in absent_ids(day or timezone.localdate(), [staff.pk])


def holder_on(post: Post, day: dt.date | None = None, away: set[int] | None = None) -> Staff | None:
    """AB岗: A when in on ``day``, else B when in, else nobody (flagged to the
    director). ``away``: the absent staff ids already read, to save the query."""
    day = day or timezone.localdate()
    if away is None:
        away = absent_ids(day, [post.a_staff_id, post.b_staff_id])
    for staff in (post.a_staff, post.b_staff):
        if staff is not None and staff.pk not in away:
            return staff
    return None


def centres_at_a_glance(centres: QuerySet[Centre]) -> QuerySet[Centre]:
    """``centres`` with their active and open windows, their staff and how many
    of them are absent (``n_windows``, ``n_open``, ``n_staff``, ``n_absent``)."""
    return centres.annotate(
        n_windows=Count("windows", filter=Q(windows__is_active=True), distinct=True),
        n_open=Count("windows", filter=Q(windows__state="open"), distinct=True),
        n_staff=Count("staff", distinct=True),
        n_absent=Count("staff", filter=away_q(timezone.localdate(), "staff__"), distinct=True),
    ).order_by("kind", "code")


def uncovered_posts(centres: QuerySet[Centre]) -> QuerySet[Post]:
    """AB岗: the posts of ``centres`` with neither the A nor the B clerk present."""
    today = timezone.localdate()
    return (
        Post.objects.filter(centre__in=centres)
        .filter(Q(a_staff__isnull=True) | away_q(today, "a_staff__"))
        .filter(Q(b_staff__isnull=True) | away_q(today, "b_staff__"))
        .select_related("centre", "department", "a_staff", "b_staff")
    )


def absences_current_and_upcoming(
    staff_qs: QuerySet[Staff], day: dt.date | None = None
) -> QuerySet[StaffAbsence]:
    """The absences of ``staff_qs`` running on ``day`` (today) or later, not
    cancelled, earliest first."""
    day = day or timezone.localdate()
    return (
        StaffAbsence.objects.filter(staff__in=staff_qs, end__gte=day, cancelled_at__isnull=True)
        .select_related("staff", "staff__centre", "staff__department")
        .order_by("start", "staff__name", "pk")
    )
