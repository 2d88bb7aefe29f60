"""The default checklists (docs/domain.md, "Supervision"): one for open
visits (明查), one for covert visits (暗访, what an inspector posing as a
citizen can observe) and one for the hall's environment. Installed by a data
migration as version 1; the supervision office edits them into new versions.
Used by the data migration, the demo and the tests."""

from __future__ import annotations

from typing import Any

# (code, name, kind, [(line code, text, category, points, default severity)])
CHECKLISTS: list[tuple[str, str, str, list[tuple[str, str, str, int, str]]]] = [
    (
        "open-visit",
        "窗口服务明查表",
        "open",
        [
            ("P1", "工作人员按时到岗，无迟到早退、脱岗离岗", "at_post", 8, "major"),
            ("P2", "工作时间无玩手机、看视频、闲聊等与工作无关的行为", "at_post", 6, "general"),
            ("A1", "按规定着装，仪表整洁", "appearance", 4, "general"),
            ("A2", "佩戴工作证（胸牌），台面摆放工作牌", "appearance", 4, "general"),
            ("L1", "使用“您好、请、谢谢、请稍等”等文明用语", "language", 5, "general"),
            ("L2", "无“不知道、不归我管、没看见我正忙着吗”等服务禁语", "language", 10, "severe"),
            ("F1", "首问负责：非本窗口业务能指引到正确窗口或代为联系", "first_ask", 6, "general"),
            ("N1", "一次性告知所需材料，出具一次性告知单", "one_notice", 8, "major"),
            ("D1", "无吃拿卡要、刁难群众、收取清单外费用", "discipline", 15, "severe"),
            ("D2", "按叫号顺序办理，无插队办理、优亲厚友", "discipline", 8, "major"),
            ("S1", "窗口公示办事指南、收费标准和投诉电话", "disclosure", 4, "general"),
            ("S2", "“好差评”二维码和评价器摆放醒目、可正常使用", "disclosure", 4, "general"),
        ],
    ),
    (
        "covert-visit",
        "窗口服务暗访表",
        "covert",
        [
            ("V1", "到窗口时工作人员在岗，无长时间空岗", "at_post", 8, "major"),
            ("V2", "等候期间工作人员无玩手机、私聊等行为", "at_post", 6, "general"),
            ("V3", "工作人员佩戴工作证，窗口有工作牌", "appearance", 4, "general"),
            ("V4", "主动问候，耐心解答，语气平和", "language", 6, "general"),
            ("V5", "未听到服务禁语，无推诿、冷硬横推", "language", 10, "severe"),
            ("V6", "咨询非本窗口业务时得到明确指引", "first_ask", 6, "general"),
            ("V7", "一次说清所需材料，未让群众来回跑", "one_notice", 8, "major"),
            ("V8", "未暗示或索要好处，未收取清单外费用", "discipline", 15, "severe"),
            ("V9", "办结后提示群众评价，未诱导好评", "disclosure", 5, "general"),
        ],
    ),
    (
        "environment",
        "服务环境检查表",
        "environment",
        [
            ("E1", "大厅地面、台面整洁，无杂物堆放", "environment", 4, "general"),
            ("E2", "等候座椅充足完好", "environment", 3, "general"),
            ("E3", "饮水、老花镜、雨伞、急救药箱等便民用品齐全", "environment", 3, "general"),
            ("E4", "轮椅、无障碍通道和爱心窗口可正常使用", "environment", 5, "major"),
            ("E5", "母婴室开放，设施完好", "environment", 3, "general"),
            ("E6", "导向标识清晰，窗口编号和业务名称明确", "environment", 3, "general"),
            ("E7", "取号机、叫号屏正常运行", "environment", 5, "major"),
            ("E8", "窗口评价器正常运行", "environment", 5, "major"),
            (
                "E9",
                "事项清单、收费标准、投诉电话和“好差评”二维码公示到位",
                "disclosure",
                4,
                "general",
            ),
        ],
    ),
]


def checklist_rows() -> list[dict[str, Any]]:
    """The checklists as plain rows (for the data migration, which cannot
    use the actions)."""
    return [
        {
            "code": code,
            "name": name,
            "kind": kind,
            "lines": [
                {"code": c, "text": t, "category": cat, "points": pts, "severity": sev}
                for c, t, cat, pts, sev in lines
            ],
        }
        for code, name, kind, lines in CHECKLISTS
    ]


def ensure_checklists() -> None:
    """Publish version 1 of each default checklist that does not exist yet
    (after a flush in the tests, on a fresh demo database)."""
    from .actions.checklists import LineInput, checklist_publish
    from .models import Checklist

    for row in checklist_rows():
        if not Checklist.objects.filter(code=row["code"]).exists():
            checklist_publish(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                lines=[LineInput(**line) for line in row["lines"]],
            )
