"""HTML pages: the case desk (/cases/), the intake form, the case page with its
timeline and clock, printable receipts and notices, and the citizens' pages
(/m/progress/…, /m/my-data). Thin: reads live in selectors, changes in actions."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.catalog.models import Bundle, Item
from yichuang.catalog.pdf import notice_pdf
from yichuang.lib.audit import client_ip
from yichuang.lib.errors import DomainError, NotFound
from yichuang.org.calendar import get_calendar
from yichuang.org.permissions import hall_staff_required
from yichuang.org.scopes import centres_for, staff_of
from yichuang.queueing.models import Ticket
from yichuang.vault import actions as vault
from yichuang.vault.models import AccessLog, Person

from . import actions, clock, selectors
from .actions.credit import credit_record_read, credit_records_lookup
from .page import desk_search, offered_actions, timeline
from .permissions import may_act, may_read_credit, require_actor, require_credit_reader
from .ratelimit import rate_limit

MY_DATA_SESSION = "my_data_person"


# --- the desk -------------------------------------------------------------------------


DESK_PAGE = 30
LEVEL_LABELS = {
    "red": gettext_lazy("红牌"),
    "yellow": gettext_lazy("黄牌"),
    "notice": gettext_lazy("提示"),
    "normal": gettext_lazy("正常"),
}


@hall_staff_required
def desk(request: HttpRequest) -> HttpResponse:
    """My tasks, my department's tasks, or my centre's cases, most urgent first
    (``selectors.desk_cases_for``), one page of DESK_PAGE rows."""
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    found = selectors.desk_cases_for(
        request.user, view=request.GET.get("view"), page=page, page_size=DESK_PAGE
    )
    for case in [*found.rows, *found.undated]:
        case.level_label = LEVEL_LABELS[case.level]  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "cases/desk.html",
        {
            "rows": found.rows,
            "undated": found.undated,
            "view": found.view,
            "pending": found.pending,
            "today": found.today,
            "page": page,
            "has_next": found.has_next,
            "previous_page": page - 1,
            "next_page": page + 1,
            "verification_alerts": selectors.verification_alerts_for(request.user, found.today),
            "q": query,
            "results": desk_search(request.user, query) if query else None,
            "may_read_credit": may_read_credit(request.user),
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


@hall_staff_required
def intake(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_actor(user)
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
        # A removable (不得索要) material is never received, whatever is posted.
        removable = {
            m["key"] for m in _checklist(item=item, bundle=bundle, person=None) if m["removable"]
        }
        for key in request.POST.getlist("material"):
            if key in removable:
                continue
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


@hall_staff_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    cal, today = get_calendar(), timezone.localdate()
    context = {
        "case": case,
        "level": clock.warning_level(case, today=today, cal=cal),
        "days_left": clock.working_days_left(case, today, cal),
        "steps": case.steps.select_related("department", "post").order_by("position"),
        "events": timeline(case.events.all()),
        "materials": case.materials.select_related("document"),
        "visits": case.visits.select_related("ticket"),
        "stops": case.stops.all(),
        "extensions": case.extensions.all(),
        "cards": case.cards.all(),
        "children": case.children.select_related("department").order_by("pk"),
        "actions": offered_actions(case, request.user, is_bundle=case.children.exists()),
        "commitments": selectors.commitments_of(case, today),
        "may_act": may_act(request.user),
    }
    return render(request, "cases/case.html", context)


@hall_staff_required
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    action = request.POST.get("action", "")
    given: dict[str, Any] = {
        key: request.POST[key]
        for key in ("days", "document", "procedure", "method", "material", "outcome")
        if request.POST.get(key)
    }
    if request.POST.getlist("materials"):
        given["materials"] = request.POST.getlist("materials")
    try:
        actions.case_act(
            case=case,
            actor=request.user,
            action=action,
            note=request.POST.get("note", ""),
            **actions.case_action_params(action, given),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        # The refusal travels in the signed message store, never in the URL:
        # the page shows only what the server said (no text from a link).
        messages.error(request, exc.message, extra_tags=exc.code)
    return redirect(f"/cases/{pk}/")


@hall_staff_required
def notices(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    rows = selectors.notices_of(case)
    return render(request, "cases/notices.html", {"case": case, "notices": rows})


@hall_staff_required
def notice_pdf_view(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, pk)
    notice = selectors.notices_of(case).filter(reference=reference).first()
    if notice is None:
        raise NotFound("cases.notice_not_found", _("没有找到该告知书。"))
    url = request.build_absolute_uri(f"/m/items/{notice.item.code}")
    return HttpResponse(notice_pdf(notice, url), content_type="application/pdf")


@hall_staff_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    from .pdf import receipt_pdf

    case = selectors.get_case_for(request.user, pk)
    if case.accepted_on is None:
        raise NotFound("cases.not_accepted", _("该办件尚未受理，没有受理回执。"))
    url = request.build_absolute_uri(f"/m/progress/{case.receipt_code}")
    resp = HttpResponse(receipt_pdf(case, url), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="receipt-{case.number}.pdf"'
    return resp


# --- 失信记录 ---------------------------------------------------------------------------


@hall_staff_required
@require_http_methods(["GET", "POST"])
def credit_records(request: HttpRequest) -> HttpResponse:
    """``/cases/credit/``: the recent 失信记录 of the cases the user sees, and a
    look-up by full ID number (POST, so the number never sits in a URL or a
    log line), audited (``actions.credit``)."""
    require_credit_reader(request.user)
    context: dict[str, Any] = {
        "recent": selectors.credit_records_for(request.user)[: selectors.CREDIT_RECENT]
    }
    status = 200
    if request.method == "POST":
        try:
            context["lookup"] = credit_records_lookup(
                actor=request.user, id_number=request.POST.get("id_number", ""), request=request
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            context["error"] = exc
            status = exc.status
    return render(request, "cases/credit.html", context, status=status)


@hall_staff_required
@require_GET
def credit_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = credit_record_read(actor=request.user, pk=pk, request=request)
    return render(request, "cases/credit_record.html", {"r": record})


# --- citizens' pages -----------------------------------------------------------------


def progress_page(request: HttpRequest, code: str) -> HttpResponse:
    from .serialize import progress_view

    rate_limit(request, "progress")
    case = selectors.case_by_receipt_code(code)
    if case is None:
        return render(request, "cases/progress.html", {"missing": True}, status=404)
    context = {"p": progress_view(case), "case": case}
    context["timeline"] = selectors.progress_timeline(case)
    context["credit"] = selectors.credit_records_of_case(case)
    return render(request, "cases/progress.html", context)


def _answer_no_sooner(started: float) -> None:
    """Hold a code request's answer until ``MY_DATA_ANSWER_SECONDS`` after it
    began, so an ID number on record (a code written, an SMS handed to the
    gateway) and one not on record answer in the same time."""
    left = settings.MY_DATA_ANSWER_SECONDS - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def my_data(request: HttpRequest) -> HttpResponse:
    """The citizen's own page: who read which of his data, for which case, why.

    Asking for a code answers the same, in the same time, whether or not the
    ID number is on record (vault.my_data_code_send)."""
    error = sent = None
    if request.method == "POST":
        rate_limit(request, "my-data", per_minute=10)
        id_number = request.POST.get("id_number", "")
        started = time.monotonic()
        try:
            if request.POST.get("code"):
                verified = vault.my_data_code_verify(id_number=id_number, code=request.POST["code"])
                request.session[MY_DATA_SESSION] = verified.pk
                return redirect("/m/my-data")
            vault.my_data_code_send(id_number=id_number, source_ip=client_ip(request))
            sent = id_number
        except DomainError as exc:
            error = exc.message
        _answer_no_sooner(started)
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
        context["credit"] = selectors.credit_records_of_person(person)
    return render(request, "vault/my_data.html", context)
