"""Supervision's models: the ledger (checklists, inspections, problems and
their events, re-checks, source cursors) and the campaign (the bulletin, the
campaign's phases, tasks, reports, practices and evaluations)."""

from .campaign import (
    Adoption,
    Bulletin,
    Campaign,
    CampaignPhase,
    CampaignTask,
    GoodPractice,
    PhaseEvaluation,
    ProgressReport,
    UnitMixin,
)
from .ledger import (
    SEVERITY_RANK,
    Category,
    Checklist,
    ChecklistLine,
    Finding,
    Inspection,
    Problem,
    ProblemEvent,
    ProblemQuerySet,
    RecheckTask,
    Severity,
    Source,
    SourceCursor,
    VisitKind,
)

__all__ = [
    "SEVERITY_RANK",
    "Adoption",
    "Bulletin",
    "Campaign",
    "CampaignPhase",
    "CampaignTask",
    "Category",
    "Checklist",
    "ChecklistLine",
    "Finding",
    "GoodPractice",
    "Inspection",
    "PhaseEvaluation",
    "Problem",
    "ProblemEvent",
    "ProblemQuerySet",
    "ProgressReport",
    "RecheckTask",
    "Severity",
    "Source",
    "SourceCursor",
    "UnitMixin",
    "VisitKind",
]
