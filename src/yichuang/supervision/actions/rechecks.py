"""回头看: the re-check of a closed 严重 or 较重 row, some days after it closed
(``problem_verify`` creates the task). A relapse opens a new row at the same
unit, which the recurrence rule links to the closed one."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Unprocessable

from ..models import Problem, ProblemEvent, RecheckTask, Source
from ..permissions import require_verifier
from .common import NewProblem, problem_create, problem_event


@transaction.atomic
def recheck_record(
    *, task: RecheckTask, actor, result: str, note: str = "", now: dt.datetime | None = None
) -> RecheckTask:
    """Record what the re-check found: ``held`` or ``relapsed``. A relapse
    opens a new ledger row (a recurrence of the closed one)."""
    now = now or timezone.now()
    require_verifier(actor)
    if result not in RecheckTask.Result.values:
        raise Unprocessable("supervision.bad_result", _("回头看结果须为整改到位或问题反弹。"))
    task = RecheckTask.objects.select_for_update().select_related("problem").get(pk=task.pk)
    if task.done_at is not None:
        raise Conflict("supervision.recheck_done", _("该回头看任务已经完成。"))
    if result == RecheckTask.Result.RELAPSED and not note.strip():
        raise Unprocessable("supervision.reason_required", _("问题反弹时请说明情况。"))
    task.done_at, task.done_by, task.result, task.note = now, actor, result, note.strip()[:500]
    task.save(update_fields=["done_at", "done_by", "result", "note", "updated_at"])
    closed: Problem = task.problem
    problem_event(
        closed,
        ProblemEvent.Type.RECHECKED,
        old=closed.status,
        new=closed.status,
        actor=actor,
        note=f"{task.get_result_display()} {task.note}".strip(),
        at=now,
    )
    if result == RecheckTask.Result.RELAPSED:
        problem_create(
            NewProblem(
                source=Source.INSPECTION,
                source_label=_("回头看 #%(id)d") % {"id": closed.pk},
                centre=closed.centre,
                department=closed.department,
                window=closed.window,
                owner=closed.owner,
                clerk=closed.clerk,
                category=closed.category,
                severity=closed.severity,
                description=_("回头看发现问题反弹：%(n)s") % {"n": task.note},
                found_on=timezone.localdate(now),
            ),
            actor=actor,
            now=now,
        )
    audit_record("supervision.recheck_record", actor=actor, obj=task, result=result)
    return task
