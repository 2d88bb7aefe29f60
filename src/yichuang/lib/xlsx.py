"""Reading uploaded .xlsx workbooks safely (docs/security.md, "Uploads").

A workbook is a zip of XML files, so a small upload can stand for a lot of
work: a zip bomb (gigabytes declared behind a few kilobytes), an entity bomb
("billion laughs") in one of its XML files, or 300,000 rows in 2 MB that keep
a worker busy for minutes before any row limit is looked at. ``xlsx_open``
checks a budget before openpyxl parses anything:

- the file is a zip whose members declare at most ``XLSX_MAX_UNCOMPRESSED``
  bytes in all (Python's zipfile never inflates a member past its declared
  size: a member that lies fails its CRC check);
- no XML member carries a DOCTYPE (a workbook never needs one; entity bombs do);
- each worksheet holds at most ``max_rows`` rows, and the workbook at most
  ``max_cells`` cells, counted by streaming the sheets' XML without parsing it.

Then openpyxl parses the file (through defusedxml, which it uses whenever it
is installed: ``openpyxl.xml.DEFUSEDXML``). Any refusal or parse error raises
``Unprocessable`` (422) with a ``lib.xlsx_*`` code and a Chinese message;
nothing in a workbook can end in a 500."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.utils.translation import gettext as _

from yichuang.lib.errors import Unprocessable

XLSX_MAX_UNCOMPRESSED = 128 * 1024 * 1024
XLSX_MAX_MEMBERS = 1000
CHUNK = 1024 * 1024
# A row or cell element, with or without a namespace prefix (<row r="2">, <x:c …>).
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_TAIL = 32  # bytes kept between chunks, so no tag is split unseen


def unreadable() -> Unprocessable:
    return Unprocessable(
        "lib.xlsx_unreadable",
        _("文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后再导入。"),
    )


def _too_big(total: int) -> Unprocessable:
    return Unprocessable(
        "lib.xlsx_too_big",
        _("工作簿解压后超过 %(mb)d MB，请分批导入。") % {"mb": XLSX_MAX_UNCOMPRESSED // 2**20},
        uncompressed=total,
    )


def _too_many_rows(sheet: str, max_rows: int) -> Unprocessable:
    return Unprocessable(
        "lib.xlsx_too_many_rows",
        _("工作表 %(s)s 超过 %(n)d 行，请分批导入。") % {"s": sheet, "n": max_rows},
        max_rows=max_rows,
    )


def _too_many_cells(max_cells: int) -> Unprocessable:
    return Unprocessable(
        "lib.xlsx_too_many_cells",
        _("工作簿超过 %(n)d 个单元格，请分批导入。") % {"n": max_cells},
        max_cells=max_cells,
    )


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _refuse_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with archive.open(info) as member:
        if _DTD.search(member.read(65536)):
            raise unreadable()


def _count(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Stream a worksheet: yield the (rows, cells) found in each chunk."""
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            data = tail + chunk
            # tags starting in the kept tail are counted with the next chunk
            cut = max(len(data) - _TAIL, 0)
            yield (
                sum(1 for m in _ROW.finditer(data) if m.start() < cut),
                sum(1 for m in _CELL.finditer(data) if m.start() < cut),
            )
            tail = data[cut:]
    yield len(_ROW.findall(tail)), len(_CELL.findall(tail))


def xlsx_check(data: bytes, *, max_rows: int, max_cells: int) -> None:
    """Refuse (422) a workbook past the budget, before anything parses it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise unreadable() from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise unreadable()
    total = sum(m.file_size for m in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise _too_big(total)
    cells = 0
    try:
        for info in members:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            _refuse_dtd(archive, info)
            if not _is_sheet(info.filename):
                continue
            rows = 0
            for found_rows, found_cells in _count(archive, info):
                rows += found_rows
                cells += found_cells
                if rows > max_rows:
                    raise _too_many_rows(info.filename.rsplit("/", 1)[-1][:-4], max_rows)
                if cells > max_cells:
                    raise _too_many_cells(max_cells)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise unreadable() from None


def xlsx_open(data: bytes, *, max_rows: int, max_cells: int, **options: Any):
    """The openpyxl workbook of ``data`` once it passed ``xlsx_check``; 422 for
    anything openpyxl can't read."""
    from openpyxl import load_workbook

    xlsx_check(data, max_rows=max_rows, max_cells=max_cells)
    try:
        return load_workbook(io.BytesIO(data), **options)
    except Exception:  # any parser error of an uploaded file is the file's fault
        raise unreadable() from None
