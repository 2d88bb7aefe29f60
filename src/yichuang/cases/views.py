"""HTML pages: the case desk (/cases/), the intake form, the case page with its
timeline and clock, printable receipts and notices, and the citizens' pages
(/m/progress/…, /m/my-data). Thin: logic lives in actions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yichuang.catalog.models import Bundle, Item, OneTimeNotice
from yichuang.catalog.pdf import notice_pdf
from yichuang.lib.errors import DomainError, NotFound
from yichuang.org.calendar import get_calendar
from yichuang.org.scopes import centres_for, staff_of
from yichuang.queueing.models import Ticket
from yichuang.vault import actions as vault
from yichuang.vault.models import AccessLog, Person

from . import actions, clock
from .models import Case
from .ratelimit import rate_limit

MY_DATA_SESSION = "my_data_person"


# --- the desk -------------------------------------------------------------------------


DESK_PAGE = 30
# Only what the rows and the warning level read (fewer columns to convert).
DESK_FIELDS = (
    "id",
    "title",
    "status",
    "received_at",
    "accepted_on",
    "due_date",
    "statutory_due_date",
    "deadline_pending",
    "deadline_provisional",
    "visit_count",
    "current_step__kind",
    "current_step__name",
    "current_step__due_date",
    "department__name",
    "department__short_name",
    "person__name",
)
LEVEL_LABELS = {
    "red": gettext_lazy("红牌"),
    "yellow": gettext_lazy("黄牌"),
    "notice": gettext_lazy("提示"),
    "normal": gettext_lazy("正常"),
}


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """My tasks, my department's tasks, or my centre's cases: open cases read
    through the partial (…, due_date, id) indexes, most urgent (earliest due)
    first, one page of DESK_PAGE rows; cases without a due date yet (awaiting
    acceptance, or deadline pending calendar) are listed apart on page 1. A fixed
    number of queries whatever the size of the department or the history."""
    user = request.user
    staff = staff_of(user)
    view = request.GET.get("view") or ("department" if staff and staff.department_id else "centre")
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    qs: QuerySet[Case]
    if view == "mine":
        qs = Case.objects.open_indexed().filter(post__in=actions.my_posts(user))
    elif view == "department" and staff and staff.department_id:
        # A case now in the user's department has a step there: it is in his
        # scope by definition, so the indexed column alone selects it.
        qs = Case.objects.open_indexed().filter(department_id=staff.department_id)
    else:
        view = "centre"
        centre_ids = [c.pk for c in centres_for(user)]
        qs = (
            actions.cases_for(user)
            .open_indexed()
            .filter(centre_id__in=centre_ids, parent__isnull=True)
        )
    related = ("current_step", "department", "person")
    start = (page - 1) * DESK_PAGE
    rows = list(
        qs.filter(due_date__isnull=False)
        .select_related(*related)
        .only(*DESK_FIELDS)
        .order_by("due_date", "id")[start : start + DESK_PAGE + 1]
    )
    has_next = len(rows) > DESK_PAGE
    rows = rows[:DESK_PAGE]
    undated = (
        list(
            qs.filter(due_date__isnull=True)
            .select_related(*related)
            .only(*DESK_FIELDS)
            .order_by("id")[:DESK_PAGE]
        )
        if page == 1
        else []
    )
    cal, today, levels = get_calendar(), timezone.localdate(), clock.level_settings()
    for case in [*rows, *undated]:
        case.level = clock.warning_level(case, today=today, cal=cal, settings=levels)  # type: ignore[attr-defined]
        case.days_left = clock.working_days_left(case, today, cal)  # type: ignore[attr-defined]
        case.level_label = LEVEL_LABELS[case.level]  # type: ignore[attr-defined]
    pending = qs.filter(due_date__isnull=True, deadline_pending=True).count()
    return render(
        request,
        "cases/desk.html",
        {
            "rows": rows,
            "undated": undated,
            "view": view,
            "pending": pending,
            "today": today,
            "page": page,
            "has_next": has_next,
            "previous_page": page - 1,
            "next_page": page + 1,
        },
    )


def _checklist(
    *, item: Item | None, bundle: Bundle | None, person: Person | None
) -> list[dict[str, Any]]:
    """The material checklist of the item (or the bundle's merged list), with
    what the vault already holds for this person marked reusable."""
    docs = {d.doc_type: d for d in vault.reusable_documents(person)} if person else {}
    rows = []
    if bundle is not None:
        for m in bundle.materials():
            key = (
                f"type:{m['document_type']}"
                if m["document_type"]
                else "name:" + "".join(m["name"].split())
            )
            rows.append(
                {
                    "key": key,
                    "name": m["name"],
                    "required": m["required"],
                    "tolerable": False,
                    "commitment": False,
                    "removable": m["removable"],
                    "doc": docs.get(m["document_type"]),
                    "items": m["items"],
                }
            )
    elif item is not None and item.current_version is not None:
        for mat in item.current_version.materials.all():
            rows.append(
                {
                    "key": mat.code,
                    "name": mat.name,
                    "required": mat.requirement == "required",
                    "tolerable": mat.tolerable,
                    "commitment": mat.commitment,
                    "removable": mat.removable,
                    "doc": docs.get(mat.document_type) if mat.document_type else None,
                    "items": [],
                }
            )
    return rows


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    user = request.user
    actions._require_actor(user)
    src = request.POST if request.method == "POST" else request.GET
    item = Item.objects.select_related("current_version").filter(code=src.get("item", "")).first()
    bundle = Bundle.objects.filter(code=src.get("bundle", "")).first()
    centres = list(centres_for(user))
    staff = staff_of(user)
    centre = next(
        (c for c in centres if c.code == src.get("centre")),
        staff.centre if staff and staff.centre in centres else (centres[0] if centres else None),
    )
    ticket = Ticket.objects.filter(pk=src.get("ticket") or 0, centre__in=centres).first()
    person = None
    error = None
    id_number = (src.get("id_number") or "").strip()
    if id_number and request.method == "GET":
        try:
            person = vault.person_lookup(id_number=id_number, actor=user)
        except DomainError as exc:
            error = exc.message
    if request.method == "POST" and centre is not None:
        materials = []
        for key in request.POST.getlist("material"):
            source = request.POST.get(f"source_{key}", "submitted")
            entry: dict[str, Any] = {"code": key, "source": source}
            if source == "vault":
                entry["document_id"] = request.POST.get(f"doc_{key}")
            materials.append(entry)
        try:
            result = actions.case_intake(
                actor=user,
                centre=centre,
                item=None if bundle else item,
                bundle=bundle,
                applicant={
                    "name": request.POST.get("name", ""),
                    "id_number": id_number,
                    "phone": request.POST.get("phone", ""),
                },
                materials=materials,
                ticket=ticket,
                tolerate_missing=bool(request.POST.get("tolerate_missing")),
                consent={"scope": "all"} if request.POST.get("consent") else None,
            )
        except DomainError as exc:
            error = exc.message
        else:
            if result.accepted:
                return redirect(f"/cases/{result.case.pk}/")
            return redirect(f"/cases/{result.case.pk}/notices/")
        try:
            person = vault.person_by_id_number(id_number) if id_number else None
        except DomainError:
            person = None
    context = {
        "item": item,
        "bundle": bundle,
        "items": Item.objects.published().filter(centres=centre).order_by("name") if centre else [],
        "bundles": Bundle.objects.filter(is_active=True),
        "centre": centre,
        "centres": centres,
        "ticket": ticket,
        "person": person,
        "id_number": id_number,
        "name": src.get("name", person.name if person else ""),
        "phone": src.get("phone", ""),
        "checklist": _checklist(item=item, bundle=bundle, person=person),
        "error": error,
    }
    return render(request, "cases/intake.html", context, status=422 if error else 200)


@login_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = actions.get_case_for(request.user, pk)
    cal, today = get_calendar(), timezone.localdate()
    context = {
        "case": case,
        "level": clock.warning_level(case, today=today, cal=cal),
        "days_left": clock.working_days_left(case, today, cal),
        "steps": case.steps.select_related("department", "post").order_by("position"),
        "events": case.events.all(),
        "materials": case.materials.select_related("document"),
        "visits": case.visits.select_related("ticket"),
        "stops": case.stops.all(),
        "extensions": case.extensions.all(),
        "cards": case.cards.all(),
        "children": case.children.select_related("department").order_by("pk"),
        "actions": ACTION_LABELS,
        "error": request.GET.get("error", ""),
    }
    return render(request, "cases/case.html", context)


ACTION_LABELS = [
    ("approve", _("通过，转下一环节")),
    ("deny", _("不予许可")),
    ("return", _("退回上一环节")),
    ("request_supplement", _("要求补齐补正")),
    ("supplement", _("已补齐")),
    ("complete", _("办结")),
    ("deliver", _("送达")),
    ("suspend", _("挂起")),
    ("resume", _("恢复计时")),
    ("extend", _("延期")),
    ("withdraw", _("撤回")),
]


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    case = actions.get_case_for(request.user, pk)
    params: dict[str, Any] = {}
    for key in ("days", "document", "procedure", "method", "material"):
        if request.POST.get(key):
            params[key] = request.POST[key]
    if request.POST.getlist("materials"):
        params["materials"] = request.POST.getlist("materials")
    try:
        actions.case_act(
            case=case,
            actor=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
            **params,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        from urllib.parse import quote

        return redirect(f"/cases/{pk}/?error={quote(exc.message)}")
    return redirect(f"/cases/{pk}/")


@login_required
def notices(request: HttpRequest, pk: int) -> HttpResponse:
    case = actions.get_case_for(request.user, pk)
    ids = [case.notice_id, *case.children.values_list("notice_id", flat=True)]
    rows = OneTimeNotice.objects.filter(pk__in=[i for i in ids if i]).select_related("version")
    return render(request, "cases/notices.html", {"case": case, "notices": rows})


@login_required
def notice_pdf_view(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    case = actions.get_case_for(request.user, pk)
    ids = [case.notice_id, *case.children.values_list("notice_id", flat=True)]
    notice = OneTimeNotice.objects.filter(pk__in=[i for i in ids if i], reference=reference).first()
    if notice is None:
        raise NotFound("cases.notice_not_found", _("没有找到该告知书。"))
    url = request.build_absolute_uri(f"/m/items/{notice.item.code}")
    return HttpResponse(notice_pdf(notice, url), content_type="application/pdf")


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    from .pdf import receipt_pdf

    case = actions.get_case_for(request.user, pk)
    if case.accepted_on is None:
        raise NotFound("cases.not_accepted", _("该办件尚未受理，没有受理回执。"))
    url = request.build_absolute_uri(f"/m/progress/{case.receipt_code}")
    resp = HttpResponse(receipt_pdf(case, url), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="receipt-{case.number}.pdf"'
    return resp


# --- citizens' pages -----------------------------------------------------------------


def progress_page(request: HttpRequest, code: str) -> HttpResponse:
    from .serialize import progress_view

    rate_limit(request, "progress")
    case = (
        Case.objects.select_related("person", "department", "current_step", "centre")
        .filter(receipt_code=code, parent__isnull=True)
        .first()
    )
    if case is None:
        return render(request, "cases/progress.html", {"missing": True}, status=404)
    return render(request, "cases/progress.html", {"p": progress_view(case), "case": case})


def my_data(request: HttpRequest) -> HttpResponse:
    """The citizen's own page: who read which of his data, for which case, why."""
    error = sent = None
    if request.method == "POST":
        rate_limit(request, "my-data", per_minute=10)
        id_number = request.POST.get("id_number", "")
        try:
            if request.POST.get("code"):
                verified = vault.my_data_code_verify(id_number=id_number, code=request.POST["code"])
                request.session[MY_DATA_SESSION] = verified.pk
                return redirect("/m/my-data")
            vault.my_data_code_send(id_number=id_number)
            sent = id_number
        except DomainError as exc:
            error = exc.message
    person: Person | None = None
    pk = request.session.get(MY_DATA_SESSION)
    if pk:
        person = Person.objects.filter(pk=pk).first()
    if request.GET.get("logout"):
        request.session.pop(MY_DATA_SESSION, None)
        return redirect("/m/my-data")
    context: dict[str, Any] = {"error": error, "sent": sent, "person": person}
    if person is not None:
        context["logs"] = AccessLog.objects.filter(person=person).select_related(
            "document", "department", "centre"
        )[:200]
        context["cases"] = person.cases.filter(parent__isnull=True).order_by("-received_at")[:50]
        context["documents"] = person.documents.all()[:50]
        context["consents"] = person.consents.all()
    return render(request, "vault/my_data.html", context)
