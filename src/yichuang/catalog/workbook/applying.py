"""Applying a plan in one transaction: new items, one new published version
per new or changed item with its materials and steps, the items pointed at
their new versions, their centres, the bundles, and one audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yichuang.lib.audit import audit_record

from .. import actions
from ..models import Bundle, BundleItem, Item, ItemVersion, Material, Step, pinyin_initials
from .columns import DEFAULTS
from .planning import Plan
from .reading import Row
from .report import ImportReport


@transaction.atomic
def apply_plan(plan: Plan, *, actor, report: ImportReport) -> None:
    now = timezone.now()
    _create_items(plan)
    rows = plan.new + plan.changed
    versions = _create_versions(plan, rows, actor=actor, now=now)
    _create_details(plan, versions, rows)
    _point_items(plan, versions, rows, now=now)
    _set_centres(plan, rows)
    _save_bundles(plan.bundles)
    report.applied = True
    audit_record(
        "catalog.imported",
        actor=actor,
        object_type="catalog.item",
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        bundles=report.bundles,
    )


def _create_items(plan: Plan) -> None:
    new_items = Item.objects.bulk_create(
        [
            Item(
                code=r["code"],
                basic_code=r["basic_code"] or "",
                name=r["name"],
                initials=pinyin_initials(r["name"]),
                department=plan.departments[r["department"]],
            )
            for r in plan.new
        ]
    )
    for item in new_items:
        plan.existing[item.code] = item


def _create_versions(plan: Plan, rows: list[Row], *, actor, now: dt.datetime) -> list[ItemVersion]:
    user = actor if getattr(actor, "pk", None) else None
    numbers: dict[str, int] = {}
    if plan.changed:
        numbers = dict(
            ItemVersion.objects.filter(item__code__in=[r["code"] for r in plan.changed])
            .values_list("item__code")
            .annotate(n=Max("number"))
        )
    return ItemVersion.objects.bulk_create(
        [
            ItemVersion(
                item=plan.existing[r["code"]],
                number=numbers.get(r["code"], 0) + 1,
                status=ItemVersion.Status.PUBLISHED,
                published_at=now,
                published_by=user,
                **_version_fields(r),
            )
            for r in rows
        ]
    )


def _version_fields(r: Row) -> dict[str, Any]:
    """The row's version fields, an empty one given its default (the statutory
    limit stays empty: it may be unlimited)."""
    fields = {
        f: (r[f] if r.get(f) is not None else DEFAULTS.get(f, ""))
        for f in actions.VERSION_FIELDS
        if f != "legal_limit"
    }
    fields["legal_limit"] = r["legal_limit"]
    return fields


def _create_details(plan: Plan, versions: list[ItemVersion], rows: list[Row]) -> None:
    materials, steps = [], []
    for version, r in zip(versions, rows, strict=True):
        for pos, m in enumerate(r["materials"]):
            materials.append(
                Material(
                    version=version,
                    position=pos,
                    **{
                        f: (m[f] if m[f] is not None else DEFAULTS.get(f, ""))
                        for f in actions.MATERIAL_FIELDS
                    },
                )
            )
        for pos, s in enumerate(r["steps"], start=1):
            steps.append(
                Step(
                    version=version,
                    position=pos,
                    kind=s["kind"],
                    department=plan.departments[s["department"]],
                    share=s["share"],
                    notes=s["notes"] or "",
                )
            )
    Material.objects.bulk_create(materials, batch_size=2000)
    Step.objects.bulk_create(steps, batch_size=2000)


def _point_items(
    plan: Plan, versions: list[ItemVersion], rows: list[Row], *, now: dt.datetime
) -> None:
    # One UPDATE per item is much faster than bulk_update's CASE expressions.
    for version, r in zip(versions, rows, strict=True):
        Item.objects.filter(pk=plan.existing[r["code"]].pk).update(
            current_version=version,
            name=r["name"],
            initials=pinyin_initials(r["name"]),
            basic_code=r["basic_code"] or "",
            department=plan.departments[r["department"]],
            updated_at=now,
        )


def _set_centres(plan: Plan, rows: list[Row]) -> None:
    through = Item.centres.through
    through.objects.filter(item__in=[plan.existing[r["code"]] for r in rows]).delete()
    through.objects.bulk_create(
        [
            through(item_id=plan.existing[r["code"]].pk, centre_id=plan.centres[c].pk)
            for r in rows
            for c in dict.fromkeys(r["centres"])
        ],
        batch_size=2000,
    )


def _save_bundles(bundles: list[Row]) -> None:
    """Each bundle by code; its members are replaced only when they changed."""
    for b in bundles:
        bundle, _created = Bundle.objects.update_or_create(
            code=b["code"], defaults={"name": b["name"], "description": b["description"] or ""}
        )
        current = list(bundle.links.order_by("position").values_list("item__code", flat=True))
        if current != b["items"]:
            bundle.links.all().delete()
            members = {i.code: i for i in Item.objects.filter(code__in=b["items"])}
            BundleItem.objects.bulk_create(
                [
                    BundleItem(bundle=bundle, item=members[c], position=i)
                    for i, c in enumerate(b["items"])
                ]
            )
