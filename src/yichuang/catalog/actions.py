"""What changes the catalogue: items, draft versions, publishing, centres,
bundles and one-time notices. Every change is audited; bad input raises a
DomainError and leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.org.models import Centre, Department

from .models import (
    Bundle,
    BundleItem,
    CaseType,
    Item,
    ItemVersion,
    Material,
    NoticeCounter,
    OneTimeNotice,
    Step,
    VersionPublished,
    limit_compression,
)
from .permissions import can_manage_bundles, managed_departments, require_manager

# The applicant's name is encrypted (a text column with no length of its own).
APPLICANT_NAME_MAX = 100

# Fields of a version that an editor or a workbook row sets (not status, number …).
VERSION_FIELDS = (
    "name",
    "item_type",
    "case_type",
    "legal_limit",
    "legal_limit_unit",
    "committed_limit",
    "committed_limit_unit",
    "visits_required",
    "visits_reason",
    "special_procedures",
    "online_depth",
    "in_hall",
    "appointment",
    "express",
    "area",
    "legal_basis",
    "conditions",
    "fee",
    "result",
)
MATERIAL_FIELDS = (
    "code",
    "name",
    "originals",
    "copies",
    "requirement",
    "tolerable",
    "commitment",
    "document_type",
    "removable",
    "notes",
)


# --- the publishing rules -----------------------------------------------------------


def version_problems(data: dict[str, Any]) -> list[dict[str, str]]:
    """The rules a version must pass to be published, on plain data.

    ``data`` holds the version fields plus ``materials`` and ``steps`` (lists of
    dicts). Returns ``[{"code", "field", "message"}]``; empty when publishable.
    Used by ``item_publish`` and by the workbook import, so both judge alike.
    """
    problems: list[dict[str, str]] = []

    def add(code: str, field: str, message: str) -> None:
        problems.append({"code": code, "field": field, "message": message})

    if not (data.get("name") or "").strip():
        add("catalog.name_required", "name", _("事项名称不能为空。"))
    immediate = data.get("case_type") == CaseType.IMMEDIATE
    # Like with like: the amounts when the units agree, else both limits as
    # spans on the plain week (catalog.models.limit_compression).
    shorter = limit_compression(
        data.get("legal_limit"),
        data.get("legal_limit_unit") or "workday",
        0 if immediate else data.get("committed_limit") or 0,
        data.get("committed_limit_unit") or "workday",
    )
    if not immediate and not data.get("committed_limit"):
        add(
            "catalog.committed_required",
            "committed_limit",
            _("承诺件须填写大于 0 的承诺时限；当场办结的事项请设为即办件。"),
        )
    if shorter is not None and shorter < 0:
        add(
            "catalog.committed_exceeds_statutory",
            "committed_limit",
            _("承诺时限（%(c)s）不能超过法定时限（%(l)s）。")
            % {"c": f"{data.get('committed_limit')}", "l": f"{data.get('legal_limit')}"},
        )
    visits = data.get("visits_required")
    if visits is None or visits < 0:
        add("catalog.visits_invalid", "visits_required", _("到办事现场次数须为 0 或正整数。"))
    elif visits > 0 and not (data.get("visits_reason") or "").strip():
        add(
            "catalog.visits_reason_required",
            "visits_reason",
            _("到办事现场次数大于 0 时，须说明必须到现场的原因。"),
        )
    steps = data.get("steps") or []
    if not steps:
        add("catalog.steps_required", "steps", _("至少需要一个办理环节。"))
    else:
        total = sum(int(s.get("share") or 0) for s in steps)
        if total != 100:
            add(
                "catalog.step_shares",
                "steps",
                _("各办理环节的时限占比合计须为 100%%，现为 %(t)d%%。") % {"t": total},
            )
    codes: set[str] = set()
    for i, m in enumerate(data.get("materials") or [], start=1):
        if not (m.get("name") or "").strip():
            add("catalog.material_unnamed", "materials", _("第 %(i)d 项材料没有名称。") % {"i": i})
        code = (m.get("code") or "").strip()
        if not code:
            add(
                "catalog.material_code_required",
                "materials",
                _("第 %(i)d 项材料没有材料编码。") % {"i": i},
            )
        elif code in codes:
            add(
                "catalog.material_code_duplicate",
                "materials",
                _("材料编码 %(c)s 重复。") % {"c": code},
            )
        codes.add(code)
    return problems


def version_data(version: ItemVersion) -> dict[str, Any]:
    data = {f: getattr(version, f) for f in VERSION_FIELDS}
    data["materials"] = [
        {f: getattr(m, f) for f in MATERIAL_FIELDS} for m in version.materials.all()
    ]
    data["steps"] = [
        {"kind": s.kind, "department": s.department.code, "share": s.share, "notes": s.notes}
        for s in version.steps.select_related("department")
    ]
    return data


# --- items and versions -------------------------------------------------------------


def _check_department(actor, department: Department) -> None:
    if not managed_departments(actor).filter(pk=department.pk).exists():
        raise NotFound("catalog.department_not_found", _("没有找到该部门或无权维护。"))


@transaction.atomic
def item_create(
    *,
    actor,
    code: str,
    department: Department,
    name: str,
    basic_code: str = "",
    centres: Iterable[Centre] = (),
    **fields: Any,
) -> Item:
    """A new item with its first draft version (v1)."""
    require_manager(actor)
    _check_department(actor, department)
    code = (code or "").strip()
    if not code:
        raise Unprocessable("catalog.code_required", _("实施编码不能为空。"))
    if Item.objects.filter(code=code).exists():
        raise Conflict("catalog.code_taken", _("实施编码 %(c)s 已存在。") % {"c": code})
    item = Item.objects.create(code=code, basic_code=basic_code, department=department, name=name)
    if centres:
        item.centres.set(centres)
    ItemVersion.objects.create(
        item=item, number=1, name=name, **{k: v for k, v in fields.items() if k in VERSION_FIELDS}
    )
    audit_record("catalog.item_created", actor=actor, obj=item, code=code)
    return item


@transaction.atomic
def version_draft(*, actor, item: Item) -> ItemVersion:
    """The item's draft: the existing one, or a copy of the current version."""
    draft = item.draft()
    if draft is not None:
        return draft
    source = item.current_version
    if source is None:
        source = item.versions.order_by("-number").first()
    last = item.versions.order_by("-number").values_list("number", flat=True).first() or 0
    draft = ItemVersion(item=item, number=last + 1, status=ItemVersion.Status.DRAFT)
    for f in VERSION_FIELDS:
        setattr(draft, f, getattr(source, f) if source else getattr(draft, f))
    if source is None:
        draft.name = item.name
    draft.save()
    if source is not None:
        Material.objects.bulk_create(
            [
                Material(
                    version=draft,
                    position=m.position,
                    **{f: getattr(m, f) for f in MATERIAL_FIELDS},
                )
                for m in source.materials.all()
            ]
        )
        Step.objects.bulk_create(
            [
                Step(
                    version=draft,
                    position=s.position,
                    kind=s.kind,
                    department_id=s.department_id,
                    share=s.share,
                    notes=s.notes,
                )
                for s in source.steps.all()
            ]
        )
    audit_record(
        "catalog.version_drafted",
        actor=actor,
        obj=draft,
        item=item.code,
        number=draft.number,
        from_number=source.number if source else None,
    )
    return draft


def _departments_by_code(codes: Iterable[str]) -> dict[str, Department]:
    return {d.code: d for d in Department.objects.filter(code__in=set(codes))}


def version_update(
    *,
    actor,
    version: ItemVersion,
    fields: dict[str, Any] | None = None,
    materials: list[dict[str, Any]] | None = None,
    steps: list[dict[str, Any]] | None = None,
) -> ItemVersion:
    """Change a draft: its fields, and (when given) all its materials and steps.
    A published version is refused with ``catalog.version_published`` (audited)."""
    try:
        return _version_update(
            actor=actor, version=version, fields=fields, materials=materials, steps=steps
        )
    except VersionPublished:
        audit_record(
            "catalog.version_updated", actor=actor, obj=version, success=False, reason="published"
        )
        raise


@transaction.atomic
def _version_update(*, actor, version, fields, materials, steps) -> ItemVersion:
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    if version.is_published:
        raise VersionPublished()
    changed = []
    for key, value in (fields or {}).items():
        if key not in VERSION_FIELDS:
            raise Unprocessable("catalog.field_unknown", _("未知字段：%(f)s") % {"f": key})
        if getattr(version, key) != value:
            setattr(version, key, value)
            changed.append(key)
    if changed:
        version.save()
    if materials is not None:
        seen: set[str] = set()
        for m in materials:
            code = (m.get("code") or "").strip()
            if code in seen:
                raise Unprocessable(
                    "catalog.material_code_duplicate", _("材料编码 %(c)s 重复。") % {"c": code}
                )
            seen.add(code)
        version.materials.all().delete()
        Material.objects.bulk_create(
            [
                Material(
                    version=version, position=i, **{f: m[f] for f in MATERIAL_FIELDS if f in m}
                )
                for i, m in enumerate(materials)
            ]
        )
    if steps is not None:
        depts = _departments_by_code(s["department"] for s in steps if s.get("department"))
        for s in steps:
            if s.get("department") not in depts:
                raise Unprocessable(
                    "catalog.department_unknown",
                    _("办理环节的部门代码不存在：%(d)s") % {"d": s.get("department")},
                )
        version.steps.all().delete()
        Step.objects.bulk_create(
            [
                Step(
                    version=version,
                    position=i + 1,
                    kind=s["kind"],
                    department=depts[s["department"]],
                    share=s.get("share") or 0,
                    notes=s.get("notes", ""),
                )
                for i, s in enumerate(steps)
            ]
        )
    if version.item.current_version_id is None and "name" in changed:
        version.item.name = version.name
        version.item.save(update_fields=["name", "updated_at"])
    audit_record(
        "catalog.version_updated",
        actor=actor,
        obj=version,
        fields=changed,
        materials=materials is not None,
        steps=steps is not None,
    )
    return version


def item_publish(*, actor, item: Item) -> ItemVersion:
    """Validate the item's draft and make it the current version (audited; a
    refused publication is audited too, outside the rolled-back transaction)."""
    try:
        return _item_publish(actor=actor, item=item)
    except Unprocessable as exc:
        audit_record(
            "catalog.item_published",
            actor=actor,
            obj=item,
            success=False,
            problems=[p["code"] for p in exc.details.get("problems", [])],
        )
        raise


@transaction.atomic
def _item_publish(*, actor, item: Item) -> ItemVersion:
    item = Item.objects.select_for_update().get(pk=item.pk)
    draft = item.draft()
    if draft is None:
        raise Conflict("catalog.no_draft", _("该事项没有待发布的草稿版本。"))
    problems = version_problems(version_data(draft))
    if problems:
        raise Unprocessable(
            "catalog.publish_invalid",
            _("草稿未通过发布校验：") + "；".join(p["message"] for p in problems),
            problems=problems,
        )
    draft.status = ItemVersion.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = actor if getattr(actor, "pk", None) else None
    draft.save()
    previous = item.current_version_id
    item.current_version = draft
    item.name = draft.name
    item.save(update_fields=["current_version", "name", "updated_at"])
    audit_record(
        "catalog.item_published",
        actor=actor,
        obj=item,
        number=draft.number,
        previous_version_id=previous,
    )
    return draft


@transaction.atomic
def item_set_centres(*, actor, item: Item, centres: Iterable[Centre]) -> Item:
    require_manager(actor)
    _check_department(actor, item.department)
    before = sorted(item.centres.values_list("code", flat=True))
    centres = list(centres)
    item.centres.set(centres)
    after = sorted(c.code for c in centres)
    if before != after:
        audit_record("catalog.item_centres", actor=actor, obj=item, before=before, after=after)
    return item


@transaction.atomic
def bundle_save(
    *, actor, code: str, name: str, description: str = "", item_codes: list[str]
) -> Bundle:
    """Create or replace a bundle (一件事) and its member items, in order."""
    if actor is not None and not can_manage_bundles(actor):
        raise Forbidden("catalog.forbidden", _("只有县级管理员可以维护“一件事”。"))
    items = {i.code: i for i in Item.objects.filter(code__in=item_codes)}
    unknown = [c for c in item_codes if c not in items]
    if unknown:
        raise Unprocessable(
            "catalog.bundle_item_unknown",
            _("“一件事”包含不存在的事项：%(c)s") % {"c": "、".join(unknown)},
            unknown=unknown,
        )
    if len(item_codes) < 2:
        raise Unprocessable("catalog.bundle_too_small", _("“一件事”至少包含两个事项。"))
    bundle, created = Bundle.objects.update_or_create(
        code=code, defaults={"name": name, "description": description}
    )
    bundle.links.all().delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, item=items[c], position=i) for i, c in enumerate(item_codes)]
    )
    audit_record("catalog.bundle_saved", actor=actor, obj=bundle, created=created, items=item_codes)
    return bundle


# --- one-time notice ----------------------------------------------------------------


def _next_reference(day: dt.date) -> str:
    counter, _created = NoticeCounter.objects.select_for_update().get_or_create(day=day)
    NoticeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"YCGZ-{day:%Y%m%d}-{counter.last:04d}"


def _what_is_needed(m: Material) -> str:
    text = m.counts_text()
    if m.notes:
        text += "；" + m.notes
    return text


@transaction.atomic
def notice_issue(
    *,
    item: Item,
    brought_material_codes: Iterable[str],
    nonconforming: dict[str, str] | None = None,
    applicant_name: str,
    actor=None,
    centre: Centre | None = None,
) -> OneTimeNotice:
    """Issue a one-time notice (一次性告知书) listing *all* missing required
    materials and every non-conforming one, with what is needed for each."""
    version = item.current_version
    if version is None:
        raise Conflict("catalog.item_unpublished", _("该事项尚未发布，不能出具告知书。"))
    applicant_name = (applicant_name or "").strip()
    if not applicant_name:
        raise Unprocessable("catalog.applicant_required", _("请填写申请人姓名。"))
    if len(applicant_name) > APPLICANT_NAME_MAX:
        raise Unprocessable(
            "catalog.applicant_too_long",
            _("申请人姓名不能超过 %(n)d 个字。") % {"n": APPLICANT_NAME_MAX},
            field="applicant_name",
        )
    nonconforming = {k: (v or "").strip() for k, v in (nonconforming or {}).items()}
    materials = list(version.materials.all())
    known = {m.code for m in materials}
    brought = [c for c in dict.fromkeys(brought_material_codes)]
    unknown = [c for c in [*brought, *nonconforming] if c not in known]
    if unknown:
        raise Unprocessable(
            "catalog.material_unknown",
            _("该事项没有这些材料：%(c)s") % {"c": "、".join(unknown)},
            unknown=unknown,
        )
    blank = [c for c, reason in nonconforming.items() if not reason]
    if blank:
        raise Unprocessable(
            "catalog.reason_required",
            _("请说明材料不符合要求的原因：%(c)s") % {"c": "、".join(blank)},
        )
    missing, bad = [], []
    for m in materials:
        if m.code in nonconforming:
            bad.append(
                {
                    "code": m.code,
                    "name": m.name,
                    "reason": nonconforming[m.code],
                    "what_is_needed": _what_is_needed(m),
                }
            )
        elif (
            m.code not in brought
            and m.requirement == Material.Requirement.REQUIRED
            and not m.removable
        ):
            missing.append(
                {
                    "code": m.code,
                    "name": m.name,
                    "counts": m.counts_text(),
                    "what_is_needed": _what_is_needed(m),
                    "tolerable": m.tolerable,
                    "commitment": m.commitment,
                }
            )
    if not missing and not bad:
        raise Conflict(
            "catalog.materials_complete", _("材料齐全且符合要求，无需出具一次性告知书。")
        )
    today = timezone.localdate()
    notice = OneTimeNotice.objects.create(
        reference=_next_reference(today),
        item=item,
        version=version,
        centre=centre,
        applicant_name=applicant_name,
        issued_by=actor if getattr(actor, "pk", None) else None,
        brought=brought,
        missing=missing,
        nonconforming=bad,
    )
    audit_record(
        "catalog.notice_issued",
        actor=actor,
        obj=notice,
        reference=notice.reference,
        item=item.code,
        missing=len(missing),
        nonconforming=len(bad),
    )
    return notice
