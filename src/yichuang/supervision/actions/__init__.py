"""Everything that changes supervision's rows, one module per entity or step,
re-exported here."""

from .campaigns import campaign_create
from .checklists import LineInput, checklist_publish
from .common import NewProblem, deadline_for, owner_for, problem_create
from .ingestion import ingest_source, problems_ingest
from .inspections import FindingInput, inspection_publish, inspection_record
from .overdue import problems_flag_overdue
from .problems import (
    PROBLEM_STEPS,
    problem_act,
    problem_open,
    problem_plan,
    problem_reject,
    problem_submit,
    problem_verify,
)
from .rechecks import recheck_record

__all__ = [
    "PROBLEM_STEPS",
    "FindingInput",
    "LineInput",
    "NewProblem",
    "campaign_create",
    "checklist_publish",
    "deadline_for",
    "ingest_source",
    "inspection_publish",
    "inspection_record",
    "owner_for",
    "problem_act",
    "problem_create",
    "problem_open",
    "problem_plan",
    "problem_reject",
    "problem_submit",
    "problem_verify",
    "problems_flag_overdue",
    "problems_ingest",
    "recheck_record",
]
