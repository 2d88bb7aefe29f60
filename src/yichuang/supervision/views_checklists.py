"""The checklists under /supervision/checklists/: the current version of each
with its history, and an edit page that copies the current version's lines
into a form (change, add, remove) and publishes them as the next version
through ``checklist_publish``. Visits already recorded keep pointing to the
version they used."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yichuang.lib.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from yichuang.org.permissions import hall_staff_required, holds

from .actions.checklists import EDITOR_ROLES, LineInput, checklist_publish
from .models import Category, Checklist, Severity
from .views import render_page

# Blank rows offered under the current lines, to add new ones.
NEW_ROWS = 3
MAX_ROWS = 60


def _require_editor(user) -> None:
    if not holds(user, *EDITOR_ROLES):
        raise Forbidden("supervision.not_allowed", _("只有督查室或县级管理员可以修改检查表。"))


def _current(code: str) -> Checklist:
    checklist = Checklist.objects.filter(code=code, is_current=True).first()
    if checklist is None:
        raise NotFound("supervision.no_checklist", _("没有这个检查表。"))
    return checklist


@hall_staff_required
def checklists(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    versions: dict[str, list[Checklist]] = {}
    for c in Checklist.objects.order_by("code", "-version").prefetch_related("lines"):
        versions.setdefault(c.code, []).append(c)
    return render_page(
        request,
        "supervision/checklists.html",
        {"tab": "checklists", "versions": versions, "done": request.GET.get("done", "")[:40]},
    )


def _rows_from(post) -> list[dict[str, str]]:
    try:
        count = min(int(post.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    fields = ("code", "text", "category", "points", "severity", "delete")
    return [{f: (post.get(f"l{i}-{f}") or "").strip() for f in fields} for i in range(count)]


def _lines_from(rows: list[dict[str, str]]) -> list[LineInput]:
    """The kept rows with some text, in order; a new row without a code gets
    the next free ``N<n>``."""
    kept = [r for r in rows if r["text"] and not r["delete"]]
    taken = {r["code"] for r in kept if r["code"]}
    n, lines = 0, []
    for r in kept:
        code = r["code"]
        if not code:
            n += 1
            while f"N{n}" in taken:
                n += 1
            code = f"N{n}"
            taken.add(code)
        if len(code) > 20 or len(r["text"]) > 200:
            raise Unprocessable(
                "supervision.bad_line", _("条目 %(c)s 的代码或内容过长。") % {"c": code[:20]}
            )
        try:
            points = int(r["points"])
        except ValueError:
            raise Unprocessable(
                "supervision.bad_points", _("条目 %(c)s 的分值须为 1–100 的整数。") % {"c": code}
            ) from None
        lines.append(
            LineInput(
                code=code,
                text=r["text"],
                category=r["category"],
                points=points,
                severity=r["severity"] or Severity.GENERAL,
            )
        )
    return lines


@require_http_methods(["GET", "POST"])
@hall_staff_required
def checklist_edit(request: HttpRequest, code: str) -> HttpResponse:
    _require_editor(request.user)
    checklist = _current(code)
    error: DomainError | None = None
    name = checklist.name
    if request.method == "POST":
        rows = _rows_from(request.POST)
        name = (request.POST.get("name") or "").strip()[:80]
        try:
            if request.POST.get("version") != str(checklist.version):
                raise Conflict(
                    "supervision.checklist_changed",
                    _("检查表已有更新的版本，请重新打开后再修改。"),
                )
            if not name:
                raise Unprocessable("supervision.name_required", _("请填写检查表名称。"))
            new = checklist_publish(
                code=checklist.code,
                name=name,
                kind=checklist.kind,
                lines=_lines_from(rows),
                actor=request.user,
            )
        except DomainError as exc:
            error = exc
        else:
            return redirect(reverse("supervision:checklists") + f"?done={new.code}")
    else:
        rows = [
            {
                "code": line.code,
                "text": line.text,
                "category": line.category,
                "points": str(line.points),
                "severity": line.severity,
                "delete": "",
            }
            for line in checklist.lines.order_by("sort_order", "id")
        ]
        rows += [
            dict.fromkeys(("code", "text", "category", "points", "severity", "delete"), "")
            for _i in range(NEW_ROWS)
        ]
    return render_page(
        request,
        "supervision/checklist_edit.html",
        {
            "tab": "checklists",
            "checklist": checklist,
            "name": name,
            "rows": rows,
            "categories": Category.choices,
            "severities": Severity.choices,
            "error": error,
        },
        status=error.status if error else 200,
    )
