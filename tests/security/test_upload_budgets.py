"""Uploaded workbooks are parsed safely (issue 17, item 10): a corrupt .xlsx or
a billion-laughs file in the complaint import gave a 500, and a 1.9 MB .xlsx of
300k rows held a worker 93 s and 1 GB before the row limit refused it. The
budget (yichuang.lib.xlsx) is checked before openpyxl parses anything, and
openpyxl parses through defusedxml; every refusal is a 422 and imports nothing.

The files are made here: a small workbook from openpyxl, with one of its
members replaced by hand-written XML."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import login_client

from yichuang.catalog.models import Item
from yichuang.feedback.models import Complaint
from yichuang.lib import xlsx
from yichuang.lib.errors import Unprocessable

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["工单编号", "受理时间", "诉求类型", "诉求内容"]


def workbook(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` with member ``name`` replaced by ``content``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = content if info.filename == name else src.read(info)
            dst.writestr(info.filename, body)
    return out.getvalue()


def sheet_xml(n_rows: int) -> bytes:
    """A worksheet of ``n_rows`` one-cell rows, written by hand (fast)."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
        for i in range(1, n_rows + 1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )


def laughs(levels: int = 9, prefix: bytes = b"") -> bytes:
    """A worksheet whose one cell is an entity expanding to 10**levels "lol"s."""
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, levels + 1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + prefix
        + b"<!DOCTYPE worksheet ["
        + entities
        + b"]>"
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol%d;</t></is></c></row>'
        b"</sheetData></worksheet>" % levels
    )


def declared_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` whose central directory declares ``size`` uncompressed bytes
    for ``name`` (what a zip bomb looks like before anything is inflated)."""
    raw = bytearray(data)
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_len] == name.encode():
            struct.pack_into("<I", raw, at + 24, size)
            return bytes(raw)
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in the archive")


@pytest.fixture
def parses(monkeypatch):
    """The calls that reached openpyxl's parser."""
    calls: list[int] = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    return calls


VALID = workbook([HEADER, ["GD1", "2025-03-16 08:00", "建议", "增加停车位"]])
CORRUPT = {
    "not a zip": b"PK\x03\x04 this is not a workbook",
    "truncated": VALID[: len(VALID) // 2],
    "garbage sheet": with_member(VALID, SHEET, b"<worksheet><sheetData><row><c>"),
    "empty zip": b"PK\x05\x06" + b"\x00" * 18,
}


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


# --- the complaint import (/feedback/complaints/import) --------------------------------


def post_complaints(county, data: bytes, name: str = "orders.xlsx"):
    client = login_client(county.director)
    return client.post("/feedback/complaints/import", {"file": SimpleUploadedFile(name, data)})


def test_a_valid_workbook_still_imports(county):
    resp = post_complaints(county, VALID)
    assert resp.status_code == 200, resp.text
    assert "已导入 1 条工单" in resp.text
    assert Complaint.objects.filter(external_ref="GD1").count() == 1


@pytest.mark.parametrize("kind", list(CORRUPT))
def test_a_corrupt_workbook_answers_422(county, kind):
    before = Complaint.objects.count()
    resp = post_complaints(county, CORRUPT[kind])
    assert resp.status_code == 422, (kind, resp.status_code)
    assert "不是有效的 Excel" in resp.text
    assert Complaint.objects.count() == before


def test_billion_laughs_is_refused_before_parsing(county, parses):
    before = Complaint.objects.count()
    resp = post_complaints(county, with_member(VALID, SHEET, laughs()))
    assert resp.status_code == 422
    assert "不是有效的 Excel" in resp.text
    assert parses == []
    assert Complaint.objects.count() == before


def test_entities_past_the_prefilter_are_refused_by_defusedxml(county, parses):
    """A DOCTYPE behind 70 KB of comment slips past the cheap check; the parser
    (defusedxml) refuses it. A small expansion, so the test is safe either way."""
    padding = b"<!--" + b"x" * 70_000 + b"-->"
    before = Complaint.objects.count()
    resp = post_complaints(county, with_member(VALID, SHEET, laughs(levels=2, prefix=padding)))
    assert resp.status_code == 422
    assert parses == [1]
    assert Complaint.objects.count() == before


def test_a_declared_zip_bomb_is_refused_before_inflating(county, parses):
    bomb = declared_size(VALID, SHEET, 2**31)
    with pytest.raises(Unprocessable) as refused:
        xlsx.xlsx_check(bomb, max_rows=10, max_cells=100)
    assert refused.value.code == "lib.xlsx_too_big"
    before = Complaint.objects.count()
    resp = post_complaints(county, bomb)
    assert resp.status_code == 422
    assert "解压后超过" in resp.text
    assert parses == []
    assert Complaint.objects.count() == before


def test_a_lying_size_fails_its_check_instead_of_inflating(county):
    """A member declaring fewer bytes than it holds is never read past them."""
    liar = declared_size(VALID, SHEET, 10)
    resp = post_complaints(county, liar)
    assert resp.status_code == 422


def test_300k_rows_are_refused_before_parsing(county, parses):
    data = with_member(VALID, SHEET, sheet_xml(300_000))
    assert len(data) < 10 * 1024 * 1024  # under the upload limit: the budget refuses it
    with pytest.raises(Unprocessable) as refused:
        xlsx.xlsx_check(data, max_rows=5001, max_cells=10**9)
    assert refused.value.code == "lib.xlsx_too_many_rows"
    before = Complaint.objects.count()
    resp = post_complaints(county, data)
    assert resp.status_code == 422
    assert "超过 5001 行" in resp.text
    assert parses == []
    assert Complaint.objects.count() == before


def test_too_many_cells_are_refused_before_parsing(county, parses):
    wide = b"".join(b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>' for _ in range(200_000))
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">' + wide + b"</row></sheetData></worksheet>"
    )
    before = Complaint.objects.count()
    resp = post_complaints(county, with_member(VALID, SHEET, xml))
    assert resp.status_code == 422
    assert "单元格" in resp.text
    assert parses == []
    assert Complaint.objects.count() == before


def test_rows_split_across_read_chunks_are_all_counted():
    rows = 40_000  # about 2.5 MB of XML: several chunks
    data = with_member(VALID, SHEET, sheet_xml(rows))
    xlsx.xlsx_check(data, max_rows=rows, max_cells=rows)
    with pytest.raises(Unprocessable):
        xlsx.xlsx_check(data, max_rows=rows - 1, max_cells=10**9)
    with pytest.raises(Unprocessable):
        xlsx.xlsx_check(data, max_rows=10**9, max_cells=rows - 1)


# --- the catalogue import (/catalog/import/) ----------------------------------------


def post_catalog(county, data: bytes):
    client = login_client(county.county_admin)
    return client.post("/catalog/import/", {"file": SimpleUploadedFile("catalog.xlsx", data)})


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        (CORRUPT["truncated"], []),
        (CORRUPT["garbage sheet"], [1]),  # well-formed as a zip: the parser refuses it
        (with_member(VALID, SHEET, laughs()), []),
        (declared_size(VALID, SHEET, 2**31), []),
        (with_member(VALID, SHEET, sheet_xml(70_000)), []),
    ],
    ids=["truncated", "garbage", "laughs", "zip-bomb", "70k-rows"],
)
def test_the_catalogue_import_refuses_them_too(county, parses, data, parsed):
    before = Item.objects.count()
    resp = post_catalog(county, data)
    assert resp.status_code == 422
    assert Item.objects.count() == before
    assert parses == parsed
