"""The import, step by step: read the sheets, validate every row, plan the
changes, and (unless a row is bad or it is a dry run) apply them."""

from __future__ import annotations

from .applying import apply_plan
from .planning import plan_changes
from .reading import read_workbook
from .report import ImportReport
from .validating import (
    check_bundles,
    check_definitions,
    check_items,
    check_materials,
    check_steps,
    load_references,
)


def catalog_import(*, data: bytes, actor=None, dry_run: bool = False) -> ImportReport:
    """Validate the whole workbook, then (unless ``dry_run`` or any error) apply it
    in one transaction. ``actor`` None is the command line (all departments)."""
    report = ImportReport(dry_run=dry_run)
    sheets = read_workbook(data, report)
    if sheets is None or (report.errors and not sheets.items):
        return report
    refs = load_references(actor)
    by_code = check_items(sheets.items, refs, report)
    check_materials(sheets.materials, by_code, report)
    check_steps(sheets.steps, by_code, refs, report)
    check_definitions(by_code, report)
    plan = plan_changes(by_code, refs, sheets.bundles, report)
    check_bundles(sheets.bundles, by_code, actor, report)
    if report.errors:
        report.discard_counts()
        return report
    if not dry_run:
        apply_plan(plan, actor=actor, report=report)
    return report
