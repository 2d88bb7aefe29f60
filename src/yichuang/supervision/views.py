"""The supervision pages under /supervision/: each role's home, the
inspector's visit form (a phone page), the visits, the problem ledger and
one row with the steps the user may take now. Thin: every read goes through
the scoped selectors (an outsider gets 404), every change through an action
(a refused step answers with its status and changes nothing)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import DomainError, Forbidden, NotFound, Unprocessable
from yichuang.lib.numbers import rate_display
from yichuang.org.models import Staff
from yichuang.org.permissions import hall_staff_required, holds
from yichuang.org.scopes import centres_for, departments_for, staff_of, windows_for

from . import actions, photos, selectors
from .actions.checklists import EDITOR_ROLES
from .forms import (
    FindingForm,
    ProblemForm,
    RecheckForm,
    StepForm,
    VisitForm,
    unit_staff,
    visit_choices,
)
from .models import (
    Category,
    Checklist,
    Finding,
    Inspection,
    Problem,
    RecheckTask,
    Severity,
    Source,
    VisitKind,
)
from .permissions import (
    OPEN_ROLES,
    is_inspector,
    may_inspect,
    may_rectify,
    may_verify,
    oversees_ledger,
    require_inspector,
)
from .selectors_pages import source_url

LEDGER_PAGE_SIZE = 50

# The code a form's field error stands for, when the API has one.
FIELD_CODES = {
    "bad_photo": "supervision.bad_photo",
    "window": "supervision.window_elsewhere",
    "clerk": "supervision.clerk_elsewhere",
    "owner": "supervision.owner_elsewhere",
}


def _form_error(*forms) -> DomainError:
    """One page-level error for invalid forms: the first field error's code
    where it has a stable one (a refused photo, a window elsewhere)."""
    code = "supervision.invalid_form"
    for form in forms:
        for field, errors in form.errors.as_data().items():
            for error in errors:
                found = FIELD_CODES.get(error.code or "") or FIELD_CODES.get(field)
                if found:
                    return Unprocessable(found, error.messages[0])
    return Unprocessable(code, _("填写有误，请按提示修改后再提交。"))


def _reads_visits(user) -> bool:
    return is_inspector(user) or oversees_ledger(user) or may_inspect(user)


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a supervision page with what every one of them shows (the
    tabs: the visits' tab only for who may read visits, the checklists' tab
    only for who may edit them — the checklist pages refuse everyone else)."""
    context.setdefault("show_visits", _reads_visits(request.user))
    context.setdefault("show_checklists", holds(request.user, *EDITOR_ROLES))
    return render(request, template, context, status=status)


# --- home -------------------------------------------------------------------------------


@require_GET
@hall_staff_required
def home(request: HttpRequest) -> HttpResponse:
    """What each role does first: the inspector's tasks of the day, the
    county's ledger by unit for the county's director, a unit's open rows
    for a centre director or department lead, the rows that name a clerk."""
    user = request.user
    today = timezone.localdate()
    staff = staff_of(user)
    if staff is None:
        raise Forbidden("supervision.not_allowed", _("您的账号不在任何服务中心或部门，无权查看。"))
    rows = selectors.problems_for(user)
    summary = selectors.ledger_summary(rows, today)
    context: dict[str, Any] = {
        "today": today,
        "summary": summary,
        "on_time_rate": rate_display(summary["on_time_rate"]),
        "may_inspect": may_inspect(user),
        "may_open": holds(user, *{r for roles in OPEN_ROLES.values() for r in roles}),
        "oversees": oversees_ledger(user),
    }
    if may_inspect(user) or may_verify(user):
        tasks = selectors.inspector_today(user, today)
        context["rechecks"] = list(tasks["rechecks"][:20])
        context["to_verify"] = list(tasks["to_verify"][:20])
        context["unpublished"] = list(tasks["unpublished"][:20])
    county_wide = staff.scope == Staff.Scope.COUNTY and holds(
        user, Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.INSPECTOR
    )
    if county_wide:
        units = selectors.by_unit_and_category(rows, today)
        for unit in units:
            unit["category_label"] = Category(unit["category"]).label
            unit["rate"] = rate_display(
                selectors.on_time_rate(
                    on_time=unit["on_time"], closed=unit["verified"], overdue=unit["overdue"]
                )
            )
        context["units"] = units
        context["pressing"] = list(
            selectors.ledger(user, {"status": ",".join(Problem.OPEN_STATUSES)}, today)
            .filter(Q(recurrence__gt=0) | Q(overdue_now=True))
            .select_related("centre", "department", "window", "owner")[:20]
        )
    elif holds(user, Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD):
        unit_rows = list(selectors.unit_rows(user, today)[:100])
        context["to_plan"] = [
            p for p in unit_rows if p.status in (Problem.Status.OPEN, Problem.Status.REOPENED)
        ]
        context["to_submit"] = [p for p in unit_rows if p.status == Problem.Status.PLANNED]
        context["waiting"] = [p for p in unit_rows if p.status == Problem.Status.SUBMITTED]
    if not oversees_ledger(user):
        context["mine"] = list(
            selectors.rows_naming(user)
            .with_overdue(today)
            .select_related("centre", "department", "window")
            .order_by("-overdue_now", F("due_date").asc(nulls_last=True), "-id")[:50]
        )
    return render_page(request, "supervision/home.html", context)


# --- the visit form (a phone page) ------------------------------------------------------


def _visit_forms(request: HttpRequest, user) -> tuple[VisitForm, list[FindingForm]]:
    """The visit's form and, once the centre and checklist are known, one
    form per checklist line (bound to what was posted)."""
    posted = request.method == "POST"
    # The first step's form always sends the time; a link back to it (to
    # choose again) carries the other choices only, as initial values.
    data = request.POST if posted else (request.GET if "visited_at" in request.GET else None)
    centres = centres_for(user).order_by("kind", "code")
    code = (data or request.GET).get("centre", "")
    if code and not centres.filter(code=code).exists():
        # Another centre's visit: as the API, 404 (nothing of it is shown).
        selectors.centre_for_visit(user, code)
    visit = VisitForm(
        data,
        centres=centres,
        checklists=Checklist.objects.filter(is_current=True).order_by("code"),
        initial={k: request.GET[k] for k in ("centre", "kind", "checklist") if k in request.GET},
    )
    if data is None or not visit.is_valid():
        return visit, []
    centre = visit.cleaned_data["centre"]
    checklist = visit.cleaned_data["checklist"]
    lines = checklist.lines.order_by("sort_order", "code")
    windows, clerks = visit_choices(centre)
    findings = [
        FindingForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            line=line,
            windows=windows,
            clerks=clerks,
        )
        for line in lines
    ]
    return visit, findings


def _finding_inputs(findings: list[FindingForm]) -> list[actions.FindingInput]:
    out = []
    for form in findings:
        data = form.cleaned_data
        failed = data["result"] == Finding.Result.FAIL
        photo = data.get("photo")
        out.append(
            actions.FindingInput(
                line=form.line.code,
                result=data["result"],
                window=data.get("window"),
                clerk=data.get("clerk"),
                severity=data["severity"] if failed else None,
                note=data.get("note", ""),
                photo=photo.read() if photo else None,
            )
        )
    return out


@require_http_methods(["GET", "POST"])
@hall_staff_required
def inspect(request: HttpRequest) -> HttpResponse:
    """Record a visit: first the centre, the way (明查 or 暗访), the checklist
    and the time; then each line pass or fail, with the window or clerk
    concerned, a note, a raised severity and a photo. A refused submission
    shows the page again with everything typed kept (photos must be chosen
    again: a browser never refills a file field)."""
    user = request.user
    require_inspector(user)
    visit, findings = _visit_forms(request, user)
    error: DomainError | None = None
    error_line = ""
    if request.method == "POST":
        if not findings or not all([f.is_valid() for f in findings]):
            error = _form_error(visit, *findings)
            error_line = next((f.line.code for f in findings if f.errors), "")
        else:
            try:
                inspection = actions.inspection_record(
                    centre=visit.cleaned_data["centre"],
                    kind=visit.cleaned_data["kind"],
                    checklist=visit.cleaned_data["checklist"],
                    inspector=user,
                    visited_at=visit.cleaned_data["visited_at"],
                    notes=visit.cleaned_data["notes"],
                    findings=_finding_inputs(findings),
                )
            except DomainError as exc:
                error = exc
                index = exc.details.get("finding")
                if isinstance(index, int) and 0 <= index < len(findings):
                    error_line = findings[index].line.code
            else:
                return redirect(
                    reverse("supervision:inspection", args=[inspection.pk]) + "?recorded=1"
                )
    context = {
        "visit": visit,
        "findings": findings,
        "error": error,
        "error_line": error_line,
        "photo_mb": photos.MAX_BYTES // (1024 * 1024),
        "failed_posted": request.method == "POST" and any(f.failed for f in findings),
    }
    return render_page(
        request, "supervision/inspect.html", context, status=error.status if error else 200
    )


# --- visits -----------------------------------------------------------------------------


def _require_visit_reader(user) -> None:
    if not _reads_visits(user):
        raise Forbidden("supervision.not_allowed", _("监督检查记录仅限督查员和各级负责人查看。"))


@require_GET
@hall_staff_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_visit_reader(user)
    qs = selectors.inspections_for(user).select_related("centre", "checklist", "inspector")
    kind = request.GET.get("kind", "")
    if kind in VisitKind.values:
        qs = qs.filter(kind=kind)
    centre = request.GET.get("centre", "")
    if centre:
        qs = qs.filter(centre__code=centre)
    page = Paginator(qs.order_by("-visited_at", "-id"), LEDGER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(
        request,
        "supervision/inspections.html",
        {
            "page": page,
            "kind": kind,
            "centre": centre,
            "centres": centres_for(user).order_by("kind", "code"),
            "kinds": VisitKind.choices,
            "may_inspect": may_inspect(user),
            "may_edit_checklists": holds(user, *EDITOR_ROLES),
            "query": urlencode({"kind": kind, "centre": centre}),
        },
    )


def _inspection_page(
    request: HttpRequest, inspection: Inspection, error: DomainError | None = None
) -> HttpResponse:
    user = request.user
    findings = list(
        inspection.findings.select_related("line", "window", "clerk").order_by(
            "line__sort_order", "line__code"
        )
    )
    problems = list(
        selectors.problems_for(user)
        .filter(inspection=inspection)
        .select_related("centre", "department", "window", "owner")
        .order_by("id")
    )
    by_finding = {p.source_id: p for p in problems}
    rows = [(f, by_finding.get(f.pk)) for f in findings]
    covert_hidden = inspection.kind == VisitKind.COVERT and not inspection.is_published
    context = {
        "inspection": inspection,
        "findings": findings,
        "rows": rows,
        "failed": [f for f in findings if f.result == Finding.Result.FAIL],
        "problems": problems,
        "covert_hidden": covert_hidden,
        "may_publish": covert_hidden and (is_inspector(user) or inspection.inspector_id == user.pk),
        "recorded": request.GET.get("recorded") == "1",
        "published": request.GET.get("published") == "1",
        "error": error,
    }
    return render_page(
        request, "supervision/inspection.html", context, status=error.status if error else 200
    )


@require_GET
@hall_staff_required
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.get_inspection_for(request.user, inspection_id)
    return _inspection_page(request, inspection)


@require_POST
@hall_staff_required
def inspection_publish(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.get_inspection_for(request.user, inspection_id)
    try:
        actions.inspection_publish(inspection=inspection, actor=request.user)
    except DomainError as exc:
        return _inspection_page(request, inspection, error=exc)
    return redirect(reverse("supervision:inspection", args=[inspection.pk]) + "?published=1")


@require_GET
@hall_staff_required
def finding_photo(request: HttpRequest, inspection_id: int, finding_id: int) -> HttpResponse:
    """A finding's photo, decrypted for a reader of the visit (404 for
    anyone else); each look is audited."""
    inspection = selectors.get_inspection_for(request.user, inspection_id)
    finding = inspection.findings.filter(pk=finding_id).exclude(photo_path="").first()
    if finding is None:
        raise NotFound("supervision.photo_not_found", _("没有找到该照片。"))
    content = photos.read(finding.photo_path)
    audit_record(
        "supervision.photo_view", actor=request.user, obj=finding, inspection=inspection.pk
    )
    resp = HttpResponse(content, content_type=finding.photo_type or "image/jpeg")
    resp["Cache-Control"] = "private, no-store"
    resp["Content-Disposition"] = "inline"
    return resp


# --- the ledger -------------------------------------------------------------------------

SORTS = {
    "due": (F("due_date").asc(nulls_last=True), "-id"),
    "-due": (F("due_date").desc(nulls_last=True), "-id"),
}


@require_GET
@hall_staff_required
def problem_list(request: HttpRequest) -> HttpResponse:
    """The ledger the user sees: filters as the API's, overdue and recurring
    first, or by deadline; 50 rows a page."""
    user = request.user
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "") for k in selectors.LEDGER_FILTERS}
    for flag in ("overdue", "recurring"):
        if filters[flag] == "on":
            filters[flag] = "true"
    qs = selectors.ledger(user, filters, today)
    sort = request.GET.get("sort", "")
    if sort in SORTS:
        qs = qs.order_by(*SORTS[sort])
    page = Paginator(
        qs.select_related("centre", "department", "window", "owner"), LEDGER_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    kept = {k: v for k, v in filters.items() if v}
    return render_page(
        request,
        "supervision/problems.html",
        {
            "page": page,
            "filters": filters,
            "sort": sort,
            "query": urlencode(kept),
            "query_sorted": urlencode({**kept, **({"sort": sort} if sort else {})}),
            "statuses": Problem.Status.choices,
            "sources": Source.choices,
            "severities": Severity.choices,
            "centres": centres_for(user).order_by("kind", "code"),
            "departments": departments_for(user).order_by("code"),
            "today": today,
            "may_open": holds(user, *{r for roles in OPEN_ROLES.values() for r in roles}),
        },
    )


def steps_for(user, problem: Problem) -> list[str]:
    """The steps of the flow the user may take on the row now. Whoever
    submitted the evidence is never offered verification."""
    if problem.hidden_until_published:
        return []
    status = problem.status
    steps = []
    if status in (Problem.Status.OPEN, Problem.Status.REOPENED) and may_rectify(user, problem):
        steps.append("plan")
    if status == Problem.Status.PLANNED and may_rectify(user, problem):
        steps.append("submit")
    if (
        status == Problem.Status.SUBMITTED
        and may_verify(user)
        and problem.submitted_by_id != user.pk
    ):
        steps += ["verify", "reject"]
    return steps


def _problem_page(
    request: HttpRequest,
    problem: Problem,
    *,
    form: StepForm | None = None,
    recheck_form: RecheckForm | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    visible = selectors.problems_for(user)
    owners = unit_staff(problem.centre_id, problem.department_id)
    context = {
        "p": problem,
        "overdue": problem.is_overdue(today),
        "events": problem.events.select_related("actor").order_by("at", "id"),
        "previous": visible.filter(recurrences=problem)
        .select_related("centre", "department")
        .order_by("-found_on", "-id"),
        "later": visible.filter(previous=problem)
        .select_related("centre", "department")
        .order_by("found_on", "id"),
        "rechecks": problem.rechecks.select_related("done_by").order_by("due_on"),
        "may_recheck": may_verify(user),
        "recheck_form": recheck_form,
        "recheck_results": RecheckTask.Result.choices,
        "source_url": source_url(user, problem),
        "steps": steps_for(user, problem),
        "owners": owners,
        "form": form,
        "error": error,
        "done": request.GET.get("done", "")[:10],
    }
    return render_page(
        request, "supervision/problem.html", context, status=error.status if error else 200
    )


@require_http_methods(["GET", "POST"])
@hall_staff_required
def problem_detail(request: HttpRequest, problem_id: int) -> HttpResponse:
    user = request.user
    problem = selectors.get_problem_for(user, problem_id)
    if request.method == "GET":
        return _problem_page(request, problem)
    if request.POST.get("action") == "recheck":
        return _recheck(request, problem)
    form = StepForm(request.POST, owners=unit_staff(problem.centre_id, problem.department_id))
    if not form.is_valid():
        return _problem_page(request, problem, form=form, error=_form_error(form))
    data = form.cleaned_data
    try:
        actions.problem_act(
            problem=problem,
            action=data["action"],
            actor=user,
            note=data["note"],
            measure=data["measure"],
            evidence=data["evidence"],
            owner=data["owner"],
        )
    except DomainError as exc:
        problem = selectors.get_problem_for(user, problem_id)
        return _problem_page(request, problem, form=form, error=exc)
    return redirect(reverse("supervision:problem", args=[problem.pk]) + f"?done={data['action']}")


def _recheck(request: HttpRequest, problem: Problem) -> HttpResponse:
    """Record a 回头看 of the closed row: held, or relapsed (which opens a
    new row linked to it)."""
    form = RecheckForm(request.POST)
    if not form.is_valid():
        return _problem_page(request, problem, recheck_form=form, error=_form_error(form))
    task = problem.rechecks.filter(pk=form.cleaned_data["task"]).first()
    if task is None:
        raise NotFound("supervision.recheck_not_found", _("没有找到该回头看任务。"))
    try:
        actions.recheck_record(
            task=task,
            actor=request.user,
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _problem_page(request, problem, recheck_form=form, error=exc)
    return redirect(reverse("supervision:problem", args=[problem.pk]) + "?done=recheck")


@require_http_methods(["GET", "POST"])
@hall_staff_required
def problem_new(request: HttpRequest) -> HttpResponse:
    """A self-check (自查) or a leadership instruction (领导交办), entered by
    a director, a department lead or the supervision office."""
    user = request.user
    roles = set(user.role_set)
    if not holds(user, *{r for allowed in OPEN_ROLES.values() for r in allowed}):
        raise Forbidden("supervision.not_allowed", _("您不能登记这一来源的问题。"))
    staff = staff_of(user)
    if staff is None:
        raise Forbidden("supervision.not_allowed", _("您的账号不在任何服务中心或部门，无权登记。"))
    in_department = staff.scope == Staff.Scope.DEPARTMENT
    centres = centres_for(user).order_by("kind", "code")
    form = ProblemForm(
        request.POST if request.method == "POST" else None,
        roles=roles if not user.is_superuser else set(Role.values),
        centres=centres,
        departments=departments_for(user).order_by("code"),
        windows=windows_for(user),
        staff=Staff.objects.filter(centre__in=centres),
        initial={"department": staff.department.code if in_department else None},
    )
    error: DomainError | None = None
    if request.method == "POST":
        if not form.is_valid():
            error = _form_error(form)
        else:
            data = form.cleaned_data
            department = data["department"]
            if in_department:
                # A department's staff enter their own department's rows only.
                department = staff.department
            try:
                problem = actions.problem_open(
                    source=data["source"],
                    centre=data["centre"],
                    department=department,
                    window=data["window"],
                    category=data["category"],
                    severity=data["severity"],
                    description=data["description"],
                    owner=data["owner"],
                    actor=user,
                )
            except DomainError as exc:
                error = exc
            else:
                return redirect(reverse("supervision:problem", args=[problem.pk]) + "?done=opened")
    return render_page(
        request,
        "supervision/problem_new.html",
        {"form": form, "error": error, "in_department": in_department, "staff": staff},
        status=error.status if error else 200,
    )
