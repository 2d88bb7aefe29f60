"""The monthly report: a Chinese PDF (WeasyPrint, WenQuanYi Zen Hei embedded,
charts drawn by matplotlib) and an Excel workbook with the same tables.

Both are built from one ``report_data`` dict read from the roll-ups, so the
PDF and the workbook never disagree.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Unprocessable
from yichuang.lib.numbers import number_truncated, rate_points, rate_truncated
from yichuang.lib.pdf import html_to_pdf

from . import kpis as k
from .report_text import comparison_data, comparisons, rankings, report_words
from .rollups import PEAK_HOURS, WAIT_CAP_MINUTES, month_end
from .templatetags.insights import num_text, pct_text

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def parse_month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError as exc:
        raise Unprocessable("insights.bad_month", _("月份格式应为“年-月”，例如 2026-03。")) from exc


def report_data(scope: k.Scope, month: dt.date) -> dict[str, Any]:
    lo, hi = month, month_end(month)
    trend_from = (month - dt.timedelta(days=335)).replace(day=1)
    figures = k.kpis(scope, lo, hi)
    departments = k.breakdown(scope, lo, hi, "department")
    data = {
        "scope": scope,
        "month": month,
        "lo": lo,
        "hi": hi,
        "k": figures,
        "trend": k.monthly_trend(scope, trend_from, hi),
        "centres": k.breakdown(scope, lo, hi, "centre"),
        "departments": departments,
        "held": k.holding_back(scope, lo, hi, limit=10, known={"department": departments}),
        "formula_version": k.FORMULA_VERSION,
        "min_ratings": k.MIN_RATINGS,
        "peak_hours": "、".join(f"{h}:00–{h + 1}:00" for h in sorted(PEAK_HOURS)),
        "wait_cap": WAIT_CAP_MINUTES,
        "generated_at": timezone.localtime(),
        **comparison_data(scope, month),
        "ranks": rankings(scope, lo, hi),
    }
    data["compare"] = comparisons(figures, data["prev"], data["last_year"])
    data["words"] = report_words(data)
    return data


# --- charts --------------------------------------------------------------------------


def _chart_png(draw: Any, width: float = 7.0, height: float = 2.8) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    font_manager.fontManager.addfont(FONT_FILE)
    name = font_manager.FontProperties(fname=FONT_FILE).get_name()
    with plt.rc_context({"font.family": name, "axes.unicode_minus": False, "font.size": 9}):
        fig, ax = plt.subplots(figsize=(width, height), dpi=150)
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _pct_points(values: list[float | None]) -> list[float]:
    return [float("nan") if v is None else float(rate_points(v) or 0) for v in values]


def trend_chart(trend: list[dict[str, Any]]) -> str:
    months = [m["month"][2:] for m in trend]

    def draw(ax: Any) -> None:
        ax.plot(months, _pct_points([m["satisfaction_rate"] for m in trend]), "o-", label="满意率")
        ax.plot(
            months,
            _pct_points([m["one_visit_share_cases"] for m in trend]),
            "s-",
            label="一次办结占比（办件）",
        )
        ax.plot(months, _pct_points([m["on_time_rate"] for m in trend]), "^-", label="按时办结率")
        ax.axhline(95, color="#1e7a46", linestyle="--", linewidth=1, label="满意率目标 95%")
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="lower left", fontsize=7, ncol=2)

    return _chart_png(draw)


def bars_chart(rows: list[dict[str, Any]], goal: float = 95) -> str:
    rows = [r for r in rows if r["satisfaction_rate"] is not None][:12]
    names = [r["name"][:12] for r in rows][::-1]
    values = _pct_points([r["satisfaction_rate"] for r in rows])[::-1]

    def draw(ax: Any) -> None:
        colors = ["#1e7a46" if v >= goal else "#b42318" for v in values]
        ax.barh(names, values, color=colors)
        ax.axvline(goal, color="#333", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel("满意率 %（虚线为 95% 目标）")
        for i, v in enumerate(values):
            ax.text(min(v, 88) + 1, i, f"{v:.1f}", va="center", fontsize=7)

    return _chart_png(draw, height=max(1.6, 0.3 * len(rows) + 0.8))


# --- PDF and Excel -------------------------------------------------------------------


def render_pdf(data: dict[str, Any]) -> bytes:
    charts = {
        "trend": trend_chart(data["trend"]),
        "centres": bars_chart(data["centres"]) if data["centres"] else "",
        "departments": bars_chart(data["departments"]) if data["departments"] else "",
    }
    ranks_list = [
        (_("窗口（前十）"), data["ranks"]["windows"]),
        (_("工作人员（前十）"), data["ranks"]["clerks"]),
    ]
    html = render_to_string(
        "insights/report.html", {**data, "charts": charts, "ranks_list": ranks_list}
    )
    return html_to_pdf(html)


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6EEF8")
    for row in rows:
        ws.append(row)
    for i, _h in enumerate(header, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        width = max(
            len(str(ws.cell(row=r, column=i).value or "")) for r in range(1, ws.max_row + 1)
        )
        ws.column_dimensions[letter].width = min(50, max(10, width * 1.6))
    ws.freeze_panes = "A2"


def _rate(value: float | None) -> float | None:
    """Rates go into the workbook truncated (0.98487 → 0.984) under a 0.0% format,
    so Excel shows 98.4 % like the PDF and never rounds a missed target up."""
    return rate_truncated(value)


def _num(value: float | int | None) -> float | int | None:
    return number_truncated(value)


def render_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    kp = data["k"]
    summary = [
        ["群众满意率", _rate(kp["satisfaction_rate"]), _rate(kp["targets"]["satisfaction_rate"])],
        ["差评率", _rate(kp["bad_rating_rate"]), None],
        ["有效评价（条）", kp["ratings"], None],
        ["承诺时限压缩率", _rate(kp["committed_compression"]), 0.30],
        ["实际办理时长压缩率", _rate(kp["actual_duration_reduction"]), None],
        ["“最多跑一次”事项覆盖率", _rate(kp["one_visit_coverage"]), 0.90],
        ["零跑腿事项占比", _rate(kp["zero_visit_share"]), None],
        ["办件实际一次办结占比", _rate(kp["one_visit_share_cases"]), None],
        ["按时办结率", _rate(kp["on_time_rate"]), None],
        ["办结（件）", kp["cases"], None],
        ["办理时长中位数（工作日）", _num(kp["median_workdays"]), None],
        ["取号（个）", kp["tickets"], None],
        ["平均等候（分钟）", _num(kp["avg_wait_minutes"]), None],
        ["90% 等候不超过（分钟）", kp["p90_wait_minutes"], None],
        ["过号率", _rate(kp["no_show_rate"]), None],
        ["过期未办率", _rate(kp["expired_rate"]), None],
        ["过期未办（个）", kp["tickets_expired"], None],
        ["黄牌（张）", kp["yellow_cards"], None],
        ["红牌（张）", kp["red_cards"], None],
        ["差评整改按时率", _rate(kp["rectification_on_time_rate"]), None],
    ]
    _sheet(wb, "概要", ["指标", "本月", "目标"], summary)
    _sheet(
        wb,
        "月度趋势",
        ["月份", "满意率", "有效评价", "一次办结（办件）", "按时办结率", "中位工作日", "取号"],
        [
            [
                m["month"],
                _rate(m["satisfaction_rate"]),
                m["ratings"],
                _rate(m["one_visit_share_cases"]),
                _rate(m["on_time_rate"]),
                _num(m["median_workdays"]),
                m["tickets"],
            ]
            for m in data["trend"]
        ],
    )
    table_header = [
        "名称",
        "取号",
        "平均等候（分钟）",
        "满意率",
        "有效评价",
        "样本不足30条",
        "办结",
        "按时办结率",
        "一次办结占比",
        "黄牌",
        "红牌",
    ]

    def table_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [
                r["name"],
                r["tickets"],
                _num(r["avg_wait_minutes"]),
                _rate(r["satisfaction_rate"]),
                r["ratings"],
                "是" if r["small_sample"] else "",
                r["cases"],
                _rate(r["on_time_rate"]),
                _rate(r["one_visit_share_cases"]),
                r["yellow_cards"],
                r["red_cards"],
            ]
            for r in rows
        ]

    _sheet(wb, "分中心", table_header, table_rows(data["centres"]))
    _sheet(wb, "分部门", table_header, table_rows(data["departments"]))
    held = data["held"]
    _sheet(
        wb,
        "差距清单",
        ["清单", "名称", "数值", "样本"],
        [
            ["跑动次数最多的事项", r["name"], _num(r["avg_visits_per_case"]), r["cases"]]
            for r in held["items_most_visits"]
        ]
        + [
            ["满意率最低的窗口", r["name"], _rate(r["satisfaction_rate"]), r["ratings"]]
            for r in held["windows_lowest_satisfaction"]
        ]
        + [
            ["红牌最多的部门", r["name"], r["red_cards"], r["yellow_cards"]]
            for r in held["departments_most_red_cards"]
        ]
        + [
            ["高峰等候最长的队列（90%分位，分钟）", r["name"], r["p90_wait_minutes"], r["tickets"]]
            for r in held["queues_longest_peak_p90"]
        ],
    )
    rect = kp.get("rectifications") or {}
    _sheet(
        wb,
        "差评整改",
        ["本月到期", "按时反馈", "逾期反馈", "逾期未反馈", "未到期未反馈", "按时率"],
        [
            [
                rect.get("due"),
                rect.get("on_time"),
                rect.get("late"),
                rect.get("open_overdue"),
                rect.get("open_not_due"),
                _rate(kp.get("rectification_on_time_rate")),
            ]
        ],
    )
    words = data["words"]
    _sheet(
        wb,
        "总体情况与措施",
        ["部分", "内容"],
        [
            ["总体情况", words["overall"]],
            ["存在问题", words["problems"]],
            ["下步措施", words["measures"]],
        ],
    )
    _sheet(
        wb,
        "环比同比",
        ["指标", "本月", "上月", "环比", "去年同月", "同比"],
        [
            [r["label"], r["now"], r["prev"], r["mom"], r["last_year"], r["yoy"]]
            for r in data["compare"]
        ],
    )
    rank_header = ["排名", "名称", "接待（号）", "满意率", "有效评价", "样本不足30条"]

    def rank_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [
                i,
                r["name"],
                r["tickets"],
                _rate(r["satisfaction_rate"]),
                r["ratings"],
                "是" if r["small_sample"] else "",
            ]
            for i, r in enumerate(rows, start=1)
        ]

    _sheet(wb, "窗口排名", rank_header, rank_rows(data["ranks"]["windows"]))
    _sheet(wb, "工作人员排名", rank_header, rank_rows(data["ranks"]["clerks"]))
    base = kp.get("baseline") or {}
    _sheet(
        wb,
        "口径说明",
        ["项目", "说明"],
        [[name, text] for name, text in formulas(data)]
        + [
            ["基线期间", f"{base.get('from', '')} ~ {base.get('to', '')}" if base else "尚未冻结"],
            ["基线中位工作日", _num(base.get("median_workdays"))],
            ["基线公式版本", base.get("formula_version")],
        ],
    )
    _number_formats(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PERCENT_COLUMNS = {
    "月度趋势": ("B", "D", "E"),
    "分中心": ("D", "H", "I"),
    "分部门": ("D", "H", "I"),
    "差评整改": ("F",),
    "窗口排名": ("D",),
    "工作人员排名": ("D",),
}


def _is_rate_label(label: str) -> bool:
    return "率" in label or "占比" in label


def _number_formats(wb: Any) -> None:
    """Rates (already truncated) show as 0.0%; other figures as numbers."""
    for title, cols in PERCENT_COLUMNS.items():
        for col in cols:
            for cell in wb[title][col][1:]:
                cell.number_format = "0.0%"
    for row in wb["概要"].iter_rows(min_row=2):
        if _is_rate_label(str(row[0].value or "")):
            row[1].number_format = row[2].number_format = "0.0%"
        else:
            row[1].number_format = "#,##0.0" if isinstance(row[1].value, float) else "#,##0"
    for row in wb["差距清单"].iter_rows(min_row=2):
        if str(row[0].value or "").startswith("满意率"):
            row[2].number_format = "0.0%"


def formulas(data: dict[str, Any]) -> list[tuple[str, str]]:
    cap = data["wait_cap"]
    return [
        (_("公式版本"), data["formula_version"]),
        (_("群众满意率"), _("评价等级 3–5 的有效评价 ÷ 有效评价（不含已剔除评价和默认好评）")),
        (
            _("差评率"),
            _("评价等级 1–2 的有效评价 ÷ 有效评价；有效评价少于 30 条时标注“样本不足”"),
        ),
        (
            _("“最多跑一次”事项覆盖率"),
            _("范围内已发布事项中到现场次数 ≤ 1 的事项数 ÷ 范围内已发布事项数（事项目录口径）"),
        ),
        (
            _("办件实际一次办结占比"),
            _("本期办结的办件中，关联到现场记录（取号、预约）≤ 1 次的 ÷ 本期办结办件"),
        ),
        (
            _("承诺时限压缩率"),
            _("1 − Σ承诺时限 ÷ Σ法定时限，仅计有法定时限的事项；即办件承诺时限计 0；")
            + _("法定与承诺时限单位不同时（自然日、月），均按平常周折算为工作日跨度比较"),
        ),
        (
            _("实际办理时长压缩率"),
            _("1 − 本期办结办件“受理至办结工作日数（扣除停止计时）”的中位数")
            + _(" ÷ 冻结基线期同一中位数"),
        ),
        (_("按时办结率"), _("本期办结办件中办结日期不晚于承诺办结日期的 ÷ 本期办结办件")),
        (_("平均等候"), _("已叫号的号票（叫号时间 − 取号时间）之和 ÷ 已叫号号票数")),
        (
            _("90% 等候"),
            _("按整分钟计的等候时长的 90%% 分位（就近秩），超过 %(cap)s 分钟的按 %(cap)s 计")
            % {"cap": cap},
        ),
        (_("过号率"), _("最终状态为过号的号票 ÷ 已叫号号票")),
        (_("取号"), _("群众取得的号票数（转办生成的号票不重复计）")),
        (_("高峰时段"), data["peak_hours"]),
        (
            _("差评整改按时率"),
            _("本期到期的整改中按时反馈的 ÷（按时反馈 + 逾期反馈 + 已逾期未反馈）"),
        ),
        (_("取整"), _("所有百分比只舍不入，不会因四舍五入而“达标”")),
    ]


def render_report(scope: k.Scope, month: dt.date, fmt: str) -> bytes:
    data = report_data(scope, month)
    data["formulas"] = formulas(data)
    data["pct"] = pct_text
    data["num"] = num_text
    if fmt == "pdf":
        return render_pdf(data)
    return render_xlsx(data)
