"""Catalogue screens: management (list, editor, versions, publish, import and
export, overview of the targets), the one-time notice, and the public mobile
guides. Views are thin: they read through the access helpers and call actions."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.lib.errors import DomainError
from yichuang.org.models import Centre, Department
from yichuang.org.scopes import staff_of

from . import actions, pdf, selectors, workbook
from .metrics import catalog_metrics
from .models import Bundle, ItemVersion, Material, OneTimeNotice, Step
from .permissions import can_manage, managed_departments, require_manager, require_reader

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- management list, overview -----------------------------------------------------


@login_required
@require_GET
def catalog_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    q = request.GET.get("q", "").strip()
    dept = request.GET.get("department", "")
    status = request.GET.get("status", "")
    items = selectors.management_items(request.user, q=q, department=dept, status=status)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/list.html",
        {
            "page": page,
            "q": q,
            "department": dept,
            "status": status,
            "drafts": selectors.items_with_drafts(),
            "departments": selectors.departments_of_items_for(request.user),
            "can_manage": can_manage(request.user),
            "bundles": Bundle.objects.filter(is_active=True),
        },
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    scope = request.GET.get("scope", "county")
    metrics = catalog_metrics(scope, holding_back=15)
    return render(
        request,
        "catalog/overview.html",
        {
            "m": metrics,
            "scope": scope,
            "centres": Centre.objects.filter(is_active=True),
            "can_manage": can_manage(request.user),
        },
    )


# --- items and versions ------------------------------------------------------------


class ItemNewForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("实施编码"), max_length=40)
    basic_code = forms.CharField(label=gettext_lazy("基本编码"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("事项名称"), max_length=120)
    department = forms.ModelChoiceField(
        label=gettext_lazy("实施部门"), queryset=Department.objects.none()
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = ItemNewForm(request.POST or None)
    form.fields["department"].queryset = managed_departments(  # type: ignore[attr-defined]
        request.user
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.item_create(
                actor=request.user,
                centres=Centre.objects.filter(kind="county"),
                **form.cleaned_data,
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("catalog:edit", code=item.code)
    return render(request, "catalog/item_new.html", {"form": form, "error": error})


@login_required
@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_reader(request.user)
    item = selectors.get_item_for(request.user, code)
    versions = list(item.versions.select_related("published_by"))
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "versions": versions,
            "draft": next((v for v in versions if v.status == "draft"), None),
            "v": item.current_version,
            "can_manage": can_manage(request.user),
            "centres": item.centres.all(),
        },
    )


class VersionForm(forms.ModelForm):
    class Meta:
        model = ItemVersion
        fields = [
            "name",
            "item_type",
            "case_type",
            "legal_limit",
            "legal_limit_unit",
            "committed_limit",
            "committed_limit_unit",
            "visits_required",
            "visits_reason",
            "online_depth",
            "in_hall",
            "appointment",
            "express",
            "area",
            "fee",
            "result",
            "conditions",
            "legal_basis",
        ]
        widgets = {
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = [
            "code",
            "name",
            "originals",
            "copies",
            "requirement",
            "tolerable",
            "commitment",
            "removable",
            "document_type",
            "notes",
        ]

    def validate_unique(self) -> None:
        """Codes are checked across the whole list by the action, not per row."""


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("环节"), choices=Step.Kind.choices)
    department = forms.ModelChoiceField(
        label=gettext_lazy("部门"), queryset=Department.objects.all(), to_field_name="code"
    )
    share = forms.IntegerField(label=gettext_lazy("占比%"), min_value=0, max_value=100)
    notes = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


MaterialFormSet = forms.formset_factory(MaterialForm, extra=2, can_delete=True)
StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


def _rows(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_item_for(request.user, code, manage=True)
    draft = item.draft()
    if draft is None:
        return redirect("catalog:detail", code=item.code)
    post = request.POST if request.method == "POST" else None
    form = VersionForm(post, instance=draft)
    mats = MaterialFormSet(
        post,
        prefix="m",
        initial=[
            {f: getattr(m, f) for f in MaterialForm.Meta.fields} for m in draft.materials.all()
        ],
    )
    steps = StepFormSet(
        post,
        prefix="s",
        initial=[
            {"kind": s.kind, "department": s.department, "share": s.share, "notes": s.notes}
            for s in draft.steps.select_related("department")
        ],
    )
    error = None
    if post is not None and form.is_valid() and mats.is_valid() and steps.is_valid():
        fields = {k: form.cleaned_data[k] for k in VersionForm.Meta.fields}
        materials = [{k: r[k] for k in MaterialForm.Meta.fields} for r in _rows(mats)]
        step_rows = [
            {
                "kind": r["kind"],
                "department": r["department"].code,
                "share": r["share"],
                "notes": r["notes"],
            }
            for r in _rows(steps)
        ]
        try:
            actions.version_update(
                actor=request.user,
                version=draft,
                fields=fields,
                materials=materials,
                steps=step_rows,
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("catalog:detail", code=item.code)
    problems = actions.version_problems(actions.version_data(draft))
    return render(
        request,
        "catalog/item_edit.html",
        {
            "item": item,
            "draft": draft,
            "form": form,
            "mats": mats,
            "steps": steps,
            "error": error,
            "problems": problems,
        },
    )


@login_required
@require_POST
def item_draft(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_item_for(request.user, code, manage=True)
    actions.version_draft(actor=request.user, item=item)
    return redirect("catalog:edit", code=item.code)


@login_required
@require_POST
def item_publish(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_item_for(request.user, code, manage=True)
    try:
        actions.item_publish(actor=request.user, item=item)
    except DomainError as exc:
        versions = list(item.versions.all())
        return render(
            request,
            "catalog/item_detail.html",
            {
                "item": item,
                "versions": versions,
                "v": item.current_version,
                "draft": item.draft(),
                "can_manage": True,
                "error": exc.message,
                "problems": exc.details.get("problems", []),
                "centres": item.centres.all(),
            },
            status=exc.status,
        )
    return redirect("catalog:detail", code=item.code)


COMPARE_FIELDS = [
    "name",
    "item_type",
    "case_type",
    "limit_text_legal",
    "limit_text_committed",
    "visits_required",
    "visits_reason",
    "online_depth",
    "in_hall",
    "appointment",
    "express",
    "area",
    "fee",
    "result",
    "conditions",
    "legal_basis",
]


def _display(v: ItemVersion, field: str) -> str:
    getter = getattr(v, f"get_{field}_display", None)
    value = getter() if getter else getattr(v, field)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


@login_required
@require_GET
def item_compare(request: HttpRequest, code: str) -> HttpResponse:
    require_reader(request.user)
    item = selectors.get_item_for(request.user, code)
    versions = list(item.versions.prefetch_related("materials", "steps__department"))
    if len(versions) < 2:
        return redirect("catalog:detail", code=item.code)
    by_number = {v.number: v for v in versions}
    try:
        a = by_number[int(request.GET.get("a", versions[1].number))]
        b = by_number[int(request.GET.get("b", versions[0].number))]
    except (KeyError, ValueError) as exc:
        raise Http404 from exc
    labels = {f.name: f.verbose_name for f in ItemVersion._meta.fields}
    labels |= {"limit_text_legal": _("法定时限"), "limit_text_committed": _("承诺时限")}
    rows: list[dict[str, object]] = [
        {"label": labels.get(f, f), "a": _display(a, f), "b": _display(b, f)}
        for f in COMPARE_FIELDS
    ]
    for r in rows:
        r["changed"] = r["a"] != r["b"]

    def mats(v):
        return [f"{m.code} {m.name}（{m.counts_text()}）" for m in v.materials.all()]

    def stps(v):
        return [
            f"{s.position}. {s.get_kind_display()} · {s.department} · {s.share}%"
            for s in v.steps.all()
        ]

    return render(
        request,
        "catalog/compare.html",
        {
            "item": item,
            "a": a,
            "b": b,
            "rows": rows,
            "versions": versions,
            "mats": (mats(a), mats(b)),
            "stps": (stps(a), stps(b)),
        },
    )


# --- workbook ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catalog_import(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            report = workbook.ImportReport()
            report.add("", None, "", _("请选择要导入的 .xlsx 文件。"))
        else:
            report = workbook.catalog_import(
                data=upload.read(), actor=request.user, dry_run=bool(request.POST.get("dry_run"))
            )
    return render(
        request,
        "catalog/import.html",
        {
            "report": report,
            "max_rows": workbook.MAX_ITEM_ROWS,
        },
        status=422 if report is not None and not report.ok else 200,
    )


@login_required
@require_GET
def catalog_export(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    response = HttpResponse(workbook.catalog_export(actor=request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@login_required
@require_GET
def catalog_template(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    response = HttpResponse(workbook.catalog_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="catalog-template.xlsx"'
    return response


# --- one-time notice ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, code: str) -> HttpResponse:
    require_reader(request.user)
    item = selectors.get_published_item(code)
    materials = list(item.current_version.materials.all())
    error = None
    if request.method == "POST":
        brought = request.POST.getlist("brought")
        bad = {
            m.code: request.POST.get(f"reason_{m.code}", "")
            for m in materials
            if request.POST.get(f"bad_{m.code}")
        }
        staff = staff_of(request.user)
        try:
            notice = actions.notice_issue(
                item=item,
                brought_material_codes=brought,
                nonconforming=bad,
                applicant_name=request.POST.get("applicant_name", ""),
                actor=request.user,
                centre=staff.centre if staff else None,
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("catalog:notice", reference=notice.reference)
    return render(
        request, "catalog/notice_new.html", {"item": item, "materials": materials, "error": error}
    )


def _notice_for(request: HttpRequest, reference: str) -> OneTimeNotice:
    require_reader(request.user)
    return selectors.get_notice_for(request.user, reference)


@login_required
@require_GET
def notice_detail(request: HttpRequest, reference: str) -> HttpResponse:
    notice = _notice_for(request, reference)
    return render(request, "catalog/notice.html", {"notice": notice, "v": notice.version})


@login_required
@require_GET
def notice_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    notice = _notice_for(request, reference)
    url = request.build_absolute_uri(f"/m/items/{notice.item.code}")
    response = HttpResponse(pdf.notice_pdf(notice, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.reference}.pdf"'
    return response


# --- public mobile guides ----------------------------------------------------------


@require_GET
def m_items(request: HttpRequest) -> HttpResponse:
    """``/m/items/``: a search, or the published items grouped two ways, each
    group folded: by life event (一件事 bundles) and by department."""
    q = request.GET.get("q", "").strip()
    items = list(selectors.published_items(q)[:200])
    context: dict = {"items": items, "q": q}
    if not q:
        published = {i.pk for i in items}
        bundles = Bundle.objects.filter(is_active=True).prefetch_related("items").order_by("code")
        context["bundles"] = [(b, [i for i in b.items.all() if i.pk in published]) for b in bundles]
        by_department: dict = {}
        for item in items:
            by_department.setdefault(item.department, []).append(item)
        context["departments"] = list(by_department.items())
    return render(request, "catalog/m_items.html", context)


def _booking_links(item) -> list[dict]:
    """Where the item can be booked: each centre with an active queue serving
    it that has slots from today on (the queues live a layer above, reached
    through the item's reverse relation)."""
    today = timezone.localdate()
    queues = (
        item.queues.filter(is_active=True, centre__is_active=True, slots__day__gte=today)
        .select_related("centre")
        .order_by("centre__kind", "centre__code", "sort_order")  # the county hall first
        .distinct()
    )
    seen: dict = {}
    for queue in queues:
        seen.setdefault(queue.centre_id, {"centre": queue.centre, "queue": queue})
    return list(seen.values())


@require_GET
def m_item(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_published_item(code)
    url = request.build_absolute_uri(reverse("catalog_m:item", args=[item.code]))
    context = pdf.guide_context(item, url)
    context["qr"] = pdf.qr_svg(url, scale=6)  # drawn at its own size, centred
    context["booking"] = _booking_links(item)
    return render(request, "catalog/m_item.html", context)


@require_GET
def m_item_pdf(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_published_item(code)
    url = request.build_absolute_uri(reverse("catalog_m:item", args=[item.code]))
    response = HttpResponse(pdf.guide_pdf(item, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="guide-{item.code}.pdf"'
    return response


@require_GET
def m_bundle(request: HttpRequest, code: str) -> HttpResponse:
    bundle = selectors.get_published_bundle(code)
    url = request.build_absolute_uri(reverse("catalog_m:bundle", args=[bundle.code]))
    context = pdf.bundle_context(bundle, url)
    context["qr"] = pdf.qr_svg(url, scale=6)  # drawn at its own size, centred
    return render(request, "catalog/m_bundle.html", context)


@require_GET
def m_bundle_pdf(request: HttpRequest, code: str) -> HttpResponse:
    bundle = selectors.get_published_bundle(code)
    url = request.build_absolute_uri(reverse("catalog_m:bundle", args=[bundle.code]))
    response = HttpResponse(pdf.bundle_pdf(bundle, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bundle-{bundle.code}.pdf"'
    return response
