"""What changes a case: intake and acceptance (with the one-time notice, 容缺
gaps and 告知承诺 commitments), the step-by-step routing between departments,
the clock stops, extensions, decisions, completion and delivery, visits and
cards. Every transition writes a ``CaseEvent``; bad input raises a DomainError
inside the transaction, so nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.catalog.actions import notice_issue
from yichuang.catalog.models import Bundle, Item, ItemVersion, Material, OneTimeNotice
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, Post, Staff
from yichuang.org.scopes import centres_for, staff_of
from yichuang.queueing.models import Appointment, Ticket
from yichuang.vault import actions as vault
from yichuang.vault.models import Document, Person

from . import clock
from .models import (
    CLOSED,
    OPEN,
    RUNNING,
    STOPPED,
    Card,
    Case,
    CaseEvent,
    CaseQuerySet,
    CaseStep,
    CaseVisit,
    ClockStop,
    Extension,
    MaterialReceipt,
    Status,
)

log = logging.getLogger("yichuang.cases")

SPECIAL_PROCEDURES = ("听证", "检验", "检测", "鉴定", "专家评审", "公示")
MAX_EXTENSION_DAYS = 10  # 行政许可法 §42 ¶1, approved by the head of the authority
# §42 ¶2: joint handling (统一/联合/集中办理; here: the member cases of a 一件事
# bundle) has 45 days and may be extended by 15, approved by the head of the
# county government (the county admin role stands for that office).
MAX_JOINT_EXTENSION_DAYS = 15
JOINT_APPROVER_ROLES = (Role.COUNTY_ADMIN,)
ACTING_ROLES = (Role.CLERK, Role.DEPARTMENT_LEAD, Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN)
APPROVER_ROLES = (Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD, Role.COUNTY_ADMIN)
CARD_LIFTER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.INSPECTOR)
STEP_NAMES = {
    "accept": _("受理"),
    "review": _("审查"),
    "decide": _("决定"),
    "complete": _("办结"),
    "deliver": _("送达"),
}


# --- access -----------------------------------------------------------------------


def _sees_everything(user) -> bool:
    return bool(user.is_superuser or user.has_role(Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN))


def cases_for(user) -> CaseQuerySet:
    """Cases ``user`` may see: his centres' cases, and for department staff the
    cases with a step in his department (wherever they were received)."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    if _sees_everything(user):
        return Case.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Case.objects.none()
    in_dept = Exists(
        CaseStep.objects.filter(case=OuterRef("pk"), department_id=staff.department_id)
    )
    if staff.scope == Staff.Scope.DEPARTMENT:
        return Case.objects.filter(in_dept)
    if staff.department_id:
        return Case.objects.filter(Q(centre__in=centres_for(user)) | in_dept)
    return Case.objects.filter(centre__in=centres_for(user))


def case_not_found() -> NotFound:
    return NotFound("cases.not_found", _("没有找到该办件。"))


def get_case_for(user, case_id: int, *, for_update: bool = False) -> Case:
    """The one access helper: an outsider gets 404 and nothing changes."""
    qs = cases_for(user).filter(pk=case_id)
    if for_update:
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            raise case_not_found()
        case = Case.objects.select_for_update().filter(pk=ids[0]).first()
    else:
        case = qs.select_related("version", "centre", "department", "current_step").first()
    if case is None:
        raise case_not_found()
    return case


def my_posts(user) -> list[int]:
    """Posts whose work is the user's now: his A posts, and his B posts while A is away."""
    staff = staff_of(user)
    if staff is None:
        return []
    return [
        p.pk
        for p in Post.objects.filter(Q(a_staff=staff) | Q(b_staff=staff)).select_related(
            "a_staff", "b_staff"
        )
        if p.holder() == staff
    ]


def _require_actor(user) -> Staff | None:
    if not (user.is_superuser or user.has_role(*ACTING_ROLES)):
        raise Forbidden("cases.forbidden", _("您只能查看办件，不能办理。"))
    return staff_of(user)


# --- events ---------------------------------------------------------------------------


def _event(
    case: Case,
    type: str,
    *,
    actor: Any,
    old: str = "",
    new: str = "",
    reason: str = "",
    document: str = "",
    step: CaseStep | None = None,
    at: dt.datetime | None = None,
    **data: Any,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        type=type,
        old_status=old,
        new_status=new,
        step=step,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or getattr(actor, "username", "")),
        reason=(reason or "")[:500],
        document=(document or "")[:120],
        data=data,
        at=at or timezone.now(),
    )


def _set_status(
    case: Case, new: str, *, actor: Any, type: str, reason: str = "", **kw: Any
) -> CaseEvent:
    old = case.status
    case.status = new
    return _event(case, type, actor=actor, old=old, new=new, reason=reason, **kw)


def _need_reason(note: str | None, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise Unprocessable("cases.reason_required", _("请填写%(w)s的理由。") % {"w": what})
    return note


def _not_allowed(case: Case, action: str) -> Conflict:
    return Conflict(
        "cases.action_not_allowed",
        _("办件当前状态为“%(s)s”，不能执行该操作。") % {"s": case.get_status_display()},
        action=action,
        status_now=case.status,
    )


# --- posts and steps -----------------------------------------------------------------


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


def _holder(post: Post | None) -> Staff | None:
    return post.holder() if post is not None else None


def _make_steps(case: Case, version: ItemVersion) -> list[CaseStep]:
    """Lay out the case's steps from the version's (one query for their posts)."""
    specs = list(version.steps.all().order_by("position"))
    departments = {s.department_id for s in specs} or {version.item.department_id}
    posts = list(Post.objects.filter(department_id__in=departments).select_related("centre"))
    steps = []
    for s in specs:
        steps.append(
            CaseStep(
                case=case,
                position=s.position,
                kind=s.kind,
                name=STEP_NAMES.get(s.kind, s.kind),
                department_id=s.department_id,
                post=post_for(case.centre, s.department_id, s.kind, posts),
                share=s.share,
            )
        )
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


def _steps(case: Case) -> list[CaseStep]:
    return list(case.steps.order_by("position"))


def _activate(case: Case, step: CaseStep | None, now: dt.datetime) -> None:
    case.current_step = step
    if step is None:
        return
    step.state = CaseStep.State.ACTIVE
    step.started_at = now
    step.save(update_fields=["state", "started_at", "updated_at"])
    case.department_id = step.department_id
    case.post = step.post


def _finish(step: CaseStep, staff: Staff | None, now: dt.datetime) -> None:
    step.state = CaseStep.State.DONE
    step.finished_at = now
    step.handled_by = staff
    step.save(update_fields=["state", "finished_at", "handled_by", "updated_at"])


def _next_step(case: Case, after: CaseStep | None) -> CaseStep | None:
    pos = after.position if after is not None else 0
    return case.steps.filter(position__gt=pos).order_by("position").first()


def _check_step_actor(case: Case, user, staff: Staff | None) -> CaseStep:
    step = case.current_step
    if step is None:
        raise _not_allowed(case, "step")
    if user.is_superuser or user.has_role(Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN):
        return step
    if staff is not None and (
        staff.department_id == step.department_id
        or (step.post is not None and staff.pk in (step.post.a_staff_id, step.post.b_staff_id))
    ):
        return step
    raise Forbidden(
        "cases.not_your_step",
        _("当前环节由%(d)s办理，您不能办理。") % {"d": step.department},
    )


# --- deadlines -------------------------------------------------------------------------


def _refresh_deadlines(
    case: Case, *, actor: Any = None, steps: list[CaseStep] | None = None
) -> None:
    steps = _steps(case) if steps is None else steps
    was_pending = case.deadline_pending
    changed = clock.compute_deadlines(case, steps, get_calendar())
    if changed:
        CaseStep.objects.bulk_update(changed, ["due_date"])
    if case.deadline_pending and not was_pending:
        audit_record(
            "cases.deadline_pending_calendar",
            actor=actor,
            object_type="cases.case",
            object_id=case.pk,
            accepted_on=str(case.accepted_on),
        )
        case_id = case.pk
        transaction.on_commit(
            lambda: log.warning(
                "case %s: deadline pending calendar — load the next year's working days",
                case_id,
            )
        )


# --- intake -------------------------------------------------------------------------


@dataclass
class Unit:
    """One item of an intake: its version, the materials matched and what lacks."""

    version: ItemVersion
    provided: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → entry
    missing: list[Material] = field(default_factory=list)
    gaps: list[Material] = field(default_factory=list)
    case: Case | None = None
    # False when this intake opened the case (nothing recorded for it yet).
    existing: bool = True


@dataclass
class IntakeResult:
    case: Case
    accepted: bool
    missing: list[dict[str, Any]] = field(default_factory=list)
    notices: list[OneTimeNotice] = field(default_factory=list)

    @property
    def notice_url(self) -> str:
        if len(self.notices) == 1 and not self.case.is_bundle:
            return f"/catalog/notices/{self.notices[0].reference}/"
        return f"/cases/{self.case.pk}/notices/"


def _published(item: Item) -> ItemVersion:
    version = item.current_version
    if version is None or not item.is_active:
        raise Conflict(
            "cases.item_unavailable",
            _("事项“%(n)s”已停用或没有现行版本，不能受理。") % {"n": item.name},
            item=item.code,
        )
    # The intake reads the version's materials several times and its item for
    # names and departments: load the materials once, reuse the item at hand.
    version.item = item
    prefetch_related_objects([version], "materials")
    return version


def _match_units(
    units: list[Unit], materials: list[dict[str, Any]], *, bundle: bool
) -> dict[str, dict[str, Any]]:
    """Map the submitted entries onto each unit's materials: by material code for
    one item, by the bundle's deduplicated key for a bundle."""
    entries: dict[str, dict[str, Any]] = {}
    for entry in materials:
        code = str(entry.get("code", "")).strip()
        if code:
            entries[code] = entry
    known: set[str] = set()
    for unit in units:
        for m in unit.version.materials.all():
            key = m.dedup_key if bundle else m.code
            known.add(key)
            if key in entries:
                unit.provided[m.code] = entries[key]
    unknown = sorted(set(entries) - known)
    if unknown:
        raise Unprocessable(
            "cases.material_unknown",
            _("这些材料不属于该事项：%(c)s") % {"c": "、".join(unknown)},
            unknown=unknown,
        )
    return entries


def _check_entries(
    units: list[Unit], person: Person, today: dt.date
) -> dict[int, tuple[Document, str, Any]]:
    """Validate every entry's source; returns the vault documents to read."""
    reads: dict[int, tuple[Document, str, Any]] = {}
    for unit in units:
        for m in unit.version.materials.all():
            entry = unit.provided.get(m.code)
            if entry is None:
                continue
            source = entry.get("source") or "submitted"
            if source == "prior":
                continue
            if source == "commitment" and not m.commitment:
                raise Unprocessable(
                    "cases.commitment_not_allowed",
                    _("材料“%(n)s”不能以告知承诺代替。") % {"n": m.name},
                    material=m.code,
                )
            if source == "vault":
                if not m.document_type:
                    raise Unprocessable(
                        "cases.material_not_reusable",
                        _("材料“%(n)s”不是证照，不能从证照库复用。") % {"n": m.name},
                        material=m.code,
                    )
                doc = vault.get_document(int(entry.get("document_id") or 0))
                basis, consent = vault.reuse_basis(
                    document=doc,
                    person=person,
                    doc_type=m.document_type,
                    item_code=unit.version.item.code,
                    day=today,
                )
                reads[doc.pk] = (doc, basis, consent)
            elif source not in ("submitted", "commitment"):
                raise Unprocessable(
                    "cases.material_source", _("材料来源不正确：%(s)s") % {"s": source}
                )
    return reads


def _lacking(unit: Unit) -> None:
    unit.missing = [
        m
        for m in unit.version.materials.all()
        if m.requirement == Material.Requirement.REQUIRED
        and not m.removable
        and m.code not in unit.provided
    ]


def _open_case(
    *,
    centre: Centre,
    version: ItemVersion | None,
    bundle: Bundle | None,
    person,
    organisation,
    parent: Case | None,
    staff: Staff | None,
    now: dt.datetime,
    title: str,
) -> Case:
    if version is not None:
        # The catalogue's volume-weighted coverage counts the cases of each item
        # (Item.case_count): one more, atomically, in the intake's transaction.
        Item.objects.filter(pk=version.item_id).update(case_count=F("case_count") + 1)
    return Case.objects.create(
        centre=centre,
        version=version,
        item=version.item if version is not None else None,
        bundle=bundle,
        parent=parent,
        person=person,
        organisation=organisation,
        title=title,
        status=Status.RECEIVED,
        received_at=now,
        first_ask=staff,
        committed_days=clock.committed_workdays(version) if version else 0,
        legal_days=clock.legal_workdays(version) if version else None,
    )


def _pending_case(person: Person, *, item: Item | None, bundle: Bundle | None, centre: Centre):
    """A case of this applicant waiting for its materials (an earlier visit)."""
    qs = Case.objects.select_for_update().filter(
        person=person,
        accepted_on__isnull=True,
        status__in=(Status.RECEIVED, Status.SUPPLEMENT),
        parent__isnull=True,
    )
    qs = (
        qs.filter(item=item) if item is not None else qs.filter(bundle=bundle, version__isnull=True)
    )
    return qs.order_by("-received_at").first()


@transaction.atomic
def case_intake(
    *,
    actor: Any,
    centre: Centre,
    applicant: dict[str, Any],
    materials: list[dict[str, Any]],
    item: Item | None = None,
    bundle: Bundle | None = None,
    organisation: dict[str, Any] | None = None,
    ticket: Ticket | None = None,
    appointment: Appointment | None = None,
    tolerate_missing: bool = False,
    consent: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """收件 at the window. Complete → accepted (即办件 completed on the spot);
    only 容缺 materials missing and ``tolerate_missing`` → accepted with gaps;
    otherwise the one-time notice, and the case waits for the next visit."""
    staff = _require_actor(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if (item is None) == (bundle is None):
        raise Unprocessable("cases.item_required", _("请选择一个事项或一件事。"))
    if bundle is not None:
        if not bundle.is_active:
            raise Conflict("cases.item_unavailable", _("该“一件事”已停用。"))
        members = [link.item for link in bundle.links.select_related("item").order_by("position")]
        units = [Unit(version=_published(m)) for m in members]
        if not units:
            raise Conflict("cases.item_unavailable", _("该“一件事”没有可办理的事项。"))
        title = bundle.name
    else:
        assert item is not None
        units = [Unit(version=_published(item))]
        title = units[0].version.name
    offered = set(
        Item.centres.through.objects.filter(
            item_id__in=[u.version.item_id for u in units], centre_id=centre.pk
        ).values_list("item_id", flat=True)
    )
    not_here = [u.version.name for u in units if u.version.item_id not in offered]
    if not_here:
        raise Unprocessable(
            "cases.item_not_offered",
            _("本中心不办理：%(n)s") % {"n": "、".join(not_here)},
        )
    person = vault.person_find_or_create(
        name=applicant.get("name", ""),
        id_number=applicant.get("id_number", ""),
        phone=applicant.get("phone", "") or "",
    )
    org = (
        vault.organisation_find_or_create(
            name=organisation.get("name", ""), credit_code=organisation.get("credit_code", "")
        )
        if organisation
        else None
    )
    if ticket is not None:
        _check_ticket(ticket, actor)
    _match_units(units, materials, bundle=bundle is not None)
    if consent:
        vault.consent_record(
            person=person,
            scope=consent.get("scope") or "all",
            document_types=consent.get("document_types"),
            item_codes=consent.get("item_codes"),
            valid_until=consent.get("valid_until"),
            actor=actor,
            centre=centre,
        )
    reads = _check_entries(units, person, today)

    # Reuse the case of an earlier visit, or open a new one (one per member item).
    top = _pending_case(person, item=item, bundle=bundle, centre=centre)
    if top is None:
        top = _open_case(
            centre=centre,
            version=None if bundle else units[0].version,
            bundle=bundle,
            person=person,
            organisation=org,
            parent=None,
            staff=staff,
            now=now,
            title=title,
        )
        _event(top, "received", actor=actor, new=Status.RECEIVED, at=now)
        top_is_new = True
    else:
        top_is_new = False
    if bundle is not None:
        children = {} if top_is_new else {c.item_id: c for c in top.children.select_for_update()}
        for unit in units:
            unit.case = children.get(unit.version.item_id)
            if unit.case is None:
                unit.existing = False
                unit.case = _open_case(
                    centre=centre,
                    version=unit.version,
                    bundle=bundle,
                    person=person,
                    organisation=org,
                    parent=top,
                    staff=staff,
                    now=now,
                    title=unit.version.name,
                )
                _event(unit.case, "received", actor=actor, new=Status.RECEIVED, at=now)
    else:
        units[0].case = top
        units[0].existing = not top_is_new

    # What an earlier visit handed in still counts; then record this visit's
    # materials and vault reads, and keep the documents handed in.
    stored: dict[str, Document] = {}
    for unit in units:
        assert unit.case is not None
        _record_materials(unit, reads, person, actor=actor, centre=centre, stored=stored)
        if unit.existing:
            for r in unit.case.materials.exclude(
                how__in=(MaterialReceipt.How.TOLERATED, MaterialReceipt.How.MISSING)
            ):
                unit.provided.setdefault(r.code, {"code": r.code, "source": "prior"})
        _lacking(unit)
    missing_hard = [m for u in units for m in u.missing if not (tolerate_missing and m.tolerable)]
    if missing_hard:
        result = _issue_notices(top, units, person, actor=actor, centre=centre, now=now)
    else:
        for unit in units:
            unit.gaps = list(unit.missing)
            assert unit.case is not None
            _accept(unit.case, unit, actor=actor, staff=staff, now=now)
        if bundle is not None:
            _sync_parent(top, actor=actor, now=now)
        result = IntakeResult(case=top, accepted=True)
    # The visit is linked last, to the rows as saved (counters are updated in SQL).
    if ticket is not None or appointment is not None:
        _link_visit(top, ticket=ticket, appointment=appointment, actor=actor, now=now)
    return result


def _check_ticket(ticket: Ticket, actor: Any) -> None:
    if not centres_for(actor).filter(pk=ticket.centre_id).exists():
        raise NotFound("cases.ticket_not_found", _("没有找到该排队号。"))


def _record_materials(
    unit: Unit,
    reads: dict[int, tuple[Document, str, Any]],
    person: Person,
    *,
    actor: Any,
    centre: Centre,
    stored: dict[str, Document],
) -> None:
    case = unit.case
    assert case is not None
    existing = {r.code: r for r in case.materials.all()} if unit.existing else {}
    for m in unit.version.materials.all():
        entry = unit.provided.get(m.code)
        if entry is None:
            continue
        source = entry.get("source") or "submitted"
        if source == "prior":
            continue
        how = {
            "submitted": MaterialReceipt.How.SUBMITTED,
            "vault": MaterialReceipt.How.VAULT,
            "commitment": MaterialReceipt.How.COMMITTED,
        }[source]
        doc = None
        if source == "vault":
            doc, basis, consent = reads[int(entry["document_id"])]
            vault.document_read(
                document=doc,
                actor=actor,
                purpose=_("受理材料复用：%(m)s") % {"m": m.name},
                case_id=case.pk,
                case_label=f"{case.number} {case.title}",
                basis=basis,
                consent=consent,
                department=unit.version.item.department,
                centre=centre,
            )
        elif source == "submitted" and m.document_type in stored:
            doc = stored[m.document_type]
        elif source == "submitted" and m.document_type:
            doc = stored[m.document_type] = vault.document_store(
                person=person,
                doc_type=m.document_type,
                name=m.name,
                number=str(entry.get("number", "") or ""),
                issuer=str(entry.get("issuer", "") or ""),
                expires_on=entry.get("expires_on"),
                source_case_id=case.pk,
                centre=centre,
                department=unit.version.item.department,
                actor=actor,
            )
        row = existing.get(m.code)
        if row is None:
            MaterialReceipt.objects.create(
                case=case,
                code=m.code,
                name=m.name,
                document_type=m.document_type,
                how=how,
                document=doc,
            )
        elif row.how != how or row.document_id != (doc.pk if doc else None):
            row.how, row.document = how, doc
            row.save(update_fields=["how", "document", "updated_at"])


def _issue_notices(
    top: Case,
    units: list[Unit],
    person: Person,
    *,
    actor: Any,
    centre: Centre,
    now: dt.datetime,
) -> IntakeResult:
    notices: list[OneTimeNotice] = []
    missing: list[dict[str, Any]] = []
    for unit in units:
        case = unit.case
        assert case is not None
        if not unit.missing:
            continue
        notice = notice_issue(
            item=unit.version.item,
            brought_material_codes=list(unit.provided),
            applicant_name=person.name,
            actor=actor,
            centre=centre,
        )
        notices.append(notice)
        missing.extend(
            {**entry, "item": unit.version.item.code, "item_name": unit.version.name}
            for entry in notice.missing
        )
        case.notice = notice
        if case.status != Status.SUPPLEMENT:
            _set_status(
                case,
                Status.SUPPLEMENT,
                actor=actor,
                type="notice",
                document=notice.reference,
                at=now,
                missing=[e["code"] for e in notice.missing],
            )
        else:
            _event(
                case,
                "notice",
                actor=actor,
                old=case.status,
                new=case.status,
                document=notice.reference,
                at=now,
                missing=[e["code"] for e in notice.missing],
            )
        case.save(update_fields=["notice", "status", "updated_at"])
    if top.is_bundle:
        top.notice = notices[0] if notices else top.notice
        if top.status != Status.SUPPLEMENT:
            _set_status(
                top,
                Status.SUPPLEMENT,
                actor=actor,
                type="notice",
                at=now,
                document="、".join(n.reference for n in notices),
            )
        top.save(update_fields=["notice", "status", "updated_at"])
    return IntakeResult(case=top, accepted=False, missing=missing, notices=notices)


def _accept(case: Case, unit: Unit, *, actor: Any, staff: Staff | None, now: dt.datetime) -> None:
    """受理: the clock starts the day after; steps are laid out and the first
    step after acceptance becomes active. 即办件 are completed on the spot."""
    version = unit.version
    today = timezone.localdate(now)
    old = case.status
    case.accepted_on = today
    case.accepted_by = staff
    # A case opened by this intake has no steps yet: lay them out and keep the
    # list (with their posts) instead of reading them back.
    steps = _steps(case) if unit.existing else []
    if not steps:
        steps = _make_steps(case, version)
    accept_step = steps[0] if steps[0].kind == "accept" else None
    case.status = Status.ACCEPTED
    _refresh_deadlines(case, actor=actor, steps=steps)
    _event(
        case,
        "accepted",
        actor=actor,
        old=old,
        new=Status.ACCEPTED,
        at=now,
        document=case.number,
        gaps=[m.code for m in unit.gaps],
    )
    # 容缺: gaps with a supplement deadline no later than the committed limit.
    if unit.gaps:
        case.gaps_due_date = case.due_date
        MaterialReceipt.objects.filter(case=case, code__in=[m.code for m in unit.gaps]).delete()
        MaterialReceipt.objects.bulk_create(
            [
                MaterialReceipt(
                    case=case,
                    code=m.code,
                    name=m.name,
                    document_type=m.document_type,
                    how=MaterialReceipt.How.TOLERATED,
                    due_date=case.due_date,
                )
                for m in unit.gaps
            ]
        )
    if accept_step is not None:
        accept_step.post = accept_step.post or post_for(
            case.centre, accept_step.department_id, "accept"
        )
        _finish(accept_step, staff, now)
    after = accept_step.position if accept_step is not None else 0
    nxt = next((s for s in steps if s.position > after), None)
    _activate(case, nxt, now)
    if version.is_immediate:
        _complete_immediately(case, actor=actor, staff=staff, now=now)
    case.save()


def _complete_immediately(case: Case, *, actor: Any, staff: Staff | None, now: dt.datetime):
    for step in case.steps.exclude(state=CaseStep.State.DONE).order_by("position"):
        _finish(step, staff, now)
    case.decision = "granted"
    case.current_step = None
    case.completed_at = now
    case.rating_code = case.rating_code or secrets.token_urlsafe(12)
    _set_status(
        case, Status.COMPLETED, actor=actor, type="completed", at=now, reason=_("即办件当场办结")
    )


def _sync_parent(parent: Case, *, actor: Any, now: dt.datetime) -> None:
    """A bundle case follows its member cases: it is as far as the least
    advanced one, due when the last is due, complete when all are."""
    children = list(parent.children.all())
    if not children:
        return
    progress = [
        Status.SUPPLEMENT,
        Status.RECEIVED,
        Status.SUSPENDED,
        Status.SPECIAL,
        Status.ACCEPTED,
        Status.REVIEW,
        Status.DECIDED,
        Status.COMPLETED,
        Status.DELIVERED,
    ]
    live = [c for c in children if c.status not in (Status.WITHDRAWN, Status.REFUSED)]
    new: str
    if not live:
        new = (
            Status.WITHDRAWN
            if any(c.status == Status.WITHDRAWN for c in children)
            else (Status.REFUSED)
        )
    else:
        new = min((c.status for c in live), key=lambda s: progress.index(Status(s)))
    accepted = [c.accepted_on for c in children if c.accepted_on]
    parent.accepted_on = min(accepted) if accepted else None
    dues = [c.due_date for c in live if c.due_date]
    parent.due_date = max(dues) if dues else None
    stat = [c.statutory_due_date for c in live if c.statutory_due_date]
    parent.statutory_due_date = max(stat) if stat else None
    parent.deadline_pending = any(c.deadline_pending for c in live)
    parent.committed_days = max((c.committed_days for c in children), default=0)
    if new in (Status.COMPLETED, Status.DELIVERED) and not parent.rating_code:
        parent.rating_code = secrets.token_urlsafe(12)
        parent.completed_at = now
    if new != parent.status:
        _set_status(parent, new, actor=actor, type="bundle_progress", at=now)
    parent.save()


# --- visits ---------------------------------------------------------------------------


def _link_visit(
    case: Case,
    *,
    ticket: Ticket | None,
    appointment: Appointment | None,
    actor: Any,
    now: dt.datetime,
) -> bool:
    """Count one on-site visit per target case. An appointment and the ticket
    its check-in issued are the same visit: linking the second completes the
    row of the first instead of counting again."""
    targets = [case, *case.children.all()] if case.is_bundle else [case]
    appt_id = appointment.pk if appointment is not None else getattr(ticket, "appointment_id", None)
    same = Q(ticket=ticket) if ticket is not None else Q(appointment_id=appt_id)
    if ticket is not None and appt_id:
        same |= Q(appointment_id=appt_id)
    if appointment is not None:
        same |= Q(ticket__appointment_id=appt_id)
    added = False
    for target in targets:
        seen = target.visits.filter(same).first()
        if seen is not None:
            changed = []
            if ticket is not None and seen.ticket_id is None:
                seen.ticket = ticket
                changed.append("ticket")
            if appt_id and seen.appointment_id is None:
                seen.appointment_id = appt_id
                changed.append("appointment")
            if changed:
                seen.save(update_fields=changed)
            continue
        CaseVisit.objects.create(
            case=target,
            ticket=ticket,
            appointment_id=appt_id,
            at=(ticket.issued_at if ticket else now),
            linked_by=actor,
        )
        Case.objects.filter(pk=target.pk).update(visit_count=F("visit_count") + 1)
        target.visit_count += 1
        added = True
        _event(
            target,
            "visit",
            actor=actor,
            at=now,
            ticket=ticket.number if ticket else "",
            ticket_id=ticket.pk if ticket else None,
            appointment_id=appt_id,
        )
    return added


@transaction.atomic
def case_visit_link(
    *,
    case: Case,
    actor: Any,
    ticket: Ticket | None = None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """A ticket or appointment is an on-site visit for the case (idempotent)."""
    _require_actor(actor)
    if ticket is None and appointment is None:
        raise Unprocessable("cases.visit_required", _("请指定排队号或预约。"))
    if ticket is not None:
        _check_ticket(ticket, actor)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _link_visit(
        case, ticket=ticket, appointment=appointment, actor=actor, now=now or timezone.now()
    )
    return case


# --- the actions of CONTRACT POST /cases/{id}/actions ---------------------------------


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
    """Run one named action on a case (locked for the transaction)."""
    staff = _require_actor(actor)
    now = now or timezone.now()
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("version", "centre")
        .get(pk=case.pk)
    )
    if case.current_step_id:
        case.current_step = CaseStep.objects.select_related("post").get(pk=case.current_step_id)
    handler = HANDLERS.get(action)
    if handler is None:
        raise Unprocessable(
            "cases.unknown_action", _("未知的办件操作：%(a)s") % {"a": action}, action=action
        )
    if case.is_bundle and action not in ("withdraw",):
        raise Conflict(
            "cases.bundle_member_action",
            _("“一件事”的各事项分别办理，请在对应的子办件上操作。"),
            children=list(case.children.values_list("pk", flat=True)),
        )
    handler(case, actor=actor, staff=staff, note=note, now=now, **params)
    case.save()
    if case.parent_id:
        parent = Case.objects.select_for_update().get(pk=case.parent_id)
        _sync_parent(parent, actor=actor, now=now)
    return case


def _do_accept(
    case: Case, *, actor, staff, note, now, materials=None, tolerate_missing=False, **_kw
) -> None:
    """Accept a case received earlier once its materials are complete."""
    if case.accepted_on is not None or case.status not in (Status.RECEIVED, Status.SUPPLEMENT):
        raise _not_allowed(case, "accept")
    assert case.version is not None and case.person is not None
    unit = Unit(version=case.version, case=case)
    if materials:
        _match_units([unit], materials, bundle=False)
        reads = _check_entries([unit], case.person, timezone.localdate(now))
        _record_materials(unit, reads, case.person, actor=actor, centre=case.centre, stored={})
    for r in case.materials.exclude(
        how__in=(MaterialReceipt.How.TOLERATED, MaterialReceipt.How.MISSING)
    ):
        unit.provided.setdefault(r.code, {"code": r.code, "source": "prior"})
    _lacking(unit)
    hard = [m for m in unit.missing if not (tolerate_missing and m.tolerable)]
    if hard:
        raise Unprocessable(
            "cases.materials_incomplete",
            _("材料不齐全，不能受理。"),
            missing=[{"code": m.code, "name": m.name} for m in hard],
        )
    unit.gaps = list(unit.missing)
    _accept(case, unit, actor=actor, staff=staff, now=now)


def _do_refuse(case: Case, *, actor, staff, note, now, **_kw) -> None:
    if case.accepted_on is not None or case.status not in (Status.RECEIVED, Status.SUPPLEMENT):
        raise _not_allowed(case, "refuse")
    reason = _need_reason(note, _("不予受理"))
    _set_status(case, Status.REFUSED, actor=actor, type="refused", reason=reason, at=now)


def _open_stop(case: Case, kind: str, *, reason: str, now: dt.datetime, procedure: str = ""):
    ClockStop.objects.create(
        case=case,
        kind=kind,
        procedure=procedure,
        reason=reason,
        started_on=timezone.localdate(now),
    )
    case.resume_status = case.status


def _close_stop(case: Case, *, now: dt.datetime) -> int:
    stop = case.stops.filter(ended_on__isnull=True).order_by("-id").first()
    days = 0
    if stop is not None:
        stop.ended_on = timezone.localdate(now)
        try:
            days = clock.stopped_workdays(get_calendar(), stop.started_on, stop.ended_on)
        except clock.CalendarYearMissing:
            days = (stop.ended_on - stop.started_on).days
        stop.workdays = days
        stop.save(update_fields=["ended_on", "workdays", "updated_at"])
        case.stopped_days += days
    return days


def _do_request_supplement(case: Case, *, actor, staff, note, now, materials=None, **_kw):
    if case.status not in RUNNING or case.accepted_on is None:
        raise _not_allowed(case, "request_supplement")
    reason = _need_reason(note, _("补齐补正"))
    _check_step_actor(case, actor, staff)
    _open_stop(case, ClockStop.Kind.SUPPLEMENT, reason=reason, now=now)
    _set_status(
        case,
        Status.SUPPLEMENT,
        actor=actor,
        type="supplement_requested",
        reason=reason,
        at=now,
        document=_("补正通知"),
        materials=materials or [],
    )


def _do_supplement(case: Case, *, actor, staff, note, now, materials=None, **_kw):
    """The applicant brings what was asked: ends a supplement stop, and/or
    closes 容缺 gaps (the result is held until every gap is closed)."""
    codes = [str(m.get("code") if isinstance(m, dict) else m) for m in (materials or [])]
    gaps = list(case.materials.filter(how=MaterialReceipt.How.TOLERATED, supplemented_at=None))
    in_stop = case.status == Status.SUPPLEMENT and case.accepted_on is not None
    if not in_stop and not gaps:
        raise _not_allowed(case, "supplement")
    unknown = sorted(set(codes) - {g.code for g in gaps})
    if codes and unknown and not in_stop:
        raise Unprocessable(
            "cases.material_unknown",
            _("这些材料不是待补齐的容缺材料：%(c)s") % {"c": "、".join(unknown)},
            unknown=unknown,
        )
    closed = [g for g in gaps if g.code in codes]
    for g in closed:
        g.supplemented_at = now
        g.save(update_fields=["supplemented_at", "updated_at"])
    if closed:
        _event(
            case,
            "gaps_supplemented",
            actor=actor,
            reason=note,
            at=now,
            materials=[g.code for g in closed],
        )
    if in_stop:
        days = _close_stop(case, now=now)
        _set_status(
            case,
            case.resume_status or Status.REVIEW,
            actor=actor,
            type="supplemented",
            reason=note,
            at=now,
            stopped_workdays=days,
        )
        case.resume_status = ""
        _refresh_deadlines(case, actor=actor)
    elif not closed:
        raise Unprocessable("cases.materials_required", _("请选择已补齐的材料。"))


def _pass_step(case: Case, *, actor, staff, now, decision: str, note: str) -> None:
    step = _check_step_actor(case, actor, staff)
    if step.kind not in ("review", "decide"):
        raise _not_allowed(case, "approve" if decision == "granted" else "deny")
    _finish(step, staff, now)
    nxt = _next_step(case, step)
    while decision == "denied" and nxt is not None and nxt.kind in ("review", "decide"):
        nxt.state = CaseStep.State.DONE  # a denial skips the remaining reviews
        nxt.save(update_fields=["state", "updated_at"])
        nxt = _next_step(case, nxt)
    _activate(case, nxt, now)
    if nxt is None or nxt.kind in ("complete", "deliver"):
        case.decision = decision
        _set_status(
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
        _set_status(
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


def _do_approve(case: Case, *, actor, staff, note, now, **_kw):
    if case.status not in (Status.ACCEPTED, Status.REVIEW):
        raise _not_allowed(case, "approve")
    _pass_step(case, actor=actor, staff=staff, now=now, decision="granted", note=note)


def _do_deny(case: Case, *, actor, staff, note, now, **_kw):
    if case.status not in (Status.ACCEPTED, Status.REVIEW):
        raise _not_allowed(case, "deny")
    reason = _need_reason(note, _("不予许可（不予办理）"))
    _pass_step(case, actor=actor, staff=staff, now=now, decision="denied", note=reason)


def _do_return(case: Case, *, actor, staff, note, now, **_kw):
    """退回: the current step goes back to the previous step's department."""
    if case.status not in (Status.ACCEPTED, Status.REVIEW):
        raise _not_allowed(case, "return")
    reason = _need_reason(note, _("退回"))
    step = _check_step_actor(case, actor, staff)
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
    _activate(case, prev, now)
    _event(
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


def _do_complete(case: Case, *, actor, staff, note, now, **_kw):
    if case.status != Status.DECIDED:
        raise _not_allowed(case, "complete")
    open_gaps = case.materials.filter(how=MaterialReceipt.How.TOLERATED, supplemented_at=None)
    if open_gaps.exists():
        raise Conflict(
            "cases.result_held",
            _("容缺材料尚未补齐，办理结果暂不能发放。"),
            missing=list(open_gaps.values_list("code", flat=True)),
        )
    step = case.current_step
    if step is not None:
        if step.kind == "complete":
            _check_step_actor(case, actor, staff)
            _finish(step, staff, now)
            step = _next_step(case, step)
        _activate(case, step, now)
    case.completed_at = now
    case.rating_code = case.rating_code or secrets.token_urlsafe(12)
    _set_status(
        case,
        Status.COMPLETED,
        actor=actor,
        type="completed",
        reason=note,
        at=now,
        document=params_document(_kw),
    )


def params_document(params: dict[str, Any]) -> str:
    return str(params.get("document") or "")


DELIVERY_METHODS = {"window": _("窗口领取"), "mail": _("邮寄送达"), "electronic": _("电子送达")}


def _do_deliver(case: Case, *, actor, staff, note, now, method="window", **_kw):
    if case.status != Status.COMPLETED:
        raise _not_allowed(case, "deliver")
    if method not in DELIVERY_METHODS:
        raise Unprocessable("cases.delivery_method", _("送达方式须为窗口领取、邮寄或电子送达。"))
    step = case.current_step
    if step is not None:
        _finish(step, staff, now)
    case.current_step = None
    case.delivered_at = now
    case.delivery_method = method
    _set_status(
        case, Status.DELIVERED, actor=actor, type="delivered", reason=note, at=now, method=method
    )


def _do_suspend(case: Case, *, actor, staff, note, now, **_kw):
    if case.status not in RUNNING:
        raise _not_allowed(case, "suspend")
    reason = _need_reason(note, _("挂起"))
    _open_stop(case, ClockStop.Kind.SUSPENSION, reason=reason, now=now)
    _set_status(case, Status.SUSPENDED, actor=actor, type="suspended", reason=reason, at=now)


def _do_special(case: Case, *, actor, staff, note, now, procedure="", **_kw):
    if case.status not in RUNNING:
        raise _not_allowed(case, "special")
    if procedure not in SPECIAL_PROCEDURES:
        raise Unprocessable(
            "cases.procedure_invalid",
            _("特别程序须为：%(p)s") % {"p": "、".join(SPECIAL_PROCEDURES)},
        )
    reason = _need_reason(note, _("特别程序"))
    _open_stop(case, ClockStop.Kind.SPECIAL, reason=reason, now=now, procedure=procedure)
    _set_status(
        case,
        Status.SPECIAL,
        actor=actor,
        type="special",
        reason=reason,
        at=now,
        document=_("特别程序告知书（%(p)s）") % {"p": procedure},
        procedure=procedure,
    )


def _do_resume(case: Case, *, actor, staff, note, now, **_kw):
    if case.status not in (Status.SUSPENDED, Status.SPECIAL):
        raise _not_allowed(case, "resume")
    days = _close_stop(case, now=now)
    _set_status(
        case,
        case.resume_status or Status.REVIEW,
        actor=actor,
        type="resumed",
        reason=note,
        at=now,
        stopped_workdays=days,
    )
    case.resume_status = ""
    _refresh_deadlines(case, actor=actor)


def _do_extend(case: Case, *, actor, staff, note, now, days=0, document="", **_kw):
    if case.status not in RUNNING and case.status not in STOPPED:
        raise _not_allowed(case, "extend")
    if case.accepted_on is None:
        raise _not_allowed(case, "extend")
    joint = case.parent_id is not None
    if joint and not (actor.is_superuser or actor.has_role(*JOINT_APPROVER_ROLES)):
        raise Forbidden(
            "cases.approval_required",
            _("联合办理的办件延期须经本级人民政府负责人批准（行政许可法第四十二条第二款）。"),
        )
    if not (actor.is_superuser or actor.has_role(*APPROVER_ROLES)):
        raise Forbidden("cases.approval_required", _("延期须由中心主任或部门负责人审批。"))
    limit = MAX_JOINT_EXTENSION_DAYS if joint else MAX_EXTENSION_DAYS
    reason = _need_reason(note, _("延期"))
    document = (document or "").strip()
    if not document:
        raise Unprocessable("cases.approval_document", _("请填写延期审批文书编号。"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if days < 1 or case.extension_days + days > limit:
        raise Unprocessable(
            "cases.extension_too_long",
            _("延期合计不得超过 %(n)d 个工作日（行政许可法第四十二条）。") % {"n": limit},
            max_days=limit,
        )
    Extension.objects.create(
        case=case, days=days, reason=reason, approval_document=document, approved_by=actor
    )
    case.extension_days += days
    old_due = case.due_date
    _refresh_deadlines(case, actor=actor)
    _event(
        case,
        "extended",
        actor=actor,
        old=case.status,
        new=case.status,
        reason=reason,
        document=document,
        at=now,
        days=days,
        old_due=str(old_due),
        new_due=str(case.due_date),
        basis="行政许可法第四十二条第二款" if joint else "行政许可法第四十二条第一款",
    )


def _do_withdraw(case: Case, *, actor, staff, note, now, **_kw):
    if case.status in CLOSED:
        raise _not_allowed(case, "withdraw")
    reason = _need_reason(note, _("撤回"))
    if case.status in STOPPED and case.accepted_on is not None:
        _close_stop(case, now=now)
    case.current_step = None
    _set_status(case, Status.WITHDRAWN, actor=actor, type="withdrawn", reason=reason, at=now)
    if case.is_bundle:
        for child in case.children.select_for_update().exclude(status__in=CLOSED):
            child.current_step = None
            _set_status(
                child, Status.WITHDRAWN, actor=actor, type="withdrawn", reason=reason, at=now
            )
            child.save()


def _do_verify(case: Case, *, actor, staff, note, now, material="", **_kw):
    """告知承诺: record the verification of a commitment made at intake."""
    row = case.materials.filter(code=material, how=MaterialReceipt.How.COMMITTED).first()
    if row is None:
        raise Unprocessable("cases.no_commitment", _("该材料没有待核查的告知承诺。"))
    if row.verified_at is not None:
        raise Conflict("cases.already_verified", _("该承诺已核查。"))
    result = _need_reason(note, _("核查结果"))
    row.verified_at, row.verified_by, row.verify_result = now, actor, result
    row.save(update_fields=["verified_at", "verified_by", "verify_result", "updated_at"])
    _event(case, "verified", actor=actor, reason=result, at=now, material=material)


HANDLERS = {
    "accept": _do_accept,
    "refuse": _do_refuse,
    "request_supplement": _do_request_supplement,
    "supplement": _do_supplement,
    "approve": _do_approve,
    "deny": _do_deny,
    "return": _do_return,
    "complete": _do_complete,
    "deliver": _do_deliver,
    "suspend": _do_suspend,
    "special": _do_special,
    "resume": _do_resume,
    "extend": _do_extend,
    "withdraw": _do_withdraw,
    "verify": _do_verify,
}


# --- cards ------------------------------------------------------------------------------


@transaction.atomic
def card_lift(*, card: Card, actor: Any, reason: str, now: dt.datetime | None = None) -> Card:
    if not (actor.is_superuser or actor.has_role(*CARD_LIFTER_ROLES)):
        raise Forbidden("cases.card_lift_forbidden", _("只有中心主任或督查人员可以撤销红黄牌。"))
    reason = _need_reason(reason, _("撤销红黄牌"))
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.lifted_at is not None:
        raise Conflict("cases.card_lifted", _("该红黄牌已撤销。"))
    card.lifted_at = now or timezone.now()
    card.lifted_by = actor
    card.lift_reason = reason
    card.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    _event(card.case, "card_lifted", actor=actor, reason=reason, level=card.level, rule=card.rule)
    return card


@transaction.atomic
def card_record_breach(*, case: Case, actor: Any, reason: str) -> Card:
    """A red card for a rule breach (refusal without reasons, unlawful fee)."""
    if not (actor.is_superuser or actor.has_role(Role.INSPECTOR, Role.CENTRE_DIRECTOR)):
        raise Forbidden("cases.forbidden", _("只有督查人员或中心主任可以记录违规红牌。"))
    reason = _need_reason(reason, _("违规"))
    card = Card.objects.create(
        case=case,
        level="red",
        rule="breach",
        reason=reason,
        department=case.department,
        post=case.post,
        staff=_holder(case.post),
    )
    _event(case, "card", actor=actor, reason=reason, level="red", rule="breach")
    return card


def open_cases_of(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.filter(status__in=OPEN)
