"""Versioned checklists: a change makes a new version and retires the old
one; inspections keep the version they were recorded with."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden, Unprocessable
from yichuang.org.permissions import holds

from ..models import Category, Checklist, ChecklistLine, Severity

EDITOR_ROLES = (Role.INSPECTOR, Role.COUNTY_ADMIN)


@dataclass
class LineInput:
    code: str
    text: str
    category: str
    points: int
    severity: str = Severity.GENERAL


@transaction.atomic
def checklist_publish(
    *, code: str, name: str, kind: str, lines: list[LineInput], actor=None
) -> Checklist:
    """A new current version of checklist ``code`` (version 1 if new). The
    system (``actor`` None: a data migration, the demo) may always publish."""
    if actor is not None and not holds(actor, *EDITOR_ROLES):
        raise Forbidden("supervision.not_allowed", _("只有督查室或县级管理员可以修改检查表。"))
    if kind not in Checklist.Kind.values:
        raise Unprocessable("supervision.bad_kind", _("检查表类型不正确。"))
    if not lines:
        raise Unprocessable("supervision.no_lines", _("检查表至少要有一个条目。"))
    codes = [line.code for line in lines]
    if len(set(codes)) != len(codes):
        raise Unprocessable("supervision.duplicate_line", _("检查条目代码重复。"))
    for line in lines:
        if line.category not in Category.values or line.severity not in Severity.values:
            raise Unprocessable(
                "supervision.bad_line", _("条目 %(c)s 的类别或严重程度不正确。") % {"c": line.code}
            )
        if not 0 < line.points <= 100:
            raise Unprocessable(
                "supervision.bad_points", _("条目 %(c)s 的分值须为 1–100。") % {"c": line.code}
            )
    last = Checklist.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0
    Checklist.objects.filter(code=code, is_current=True).update(is_current=False)
    checklist = Checklist.objects.create(
        code=code, version=last + 1, name=name, kind=kind, is_current=True, created_by=actor
    )
    ChecklistLine.objects.bulk_create(
        ChecklistLine(
            checklist=checklist,
            code=line.code,
            text=line.text,
            category=line.category,
            points=line.points,
            severity=line.severity,
            sort_order=i,
        )
        for i, line in enumerate(lines)
    )
    audit_record("supervision.checklist_publish", actor=actor, obj=checklist, version=last + 1)
    return checklist
