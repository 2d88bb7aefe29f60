"""The one table of case actions: ``POST /cases/{id}/actions`` in the API and
the case page's action form both run :func:`case_act`, which looks the action
up in :data:`CASE_ACTIONS`.

Every handler takes the locked case and the same keyword-only arguments
(``actor``, ``staff``, ``note``, ``now``) plus the parameters its entry
names; :func:`case_action_params` picks those from a form or a payload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.lib.errors import Conflict, Unprocessable

from ..models import Case, CaseStep
from ..permissions import require_actor
from . import acceptance, clock_stops, completion, deadlines, steps, verification
from .bundles import sync_parent


@dataclass(frozen=True)
class CaseAction:
    """One named action on a case."""

    run: Callable[..., None]
    # The parameters the handler takes besides actor, staff, note and now.
    params: tuple[str, ...] = ()
    # Offered in the case page's action menu under this label (when set).
    label: str = ""
    # May run on a bundle's own case; the others run on its member cases.
    on_bundle: bool = False


# In the order of the case page's menu.
CASE_ACTIONS: dict[str, CaseAction] = {
    "accept": CaseAction(acceptance.accept, params=("materials", "tolerate_missing")),
    "refuse": CaseAction(acceptance.refuse),
    "approve": CaseAction(steps.approve, label=gettext_lazy("通过，转下一环节")),
    "deny": CaseAction(steps.deny, label=gettext_lazy("不予许可")),
    "return": CaseAction(steps.return_step, label=gettext_lazy("退回上一环节")),
    "request_supplement": CaseAction(
        clock_stops.request_supplement,
        params=("materials",),
        label=gettext_lazy("要求补齐补正"),
    ),
    "supplement": CaseAction(
        clock_stops.supplement, params=("materials",), label=gettext_lazy("已补齐")
    ),
    "complete": CaseAction(completion.complete, params=("document",), label=gettext_lazy("办结")),
    "deliver": CaseAction(completion.deliver, params=("method",), label=gettext_lazy("送达")),
    "suspend": CaseAction(clock_stops.suspend, label=gettext_lazy("挂起")),
    "special": CaseAction(clock_stops.special, params=("procedure",)),
    "resume": CaseAction(clock_stops.resume, label=gettext_lazy("恢复计时")),
    "extend": CaseAction(deadlines.extend, params=("days", "document"), label=gettext_lazy("延期")),
    "withdraw": CaseAction(completion.withdraw, label=gettext_lazy("撤回"), on_bundle=True),
    "verify": CaseAction(verification.commitment_verify, params=("material", "outcome")),
}


def page_actions() -> list[tuple[str, str]]:
    """(name, label) of the actions the case page offers, in menu order."""
    return [(name, a.label) for name, a in CASE_ACTIONS.items() if a.label]


def case_action_params(action: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters ``action`` takes, picked from ``given`` (a form's or a
    payload's values; the rest is ignored). Materials become entries with a
    ``code`` whether given as codes or as entries."""
    entry = CASE_ACTIONS.get(action)
    if entry is None:
        return {}
    params = {name: given[name] for name in entry.params if name in given}
    if "materials" in params:
        params["materials"] = [
            m if isinstance(m, dict) else {"code": str(m)} for m in params["materials"]
        ]
    return params


@transaction.atomic
def case_act(
    *,
    case: Case,
    actor: Any,
    action: str,
    note: str = "",
    now: dt.datetime | None = None,
    **params: Any,
) -> Case:
    """Run one named action of :data:`CASE_ACTIONS` on a case, locked for the
    transaction; ``params`` are the ones the action's entry names. A member
    case's bundle follows it."""
    staff = require_actor(actor)
    now = now or timezone.now()
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("version", "centre")
        .get(pk=case.pk)
    )
    if case.current_step_id:
        case.current_step = CaseStep.objects.select_related("post").get(pk=case.current_step_id)
    entry = CASE_ACTIONS.get(action)
    if entry is None:
        raise Unprocessable(
            "cases.unknown_action", _("未知的办件操作：%(a)s") % {"a": action}, action=action
        )
    if case.is_bundle and not entry.on_bundle:
        raise Conflict(
            "cases.bundle_member_action",
            _("“一件事”的各事项分别办理，请在对应的子办件上操作。"),
            children=list(case.children.values_list("pk", flat=True)),
        )
    entry.run(case, actor=actor, staff=staff, note=note, now=now, **params)
    case.save()
    if case.parent_id:
        parent = Case.objects.select_for_update().get(pk=case.parent_id)
        sync_parent(parent, actor=actor, now=now)
    return case
