"""Reads only the supervision pages need: where a ledger row came from, and
the earlier rows a row recurs."""

from __future__ import annotations

from django.urls import reverse

from yichuang.cases.models import Card
from yichuang.feedback.models import Rectification

from .models import Problem, Source
from .selectors import inspections_for


def source_url(user, problem: Problem) -> str:
    """The page of the record a row came from, when it has one the user may
    open (that page applies its own scope); "" otherwise."""
    if problem.source == Source.INSPECTION and problem.inspection_id:
        if inspections_for(user).filter(pk=problem.inspection_id).exists():
            return reverse("supervision:inspection", args=[problem.inspection_id])
        return ""
    if problem.source_id is None:
        return ""
    if problem.source == Source.COMPLAINT:
        return f"/feedback/complaints/{problem.source_id}"
    if problem.source == Source.RATING:
        rect = Rectification.objects.filter(rating_id=problem.source_id).values("pk").first()
        return f"/feedback/rectifications/{rect['pk']}" if rect else ""
    if problem.source == Source.CARD:
        card = Card.objects.filter(pk=problem.source_id).values("case_id").first()
        return f"/cases/{card['case_id']}/" if card else ""
    return ""
