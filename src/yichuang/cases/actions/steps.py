"""The steps of a case: laid out from the item version at acceptance, each
handled by a post of its department, and walked one by one: pass (approve or
deny) to the next department, or return to the previous one.

``approve``, ``deny`` and ``return_step`` run inside ``case_act`` on the locked
case, which saves it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from yichuang.catalog.models import ItemVersion
from yichuang.lib.errors import Conflict, Forbidden
from yichuang.org.models import Centre, Post, Staff

from .. import events
from ..models import Case, CaseStep
from ..permissions import may_handle_step
from ..states import Status
from .refusals import need_reason, not_allowed

STEP_NAMES = {
    "accept": _("受理"),
    "review": _("审查"),
    "decide": _("决定"),
    "complete": _("办结"),
    "deliver": _("送达"),
}


def post_for(
    centre: Centre, department_id: int, kind: str, posts: list[Post] | None = None
) -> Post | None:
    """The post that handles a step: the receiving centre's window post for
    acceptance, a back-office post of the department for the later steps
    (the case's centre first, then the county hall). ``posts``: the posts
    already loaded (of this department or more), to save the query."""
    if posts is None:
        posts = list(Post.objects.filter(department_id=department_id).select_related("centre"))
    posts = [p for p in posts if p.department_id == department_id]
    if not posts:
        return None

    def rank(p: Post) -> tuple[int, int, int]:
        here = 0 if p.centre_id == centre.pk else (1 if p.centre.kind == "county" else 2)
        window_first = kind == "accept"
        wanted = (p.window_id is not None) == window_first
        return (here, 0 if wanted else 1, p.pk)

    return min(posts, key=rank)


def holder(post: Post | None) -> Staff | None:
    return post.holder() if post is not None else None


def make_steps(case: Case, version: ItemVersion) -> list[CaseStep]:
    """Lay out the case's steps from the version's (one query for their posts)."""
    specs = list(version.steps.all().order_by("position"))
    departments = {s.department_id for s in specs} or {version.item.department_id}
    posts = list(Post.objects.filter(department_id__in=departments).select_related("centre"))
    steps = [
        CaseStep(
            case=case,
            position=s.position,
            kind=s.kind,
            name=STEP_NAMES.get(s.kind, s.kind),
            department_id=s.department_id,
            post=post_for(case.centre, s.department_id, s.kind, posts),
            share=s.share,
        )
        for s in specs
    ]
    if not steps:
        steps.append(
            CaseStep(
                case=case,
                position=1,
                kind="accept",
                name=STEP_NAMES["accept"],
                department_id=version.item.department_id,
                post=post_for(case.centre, version.item.department_id, "accept", posts),
                share=100,
            )
        )
    return CaseStep.objects.bulk_create(steps)


def steps_of(case: Case) -> list[CaseStep]:
    return list(case.steps.order_by("position"))


def activate(case: Case, step: CaseStep | None, now: dt.datetime) -> None:
    """Make ``step`` the case's current step (None: no step left)."""
    case.current_step = step
    if step is None:
        return
    step.state = CaseStep.State.ACTIVE
    step.started_at = now
    step.save(update_fields=["state", "started_at", "updated_at"])
    case.department_id = step.department_id
    case.post = step.post


def finish(step: CaseStep, staff: Staff | None, now: dt.datetime) -> None:
    step.state = CaseStep.State.DONE
    step.finished_at = now
    step.handled_by = staff
    step.save(update_fields=["state", "finished_at", "handled_by", "updated_at"])


def next_step(case: Case, after: CaseStep | None) -> CaseStep | None:
    pos = after.position if after is not None else 0
    return case.steps.filter(position__gt=pos).order_by("position").first()


def check_step_actor(case: Case, user: Any, staff: Staff | None) -> CaseStep:
    """The case's current step, if ``user`` may handle it (409 / 403 otherwise)."""
    step = case.current_step
    if step is None:
        raise not_allowed(case, "step")
    if may_handle_step(user, staff, step):
        return step
    raise Forbidden(
        "cases.not_your_step",
        _("当前环节由%(d)s办理，您不能办理。") % {"d": step.department},
    )


def _pass_step(
    case: Case, *, actor: Any, staff: Staff | None, now: dt.datetime, decision: str, note: str
) -> None:
    step = check_step_actor(case, actor, staff)
    if step.kind not in ("review", "decide"):
        raise not_allowed(case, "approve" if decision == "granted" else "deny")
    finish(step, staff, now)
    nxt = next_step(case, step)
    while decision == "denied" and nxt is not None and nxt.kind in ("review", "decide"):
        nxt.state = CaseStep.State.DONE  # a denial skips the remaining reviews
        nxt.save(update_fields=["state", "updated_at"])
        nxt = next_step(case, nxt)
    activate(case, nxt, now)
    if nxt is None or nxt.kind in ("complete", "deliver"):
        case.decision = decision
        events.transition(
            case,
            Status.DECIDED,
            actor=actor,
            type="decided",
            step=step,
            reason=note,
            at=now,
            decision=decision,
        )
    else:
        events.transition(
            case,
            Status.REVIEW,
            actor=actor,
            type="step_passed",
            step=step,
            reason=note,
            at=now,
            to_department=nxt.department_id,
            to_step=nxt.kind,
        )


def approve(case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime) -> None:
    """Pass the current review or decision step (准予)."""
    if case.status not in (Status.ACCEPTED, Status.REVIEW):
        raise not_allowed(case, "approve")
    _pass_step(case, actor=actor, staff=staff, now=now, decision="granted", note=note)


def deny(case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime) -> None:
    """不予许可, with reasons: the remaining reviews are skipped."""
    if case.status not in (Status.ACCEPTED, Status.REVIEW):
        raise not_allowed(case, "deny")
    reason = need_reason(note, _("不予许可（不予办理）"))
    _pass_step(case, actor=actor, staff=staff, now=now, decision="denied", note=reason)


def return_step(
    case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime
) -> None:
    """退回: the current step goes back to the previous step's department."""
    if case.status not in (Status.ACCEPTED, Status.REVIEW):
        raise not_allowed(case, "return")
    reason = need_reason(note, _("退回"))
    step = check_step_actor(case, actor, staff)
    prev = (
        case.steps.filter(position__lt=step.position)
        .exclude(kind="accept")
        .order_by("-position")
        .first()
    )
    if prev is None:
        raise Conflict("cases.cannot_return", _("已是受理后的第一个环节，无可退回的环节。"))
    step.state = CaseStep.State.RETURNED
    step.save(update_fields=["state", "updated_at"])
    prev.finished_at = None
    activate(case, prev, now)
    events.record(
        case,
        "returned",
        actor=actor,
        old=case.status,
        new=case.status,
        step=step,
        reason=reason,
        at=now,
        to_step=prev.kind,
        to_department=prev.department_id,
    )
