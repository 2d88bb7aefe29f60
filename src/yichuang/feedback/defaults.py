"""The first reason list (docs/domain.md, "Ratings") and the complaint
categories offered to citizens and as Open311 services. Used by the data
migration and the demo."""

from __future__ import annotations

# (code, label) — reason list v1.
REASONS_V1 = [
    ("attitude", "态度不好"),
    ("unskilled", "业务不熟"),
    ("many_trips", "多次跑腿"),
    ("long_wait", "等候太久"),
    ("many_materials", "材料繁琐"),
    ("overdue", "超时办理"),
    ("buck_passing", "推诿扯皮"),
    ("other", "其他"),
]

_WHERE = {
    "variable": True,
    "code": "centre",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": "",
    "order": 1,
    "description": "发生地点（服务中心）",
    "values": "centres",
}
_WINDOW = {
    "variable": True,
    "code": "window_number",
    "datatype": "number",
    "required": False,
    "datatype_description": "窗口号，如 5",
    "order": 2,
    "description": "窗口号",
}
_WHEN = {
    "variable": True,
    "code": "happened_at",
    "datatype": "datetime",
    "required": False,
    "datatype_description": "ISO 8601，如 2026-03-16T10:00:00+08:00",
    "order": 3,
    "description": "发生时间",
}
_NOTICE = {
    "variable": False,
    "code": "privacy_notice",
    "datatype": "text",
    "required": False,
    "datatype_description": "",
    "order": 0,
    "description": "您的联系方式仅承办人可见，查看均有记录。",
}

# (code, name, kind, group, description, department code, attributes)
CATEGORIES = [
    (
        "attitude",
        "服务态度",
        "complaint",
        "投诉",
        "工作人员态度生硬、冷硬横推",
        None,
        [_NOTICE, _WHERE, _WINDOW, _WHEN],
    ),
    (
        "buck_passing",
        "推诿扯皮",
        "complaint",
        "投诉",
        "部门或窗口之间推来推去、不予办理",
        None,
        [_NOTICE, _WHERE, _WINDOW, _WHEN],
    ),
    (
        "efficiency",
        "办事效率",
        "complaint",
        "投诉",
        "等候太久、超时办理、多次跑腿",
        None,
        [_WHERE, _WINDOW, _WHEN],
    ),
    (
        "unsolved",
        "办不成事反映",
        "unsolved",
        "办不成事",
        "在大厅办不成、办不好的事，5 个工作日内解决或说明理由",
        None,
        [
            _WHERE,
            {
                "variable": True,
                "code": "item_name",
                "datatype": "string",
                "required": True,
                "datatype_description": "想办的事项名称",
                "order": 2,
                "description": "想办的事",
            },
            {
                "variable": True,
                "code": "obstacles",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": "",
                "order": 3,
                "description": "遇到的困难",
                "values": [
                    ["materials", "材料要求不清楚"],
                    ["rules", "政策条件不符"],
                    ["system", "系统无法办理"],
                    ["departments", "涉及多个部门"],
                    ["other", "其他"],
                ],
            },
        ],
    ),
    (
        "environment",
        "大厅环境与设施",
        "suggestion",
        "建议",
        "取号、座椅、停车、无障碍设施等",
        None,
        [_WHERE],
    ),
    (
        "process",
        "流程与材料建议",
        "suggestion",
        "建议",
        "精简材料、优化流程的建议",
        None,
        [_WHERE],
    ),
    ("policy", "政策咨询", "consultation", "咨询", "办事条件、所需材料、政策规定", None, []),
    ("praise", "表扬", "praise", "表扬", "对窗口或工作人员的表扬", None, [_WHERE, _WINDOW]),
]
