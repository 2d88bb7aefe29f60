"""Planning an import: which valid item rows create an item, which change one
(a new published version), which leave one as it is. Comparing a row with the
item's current version decides; an item of another department, or one with an
unpublished draft, is refused on its row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yichuang.org.models import Centre, Department

from .. import actions
from ..models import Item, ItemVersion, Material, Step
from .columns import ITEMS
from .reading import Row
from .report import ImportReport
from .validating import References


@dataclass
class Plan:
    """The rows to write: ``new`` create items, ``changed`` publish new versions
    of ``existing`` items; ``bundles`` are saved as read."""

    departments: dict[str, Department]
    centres: dict[str, Centre]
    existing: dict[str, Item]
    new: list[Row] = field(default_factory=list)
    changed: list[Row] = field(default_factory=list)
    bundles: list[Row] = field(default_factory=list)


def plan_changes(
    by_code: dict[str, Row], refs: References, bundles: list[Row], report: ImportReport
) -> Plan:
    """Sorts the item rows into new, changed and unchanged (counted in the
    report), refusing the rows that may not change their item."""
    existing = {
        i.code: i for i in Item.objects.filter(code__in=by_code).select_related("department")
    }
    drafts = set(
        ItemVersion.objects.filter(item__code__in=by_code, status="draft").values_list(
            "item__code", flat=True
        )
    )
    current = current_definitions(existing)
    plan = Plan(
        departments=refs.departments, centres=refs.centres, existing=existing, bundles=bundles
    )
    for code, r in by_code.items():
        item = existing.get(code)
        if item is not None and item.department.code not in refs.allowed:
            report.add(
                ITEMS,
                r["_row"],
                "实施编码",
                _("事项 %(c)s 属于其他部门，您无权修改。") % {"c": code},
            )
            continue
        if item is None:
            plan.new.append(r)
            report.created += 1
        elif code in current and definition_key(current[code]) == definition_key(r):
            report.unchanged += 1
        elif code in drafts:
            report.add(
                ITEMS,
                r["_row"],
                "实施编码",
                _("事项 %(c)s 有尚未发布的草稿，请先在系统中发布或放弃草稿后再导入。")
                % {"c": code},
            )
        else:
            plan.changed.append(r)
            report.updated += 1
    return plan


def definition_key(v: dict[str, Any]) -> tuple:
    """What an item's definition is made of, comparable between a workbook row
    and a current version (an empty value equals a missing one)."""
    fields = tuple((f, v.get(f) if v.get(f) is not None else "") for f in actions.VERSION_FIELDS)
    mats = tuple(
        tuple((f, m.get(f) if m.get(f) is not None else "") for f in actions.MATERIAL_FIELDS)
        for m in v["materials"]
    )
    steps = tuple(
        (s["kind"], s["department"], s["share"], s.get("notes") or "") for s in v["steps"]
    )
    return (
        fields,
        mats,
        steps,
        tuple(sorted(v["centres"])),
        v.get("basic_code") or "",
        v["department"],
    )


def current_definitions(items: dict[str, Item]) -> dict[str, dict[str, Any]]:
    """The current version of each of ``items`` (by code) in the shape of a
    workbook row, read in four queries."""
    versions = {i.current_version_id: i for i in items.values() if i.current_version_id}
    out: dict[str, dict[str, Any]] = {}
    rows = ItemVersion.objects.filter(pk__in=versions).values("pk", *actions.VERSION_FIELDS)
    for r in rows:
        item = versions[r.pop("pk")]
        out[item.code] = {
            **r,
            "materials": [],
            "steps": [],
            "centres": [],
            "basic_code": item.basic_code,
            "department": item.department.code,
        }
    by_version = {pk: item.code for pk, item in versions.items()}
    for m in (
        Material.objects.filter(version_id__in=versions)
        .values("version_id", *actions.MATERIAL_FIELDS)
        .order_by("version_id", "position", "id")
    ):
        out[by_version[m.pop("version_id")]]["materials"].append(m)
    for s in (
        Step.objects.filter(version_id__in=versions)
        .values("version_id", "kind", "department__code", "share", "notes")
        .order_by("version_id", "position")
    ):
        out[by_version[s["version_id"]]]["steps"].append(
            {
                "kind": s["kind"],
                "department": s["department__code"],
                "share": s["share"],
                "notes": s["notes"],
            }
        )
    links = Item.centres.through.objects.filter(item__in=items.values()).values_list(
        "item__code", "centre__code"
    )
    for code, centre in links:
        if code in out:
            out[code]["centres"].append(centre)
    return out
