"""Validating the rows read: one check per sheet, then the publishing rules
per item, then the bundles. Checks add to the report and never stop early, so
one import names every bad row; the item rows they accept are gathered by code,
each with its materials and steps."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yichuang.org.models import Centre, Department

from .. import actions
from ..models import Item
from ..permissions import can_manage_bundles, managed_departments
from .columns import BUNDLES, ITEM_COLUMNS, ITEMS, MATERIALS, STEPS
from .reading import Row
from .report import ImportReport

# Problems of the publishing rules that the 材料 sheet's own checks report
# already, row by row.
REPORTED_PER_MATERIAL_ROW = (
    "catalog.material_code_duplicate",
    "catalog.material_unnamed",
    "catalog.material_code_required",
)


@dataclass
class References:
    """What rows may refer to: departments and centres by code, and the codes
    of the departments the importing user may import into."""

    departments: dict[str, Department]
    centres: dict[str, Centre]
    allowed: set[str]


def load_references(actor) -> References:
    """``actor`` None is the command line (all departments)."""
    departments = {d.code: d for d in Department.objects.all()}
    allowed = (
        set(departments)
        if actor is None
        else set(managed_departments(actor).values_list("code", flat=True))
    )
    return References(
        departments=departments,
        centres={c.code: c for c in Centre.objects.all()},
        allowed=allowed,
    )


def check_items(items: list[Row], refs: References, report: ImportReport) -> dict[str, Row]:
    """The item rows by code (the first of a repeated code), each given empty
    ``materials`` and ``steps``; reports repeated codes and unknown or
    forbidden departments and centres."""
    by_code: dict[str, Row] = {}
    for r in items:
        code = r["code"]
        if code is None:
            continue
        if code in by_code:
            report.add(
                ITEMS,
                r["_row"],
                "实施编码",
                _("实施编码 %(c)s 与第 %(r)d 行重复。") % {"c": code, "r": by_code[code]["_row"]},
            )
            continue
        by_code[code] = r
        r["materials"], r["steps"] = [], []
        _check_item_department(r, refs, report)
        for c in r["centres"] or []:
            if c not in refs.centres:
                report.add(
                    ITEMS, r["_row"], "办理地点", _("没有代码为 %(c)s 的服务中心。") % {"c": c}
                )
        r["centres"] = r["centres"] or []
    return by_code


def _check_item_department(r: Row, refs: References, report: ImportReport) -> None:
    department = r["department"]
    if department is None:
        return
    if department not in refs.departments:
        report.add(ITEMS, r["_row"], "部门代码", _("没有代码为 %(d)s 的部门。") % {"d": department})
    elif department not in refs.allowed:
        report.add(
            ITEMS, r["_row"], "部门代码", _("您无权导入部门 %(d)s 的事项。") % {"d": department}
        )


def _owner(row: Row, sheet: str, by_code: dict[str, Row], report: ImportReport) -> Row | None:
    """The item row a material or step belongs to; reports an unknown code."""
    owner = by_code.get(row["item"])
    if owner is None and row["item"] is not None:
        report.add(
            sheet,
            row["_row"],
            "实施编码",
            _("“事项”表中没有实施编码 %(c)s。") % {"c": row["item"]},
        )
    return owner


def check_materials(materials: list[Row], by_code: dict[str, Row], report: ImportReport) -> None:
    """Adds each material row to its item; reports unknown items and a
    material code repeated within an item."""
    for m in materials:
        owner = _owner(m, MATERIALS, by_code, report)
        if owner is None:
            continue
        if any(x["code"] == m["code"] for x in owner["materials"]) and m["code"]:
            report.add(
                MATERIALS,
                m["_row"],
                "材料编码",
                _("事项 %(i)s 的材料编码 %(c)s 重复。") % {"i": m["item"], "c": m["code"]},
            )
        owner["materials"].append({k: m[k] for k in actions.MATERIAL_FIELDS} | {"_row": m["_row"]})


def check_steps(
    steps: list[Row], by_code: dict[str, Row], refs: References, report: ImportReport
) -> None:
    """Adds each step row to its item; reports unknown items and departments."""
    for s in steps:
        owner = _owner(s, STEPS, by_code, report)
        if owner is None:
            continue
        if s["department"] is not None and s["department"] not in refs.departments:
            report.add(
                STEPS,
                s["_row"],
                "部门代码",
                _("没有代码为 %(d)s 的部门。") % {"d": s["department"]},
            )
        owner["steps"].append(s)


def check_definitions(by_code: dict[str, Row], report: ImportReport) -> None:
    """Each item against the rules of publishing (the editor's rules), and its
    steps' positions; orders each item's steps by position."""
    column_of = {key: header for header, key, _k, _r in ITEM_COLUMNS}
    for code, r in by_code.items():
        r["steps"].sort(key=lambda s: s["position"] or 0)
        positions = [s["position"] for s in r["steps"]]
        if len(set(positions)) != len(positions):
            report.add(
                STEPS, r["steps"][0]["_row"], "序号", _("事项 %(c)s 的环节序号重复。") % {"c": code}
            )
        for p in actions.version_problems(r):
            if p["code"] in REPORTED_PER_MATERIAL_ROW:
                continue
            if p["field"] == "steps":
                first = r["steps"][0]["_row"] if r["steps"] else None
                report.add(STEPS, first, "时限占比", f"{code}：" + p["message"])
            else:
                report.add(ITEMS, r["_row"], column_of.get(p["field"], ""), p["message"])


def check_bundles(bundles: list[Row], by_code: dict[str, Row], actor, report: ImportReport) -> None:
    """Only county-wide managers import bundles; each bundle's code is unique
    and it holds at least two known items (of the workbook or the catalogue)."""
    if bundles and actor is not None and not can_manage_bundles(actor):
        report.add(BUNDLES, bundles[0]["_row"], "", _("只有县级管理员可以导入“一件事”。"))
    known = set(by_code) | set(
        Item.objects.filter(code__in={c for b in bundles for c in (b["items"] or [])}).values_list(
            "code", flat=True
        )
    )
    seen: set[str] = set()
    for b in bundles:
        if b["code"] in seen:
            report.add(
                BUNDLES, b["_row"], "一件事编码", _("一件事编码 %(c)s 重复。") % {"c": b["code"]}
            )
        seen.add(b["code"])
        unknown = [c for c in b["items"] or [] if c not in known]
        if unknown:
            report.add(
                BUNDLES, b["_row"], "包含事项", _("没有这些事项：%(c)s") % {"c": "、".join(unknown)}
            )
        elif len(b["items"] or []) < 2:
            report.add(BUNDLES, b["_row"], "包含事项", _("“一件事”至少包含两个事项。"))
    report.bundles = len(bundles)
