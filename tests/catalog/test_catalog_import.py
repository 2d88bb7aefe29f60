"""The workbook import: all rows or none, with a Chinese report naming each bad
row and column; and the export → import round trip."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from yichuang.catalog import actions
from yichuang.catalog.models import Bundle, Item, ItemVersion, Material, Step
from yichuang.catalog.workbook import (
    MAX_ITEM_ROWS,
    catalog_export,
    catalog_import,
    catalog_template,
)
from yichuang.lib.models import AuditEntry


@pytest.fixture
def catalogue(make_item, county):
    make_item("W-1", name="养老保险待遇申领")
    make_item(
        "W-2",
        name="医疗救助申请",
        department="yb",
        case_type="immediate",
        legal=None,
        committed=0,
        visits=0,
    )
    make_item(
        "W-3",
        name="出生登记",
        department="ga",
        legal=30,
        legal_unit="day",
        committed=15,
        centres=[county.hall, county.town],
    )
    actions.bundle_save(
        actor=county.county_admin, code="b1", name="测试一件事", item_codes=["W-1", "W-3"]
    )


def state():
    return (
        Item.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
        Step.objects.count(),
        sorted(Item.objects.values_list("code", "current_version")),
    )


def sheet_values(data):
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def edit(data, sheet, row, column_header, value):
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    col = [c.value for c in ws[1]].index(column_header) + 1
    ws.cell(row=row, column=col).value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_round_trips_export_then_import(catalogue):
    data = catalog_export()
    report = catalog_import(data=data)
    assert report.ok and report.unchanged == 3 and report.created == report.updated == 0
    assert ItemVersion.objects.count() == 3
    # An empty catalogue rebuilt from the workbook exports the same workbook.
    Item.objects.all().delete()
    report = catalog_import(data=data)
    assert report.ok and report.created == 3, report.lines()
    assert sheet_values(catalog_export()) == sheet_values(data)
    assert list(Bundle.objects.get(code="b1").links.values_list("item__code", flat=True)) == [
        "W-1",
        "W-3",
    ]


def test_it_creates_a_new_version_for_a_changed_row_only(catalogue):
    # rows are sorted by department: W-3 (ga), W-1 (rs), W-2 (yb)
    data = edit(catalog_export(), "事项", 3, "承诺时限", 5)
    report = catalog_import(data=data)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    item = Item.objects.get(code="W-1")
    assert item.current_version.number == 2 and item.current_version.committed_limit == 5
    assert ItemVersion.objects.get(item=item, number=1).committed_limit == 10
    assert AuditEntry.objects.filter(event="catalog.imported").exists()


def test_it_changes_nothing_on_a_dry_run(catalogue):
    data = edit(catalog_export(), "事项", 2, "承诺时限", 5)
    before = state()
    report = catalog_import(data=data, dry_run=True)
    assert report.ok and report.updated == 1 and not report.applied
    assert state() == before


@pytest.mark.parametrize(
    ("sheet", "row", "header", "value", "expect"),
    [
        ("事项", 2, "承诺时限", "五天", "第 2 行“承诺时限”列：须填写非负整数"),
        ("事项", 2, "承诺时限", 25, "第 2 行“承诺时限”列：承诺时限（25）不能超过法定时限"),
        ("事项", 3, "部门代码", "nope", "第 3 行“部门代码”列：没有代码为 nope 的部门"),
        ("事项", 4, "实施编码", "W-3", "第 4 行“实施编码”列：实施编码 W-3 与第 2 行重复"),
        ("事项", 2, "办件类型", "快办件", "第 2 行“办件类型”列：不认识的取值“快办件”"),
        ("事项", 2, "到现场原因", None, "第 2 行“到现场原因”列：到办事现场次数大于 0 时"),
        ("事项", 2, "事项名称", None, "第 2 行“事项名称”列：必填"),
        ("事项", 2, "办理地点", "mars", "没有代码为 mars 的服务中心"),
        ("事项", 2, "进驻大厅", "也许", "须填写“是”或“否”"),
        ("事项", 2, "特别程序", "公示七天", "特别程序须写成“名称:最长天数”"),
        (
            "材料",
            2,
            "实施编码",
            "X-9",
            "工作表“材料”第 2 行“实施编码”列：“事项”表中没有实施编码 X-9",
        ),
        ("材料", 2, "必要性", "看情况", "工作表“材料”第 2 行“必要性”列：不认识的取值"),
        ("材料", 3, "材料编码", "M01", "材料编码 M01 重复"),
        ("材料", 2, "原件份数", "一份", "须填写非负整数"),
        ("环节", 2, "时限占比", 90, "时限占比合计须为 100%"),
        ("环节", 2, "环节", "盖章", "不认识的取值“盖章”"),
        ("一件事", 2, "包含事项", "W-1,ZZZ", "没有这些事项：ZZZ"),
    ],
)
def test_it_rejects_a_bad_row_and_changes_nothing(catalogue, sheet, row, header, value, expect):
    data = edit(catalog_export(), sheet, row, header, value)
    data = edit(data, "事项", 3, "承诺时限", 9)  # plus one good change, also not applied
    before = state()
    report = catalog_import(data=data)
    assert not report.ok
    assert any(expect in line for line in report.lines()), report.lines()
    assert state() == before
    assert report.summary().startswith("发现")


def test_it_reports_every_bad_row_at_once(catalogue):
    data = edit(catalog_export(), "事项", 2, "承诺时限", "十")
    data = edit(data, "事项", 4, "到现场次数", "两次")
    lines = catalog_import(data=data).lines()
    assert any("第 2 行" in line for line in lines) and any("第 4 行" in line for line in lines)


def test_it_rejects_wrong_sheet_names(catalogue):
    wb = load_workbook(io.BytesIO(catalog_export()))
    wb["事项"].title = "Sheet1"
    buf = io.BytesIO()
    wb.save(buf)
    report = catalog_import(data=buf.getvalue())
    assert "缺少工作表：事项" in report.lines()[0] and "Sheet1" in report.lines()[0]


def test_it_rejects_merged_cells(catalogue):
    wb = load_workbook(io.BytesIO(catalog_export()))
    wb["材料"].merge_cells("A2:A4")
    buf = io.BytesIO()
    wb.save(buf)
    before = state()
    lines = catalog_import(data=buf.getvalue()).lines()
    assert any("A2:A4 是合并单元格" in line for line in lines), lines
    assert state() == before


def test_it_rejects_a_file_that_is_not_xlsx(catalogue):
    for data in (b"name,code\n1,2\n", b"PK\x03\x04 broken zip", b""):
        report = catalog_import(data=data)
        assert report.lines() == [
            "文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后再导入。"
        ]


def test_it_rejects_more_rows_than_the_limit_with_a_clear_message(county):
    wb = Workbook(write_only=True)
    items = wb.create_sheet("事项")
    items.append(["实施编码", "事项名称", "部门代码", "事项类型", "办件类型", "到现场次数"])
    for i in range(10_000):
        items.append([f"BIG-{i}", f"事项{i}", "rs", "公共服务", "即办件", 0])
    wb.create_sheet("材料").append(["实施编码", "材料编码", "材料名称"])
    wb.create_sheet("环节").append(["实施编码", "序号", "环节", "部门代码", "时限占比"])
    buf = io.BytesIO()
    wb.save(buf)
    report = catalog_import(data=buf.getvalue())
    assert report.lines() == [
        f"工作表“事项”：共 10000 行，超过单次导入上限 {MAX_ITEM_ROWS} 行，请分批导入。"
    ]
    assert not Item.objects.exists()


def test_it_keeps_a_department_lead_to_his_own_department(catalogue, county):
    data = edit(catalog_export(), "事项", 3, "承诺时限", 8)  # W-1, his own department
    before = state()
    report = catalog_import(data=data, actor=county.dept_lead)
    assert not report.ok
    assert any("您无权导入部门 ga 的事项" in line for line in report.lines()), report.lines()
    assert any("只有县级管理员可以导入“一件事”" in line for line in report.lines())
    assert state() == before


def test_it_imports_the_template_filled_by_hand(county):
    wb = load_workbook(io.BytesIO(catalog_template()))
    wb["事项"].append(
        [
            "NEW-1",
            "",
            "高龄津贴申领",
            "mz",
            "行政给付",
            "承诺件",
            20,
            "工作日",
            "10",
            "工作日",
            0,
            "",
            "公示:7",
            "四级",
            "是",
            "否",
            "是",
            "全县通办",
            "",
            "",
            "不收费",
            "",
            "county-hall，chengguan",
        ]
    )
    wb["材料"].append(["NEW-1", "M01", "居民身份证", 1, 0, "必要", "否", "否", "id_card", "否", ""])
    wb["环节"].append(["NEW-1", 1, "受理", "mz", 30, ""])
    wb["环节"].append(["NEW-1", 2, "决定", "mz", 70, ""])
    buf = io.BytesIO()
    wb.save(buf)
    report = catalog_import(data=buf.getvalue(), actor=county.county_admin)
    assert report.ok and report.created == 1, report.lines()
    item = Item.objects.get(code="NEW-1")
    v = item.current_version
    assert (v.committed_limit, v.online_depth, v.special_procedures) == (
        10,
        4,
        [{"name": "公示", "max_days": 7}],
    )
    assert sorted(item.centres.values_list("code", flat=True)) == ["chengguan", "county-hall"]
    assert item.initials == "gljtsl"


def test_it_runs_from_the_command_line(catalogue, tmp_path):
    path = tmp_path / "cat.xlsx"
    call_command("export_catalog", str(path))
    call_command("import_catalog", str(path), "--dry-run")
    path.write_bytes(edit(path.read_bytes(), "事项", 2, "承诺时限", "五天"))
    with pytest.raises(CommandError, match="未做任何修改"):
        call_command("import_catalog", str(path))
