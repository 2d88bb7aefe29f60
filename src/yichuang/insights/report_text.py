"""The words of the monthly report: 总体情况, 存在问题 and 下步措施 drafted
from the figures by the rules below, 环比 and 同比, and the rankings by window
and clerk. The director edits the drafted words before signing; what was saved
(``ReportText``) replaces the draft.

Every rate in the words goes through the one display rule (lib/numbers.py), so
the text says what the tables show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from yichuang.lib.numbers import number_display, rate_display, rate_points

from . import kpis as k
from .models import ReportText
from .rollups import month_end

# Thresholds the drafting rules flag (the targets themselves come from kpis.TARGETS).
ON_TIME_GOAL = 0.95
P90_WAIT_LIMIT = 30
NO_SHOW_LIMIT = 0.10
RANK_SIZE = 10


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def same_month_last_year(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def _count_change(now: int | None, before: int | None) -> str:
    """ "+12.3%" / "-4.0%" (truncated toward zero) or "—" without a base."""
    if now is None or not before:
        return "—"
    change = (now - before) / before
    sign = "+" if change >= 0 else "-"
    return f"{sign}{rate_display(abs(change))}"


def _points_change(now: float | None, before: float | None) -> str:
    """The change of two shown rates in percentage points ("+0.8" / "-1.2")."""
    a, b = rate_points(now), rate_points(before)
    if a is None or b is None:
        return "—"
    diff = round(a - b, 1)
    return _("%(d)s 个百分点") % {"d": f"{diff:+.1f}"}


# (label, key, kind): kind "count" compares in %, "rate" in points, "minutes" in %.
COMPARED = [
    (N_("取号（个）"), "tickets", "count"),
    (N_("办结（件）"), "cases", "count"),
    (N_("群众满意率"), "satisfaction_rate", "rate"),
    (N_("按时办结率"), "on_time_rate", "rate"),
    (N_("办件实际一次办结占比"), "one_visit_share_cases", "rate"),
    (N_("平均等候（分钟）"), "avg_wait_minutes", "minutes"),
    (N_("过号率"), "no_show_rate", "rate"),
    (N_("过期未办率"), "expired_rate", "rate"),
    (N_("黄牌（张）"), "yellow_cards", "count"),
    (N_("红牌（张）"), "red_cards", "count"),
]


def _shown(value: Any, kind: str) -> str:
    return rate_display(value) if kind == "rate" else number_display(value)


def has_data(figures: dict[str, Any]) -> bool:
    return bool(figures.get("tickets") or figures.get("cases") or figures.get("ratings"))


def comparisons(
    now: dict[str, Any], prev: dict[str, Any], last_year: dict[str, Any]
) -> list[dict[str, str]]:
    """环比 (against last month) and 同比 (against the same month a year ago)."""
    rows = []
    # A month with nothing recorded has no figures to compare with, not zeros.
    prev = prev if has_data(prev) else {}
    last_year = last_year if has_data(last_year) else {}
    for label, key, kind in COMPARED:
        a, b, c = now.get(key), prev.get(key), last_year.get(key)
        if kind == "rate":
            mom, yoy = _points_change(a, b), _points_change(a, c)
        elif kind == "minutes":
            mom = _count_change(a, b) if a is not None and b else "—"
            yoy = _count_change(a, c) if a is not None and c else "—"
        else:
            mom, yoy = _count_change(a, b), _count_change(a, c)
        rows.append(
            {
                "label": _(label),
                "now": _shown(a, kind),
                "prev": _shown(b, kind),
                "mom": mom,
                "last_year": _shown(c, kind),
                "yoy": yoy,
            }
        )
    return rows


def rankings(scope: k.Scope, lo: dt.date, hi: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Windows and clerks ranked: by satisfaction (those with enough ratings
    first), then by tickets served."""

    def ranked(dim: str) -> list[dict[str, Any]]:
        rows = [r for r in k.breakdown(scope, lo, hi, dim) if r["id"] and r["tickets"]]
        rows.sort(
            key=lambda r: (
                r["small_sample"],
                -(r["satisfaction_rate"] or 0),
                -r["tickets"],
                r["name"],
            )
        )
        return rows[:RANK_SIZE]

    return {"windows": ranked("window"), "clerks": ranked("clerk")}


def draft_overall(data: dict[str, Any]) -> str:
    kp, prev, ly = data["k"], data["prev"], data["last_year"]
    month = data["month"]
    goal = kp["targets"]["satisfaction_rate"]
    sat = kp["satisfaction_rate"]
    reached = _("达到") if sat is not None and sat >= goal else _("未达到")
    changes = []
    mom = _count_change(kp["tickets"], prev.get("tickets"))
    yoy = _count_change(kp["tickets"], ly.get("tickets"))
    if mom != "—":
        changes.append(_("环比 %(c)s") % {"c": mom})
    if yoy != "—":
        changes.append(_("同比 %(c)s") % {"c": yoy})
    parts = [
        _("%(m)s，%(s)s共取号 %(t)s 个%(ch)s，办结办件 %(c)s 件，按时办结率 %(ot)s。")
        % {
            "m": f"{month.year}年{month.month}月",
            "s": data["scope"].name,
            "t": number_display(kp["tickets"]),
            "ch": f"（{'，'.join(changes)}）" if changes else "",
            "c": number_display(kp["cases"]),
            "ot": rate_display(kp["on_time_rate"]),
        },
        _("群众满意率 %(s)s（有效评价 %(n)s 条），%(r)s %(g)s 的目标；")
        % {
            "s": rate_display(sat),
            "n": number_display(kp["ratings"]),
            "r": reached,
            "g": rate_display(goal),
        },
        _("承诺时限压缩率 %(c)s，“最多跑一次”事项覆盖率 %(v)s；平均等候 %(w)s 分钟。")
        % {
            "c": rate_display(kp["committed_compression"]),
            "v": rate_display(kp["one_visit_coverage"]),
            "w": number_display(kp["avg_wait_minutes"]),
        },
    ]
    return "".join(parts)


def problems_found(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, sentence) of each problem the figures show, most serious first."""
    kp, held = data["k"], data["held"]
    targets = kp["targets"]
    found: list[tuple[str, str]] = []
    sat = kp["satisfaction_rate"]
    if sat is not None and sat < targets["satisfaction_rate"]:
        worst = held["windows_lowest_satisfaction"][:1]
        where = (
            _("，满意率最低的是%(w)s（%(s)s）")
            % {"w": worst[0]["name"], "s": rate_display(worst[0]["satisfaction_rate"])}
            if worst
            else ""
        )
        found.append(
            (
                "satisfaction",
                _("群众满意率 %(s)s，未达到 %(g)s 的目标%(where)s。")
                % {
                    "s": rate_display(sat),
                    "g": rate_display(targets["satisfaction_rate"]),
                    "where": where,
                },
            )
        )
    if kp["ratings_small_sample"]:
        found.append(
            (
                "sample",
                _("有效评价仅 %(n)s 条，不足 %(m)s 条，满意率仅供参考。")
                % {"n": number_display(kp["ratings"]), "m": k.MIN_RATINGS},
            )
        )
    if kp["red_cards"] or kp["yellow_cards"]:
        depts = held["departments_most_red_cards"][:3]
        names = "、".join(d["name"] for d in depts)
        found.append(
            (
                "cards",
                _("本月亮黄牌 %(y)s 张、红牌 %(r)s 张%(where)s。")
                % {
                    "y": number_display(kp["yellow_cards"]),
                    "r": number_display(kp["red_cards"]),
                    "where": _("，主要集中在%(d)s") % {"d": names} if names else "",
                },
            )
        )
    if kp["on_time_rate"] is not None and kp["on_time_rate"] < ON_TIME_GOAL:
        found.append(
            (
                "on_time",
                _("按时办结率 %(r)s，仍有办件超过承诺时限。")
                % {"r": rate_display(kp["on_time_rate"])},
            )
        )
    queues = [
        q for q in held["queues_longest_peak_p90"] if (q["p90_wait_minutes"] or 0) > P90_WAIT_LIMIT
    ]
    if queues:
        found.append(
            (
                "waits",
                _("高峰时段 %(q)s 队列的 90%% 分位等候 %(m)s 分钟，超过 %(l)s 分钟的警戒线。")
                % {"q": queues[0]["name"], "m": queues[0]["p90_wait_minutes"], "l": P90_WAIT_LIMIT},
            )
        )
    if kp["no_show_rate"] is not None and kp["no_show_rate"] > NO_SHOW_LIMIT:
        found.append(
            ("no_show", _("过号率 %(r)s，偏高。") % {"r": rate_display(kp["no_show_rate"])})
        )
    if (
        kp["committed_compression"] is not None
        and kp["committed_compression"] < targets["committed_compression"]
    ):
        found.append(
            (
                "compression",
                _("承诺时限压缩率 %(c)s，未达到 %(g)s 的目标。")
                % {
                    "c": rate_display(kp["committed_compression"]),
                    "g": rate_display(targets["committed_compression"]),
                },
            )
        )
    if (
        kp["one_visit_coverage"] is not None
        and kp["one_visit_coverage"] < targets["one_visit_coverage"]
    ):
        found.append(
            (
                "coverage",
                _("“最多跑一次”事项覆盖率 %(v)s，未达到 %(g)s 的目标。")
                % {
                    "v": rate_display(kp["one_visit_coverage"]),
                    "g": rate_display(targets["one_visit_coverage"]),
                },
            )
        )
    overdue = (kp.get("rectifications") or {}).get("open_overdue") or 0
    if overdue:
        found.append(("rectification", _("有 %(n)s 件差评整改逾期未反馈。") % {"n": overdue}))
    return found


MEASURES = {
    "satisfaction": N_("对满意率偏低的窗口逐条回访差评，查找服务环节问题并限期整改。"),
    "sample": N_("引导群众办事后当场评价，扩大有效评价样本。"),
    "cards": N_("对亮牌办件逐件督办，红牌办件纳入月度考核并约谈相关部门。"),
    "on_time": N_("梳理超期办件的卡点环节，压实审核、决定环节的时限责任。"),
    "waits": N_("高峰时段提前开启弹性窗口、增派 B 岗人员，分流等候群众。"),
    "no_show": N_("优化叫号提示和短信提醒，减少过号。"),
    "compression": N_("推动各部门进一步压缩承诺时限，对压缩不足的事项列出清单。"),
    "coverage": N_("精简材料、推行告知承诺和数据共享，提高“最多跑一次”事项比例。"),
    "rectification": N_("督促逾期整改的责任人限期反馈，逾期情况通报。"),
}


def draft_problems(data: dict[str, Any]) -> str:
    found = problems_found(data)
    if not found:
        return _("本月各项指标运行平稳，未发现突出问题。")
    return "\n".join(f"{i}. {text}" for i, (_kind, text) in enumerate(found, start=1))


def draft_measures(data: dict[str, Any]) -> str:
    kinds = [kind for kind, _text in problems_found(data)]
    lines = [_(MEASURES[kind]) for kind in kinds if kind in MEASURES]
    if not lines:
        lines = [_("保持现有服务水平，持续做好群众评价回访和办件时限管理。")]
    return "\n".join(f"{i}. {text}" for i, text in enumerate(lines, start=1))


def drafts(data: dict[str, Any]) -> dict[str, str]:
    return {
        "overall": draft_overall(data),
        "problems": draft_problems(data),
        "measures": draft_measures(data),
    }


def report_words(data: dict[str, Any]) -> dict[str, Any]:
    """The words the report prints: the director's saved text where there is
    one, else the draft; ``edited`` says which."""
    saved = ReportText.objects.filter(scope_key=data["scope"].key, month=data["month"]).first()
    drafted = drafts(data)
    if saved is None:
        return {**drafted, "edited": False}
    return {
        "overall": saved.overall or drafted["overall"],
        "problems": saved.problems or drafted["problems"],
        "measures": saved.measures or drafted["measures"],
        "edited": True,
    }


def comparison_data(scope: k.Scope, month: dt.date) -> dict[str, Any]:
    prev = previous_month(month)
    ly = same_month_last_year(month)
    return {
        "prev": k.kpis(scope, prev, month_end(prev)),
        "last_year": k.kpis(scope, ly, month_end(ly)),
    }
