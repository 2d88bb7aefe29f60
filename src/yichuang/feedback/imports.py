"""Import of 12345 hotline work orders (CSV, UTF-8 with or without BOM, or
.xlsx). All or nothing: any bad row changes nothing and every bad row is listed
with its reason. The format is documented in docs/feedback.md."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import DomainError
from yichuang.lib.xlsx import unreadable as xlsx_unreadable
from yichuang.lib.xlsx import xlsx_open
from yichuang.org.models import Centre, Department, Window

from .actions import complaint_submit
from .models import Complaint, ComplaintCategory

# Column headers (Chinese, as the hotline exports them) → field names.
COLUMNS = {
    "工单编号": "external_ref",
    "受理时间": "received_at",
    "诉求类型": "kind",
    "诉求类别": "category",
    "标题": "title",
    "诉求内容": "description",
    "联系人": "name",
    "联系电话": "phone",
    "服务中心": "centre",
    "窗口号": "window",
    "承办部门": "department",
}
REQUIRED = ("external_ref", "received_at", "kind", "description")
KIND_NAMES = {
    "投诉": Complaint.Kind.COMPLAINT,
    "建议": Complaint.Kind.SUGGESTION,
    "咨询": Complaint.Kind.CONSULTATION,
    "表扬": Complaint.Kind.PRAISE,
    "办不成事": Complaint.Kind.UNSOLVED,
    "求助": Complaint.Kind.UNSOLVED,
}
MAX_ROWS = 5000
MAX_COLUMNS = 32  # cells per row in the upload budget (the format has 11 columns)


@dataclass
class ImportResult:
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _xlsx_values(data: bytes) -> list[tuple]:
    """The first sheet's rows, once the workbook passed the upload budget
    (``yichuang.lib.xlsx``: 422 ``lib.xlsx_*`` past it or for a broken file)."""
    wb = xlsx_open(
        data,
        max_rows=MAX_ROWS + 1,
        max_cells=(MAX_ROWS + 1) * MAX_COLUMNS,
        read_only=True,
        data_only=True,
    )
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True)) if wb.worksheets else []
    except Exception:  # openpyxl reads a read-only sheet lazily: a broken one fails here
        raise xlsx_unreadable() from None
    finally:
        wb.close()


def _rows(data: bytes, filename: str) -> list[dict[str, str]]:
    if filename.lower().endswith(".xlsx"):
        values = _xlsx_values(data)
        if not values:
            return []
        header = [str(h or "").strip() for h in values[0]]
        out = []
        for row in values[1:]:
            cells = {}
            for h, v in zip(header, row, strict=False):
                if isinstance(v, dt.datetime):
                    v = v.strftime("%Y-%m-%d %H:%M:%S")
                cells[h] = "" if v is None else str(v).strip()
            out.append(cells)
        return out
    text = data.decode("utf-8-sig")
    return [
        {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


def _parse_time(raw: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            naive = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive)
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else timezone.make_aware(value)


class _Rollback(Exception):
    pass


def import_work_orders(
    data: bytes, *, filename: str = "", actor=None, dry_run: bool = False
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    try:
        rows = _rows(data, filename)
    except DomainError as exc:  # the workbook's budget or a broken workbook
        result.errors.append({"row": 0, "reason": exc.message, "code": exc.code})
        return result
    except (UnicodeDecodeError, csv.Error, ValueError, OSError) as exc:
        result.errors.append({"row": 0, "reason": _("文件无法读取：%(e)s") % {"e": exc}})
        return result
    if not rows:
        result.errors.append({"row": 0, "reason": _("文件中没有工单。")})
        return result
    if len(rows) > MAX_ROWS:
        result.errors.append({"row": 0, "reason": _("一次最多导入 %(n)d 条。") % {"n": MAX_ROWS}})
        return result
    missing = [h for h, f in COLUMNS.items() if f in REQUIRED and h not in rows[0]]
    if missing:
        result.errors.append({"row": 1, "reason": _("缺少列：%(c)s") % {"c": "、".join(missing)}})
        return result
    centres = {c.name: c for c in Centre.objects.all()} | {c.code: c for c in Centre.objects.all()}
    all_depts = list(Department.objects.all())
    depts = (
        {d.name: d for d in all_depts}
        | {d.short_name: d for d in all_depts if d.short_name}
        | {d.code: d for d in all_depts}
    )
    cats = {c.name: c for c in ComplaintCategory.objects.all()} | {
        c.code: c for c in ComplaintCategory.objects.all()
    }
    try:
        with transaction.atomic():
            seen: set[str] = set()
            for i, raw in enumerate(rows, start=2):
                row = {f: raw.get(h, "") for h, f in COLUMNS.items()}
                reason = None
                received = _parse_time(row["received_at"]) if row["received_at"] else None
                if any(not row[f] for f in REQUIRED):
                    reason = _("必填项为空：工单编号、受理时间、诉求类型、诉求内容")
                elif row["kind"] not in KIND_NAMES:
                    reason = _("诉求类型不正确：%(k)s") % {"k": row["kind"]}
                elif received is None:
                    reason = _("受理时间格式不正确：%(t)s") % {"t": row["received_at"]}
                elif received > timezone.now() or received.year < 2000:
                    reason = _("受理时间超出范围：%(t)s") % {"t": row["received_at"]}
                elif row["external_ref"] in seen:
                    reason = _("文件内工单编号重复：%(r)s") % {"r": row["external_ref"]}
                elif row["centre"] and row["centre"] not in centres:
                    reason = _("没有该服务中心：%(c)s") % {"c": row["centre"]}
                elif row["department"] and row["department"] not in depts:
                    reason = _("没有该部门：%(d)s") % {"d": row["department"]}
                elif row["category"] and row["category"] not in cats:
                    reason = _("没有该诉求类别：%(c)s") % {"c": row["category"]}
                if reason:
                    result.errors.append({"row": i, "ref": row["external_ref"], "reason": reason})
                    continue
                seen.add(row["external_ref"])
                centre = centres.get(row["centre"]) if row["centre"] else None
                window = None
                if centre and row["window"].isdigit():
                    window = Window.objects.filter(centre=centre, number=int(row["window"])).first()
                try:
                    with transaction.atomic():
                        complaint_submit(
                            kind=KIND_NAMES[row["kind"]],
                            channel=Complaint.Channel.HOTLINE,
                            description=row["description"],
                            title=row["title"],
                            category=cats.get(row["category"]) if row["category"] else None,
                            centre=centre,
                            window=window,
                            department=depts.get(row["department"]) if row["department"] else None,
                            name=row["name"],
                            phone=row["phone"],
                            external_ref=row["external_ref"],
                            received_at=received,
                            actor=actor,
                        )
                except DomainError as exc:
                    result.errors.append(
                        {"row": i, "ref": row["external_ref"], "reason": exc.message}
                    )
                    continue
                result.created += 1
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        if result.errors:
            result.created = 0
    return result
