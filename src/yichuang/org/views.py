"""The system administrator's page of hall devices: list, issue, revoke."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yichuang.lib.errors import DomainError

from .actions import device_issue, device_revoke
from .actions.devices import check_device_admin
from .models import Centre, Device, Window


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page(request: HttpRequest, **extra) -> HttpResponse:
    context = {
        "devices": Device.objects.select_related("centre", "window"),
        "centres": Centre.objects.all(),
        "windows": Window.objects.filter(is_active=True).select_related("centre"),
        "kinds": Device.Kind.choices,
        **extra,
    }
    error = extra.get("error")
    resp = render(request, "org/devices.html", context, status=error.status if error else 200)
    # The page may carry a token shown once: never cached.
    resp["Cache-Control"] = "no-store"
    return resp


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    check_device_admin(request.user)
    return _page(request, revoked=request.GET.get("revoked") == "1")


@require_POST
@login_required
def device_new(request: HttpRequest) -> HttpResponse:
    check_device_admin(request.user)
    try:
        device, raw = device_issue(
            actor=request.user,
            kind=request.POST.get("kind", ""),
            name=request.POST.get("name", ""),
            centre_id=_int(request.POST.get("centre")),
            window_id=_int(request.POST.get("window")),
            request=request,
        )
    except DomainError as e:
        return _page(request, error=e, form=request.POST)
    return _page(request, issued=device, token=raw)


@require_POST
@login_required
def device_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    check_device_admin(request.user)
    device_revoke(actor=request.user, device_id=pk, request=request)
    return redirect("/org/devices/?revoked=1")
