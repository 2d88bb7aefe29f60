"""Composed reads of the monthly bulletin (通报): its figures (one function,
used by the page, the PDF and the command), its words drafted from them, and
who may read which bulletin (the roles are the campaign's, in
``selectors_campaign``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.insights.rollups import month_end, month_start
from yichuang.lib.errors import NotFound
from yichuang.lib.numbers import rate_display
from yichuang.org.models import Centre, Department

from .models import Bulletin, Category, Inspection, Problem, Source
from .selectors import on_time_rate
from .selectors_campaign import county_office, day_start, previous_month, unit_of

NUMBER_PREFIX = "云政服督"


def _scope_q(scope: str, prefix: str = "") -> Q:
    kind, _sep, code = scope.partition(":")
    if kind == "centre":
        return Q(**{f"{prefix}centre__code": code})
    if kind == "department":
        return Q(**{f"{prefix}department__code": code})
    return Q()


def month_figures(month: dt.date, scope: str = "county", today: dt.date | None = None) -> dict:
    """One month's raw counts per unit (centre, and department within it).

    - visits: published inspections made in the month, with their mean score;
    - found: ledger rows found in the month (covert findings not yet
      published are left out), by category and by source;
    - on time / late: rows verified in the month by / after their deadline;
    - overdue: rows past their deadline and not verified at the month's end
      (today, for the month that is running);
    - recurring: rows found in the month that recur (``recurrence`` > 0),
      and how many of them were escalated to the director."""
    today = today or timezone.localdate()
    lo, hi = month_start(month), month_end(month)
    after = min(hi + dt.timedelta(days=1), today)
    begin, end = day_start(lo), day_start(hi + dt.timedelta(days=1))
    units: dict[tuple[int, int], dict[str, Any]] = {}

    def unit(centre_id: int, department_id: int | None) -> dict[str, Any]:
        key = (centre_id, department_id or 0)
        if key not in units:
            units[key] = {
                "centre_id": centre_id,
                "department_id": department_id or 0,
                "visits": 0,
                "score_sum": 0,
                "found": 0,
                "categories": defaultdict(int),
                "sources": defaultdict(int),
                "on_time": 0,
                "late": 0,
                "overdue": 0,
                "recurring": 0,
                "escalated": 0,
            }
        return units[key]

    visits = (
        Inspection.objects.filter(
            _scope_q(scope) if not scope.startswith("department") else Q(),
            visited_at__gte=begin,
            visited_at__lt=end,
            published_at__isnull=False,
        )
        .order_by()
        .values("centre_id")
        .annotate(n=Count("id"), score=Avg("score"))
    )
    if not scope.startswith("department"):
        for vrow in visits:
            u = unit(vrow["centre_id"], None)
            u["visits"] = vrow["n"]
            u["score_sum"] = float(vrow["score"] or 0) * vrow["n"]
    rows = Problem.objects.filter(_scope_q(scope), hidden_until_published=False).order_by()
    for row in (
        rows.filter(found_on__gte=lo, found_on__lte=hi)
        .values("centre_id", "department_id", "category", "source")
        .annotate(
            n=Count("id"),
            rec=Count("id", filter=Q(recurrence__gt=0)),
            esc=Count("id", filter=Q(escalated=True)),
        )
    ):
        u = unit(row["centre_id"], row["department_id"])
        u["found"] += row["n"]
        u["categories"][row["category"]] += row["n"]
        u["sources"][row["source"]] += row["n"]
        u["recurring"] += row["rec"]
        u["escalated"] += row["esc"]
    for crow in (
        rows.filter(status=Problem.Status.VERIFIED, verified_at__gte=begin, verified_at__lt=end)
        .values("centre_id", "department_id")
        .annotate(
            n_on_time=Count("id", filter=Q(on_time=True)),
            n_late=Count("id", filter=~Q(on_time=True)),
        )
    ):
        u = unit(crow["centre_id"], crow["department_id"])
        u["on_time"] += crow["n_on_time"]
        u["late"] += crow["n_late"]
    for orow in (
        rows.filter(due_date__lt=after, found_on__lte=hi)
        .filter(Q(verified_at__isnull=True) | Q(verified_at__gte=day_start(after)))
        .values("centre_id", "department_id")
        .annotate(n=Count("id"))
    ):
        unit(orow["centre_id"], orow["department_id"])["overdue"] += orow["n"]
    return {"lo": lo, "hi": hi, "as_of": after - dt.timedelta(days=1), "units": units}


COUNTS = ("visits", "found", "on_time", "late", "overdue", "recurring", "escalated")


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {c: 0 for c in COUNTS}
    total["score_sum"] = 0.0
    categories: dict[str, int] = defaultdict(int)
    sources: dict[str, int] = defaultdict(int)
    for r in rows:
        for c in COUNTS:
            total[c] += r[c]
        total["score_sum"] += r["score_sum"]
        for cat, n in r["categories"].items():
            categories[cat] += n
        for src, n in r["sources"].items():
            sources[src] += n
    total["categories"], total["sources"] = categories, sources
    return total


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    """Derived figures of a unit or total row, JSON-ready."""
    out = {c: row[c] for c in COUNTS}
    out["score"] = round(row["score_sum"] / row["visits"], 1) if row["visits"] else None
    out["on_time_rate"] = on_time_rate(
        on_time=row["on_time"], closed=row["on_time"] + row["late"], overdue=row["overdue"]
    )
    out["categories"] = dict(sorted(row["categories"].items()))
    out["sources"] = dict(sorted(row["sources"].items()))
    return out


def _change(now: int, before: int) -> str:
    if now == before:
        return _("持平")
    if now > before:
        return _("增加%(n)s") % {"n": now - before}
    return _("减少%(n)s") % {"n": before - now}


def bulletin_figures(month: dt.date, scope: str = "county", today: dt.date | None = None) -> dict:
    """Everything a bulletin shows for ``month``: per centre (with its
    departments) and in total, the month and the month before (环比), the best
    and worst units and the words drafted from them. JSON-serialisable: a
    signed bulletin keeps it as it stood (``Bulletin.figures``)."""
    month = month_start(month)
    now = month_figures(month, scope, today)
    before = month_figures(previous_month(month), scope, today)
    centre_ids = {c for c, _d in now["units"]} | {c for c, _d in before["units"]}
    dept_ids = {d for _c, d in now["units"] if d} | {d for _c, d in before["units"] if d}
    centres = {c.pk: c for c in Centre.objects.filter(pk__in=centre_ids)}
    depts = dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name"))

    def name_of(centre_id: int, dept_id: int) -> str:
        centre = centres[centre_id].name
        return f"{centre} · {depts[dept_id]}" if dept_id else centre

    blank = _finish(_sum([]))
    unit_rows = []
    for cid in sorted(centre_ids, key=lambda c: (centres[c].kind != "county", centres[c].code)):
        mine = [u for (c, _d), u in now["units"].items() if c == cid]
        prev = [u for (c, _d), u in before["units"].items() if c == cid]
        row = _finish(_sum(mine))
        row_prev = _finish(_sum(prev))
        departments = []
        for did in sorted(
            {d for c, d in now["units"] if c == cid and d}
            | {d for c, d in before["units"] if c == cid and d},
            key=lambda d: depts[d],
        ):
            this = now["units"].get((cid, did))
            last = before["units"].get((cid, did))
            departments.append(
                {
                    "key": f"{cid}:{did}",
                    "department_id": did,
                    "name": depts[did],
                    "full_name": name_of(cid, did),
                    "now": _finish(this) if this else blank,
                    "before": _finish(last) if last else blank,
                }
            )
        unit_rows.append(
            {
                "key": f"{cid}:0",
                "centre_id": cid,
                "name": centres[cid].name,
                "now": row,
                "before": row_prev,
                "departments": departments,
            }
        )
    # The accountable units: a department at a centre, or the centre itself
    # for the rows that name no department (the hall's environment, say).
    ranked = []
    for (cid, did), u in now["units"].items():
        f = _finish(u)
        if f["found"] or f["on_time"] or f["late"] or f["overdue"]:
            ranked.append({"key": f"{cid}:{did}", "name": name_of(cid, did), **f})
    best = sorted(
        (u for u in ranked if not u["overdue"] and not u["recurring"] and u["on_time"]),
        key=lambda u: (-(u["on_time_rate"] or 0), -u["on_time"], u["found"], u["name"]),
    )[:3]
    worst = sorted(
        (u for u in ranked if u["overdue"] or u["recurring"] or u["late"]),
        key=lambda u: (
            -u["overdue"],
            -u["recurring"],
            u["on_time_rate"] if u["on_time_rate"] is not None else 1,
            -u["found"],
            u["name"],
        ),
    )[:3]
    total = _finish(_sum(list(now["units"].values())))
    total_prev = _finish(_sum(list(before["units"].values())))
    used = sorted(set(total["categories"]) | set(total_prev["categories"]))
    labels = dict(Category.choices)
    for row in unit_rows:
        row["by_category"] = [row["now"]["categories"].get(c, 0) for c in used]
        for d in row["departments"]:
            d["by_category"] = [d["now"]["categories"].get(c, 0) for c in used]
    total["by_category"] = [total["categories"].get(c, 0) for c in used]
    figures = {
        "month": month.strftime("%Y-%m"),
        "previous_month": previous_month(month).strftime("%Y-%m"),
        "scope": scope,
        "from": now["lo"].isoformat(),
        "to": now["hi"].isoformat(),
        "as_of": now["as_of"].isoformat(),
        "total": total,
        "total_before": total_prev,
        "categories": [[c, str(labels.get(c, c))] for c in used],
        "units": unit_rows,
        "best": best,
        "worst": worst,
        "centre_ids": sorted(centre_ids),
        "department_ids": sorted(dept_ids),
    }
    figures["words"] = bulletin_words(figures)
    return figures


def bulletin_words(f: dict[str, Any]) -> list[str]:
    """The bulletin's body, drafted in words from its figures."""
    t, p = f["total"], f["total_before"]
    year, mon = (int(x) for x in f["month"].split("-"))
    labels = dict(f["categories"])
    source_labels = dict(Source.choices)
    words = []
    visits = t["visits"]
    centres_visited = sum(1 for u in f["units"] if u["now"]["visits"])
    first = _("%(y)s年%(m)s月，县政务服务管理办公室对全县政务服务窗口开展日常监督检查。") % {
        "y": year,
        "m": mon,
    }
    if visits:
        first += _("全月共对%(c)s个服务中心检查%(v)s次（上月%(pv)s次），平均得分%(s)s分。") % {
            "c": centres_visited,
            "v": visits,
            "pv": p["visits"],
            "s": t["score"],
        }
    else:
        first += _("本月未开展现场检查。")
    first += _("问题清单本月新增问题%(n)s条，较上月%(d)s") % {
        "n": t["found"],
        "d": _change(t["found"], p["found"]),
    }
    if t["sources"]:
        parts = "、".join(
            _("%(s)s%(n)s条") % {"s": source_labels.get(s, s), "n": n}
            for s, n in sorted(t["sources"].items(), key=lambda x: -x[1])
        )
        first += _("，其中%(p)s") % {"p": parts}
    first += "。"
    if t["categories"]:
        top = sorted(t["categories"].items(), key=lambda x: (-x[1], x[0]))[:3]
        first += _("从问题类别看，%(p)s位居前列。") % {
            "p": "、".join(_("%(c)s（%(n)s条）") % {"c": labels.get(c, c), "n": n} for c, n in top)
        }
    words.append(first)
    second = _(
        "整改方面，本月按期整改销号%(a)s条，逾期整改销号%(b)s条，截至月末逾期未整改%(c)s条，"
        "按期整改率%(r)s（上月%(pr)s）。"
    ) % {
        "a": t["on_time"],
        "b": t["late"],
        "c": t["overdue"],
        "r": rate_display(t["on_time_rate"]),
        "pr": rate_display(p["on_time_rate"]),
    }
    if t["recurring"]:
        second += _("同一单位同类问题反复出现%(n)s条") % {"n": t["recurring"]}
        if t["escalated"]:
            second += _("，其中%(n)s条第三次出现，已提级督办") % {"n": t["escalated"]}
        second += "。"
    else:
        second += _("本月未发现反复出现的问题。")
    words.append(second)
    if f["best"]:
        words.append(
            _("%(u)s本月无逾期、无反复问题，整改及时到位，予以通报表扬。")
            % {"u": "、".join(u["name"] for u in f["best"])}
        )
    if f["worst"]:
        details = "；".join(
            _("%(u)s逾期未整改%(o)s条、反复出现%(r)s条")
            % {
                "u": u["name"],
                "o": u["overdue"],
                "r": u["recurring"],
            }
            for u in f["worst"]
        )
        words.append(
            _("%(d)s，整改不及时、不彻底，予以通报批评，请于收到本通报后5个工作日内报送整改情况。")
            % {"d": details}
        )
    words.append(
        _(
            "请各单位对照问题清单逐条销号，举一反三、建立长效机制，防止问题反弹；"
            "督查室将对已整改的严重、较重问题开展“回头看”，结果纳入年度考核。"
        )
    )
    return words


def bulletins_for(user) -> list[Bulletin]:
    """The county office sees every bulletin; a unit's lead the published
    ones that concern the unit; anybody else none."""
    if county_office(user):
        return list(Bulletin.objects.select_related("signed_by"))
    centre, department = unit_of(user)
    if centre is None and department is None:
        return []
    out = []
    for b in Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED).select_related("signed_by"):
        if (centre is not None and centre.pk in b.figures.get("centre_ids", [])) or (
            department is not None and department.pk in b.figures.get("department_ids", [])
        ):
            out.append(b)
    return out


def get_bulletin_for(user, bulletin_id: int) -> Bulletin:
    for b in bulletins_for(user):
        if b.pk == bulletin_id:
            return b
    raise NotFound("supervision.bulletin_not_found", _("没有找到该通报。"))


def bulletin_number(bulletin: Bulletin) -> int:
    """The bulletin's number in its year: its place among the year's
    bulletins of the same scope, by month (one bulletin per month)."""
    earlier = Bulletin.objects.filter(
        scope=bulletin.scope, month__year=bulletin.month.year, month__lt=bulletin.month
    ).count()
    return earlier + 1


def bulletin_view(bulletin: Bulletin, today: dt.date | None = None) -> dict[str, Any]:
    """The figures as they stand (a draft) or as they were signed."""
    if bulletin.status == Bulletin.Status.DRAFT or not bulletin.figures:
        figures = bulletin_figures(bulletin.month, bulletin.scope, today)
        figures["number"] = bulletin_number(bulletin)
        return figures
    return bulletin.figures


def bulletin_title(bulletin: Bulletin) -> str:
    return _("关于%(y)s年%(m)s月政务服务窗口监督检查情况的通报") % {
        "y": bulletin.month.year,
        "m": bulletin.month.month,
    }


def bulletin_reference(bulletin: Bulletin, figures: dict[str, Any]) -> str:
    return f"{NUMBER_PREFIX}〔{bulletin.month.year}〕{figures.get('number') or ''}号"


# --- the campaign -------------------------------------------------------------------------
