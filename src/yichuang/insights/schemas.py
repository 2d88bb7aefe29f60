"""The shapes of the KPI API (errors are ``yichuang.lib.errors.ErrorOut``).
Rates are fractions 0–1 and null without data; dates are ``YYYY-MM-DD``. The
formulas are in docs/insights.md."""

from __future__ import annotations

from ninja import Field, Schema


class TargetsOut(Schema):
    satisfaction_rate: float
    committed_compression: float
    one_visit_coverage: float


class BaselineOut(Schema):
    """The frozen period the actual duration reduction is measured against."""

    label: str
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    median_workdays: float | None
    cases: int
    formula_version: str
    frozen_at: str


class RectificationsOut(Schema):
    """Rectifications due in the period, by how they stand."""

    due: int
    on_time: int
    late: int
    open_overdue: int
    open_not_due: int


class KpisOut(Schema):
    scope: str
    scope_name: str
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    # ratings (valid ones: neither excluded nor given by default)
    satisfaction_rate: float | None
    bad_rating_rate: float | None
    ratings: int
    bad_ratings: int
    ratings_by_level: dict[str, int]
    ratings_excluded: int
    ratings_default: int
    ratings_small_sample: bool
    # the catalogue
    items: int
    one_visit_coverage: float | None
    zero_visit_share: float | None
    volume_weighted_coverage: float | None
    committed_compression: float | None
    statutory_days_total: int | float
    committed_days_total: int | float
    # cases completed in the period
    cases: int
    cases_accepted: int
    one_visit_share_cases: float | None
    zero_visit_share_cases: float | None
    avg_visits_per_case: float | None
    on_time_rate: float | None
    median_workdays: float | None
    yellow_cards: int
    red_cards: int
    actual_duration_reduction: float | None
    baseline: BaselineOut | None
    # the queue
    tickets: int
    tickets_called: int
    tickets_served: int
    avg_wait_minutes: float | None
    p90_wait_minutes: int | None
    p90_wait_capped: bool
    avg_service_minutes: float | None
    no_show_rate: float | None
    no_shows: int
    # tickets still open at closing (已过期), not served; per ticket taken
    tickets_expired: int
    expired_rate: float | None
    # rectifications due in the period
    rectification_on_time_rate: float | None
    rectifications: RectificationsOut
    targets: TargetsOut
    formula_version: str
    min_ratings: int
    # Sources the KPIs could not read (none while every app is installed).
    unavailable: list[str]


class BreakdownRowOut(Schema):
    """The KPIs of one centre, department, window, clerk, item or queue (id 0: none)."""

    id: int
    name: str
    tickets: int
    avg_wait_minutes: float | None
    no_show_rate: float | None
    ratings: int
    satisfaction_rate: float | None
    bad_ratings: int
    small_sample: bool
    cases: int
    on_time_rate: float | None
    one_visit_share_cases: float | None
    avg_visits_per_case: float | None
    red_cards: int
    yellow_cards: int


class BreakdownOut(Schema):
    scope: str
    by: str
    rows: list[BreakdownRowOut]


class TrendMonthOut(Schema):
    month: str  # YYYY-MM
    ratings: int
    satisfaction_rate: float | None
    cases: int
    one_visit_share_cases: float | None
    on_time_rate: float | None
    median_workdays: float | None
    tickets: int
    avg_wait_minutes: float | None


class TrendOut(Schema):
    scope: str
    months: list[TrendMonthOut]
