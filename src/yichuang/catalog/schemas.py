"""What the catalogue's API answers, field by field (in the order the JSON
gives them). Limits are given as entered (``legal_limit`` with its
``legal_limit_unit``: ``working_day``, ``calendar_day`` or ``month``) and as a
span of working days on the plain week (``*_days``: the limit turned into a
due date from a Monday, Monday to Friday working, no holidays, and counted
back; 30 calendar days span 22), the figure that compares limits of
different units."""

from __future__ import annotations

from typing import Literal

from ninja import Schema

LimitUnitName = Literal["working_day", "calendar_day", "month"]


class ItemRow(Schema):
    code: str
    name: str
    department: str
    case_type: str
    legal_limit_days: float | None
    committed_limit_days: float
    visits_required: int
    online_depth: int


class ProcedureOut(Schema):
    """A special procedure (公示, 听证 …) and the most days it may take."""

    name: str
    max_days: int


class ItemMaterialOut(Schema):
    code: str
    name: str
    originals: int
    copies: int
    requirement: str
    tolerable: bool
    commitment: bool
    document_type: str
    removable: bool
    notes: str


class ItemStepOut(Schema):
    position: int
    kind: str
    department: str
    share: int
    notes: str


class BundleRefOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    """A published item: its current version, materials, steps, the centres
    that offer it and the bundles it belongs to."""

    code: str
    basic_code: str
    department: str
    department_name: str
    version: int
    name: str
    item_type: str
    case_type: str
    legal_limit: int | None
    legal_limit_unit: LimitUnitName
    legal_limit_days: float | None
    committed_limit: int
    committed_limit_unit: LimitUnitName
    committed_limit_days: float
    visits_required: int
    visits_reason: str
    special_procedures: list[ProcedureOut]
    online_depth: int
    in_hall: bool
    appointment: bool
    express: bool
    area: str
    legal_basis: str
    conditions: str
    fee: str
    result: str
    published_at: str | None
    materials: list[ItemMaterialOut]
    steps: list[ItemStepOut]
    centres: list[str]
    bundles: list[BundleRefOut]
    guide_url: str
    pdf_url: str


class BundleRowOut(Schema):
    code: str
    name: str
    items: list[str]


class BundleMaterialOut(Schema):
    """One material of a bundle, asked once however many member items ask it
    (the largest counts), with the names of the items asking."""

    name: str
    document_type: str
    originals: int
    copies: int
    required: bool
    removable: bool
    notes: str
    items: list[str]


class BundleOut(Schema):
    code: str
    name: str
    description: str
    items: list[BundleRefOut]
    materials: list[BundleMaterialOut]
    guide_url: str


# A total of working days is an int 0 when no item has a statutory limit.
Days = float | int


class Figures(Schema):
    """The two catalogue targets and what they are computed from
    (docs/domain.md, "The three targets")."""

    items: int
    one_visit_items: int
    zero_visit_items: int
    one_visit_coverage: float | None
    zero_visit_share: float | None
    volume_weighted_coverage: float | None
    cases: int
    items_with_statutory_limit: int
    statutory_days_total: Days
    committed_days_total: Days
    committed_compression: float | None


class DepartmentName(Schema):
    department: str
    name: str
    short_name: str


class DepartmentFiguresOut(Figures, DepartmentName):
    """A department's figures (its own fields come first)."""


class ScopeName(Schema):
    scope: str
    name: str


class CatalogTargetsOut(Schema):
    one_visit_coverage: float
    committed_compression: float


class MetricsOut(Figures, ScopeName):
    """The figures of a scope, its targets, and each department's figures."""

    targets: CatalogTargetsOut
    departments: list[DepartmentFiguresOut]


class NoticeIn(Schema):
    item: str
    applicant_name: str
    brought: list[str] = []
    nonconforming: dict[str, str] = {}
    centre: str | None = None


class NoticeMissingOut(Schema):
    code: str
    name: str
    counts: str
    what_is_needed: str
    tolerable: bool
    commitment: bool


class NoticeNonconformingOut(Schema):
    code: str
    name: str
    reason: str
    what_is_needed: str


class NoticeOut(Schema):
    reference: str
    missing: list[NoticeMissingOut]
    nonconforming: list[NoticeNonconformingOut]
    notice_url: str
    pdf_url: str
