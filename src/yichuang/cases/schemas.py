"""What the cases API takes and gives (the shapes of the public API; the
serialisers in ``cases.serialize`` build the outputs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import BaseModel, ConfigDict

from yichuang.lib.errors import ErrorOut

# --- input ---------------------------------------------------------------------------------


class ApplicantIn(Schema):
    name: str
    id_number: str
    phone: str | None = None


class OrganisationIn(Schema):
    name: str = ""
    credit_code: str


class MaterialIn(Schema):
    code: str
    source: str = "submitted"
    document_id: int | None = None
    number: str | None = None
    issuer: str | None = None
    expires_on: dt.date | None = None


class ConsentIn(Schema):
    scope: str = "all"
    document_types: list[str] = []
    item_codes: list[str] = []
    valid_until: dt.date | None = None


class CaseIn(Schema):
    item: str | None = None
    bundle: str | None = None
    centre: str
    applicant: ApplicantIn
    organisation: OrganisationIn | None = None
    materials: list[MaterialIn] = []
    ticket_id: int | None = None
    tolerate_missing: bool = False
    consent: ConsentIn | None = None


class VisitIn(Schema):
    ticket_id: int


class ActionIn(Schema):
    """One action of ``cases.actions.CASE_ACTIONS``; each takes the parameters
    its entry names and ignores the others."""

    action: str
    note: str = ""
    materials: list[Any] | None = None
    tolerate_missing: bool = False
    days: int | None = None
    document: str | None = None
    procedure: str | None = None
    method: str | None = None
    material: str | None = None
    outcome: str | None = None


# --- output --------------------------------------------------------------------------------
# Dates are ISO strings (YYYY-MM-DD), times ISO strings in local time (+08:00).


class CaseCreatedOut(Schema):
    id: int
    number: str
    receipt_code: str
    status: str
    due_date: str | None
    deadline_pending: bool
    warning_level: str
    children: list[int]
    receipt_url: str
    progress_url: str


class MissingMaterialOut(BaseModel):
    """A material the one-time notice lists (with its item for a bundle); the
    notice's other details are kept."""

    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    item: str
    item_name: str


class IntakeIncompleteOut(ErrorOut):
    """422 of an intake: ``cases.materials_incomplete`` with the missing
    materials and the one-time notice issued (any other 422 has only the
    error's own details)."""

    missing: list[MissingMaterialOut] = []
    notice_url: str | None = None
    notices: list[str] = []
    case_id: int | None = None


class CaseRowOut(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    applicant: str  # the masked name
    department: str | None
    current_step: str | None
    accepted_on: str | None
    due_date: str | None
    deadline_pending: bool
    warning_level: str
    working_days_left: int | None
    visit_count: int


class CaseListOut(Schema):
    items: list[CaseRowOut]
    count: int


class ChildOut(Schema):
    id: int
    title: str
    status: str


class MaskedApplicantOut(Schema):
    name: str
    id_number: str
    phone: str


class StepOut(Schema):
    position: int
    kind: str
    name: str
    department: str
    post: str | None
    share: int
    due_date: str | None
    state: str


class CaseEventOut(Schema):
    type: str
    old_status: str
    new_status: str
    actor: str
    reason: str
    document: str
    at: str | None


class VisitOut(Schema):
    ticket_id: int | None
    appointment_id: int | None
    at: str | None


class MaterialOut(Schema):
    code: str
    name: str
    how: str
    document_id: int | None
    due_date: str | None
    supplemented: bool
    verified: bool
    verify_department: str | None = None
    verify_outcome: str = ""
    verify_overdue: bool = False


class StopOut(Schema):
    kind: str
    procedure: str
    started_on: str | None
    ended_on: str | None
    workdays: int


class CardOut(Schema):
    id: int
    level: str
    rule: str
    reason: str
    recorded_at: str | None
    lifted: bool


class CaseOut(Schema):
    """A case in full, as its staff see it (the applicant masked)."""

    id: int
    number: str
    title: str
    status: str
    status_label: str
    applicant: MaskedApplicantOut | None
    department: str | None
    current_step: str | None
    accepted_on: str | None
    due_date: str | None
    deadline_pending: bool
    warning_level: str
    working_days_left: int | None
    visit_count: int
    receipt_code: str
    item: str | None
    item_version: int | None
    bundle: str | None
    parent: int | None
    children: list[ChildOut]
    centre: str
    decision: str | None
    statutory_due_date: str | None
    # the statutory due date in the item's unit (DOMAIN §5), as CONTRACT names it
    legal_due_date: str | None
    deadline_provisional: bool
    stopped_days: int
    extension_days: int
    completed_at: str | None
    rating_code: str | None  # once completed
    steps: list[StepOut]
    events: list[CaseEventOut]
    visits: list[VisitOut]
    materials: list[MaterialOut]
    stops: list[StopOut]
    cards: list[CardOut]
    notice: str | None


class VisitCountOut(Schema):
    id: int
    visit_count: int


class CardLiftedOut(Schema):
    id: int
    lifted_at: str


class ProgressMemberOut(Schema):
    item: str
    status: str
    status_label: str
    due_date: str | None


class ProgressOut(Schema):
    """What anyone holding the receipt code sees: nothing personal but the
    masked name."""

    item: str
    number: str
    status: str
    status_label: str
    current_step: str | None
    department: str | None
    centre: str
    accepted_on: str | None
    due_date: str | None
    deadline_pending: bool
    deadline_provisional: bool
    applicant: str
    completed: bool
    rating_code: str | None
    members: list[ProgressMemberOut]


class ReusableDocumentOut(Schema):
    id: int
    type: str
    type_label: str
    name: str
    issuer: str
    expires_on: str | None
    share_type: str
    consented: bool


class PersonLookupOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    documents: list[ReusableDocumentOut]
