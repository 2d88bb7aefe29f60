"""Composed reads of the organisation, for pages that oversee halls."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Centre, Post


def centres_at_a_glance(centres: QuerySet[Centre]) -> QuerySet[Centre]:
    """``centres`` with their active and open windows, their staff and how many
    of them are absent (``n_windows``, ``n_open``, ``n_staff``, ``n_absent``)."""
    return centres.annotate(
        n_windows=Count("windows", filter=Q(windows__is_active=True), distinct=True),
        n_open=Count("windows", filter=Q(windows__state="open"), distinct=True),
        n_staff=Count("staff", distinct=True),
        n_absent=Count("staff", filter=Q(staff__is_present=False), distinct=True),
    ).order_by("kind", "code")


def uncovered_posts(centres: QuerySet[Centre]) -> QuerySet[Post]:
    """AB岗: the posts of ``centres`` with neither the A nor the B clerk present."""
    return (
        Post.objects.filter(centre__in=centres)
        .filter(Q(a_staff__isnull=True) | Q(a_staff__is_present=False))
        .filter(Q(b_staff__isnull=True) | Q(b_staff__is_present=False))
        .select_related("centre", "department", "a_staff", "b_staff")
    )
