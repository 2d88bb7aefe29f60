"""The workbook's format: its sheets, their columns, the values a column
accepts and the defaults of optional columns (docs/catalog-workbook.md)."""

from __future__ import annotations

import re
from typing import Any

from ..models import Area, CaseType, ItemType, LimitUnit, Material, OnlineDepth, Step

MAX_ITEM_ROWS = 5000
MAX_DETAIL_ROWS = 60000
MAX_FILE_BYTES = 20 * 1024 * 1024

ITEMS, MATERIALS, STEPS, BUNDLES, README = "事项", "材料", "环节", "一件事", "说明"

# (header, key, kind, required); kinds: text, code, int, choice:<name in CHOICES>,
# bool, list, procedures
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
