"""The catalogue workbook (docs/catalog-workbook.md): export, template, and an
import that validates every row before it changes anything.

An import either applies every row or none: the report names each bad row, its
column and the reason, in Chinese. Items whose definition is unchanged are left
alone (so export → import changes nothing); changed items get a new published
version; new items are created with version 1.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.org.models import Centre, Department

from . import actions
from .models import (
    Area,
    Bundle,
    BundleItem,
    CaseType,
    Item,
    ItemType,
    ItemVersion,
    LimitUnit,
    Material,
    OnlineDepth,
    Step,
    pinyin_initials,
)

MAX_ITEM_ROWS = 5000
MAX_DETAIL_ROWS = 60000
MAX_FILE_BYTES = 20 * 1024 * 1024

ITEMS, MATERIALS, STEPS, BUNDLES, README = "事项", "材料", "环节", "一件事", "说明"

# (header, key, kind, required); kinds: text, int, choice:<Enum>, bool, list, procedures
ITEM_COLUMNS = [
    ("实施编码", "code", "code", True),
    ("基本编码", "basic_code", "text", False),
    ("事项名称", "name", "text", True),
    ("部门代码", "department", "text", True),
    ("事项类型", "item_type", "choice:item_type", True),
    ("办件类型", "case_type", "choice:case_type", True),
    ("法定时限", "legal_limit", "int", False),
    ("法定时限单位", "legal_limit_unit", "choice:unit", False),
    ("承诺时限", "committed_limit", "int", False),
    ("承诺时限单位", "committed_limit_unit", "choice:unit", False),
    ("到现场次数", "visits_required", "int", True),
    ("到现场原因", "visits_reason", "text", False),
    ("特别程序", "special_procedures", "procedures", False),
    ("网办深度", "online_depth", "choice:depth", False),
    ("进驻大厅", "in_hall", "bool", False),
    ("支持预约", "appointment", "bool", False),
    ("快递送达", "express", "bool", False),
    ("通办范围", "area", "choice:area", False),
    ("设定依据", "legal_basis", "text", False),
    ("受理条件", "conditions", "text", False),
    ("收费标准", "fee", "text", False),
    ("办理结果", "result", "text", False),
    ("办理地点", "centres", "list", False),
]
MATERIAL_COLUMNS = [
    ("实施编码", "item", "code", True),
    ("材料编码", "code", "code", True),
    ("材料名称", "name", "text", True),
    ("原件份数", "originals", "int", False),
    ("复印件份数", "copies", "int", False),
    ("必要性", "requirement", "choice:requirement", False),
    ("容缺", "tolerable", "bool", False),
    ("告知承诺", "commitment", "bool", False),
    ("证照类型", "document_type", "text", False),
    ("不得索要", "removable", "bool", False),
    ("要求说明", "notes", "text", False),
]
STEP_COLUMNS = [
    ("实施编码", "item", "code", True),
    ("序号", "position", "int", True),
    ("环节", "kind", "choice:step", True),
    ("部门代码", "department", "text", True),
    ("时限占比", "share", "int", True),
    ("说明", "notes", "text", False),
]
BUNDLE_COLUMNS = [
    ("一件事编码", "code", "code", True),
    ("名称", "name", "text", True),
    ("说明", "description", "text", False),
    ("包含事项", "items", "list", True),
]
SHEETS = {
    ITEMS: ITEM_COLUMNS,
    MATERIALS: MATERIAL_COLUMNS,
    STEPS: STEP_COLUMNS,
    BUNDLES: BUNDLE_COLUMNS,
}
REQUIRED_SHEETS = (ITEMS, MATERIALS, STEPS)

CHOICES: dict[str, Any] = {
    "item_type": ItemType,
    "case_type": CaseType,
    "unit": LimitUnit,
    "area": Area,
    "depth": OnlineDepth,
    "requirement": Material.Requirement,
    "step": Step.Kind,
}
DEFAULTS = {
    "legal_limit_unit": LimitUnit.WORKDAY,
    "committed_limit_unit": LimitUnit.WORKDAY,
    "online_depth": OnlineDepth.FORMS,
    "in_hall": True,
    "appointment": False,
    "express": False,
    "area": Area.COUNTY,
    "fee": "",
    "committed_limit": 0,
    "originals": 1,
    "copies": 0,
    "requirement": Material.Requirement.REQUIRED,
    "tolerable": False,
    "commitment": False,
    "removable": False,
}
TRUE, FALSE = {"是", "y", "yes", "true", "1", "√"}, {"否", "n", "no", "false", "0", ""}
SPLIT = re.compile(r"[,，、;；\s]+")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")


@dataclass
class ImportReport:
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bundles: int = 0
    dry_run: bool = False
    applied: bool = False

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append({"sheet": sheet, "row": row, "column": column, "message": message})

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = []
        for e in self.errors:
            where = f"工作表“{e['sheet']}”" if e["sheet"] else ""
            if e["row"]:
                where += _("第 %(r)d 行") % {"r": e["row"]}
            if e["column"]:
                where += f"“{e['column']}”列"
            out.append(f"{where}：{e['message']}" if e["sheet"] or e["row"] else e["message"])
        return out

    def summary(self) -> str:
        if self.errors:
            return _("发现 %(n)d 处错误，未做任何修改。") % {"n": len(self.errors)}
        verb = _("校验通过（试运行，未修改）") if self.dry_run else _("导入完成")
        return _(
            "%(v)s：新增 %(c)d 个事项，更新 %(u)d 个，未变化 %(s)d 个，“一件事” %(b)d 个。"
        ) % {
            "v": verb,
            "c": self.created,
            "u": self.updated,
            "s": self.unchanged,
            "b": self.bundles,
        }


# --- reading ------------------------------------------------------------------------


@functools.cache
def _label_map(enum) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value, label in enum.choices:
        out[str(value).lower()] = value
        out[str(label).lower()] = value
        short = re.sub(r"（.*?）", "", str(label)).lower()
        out[short] = value
    return out


def _cell(value: Any, kind: str, header: str, report: ImportReport, sheet: str, row: int) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if kind in ("text", "code"):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        if kind == "code" and not CODE_RE.match(text):
            report.add(
                sheet,
                row,
                header,
                _("编码只能由字母、数字、点、横线和下划线组成（不超过 40 位）：%(v)s")
                % {"v": text},
            )
            return None
        return text
    if kind == "int":
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or value < 0:
            report.add(sheet, row, header, _("须填写非负整数，不能是“%(v)s”。") % {"v": value})
            return None
        return value
    if kind == "bool":
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        report.add(sheet, row, header, _("须填写“是”或“否”，不能是“%(v)s”。") % {"v": value})
        return None
    if kind == "list":
        return [p for p in SPLIT.split(str(value)) if p]
    if kind == "procedures":
        procs = []
        for part in re.split(r"[;；]", str(value)):
            part = part.strip()
            if not part:
                continue
            name, _sep, days = re.sub(r"[：]", ":", part).partition(":")
            if not name.strip() or not days.strip().isdigit():
                report.add(
                    sheet,
                    row,
                    header,
                    _("特别程序须写成“名称:最长天数”，多个用分号分隔：%(v)s") % {"v": part},
                )
                return None
            procs.append({"name": name.strip(), "max_days": int(days)})
        return procs
    if kind.startswith("choice:"):
        mapping = _label_map(CHOICES[kind.split(":", 1)[1]])
        key = str(int(value) if isinstance(value, float) and value.is_integer() else value)
        found = mapping.get(key.lower())
        if found is None:
            allowed = "、".join(str(label) for _v, label in CHOICES[kind.split(":", 1)[1]].choices)
            report.add(
                sheet,
                row,
                header,
                _("不认识的取值“%(v)s”，可选：%(a)s") % {"v": value, "a": allowed},
            )
        return found
    raise AssertionError(kind)


def _open(data: bytes, report: ImportReport):
    if len(data) > MAX_FILE_BYTES:
        report.add("", None, "", _("文件超过 20 MB，请分批导入。"))
        return None
    if not data.startswith(b"PK"):
        report.add(
            "",
            None,
            "",
            _("文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后再导入。"),
        )
        return None
    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        report.add(
            "",
            None,
            "",
            _("文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后再导入。"),
        )
        return None


def _read_sheet(wb, name: str, columns, report: ImportReport, limit: int):
    ws = wb[name]
    for merged in ws.merged_cells.ranges:
        report.add(
            name,
            merged.min_row,
            "",
            _("%(r)s 是合并单元格，请取消合并并在每一行填写完整。") % {"r": merged.coord},
        )
    if ws.max_row - 1 > limit:
        report.add(
            name,
            None,
            "",
            _("共 %(n)d 行，超过单次导入上限 %(m)d 行，请分批导入。")
            % {"n": ws.max_row - 1, "m": limit},
        )
        return []
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    index = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
    missing = [h for h, _k, _t, req in columns if req and h not in index]
    if missing:
        report.add(name, 1, "", _("缺少必填列：%(c)s") % {"c": "、".join(missing)})
        return []
    out = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(
            v is None or (isinstance(v, str) and not v.strip()) for v in values
        ):
            continue
        record: dict[str, Any] = {"_row": n}
        for header_text, key, kind, required in columns:
            i = index.get(header_text)
            raw = values[i] if i is not None and i < len(values) else None
            value = _cell(raw, kind, header_text, report, name, n)
            if value is None and required and (raw is None or str(raw).strip() == ""):
                report.add(name, n, header_text, _("必填，不能为空。"))
            if value is None and key in DEFAULTS:
                value = DEFAULTS[key]
            elif value is None and kind in ("list", "procedures"):
                value = []
            record[key] = value
        out.append(record)
    return out


# --- comparing ----------------------------------------------------------------------


def _version_key(v: dict[str, Any]) -> tuple:
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


def _current(items: dict[str, Item]) -> dict[str, dict[str, Any]]:
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
    by_version = {i.current_version_id: i.code for i in items.values() if i.current_version_id}
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


# --- import -------------------------------------------------------------------------


def catalog_import(*, data: bytes, actor=None, dry_run: bool = False) -> ImportReport:
    """Validate the whole workbook, then (unless ``dry_run`` or any error) apply it
    in one transaction. ``actor`` None is the command line (all departments)."""
    report = ImportReport(dry_run=dry_run)
    wb = _open(data, report)
    if wb is None:
        return report
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    if missing:
        report.add(
            "",
            None,
            "",
            _("缺少工作表：%(m)s（文件中的工作表：%(f)s）。请使用模板，不要改动工作表名称。")
            % {"m": "、".join(missing), "f": "、".join(wb.sheetnames)},
        )
        return report
    items = _read_sheet(wb, ITEMS, ITEM_COLUMNS, report, MAX_ITEM_ROWS)
    mats = _read_sheet(wb, MATERIALS, MATERIAL_COLUMNS, report, MAX_DETAIL_ROWS)
    steps = _read_sheet(wb, STEPS, STEP_COLUMNS, report, MAX_DETAIL_ROWS)
    bundles = (
        _read_sheet(wb, BUNDLES, BUNDLE_COLUMNS, report, MAX_ITEM_ROWS)
        if BUNDLES in wb.sheetnames
        else []
    )
    if report.errors and not items:
        return report
    plan = _validate(items, mats, steps, bundles, actor, report)
    if report.errors or dry_run:
        if report.errors:
            report.created = report.updated = report.unchanged = report.bundles = 0
        return report
    _apply(plan, bundles, actor, report)
    return report


def _validate(items, mats, steps, bundles, actor, report: ImportReport) -> dict[str, Any]:
    departments = {d.code: d for d in Department.objects.all()}
    allowed = (
        set(departments)
        if actor is None
        else set(actions.managed_departments(actor).values_list("code", flat=True))
    )
    centres = {c.code: c for c in Centre.objects.all()}
    by_code: dict[str, dict[str, Any]] = {}
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
        if r["department"] is not None:
            if r["department"] not in departments:
                report.add(
                    ITEMS,
                    r["_row"],
                    "部门代码",
                    _("没有代码为 %(d)s 的部门。") % {"d": r["department"]},
                )
            elif r["department"] not in allowed:
                report.add(
                    ITEMS,
                    r["_row"],
                    "部门代码",
                    _("您无权导入部门 %(d)s 的事项。") % {"d": r["department"]},
                )
        for c in r["centres"] or []:
            if c not in centres:
                report.add(
                    ITEMS, r["_row"], "办理地点", _("没有代码为 %(c)s 的服务中心。") % {"c": c}
                )
        r["centres"] = r["centres"] or []
    for m in mats:
        owner = by_code.get(m["item"])
        if owner is None:
            if m["item"] is not None:
                report.add(
                    MATERIALS,
                    m["_row"],
                    "实施编码",
                    _("“事项”表中没有实施编码 %(c)s。") % {"c": m["item"]},
                )
            continue
        if any(x["code"] == m["code"] for x in owner["materials"]) and m["code"]:
            report.add(
                MATERIALS,
                m["_row"],
                "材料编码",
                _("事项 %(i)s 的材料编码 %(c)s 重复。") % {"i": m["item"], "c": m["code"]},
            )
        owner["materials"].append({k: m[k] for k in actions.MATERIAL_FIELDS} | {"_row": m["_row"]})
    for s in steps:
        owner = by_code.get(s["item"])
        if owner is None:
            if s["item"] is not None:
                report.add(
                    STEPS,
                    s["_row"],
                    "实施编码",
                    _("“事项”表中没有实施编码 %(c)s。") % {"c": s["item"]},
                )
            continue
        if s["department"] is not None and s["department"] not in departments:
            report.add(
                STEPS,
                s["_row"],
                "部门代码",
                _("没有代码为 %(d)s 的部门。") % {"d": s["department"]},
            )
        owner["steps"].append(s)
    column_of = {key: header for header, key, _k, _r in ITEM_COLUMNS}
    for code, r in by_code.items():
        r["steps"].sort(key=lambda s: s["position"] or 0)
        positions = [s["position"] for s in r["steps"]]
        if len(set(positions)) != len(positions):
            report.add(
                STEPS, r["steps"][0]["_row"], "序号", _("事项 %(c)s 的环节序号重复。") % {"c": code}
            )
        for p in actions.version_problems(r):
            if p["code"] in (
                "catalog.material_code_duplicate",
                "catalog.material_unnamed",
                "catalog.material_code_required",
            ):
                continue  # reported per row of the 材料 sheet already
            sheet = STEPS if p["field"] == "steps" else ITEMS
            report.add(
                sheet if sheet == ITEMS else STEPS,
                r["_row"] if sheet == ITEMS else (r["steps"][0]["_row"] if r["steps"] else None),
                column_of.get(p["field"], "") if sheet == ITEMS else "时限占比",
                (f"{code}：" if sheet == STEPS else "") + p["message"],
            )
    existing = {
        i.code: i for i in Item.objects.filter(code__in=by_code).select_related("department")
    }
    drafts = set(
        ItemVersion.objects.filter(item__code__in=by_code, status="draft").values_list(
            "item__code", flat=True
        )
    )
    current = _current(existing)
    plan: dict[str, Any] = {
        "new": [],
        "changed": [],
        "departments": departments,
        "centres": centres,
        "existing": existing,
    }
    for code, r in by_code.items():
        item = existing.get(code)
        if item is not None and item.department.code not in allowed:
            report.add(
                ITEMS,
                r["_row"],
                "实施编码",
                _("事项 %(c)s 属于其他部门，您无权修改。") % {"c": code},
            )
            continue
        if item is None:
            plan["new"].append(r)
            report.created += 1
        elif code in current and _version_key(current[code]) == _version_key(r):
            report.unchanged += 1
        else:
            if code in drafts:
                report.add(
                    ITEMS,
                    r["_row"],
                    "实施编码",
                    _("事项 %(c)s 有尚未发布的草稿，请先在系统中发布或放弃草稿后再导入。")
                    % {"c": code},
                )
                continue
            plan["changed"].append(r)
            report.updated += 1
    if (
        bundles
        and actor is not None
        and not (actor.is_superuser or actor.has_role(Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN))
    ):
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
    return plan


@transaction.atomic
def _apply(plan: dict[str, Any], bundles, actor, report: ImportReport) -> None:
    departments, centres, existing = plan["departments"], plan["centres"], plan["existing"]
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    new_items = Item.objects.bulk_create(
        [
            Item(
                code=r["code"],
                basic_code=r["basic_code"] or "",
                name=r["name"],
                initials=pinyin_initials(r["name"]),
                department=departments[r["department"]],
            )
            for r in plan["new"]
        ]
    )
    for item in new_items:
        existing[item.code] = item
    rows = plan["new"] + plan["changed"]
    numbers = {}
    if plan["changed"]:
        from django.db.models import Max

        numbers = dict(
            ItemVersion.objects.filter(item__code__in=[r["code"] for r in plan["changed"]])
            .values_list("item__code")
            .annotate(n=Max("number"))
        )
    versions = ItemVersion.objects.bulk_create(
        [
            ItemVersion(
                item=existing[r["code"]],
                number=numbers.get(r["code"], 0) + 1,
                status=ItemVersion.Status.PUBLISHED,
                published_at=now,
                published_by=user,
                **{
                    f: (r[f] if r.get(f) is not None else DEFAULTS.get(f, ""))
                    for f in actions.VERSION_FIELDS
                    if f != "legal_limit"
                },
                legal_limit=r["legal_limit"],
            )
            for r in rows
        ]
    )
    materials, steps = [], []
    for version, r in zip(versions, rows, strict=True):
        for pos, m in enumerate(r["materials"]):
            materials.append(
                Material(
                    version=version,
                    position=pos,
                    **{
                        f: (m[f] if m[f] is not None else DEFAULTS.get(f, ""))
                        for f in actions.MATERIAL_FIELDS
                    },
                )
            )
        for pos, s in enumerate(r["steps"], start=1):
            steps.append(
                Step(
                    version=version,
                    position=pos,
                    kind=s["kind"],
                    department=departments[s["department"]],
                    share=s["share"],
                    notes=s["notes"] or "",
                )
            )
    Material.objects.bulk_create(materials, batch_size=2000)
    Step.objects.bulk_create(steps, batch_size=2000)
    # One UPDATE per item is much faster than bulk_update's CASE expressions.
    touched = []
    for version, r in zip(versions, rows, strict=True):
        item = existing[r["code"]]
        Item.objects.filter(pk=item.pk).update(
            current_version=version,
            name=r["name"],
            initials=pinyin_initials(r["name"]),
            basic_code=r["basic_code"] or "",
            department=departments[r["department"]],
            updated_at=now,
        )
        touched.append(item)
    through = Item.centres.through
    through.objects.filter(item__in=touched).delete()
    through.objects.bulk_create(
        [
            through(item_id=existing[r["code"]].pk, centre_id=centres[c].pk)
            for r in rows
            for c in dict.fromkeys(r["centres"])
        ],
        batch_size=2000,
    )
    for b in bundles:
        bundle, _created = Bundle.objects.update_or_create(
            code=b["code"], defaults={"name": b["name"], "description": b["description"] or ""}
        )
        current = list(bundle.links.order_by("position").values_list("item__code", flat=True))
        if current != b["items"]:
            bundle.links.all().delete()
            members = {i.code: i for i in Item.objects.filter(code__in=b["items"])}
            BundleItem.objects.bulk_create(
                [
                    BundleItem(bundle=bundle, item=members[c], position=i)
                    for i, c in enumerate(b["items"])
                ]
            )
    report.applied = True
    audit_record(
        "catalog.imported",
        actor=actor,
        object_type="catalog.item",
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        bundles=report.bundles,
    )


# --- export -------------------------------------------------------------------------


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
    ws = wb.create_sheet(README)
    ws.append(["一窗事项目录工作簿", "说明见 docs/catalog-workbook.md；红色表头为必填列。"])
    for sheet, columns in SHEETS.items():
        for header, _key, kind, required in columns:
            allowed = ""
            if kind.startswith("choice:"):
                allowed = "、".join(str(label) for _v, label in CHOICES[kind[7:]].choices)
            elif kind == "bool":
                allowed = "是 / 否"
            elif kind == "int":
                allowed = "非负整数"
            elif kind == "list":
                allowed = "多个代码用逗号分隔"
            elif kind == "procedures":
                allowed = "名称:最长天数；多个用分号分隔，如 公示:7;听证:20"
            ws.append([sheet, header, "必填" if required else "", allowed])
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["D"].width = 60


def build_workbook(items, bundles=None) -> bytes:
    """A workbook of ``items``' current versions and ``bundles`` (an empty
    queryset and no bundles: the template)."""
    wb = Workbook()
    ws_items = wb.active
    ws_items.title = ITEMS
    ws_mats, ws_steps, ws_bundles = (wb.create_sheet(n) for n in (MATERIALS, STEPS, BUNDLES))
    for ws, cols in (
        (ws_items, ITEM_COLUMNS),
        (ws_mats, MATERIAL_COLUMNS),
        (ws_steps, STEP_COLUMNS),
        (ws_bundles, BUNDLE_COLUMNS),
    ):
        _write_header(ws, cols)
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
        ws_items.append(
            [
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
        )
        for m in mats.get(v.pk, []):
            ws_mats.append(
                [
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
            )
        for s in steps.get(v.pk, []):
            ws_steps.append(
                [
                    item.code,
                    s.position,
                    _label(Step.Kind, s.kind),
                    s.department.code,
                    s.share,
                    s.notes,
                ]
            )
    for b in bundles if bundles is not None else []:
        ws_bundles.append(
            [b.code, b.name, b.description, ",".join(link.item.code for link in b.links.all())]
        )
    return _save(wb)


def _save(wb) -> bytes:
    if README not in wb.sheetnames:
        _readme(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def catalog_export(*, actor=None) -> bytes:
    """The catalogue ``actor`` may manage (None: everything), with bundles for
    county-wide exports."""
    if actor is None:
        items, county_wide = Item.objects.filter(is_active=True), True
    else:
        items = Item.objects.filter(
            is_active=True, department__in=actions.managed_departments(actor)
        )
        county_wide = actor.is_superuser or actor.has_role(Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)
    bundles = (
        Bundle.objects.filter(is_active=True).prefetch_related("links__item")
        if county_wide
        else None
    )
    return build_workbook(items, bundles)


def catalog_template() -> bytes:
    return build_workbook(Item.objects.none())
