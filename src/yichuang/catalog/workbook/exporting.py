"""Exporting: the current versions of items and the bundles as a workbook in
the import's format (an export imported again changes nothing), and the empty
template with its 说明 sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..models import Area, Bundle, CaseType, Item, ItemType, LimitUnit, Material, OnlineDepth, Step
from ..permissions import can_manage_bundles, managed_departments
from .columns import (
    BUNDLE_COLUMNS,
    BUNDLES,
    CHOICES,
    ITEM_COLUMNS,
    ITEMS,
    MATERIAL_COLUMNS,
    MATERIALS,
    README,
    SHEETS,
    STEP_COLUMNS,
    STEPS,
)


def catalog_export(*, actor=None) -> bytes:
    """The catalogue ``actor`` may manage (None: everything), with bundles for
    county-wide exports."""
    if actor is None:
        items, county_wide = Item.objects.filter(is_active=True), True
    else:
        items = Item.objects.filter(is_active=True, department__in=managed_departments(actor))
        county_wide = can_manage_bundles(actor)
    bundles = (
        Bundle.objects.filter(is_active=True).prefetch_related("links__item")
        if county_wide
        else None
    )
    return build_workbook(items, bundles)


def catalog_template() -> bytes:
    return build_workbook(Item.objects.none())


def build_workbook(items, bundles=None) -> bytes:
    """A workbook of ``items``' current versions and ``bundles`` (an empty
    queryset and no bundles: the template)."""
    wb = Workbook()
    ws_items = wb.active
    ws_items.title = ITEMS
    ws_mats, ws_steps, ws_bundles = (wb.create_sheet(n) for n in (MATERIALS, STEPS, BUNDLES))
    _write_header(ws_items, ITEM_COLUMNS)
    _write_header(ws_mats, MATERIAL_COLUMNS)
    _write_header(ws_steps, STEP_COLUMNS)
    _write_header(ws_bundles, BUNDLE_COLUMNS)
    items = list(
        items.filter(current_version__isnull=False)
        .select_related("department", "current_version")
        .prefetch_related("centres")
        .order_by("department__code", "code")
    )
    versions = [i.current_version_id for i in items]
    mats: dict[int, list[Material]] = {}
    for m in Material.objects.filter(version_id__in=versions).order_by(
        "version_id", "position", "id"
    ):
        mats.setdefault(m.version_id, []).append(m)
    steps: dict[int, list[Step]] = {}
    for s in Step.objects.filter(version_id__in=versions).select_related("department"):
        steps.setdefault(s.version_id, []).append(s)
    for item in items:
        v = item.current_version
        ws_items.append(_item_row(item))
        for m in mats.get(v.pk, []):
            ws_mats.append(_material_row(item, m))
        for s in steps.get(v.pk, []):
            ws_steps.append(_step_row(item, s))
    for b in bundles if bundles is not None else []:
        ws_bundles.append(
            [b.code, b.name, b.description, ",".join(link.item.code for link in b.links.all())]
        )
    _readme(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _item_row(item: Item) -> list:
    v = item.current_version
    return [
        item.code,
        item.basic_code,
        v.name,
        item.department.code,
        _label(ItemType, v.item_type),
        _label(CaseType, v.case_type),
        v.legal_limit,
        _label(LimitUnit, v.legal_limit_unit),
        v.committed_limit,
        _label(LimitUnit, v.committed_limit_unit),
        v.visits_required,
        v.visits_reason,
        ";".join(f"{p['name']}:{p['max_days']}" for p in v.special_procedures),
        _label(OnlineDepth, v.online_depth),
        _yes(v.in_hall),
        _yes(v.appointment),
        _yes(v.express),
        _label(Area, v.area),
        v.legal_basis,
        v.conditions,
        v.fee,
        v.result,
        ",".join(sorted(c.code for c in item.centres.all())),
    ]


def _material_row(item: Item, m: Material) -> list:
    return [
        item.code,
        m.code,
        m.name,
        m.originals,
        m.copies,
        _label(Material.Requirement, m.requirement),
        _yes(m.tolerable),
        _yes(m.commitment),
        m.document_type,
        _yes(m.removable),
        m.notes,
    ]


def _step_row(item: Item, s: Step) -> list:
    return [item.code, s.position, _label(Step.Kind, s.kind), s.department.code, s.share, s.notes]


def _label(enum, value) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _write_header(ws, columns) -> None:
    ws.append([h for h, _k, _t, _r in columns])
    for cell, (_h, _k, _t, required) in zip(ws[1], columns, strict=True):
        cell.font = Font(bold=True, color="B42318" if required else "000000")
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    ws.freeze_panes = "A2"


def _readme(wb) -> None:
    """The 说明 sheet: every column of every sheet, whether it is required and
    what it accepts."""
    ws = wb.create_sheet(README)
    ws.append(["一窗事项目录工作簿", "说明见 docs/catalog-workbook.md；红色表头为必填列。"])
    for sheet, columns in SHEETS.items():
        for header, _key, kind, required in columns:
            ws.append([sheet, header, "必填" if required else "", _accepts(kind)])
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["D"].width = 60


def _accepts(kind: str) -> str:
    if kind.startswith("choice:"):
        return "、".join(str(label) for _v, label in CHOICES[kind[7:]].choices)
    return {
        "bool": "是 / 否",
        "int": "非负整数",
        "list": "多个代码用逗号分隔",
        "procedures": "名称:最长天数；多个用分号分隔，如 公示:7;听证:20",
    }.get(kind, "")
