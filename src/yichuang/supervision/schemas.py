"""The shapes of the supervision API: what each operation takes and returns
(errors are ``yichuang.lib.errors.ErrorOut``). Times are ISO 8601 strings with
the +08:00 offset, dates ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ChecklistLineOut(Schema):
    code: str
    text: str
    category: str
    category_label: str
    points: int
    severity: str


class ChecklistOut(Schema):
    code: str
    name: str
    kind: str
    version: int
    lines: list[ChecklistLineOut]


class FindingIn(Schema):
    line: str = Field(max_length=20)
    result: str = Field(max_length=8)
    # The window's id, as in /windows/{id}.
    window: int | None = None
    severity: str | None = Field(None, max_length=8)
    note: str = Field("", max_length=500)


class InspectionIn(Schema):
    centre: str = Field(max_length=40)
    kind: str = Field(max_length=8)
    checklist: str = Field(max_length=40)
    visited_at: dt.datetime
    findings: list[FindingIn] = Field(max_length=200)
    notes: str = Field("", max_length=2000)


class InspectionOut(Schema):
    id: int
    centre: str
    kind: str
    checklist: str
    checklist_version: int
    visited_at: str
    score: int
    published_at: str | None
    problems: list[int]


class ProblemOut(Schema):
    id: int
    source: str
    source_label: str
    category: str
    category_label: str
    severity: str
    centre: str
    department: str | None
    # The window's id (as in /windows/{id}) and its number in the hall.
    window: int | None
    window_number: int | None
    owner: str | None
    clerk: str | None
    description: str
    measure: str
    evidence: str
    found_on: str
    due_date: str | None
    status: str
    status_label: str
    overdue: bool
    recurrence: int
    previous: list[int]
    escalated: bool
    hidden: bool
    submitted_at: str | None
    verified_at: str | None
    on_time: bool | None


class ProblemListOut(Schema):
    items: list[ProblemOut]
    count: int


class ProblemIn(Schema):
    source: str = Field(max_length=12)
    centre: str = Field(max_length=40)
    department: str | None = Field(None, max_length=40)
    window: int | None = None
    category: str = Field(max_length=16)
    severity: str = Field(max_length=8)
    description: str = Field(max_length=4000)
    # The owner's employee number (工号) or username.
    owner: str | None = Field(None, max_length=150)


class ProblemActionIn(Schema):
    action: str = Field(max_length=12)
    note: str = Field("", max_length=2000)
    measure: str = Field("", max_length=4000)
    evidence: str = Field("", max_length=4000)
    owner: str | None = Field(None, max_length=150)


class TaskOut(Schema):
    id: int
    title: str
    unit: str
    lead: str | None
    due_date: str
    deliverable: str
    status: str
    late: bool


class PhaseOut(Schema):
    number: int
    name: str
    starts_on: str
    ends_on: str
    tasks: list[TaskOut]


class EvaluationOut(Schema):
    id: int
    phase: int
    created_at: str
    at_start: dict
    at_end: dict
    ledger: dict
    tasks: dict


class CampaignOut(Schema):
    id: int
    name: str
    starts_on: str
    phases: list[PhaseOut]
    evaluations: list[EvaluationOut]
