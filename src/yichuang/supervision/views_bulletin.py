"""The monthly bulletin's pages: the list (/supervision/bulletins/, where the
office drafts a month), one bulletin with its figures (sign off, publish)
and its PDF. Thin: the figures come from ``selectors_bulletin``, the changes
from ``actions.bulletin``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import DomainError, Forbidden, Unprocessable
from yichuang.org.permissions import hall_staff_required

from .actions.bulletin import bulletin_draft, bulletin_publish, bulletin_sign
from .models import Bulletin
from .pdf import bulletin_context, bulletin_pdf
from .selectors_bulletin import bulletins_for, get_bulletin_for
from .selectors_campaign import (
    county_director,
    county_office,
    parse_month,
    previous_month,
    unit_lead,
)


def _require_reader(user) -> None:
    if not (county_office(user) or unit_lead(user)):
        raise Forbidden("supervision.not_allowed", _("监督通报仅限督查室、主任和单位负责人查看。"))


def _list_page(request: HttpRequest, **extra) -> HttpResponse:
    today = timezone.localdate()
    error = extra.get("error")
    return render(
        request,
        "supervision/bulletins.html",
        {
            "bulletins": bulletins_for(request.user),
            "office": county_office(request.user),
            "default_month": previous_month(today).strftime("%Y-%m"),
            "max_month": today.strftime("%Y-%m"),
            **extra,
        },
        status=error.status if error else 200,
    )


@hall_staff_required
def bulletins(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return _list_page(request)


@require_POST
@hall_staff_required
def bulletin_new(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    try:
        month = parse_month(request.POST.get("month"))
        if month is None:
            raise Unprocessable("supervision.bad_month", _("月份格式应为“年-月”，例如 2026-03。"))
        bulletin = bulletin_draft(month=month, actor=request.user)
    except DomainError as e:
        return _list_page(request, error=e, form=request.POST)
    return redirect("supervision:bulletin", bulletin.pk)


def _detail(request: HttpRequest, bulletin: Bulletin, **extra) -> HttpResponse:
    context = bulletin_context(bulletin)
    error = extra.get("error")
    return render(
        request,
        "supervision/bulletin.html",
        {
            **context,
            "director": county_director(request.user),
            "office": county_office(request.user),
            "done": request.GET.get("done", "")[:10],
            **extra,
        },
        status=error.status if error else 200,
    )


@hall_staff_required
def bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    return _detail(request, get_bulletin_for(request.user, pk))


@require_POST
@hall_staff_required
def bulletin_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    item = get_bulletin_for(request.user, pk)
    try:
        bulletin_sign(bulletin=item, actor=request.user, request=request)
    except DomainError as e:
        return _detail(request, item, error=e)
    return redirect(reverse("supervision:bulletin", args=[pk]) + "?done=signed")


@require_POST
@hall_staff_required
def bulletin_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    item = get_bulletin_for(request.user, pk)
    try:
        bulletin_publish(bulletin=item, actor=request.user, request=request)
    except DomainError as e:
        return _detail(request, item, error=e)
    return redirect(reverse("supervision:bulletin", args=[pk]) + "?done=published")


@hall_staff_required
def bulletin_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    item = get_bulletin_for(request.user, pk)
    data = bulletin_pdf(item)
    audit_record("supervision.bulletin_download", actor=request.user, obj=item, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    suffix = "draft" if item.status == Bulletin.Status.DRAFT else item.status
    response["Content-Disposition"] = (
        f'attachment; filename="bulletin-{item.month:%Y-%m}-{suffix}.pdf"'
    )
    return response
