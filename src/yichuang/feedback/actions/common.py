"""Small pieces every feedback action uses: input limits, field updates,
state guards, a handler named by username."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from yichuang.accounts.models import User
from yichuang.lib.errors import Conflict, Unprocessable

MAX_COMMENT = 10_000


def set_fields(obj: models.Model, fields: dict[str, Any]) -> None:
    """Set and save ``fields`` (and ``updated_at``) of ``obj``."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=[*fields, "updated_at"])


def require_status(obj: Any, *allowed: str) -> None:
    """Refuse (409 ``feedback.bad_state``) unless ``obj`` is in one of ``allowed``."""
    if obj.status not in allowed:
        raise Conflict(
            "feedback.bad_state",
            _("当前状态（%(s)s）不能执行该操作。") % {"s": obj.get_status_display()},
            status_now=obj.status,
        )


def handler_named(username: str | None) -> User:
    """The user a form or API call names as handler."""
    user = User.objects.filter(username=username).first() if username else None
    if user is None:
        if not username:
            raise Unprocessable("feedback.bad_handler", _("请选择承办人。"))
        raise Unprocessable("feedback.bad_handler", _("没有该承办人：%(u)s") % {"u": username})
    return user


def unknown_step(action: str) -> Unprocessable:
    return Unprocessable("feedback.bad_action", _("未知操作：%(a)s") % {"a": action})
