"""Issuing and revoking the hall devices' tokens (kiosk, hall screen, window
screen, rating pad). Only the system administrator does this; every issue and
revocation is audited. The raw token leaves the server once, in the issue's
answer: only its hash is stored."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable

from ..models import Centre, Device, Window, device_token_hash
from ..permissions import holds

# Devices bound to one window; the others serve the whole centre.
WINDOW_KINDS = (Device.Kind.PAD, Device.Kind.WINDOW_DISPLAY)


def check_device_admin(user) -> None:
    if not holds(user, Role.SYSTEM_ADMIN):
        raise Forbidden("org.devices_forbidden", _("只有系统管理员可以管理大厅设备。"))


def _target(
    kind: str, centre_id: int | None, window_id: int | None
) -> tuple[Centre, Window | None]:
    if kind not in Device.Kind.values:
        raise Unprocessable("org.device_kind", _("请选择设备类型。"))
    centre = Centre.objects.filter(pk=centre_id or 0).first()
    if centre is None:
        raise Unprocessable("org.device_centre", _("请选择设备所在的服务中心。"))
    if kind not in WINDOW_KINDS:
        if window_id:
            raise Unprocessable(
                "org.device_window", _("取号机和大厅显示屏属于整个中心，不绑定窗口。")
            )
        return centre, None
    window = Window.objects.filter(pk=window_id or 0, centre=centre).first()
    if window is None:
        raise Unprocessable("org.device_window", _("评价器和窗口屏须绑定本中心的一个窗口。"))
    return centre, window


def device_issue(
    *, actor, kind: str, name: str, centre_id: int | None, window_id: int | None, request=None
) -> tuple[Device, str]:
    """A new device and its raw token (shown once, never stored)."""
    check_device_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise Unprocessable("org.device_name", _("请填写设备名称（60 字以内）。"))
    centre, window = _target(kind, centre_id, window_id)
    raw = Device.new_token()
    with transaction.atomic():
        device = Device.objects.create(
            kind=kind, name=name, centre=centre, window=window, token_hash=device_token_hash(raw)
        )
        audit_record(
            "org.device_issued",
            actor=actor,
            obj=device,
            request=request,
            kind=kind,
            centre=centre.code,
            window=window.number if window else None,
        )
    return device, raw


def device_revoke(*, actor, device_id: int, request=None) -> Device:
    """The device's token stops working at once (the device row stays for the record)."""
    check_device_admin(actor)
    with transaction.atomic():
        device = (
            Device.objects.select_for_update().filter(pk=device_id).first()
            if 0 < device_id < 2**63
            else None
        )
        if device is None:
            raise NotFound("org.device_not_found", _("没有找到该设备。"))
        if not device.is_active:
            raise Conflict("org.device_revoked", _("该设备的令牌已经吊销。"))
        device.is_active = False
        device.save(update_fields=["is_active", "updated_at"])
        audit_record(
            "org.device_revoked", actor=actor, obj=device, request=request, kind=device.kind
        )
    return device
