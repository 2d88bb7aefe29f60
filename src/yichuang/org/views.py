"""The system administrator's page of hall devices (list, issue, revoke) and
the director's page of dated staff absences (list, add, cancel)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yichuang.lib.errors import DomainError

from .actions import device_issue, device_revoke, staff_absence_add, staff_absence_cancel
from .actions.absences import absence_staff_for, check_absence_manager
from .actions.devices import check_device_admin
from .models import Centre, Device, StaffAbsence, Window
from .permissions import hall_staff_required
from .selectors import absences_current_and_upcoming


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


# Dated staff absences: the director's page.


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _absences_page(request: HttpRequest, **extra) -> HttpResponse:
    staff = absence_staff_for(request.user)
    today = timezone.localdate()
    absences = list(absences_current_and_upcoming(staff, today))
    context = {
        "today": today,
        "current": [a for a in absences if a.start <= today],
        "upcoming": [a for a in absences if a.start > today],
        "staff": staff.select_related("centre", "department").order_by(
            "centre__kind", "centre__code", "department__code", "name"
        ),
        "kinds": StaffAbsence.Kind.choices,
        "form": {"start": today.isoformat(), "end": today.isoformat()},
        **extra,
    }
    error = extra.get("error")
    return render(request, "org/absences.html", context, status=error.status if error else 200)


@hall_staff_required
def absences(request: HttpRequest) -> HttpResponse:
    check_absence_manager(request.user)
    return _absences_page(request, done=request.GET.get("done", "")[:10])


@require_POST
@hall_staff_required
def absence_new(request: HttpRequest) -> HttpResponse:
    check_absence_manager(request.user)
    try:
        staff_absence_add(
            actor=request.user,
            staff_id=_int(request.POST.get("staff")),
            start=_date(request.POST.get("start")),
            end=_date(request.POST.get("end")),
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
            request=request,
        )
    except DomainError as e:
        return _absences_page(request, error=e, form=request.POST)
    return redirect("/org/absences/?done=added")


@require_POST
@hall_staff_required
def absence_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    check_absence_manager(request.user)
    staff_absence_cancel(actor=request.user, absence_id=pk, request=request)
    return redirect("/org/absences/?done=cancelled")
