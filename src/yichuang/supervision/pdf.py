"""The bulletin (通报) and the phase evaluation (阶段评估) as PDFs: A4, in the
style of a county government document (the issuing office's name in red over
a red rule, the document number, the title, the body, the tables), rendered
by WeasyPrint with the print stylesheet and the WenQuanYi Zen Hei font."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from yichuang.lib.pdf import html_to_pdf

from .models import Bulletin, CampaignPhase, PhaseEvaluation
from .selectors_bulletin import bulletin_reference, bulletin_title, bulletin_view
from .selectors_campaign import ISSUER, evaluation_figures, target_rows


def bulletin_context(bulletin: Bulletin, today: dt.date | None = None) -> dict[str, Any]:
    figures = bulletin_view(bulletin, today)
    return {
        "bulletin": bulletin,
        "f": figures,
        "issuer": ISSUER,
        "reference": bulletin_reference(bulletin, figures),
        "title": bulletin_title(bulletin),
        "is_draft": bulletin.status == Bulletin.Status.DRAFT,
        "issued_on": timezone.localdate(bulletin.signed_at) if bulletin.signed_at else None,
        "printed_at": timezone.localtime(),
    }


def bulletin_pdf(bulletin: Bulletin, today: dt.date | None = None) -> bytes:
    html = render_to_string("supervision/pdf/bulletin.html", bulletin_context(bulletin, today))
    return html_to_pdf(html)


def evaluation_context(
    phase: CampaignPhase, evaluation: PhaseEvaluation | None, today: dt.date | None = None
) -> dict[str, Any]:
    """A frozen evaluation's figures, or the phase's figures as they stand."""
    if evaluation is not None:
        figures = {
            "at_start": evaluation.at_start,
            "at_end": evaluation.at_end,
            "ledger": evaluation.ledger,
            "tasks": evaluation.tasks,
            "as_of": evaluation.at_end.get("to", ""),
        }
    else:
        figures = evaluation_figures(phase, today)
    return {
        "phase": phase,
        "campaign": phase.campaign,
        "evaluation": evaluation,
        "e": figures,
        "targets": target_rows(figures),
        "issuer": ISSUER,
        "printed_at": timezone.localtime(),
    }


def evaluation_pdf(
    phase: CampaignPhase, evaluation: PhaseEvaluation | None, today: dt.date | None = None
) -> bytes:
    html = render_to_string(
        "supervision/pdf/evaluation.html", evaluation_context(phase, evaluation, today)
    )
    return html_to_pdf(html)
