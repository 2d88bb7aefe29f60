"""Reading a workbook: open the file, then turn each sheet into one dict per
row (keyed as the columns say), each cell parsed by its column's kind. A cell
that cannot be read is reported on its row and column and read as empty."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from yichuang.lib.errors import DomainError
from yichuang.lib.xlsx import xlsx_open

from .columns import (
    BUNDLE_COLUMNS,
    BUNDLES,
    CHOICES,
    CODE_RE,
    DEFAULTS,
    FALSE,
    ITEM_COLUMNS,
    ITEMS,
    MATERIAL_COLUMNS,
    MATERIALS,
    MAX_DETAIL_ROWS,
    MAX_FILE_BYTES,
    MAX_ITEM_ROWS,
    REQUIRED_SHEETS,
    SPLIT,
    STEP_COLUMNS,
    STEPS,
    TRUE,
)
from .report import ImportReport

Row = dict[str, Any]

# The upload budget (yichuang.lib.xlsx), checked before parsing: every sheet at
# most as long as the longest allowed, and twice the cells of a full catalogue.
MAX_CELLS = 2 * (
    (MAX_ITEM_ROWS + 1) * (len(ITEM_COLUMNS) + len(BUNDLE_COLUMNS))
    + (MAX_DETAIL_ROWS + 1) * (len(MATERIAL_COLUMNS) + len(STEP_COLUMNS))
)
Complain = Callable[[str], None]


@dataclass
class Sheets:
    """The rows of each sheet (a missing 一件事 sheet reads as no bundles)."""

    items: list[Row]
    materials: list[Row]
    steps: list[Row]
    bundles: list[Row]


def read_workbook(data: bytes, report: ImportReport) -> Sheets | None:
    """The sheets of ``data``; None when the file or a required sheet is missing
    (the report says why)."""
    wb = _open(data, report)
    if wb is None:
        return None
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    if missing:
        report.add(
            "",
            None,
            "",
            _("缺少工作表：%(m)s（文件中的工作表：%(f)s）。请使用模板，不要改动工作表名称。")
            % {"m": "、".join(missing), "f": "、".join(wb.sheetnames)},
        )
        return None
    return Sheets(
        items=read_sheet(wb, ITEMS, ITEM_COLUMNS, report, MAX_ITEM_ROWS),
        materials=read_sheet(wb, MATERIALS, MATERIAL_COLUMNS, report, MAX_DETAIL_ROWS),
        steps=read_sheet(wb, STEPS, STEP_COLUMNS, report, MAX_DETAIL_ROWS),
        bundles=(
            read_sheet(wb, BUNDLES, BUNDLE_COLUMNS, report, MAX_ITEM_ROWS)
            if BUNDLES in wb.sheetnames
            else []
        ),
    )


def _open(data: bytes, report: ImportReport):
    if len(data) > MAX_FILE_BYTES:
        report.add("", None, "", _("文件超过 20 MB，请分批导入。"))
        return None
    not_xlsx = _("文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后再导入。")
    if not data.startswith(b"PK"):
        report.add("", None, "", not_xlsx)
        return None
    try:
        return xlsx_open(data, max_rows=MAX_DETAIL_ROWS + 1, max_cells=MAX_CELLS, data_only=True)
    except DomainError as exc:  # past the upload budget, or not a workbook
        report.add("", None, "", not_xlsx if exc.code == "lib.xlsx_unreadable" else exc.message)
        return None


def read_sheet(wb, name: str, columns, report: ImportReport, limit: int) -> list[Row]:
    """The non-blank rows of sheet ``name``, each with its row number as ``_row``;
    an empty list when the sheet is too long or lacks a required column."""
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
        if _blank(values):
            continue
        out.append(_record(values, n, index, columns, name, report))
    return out


def _blank(values) -> bool:
    return values is None or all(
        v is None or (isinstance(v, str) and not v.strip()) for v in values
    )


def _record(values, n: int, index: dict[str, int], columns, sheet: str, report) -> Row:
    record: Row = {"_row": n}
    for header, key, kind, required in columns:
        i = index.get(header)
        raw = values[i] if i is not None and i < len(values) else None

        def complain(message: str, header: str = header) -> None:
            report.add(sheet, n, header, message)

        value = read_cell(raw, kind, complain)
        if value is None and required and (raw is None or str(raw).strip() == ""):
            complain(_("必填，不能为空。"))
        if value is None and key in DEFAULTS:
            value = DEFAULTS[key]
        elif value is None and kind in ("list", "procedures"):
            value = []
        record[key] = value
    return record


# --- cells, by kind -----------------------------------------------------------------


def read_cell(value: Any, kind: str, complain: Complain) -> Any:
    """The cell's value as its column's ``kind`` reads it; None when it is
    empty or wrong (then ``complain`` has been told why)."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if kind.startswith("choice:"):
        return _choice(value, kind.split(":", 1)[1], complain)
    parse = _PARSERS.get(kind)
    if parse is None:
        raise AssertionError(kind)
    return parse(value, complain)


def _whole(value: Any) -> Any:
    """A float that holds a whole number (as Excel stores numbers) as an int."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _text(value: Any, complain: Complain) -> str:
    return str(_whole(value))


def _code(value: Any, complain: Complain) -> str | None:
    text = str(_whole(value))
    if not CODE_RE.match(text):
        complain(
            _("编码只能由字母、数字、点、横线和下划线组成（不超过 40 位）：%(v)s") % {"v": text}
        )
        return None
    return text


def _int(value: Any, complain: Complain) -> int | None:
    if isinstance(value, bool):
        value = int(value)
    value = _whole(value)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        complain(_("须填写非负整数，不能是“%(v)s”。") % {"v": value})
        return None
    return value


def _bool(value: Any, complain: Complain) -> bool | None:
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    complain(_("须填写“是”或“否”，不能是“%(v)s”。") % {"v": value})
    return None


def _list(value: Any, complain: Complain) -> list[str]:
    return [p for p in SPLIT.split(str(value)) if p]


def _procedures(value: Any, complain: Complain) -> list[dict[str, Any]] | None:
    """``公示:7;听证:20`` → ``[{"name": "公示", "max_days": 7}, …]``."""
    procs = []
    for part in re.split(r"[;；]", str(value)):
        part = part.strip()
        if not part:
            continue
        name, _sep, days = re.sub(r"[：]", ":", part).partition(":")
        if not name.strip() or not days.strip().isdigit():
            complain(_("特别程序须写成“名称:最长天数”，多个用分号分隔：%(v)s") % {"v": part})
            return None
        procs.append({"name": name.strip(), "max_days": int(days)})
    return procs


_PARSERS: dict[str, Callable[[Any, Complain], Any]] = {
    "text": _text,
    "code": _code,
    "int": _int,
    "bool": _bool,
    "list": _list,
    "procedures": _procedures,
}


@functools.cache
def _label_map(enum) -> dict[str, Any]:
    """Every spelling a choice may take: its value, its label, and its label
    without the part in brackets, all lower-cased."""
    out: dict[str, Any] = {}
    for value, label in enum.choices:
        out[str(value).lower()] = value
        out[str(label).lower()] = value
        short = re.sub(r"（.*?）", "", str(label)).lower()
        out[short] = value
    return out


def _choice(value: Any, name: str, complain: Complain) -> Any:
    enum = CHOICES[name]
    found = _label_map(enum).get(str(_whole(value)).lower())
    if found is None:
        allowed = "、".join(str(label) for _v, label in enum.choices)
        complain(_("不认识的取值“%(v)s”，可选：%(a)s") % {"v": value, "a": allowed})
    return found
