"""What changes the vault: people and organisations, documents, consent, the
access log, and the one-time codes of the citizen's own data page.

The write actions run in their caller's transaction when there is one (no
savepoint: an error aborts the caller's whole action anyway, and on PostgreSQL
each savepoint is a round trip at the intake window), or in their own.

Every read of a person's data goes through :func:`document_read`,
:func:`person_lookup` or :func:`person_unmask`, each of which writes an
``AccessLog`` row (``events.access_logged``) in the same transaction as the
read. Reads for pages live in ``selectors`` (re-exported here for callers of
this module).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.crypto import redact_id_numbers
from yichuang.lib.errors import Forbidden, TooManyRequests, Unprocessable
from yichuang.lib.idnumbers import validate_credit_code, validate_id_number
from yichuang.lib.sms import sms_send
from yichuang.lib.throttle import DAY, HOUR, Rule, rule_full, rule_hit
from yichuang.org.models import Centre, Department

from . import files
from .events import access_logged
from .models import (
    AccessLog,
    Consent,
    Document,
    OneTimeCode,
    Organisation,
    Person,
    id_hash,
    phone_hash,
    share_type,
)
from .permissions import can_unmask
from .selectors import get_document as get_document
from .selectors import person_by_id_number as person_by_id_number
from .selectors import reusable_documents as reusable_documents

CODE_MINUTES = 10
CODE_ATTEMPTS = 5
# Names are encrypted (a text column with no length of its own): the bound the
# column used to carry is checked here.
NAME_MAX = 50
NUMBER_MAX = 60


@transaction.atomic(savepoint=False)
def person_find_or_create(*, name: str, id_number: str, phone: str = "") -> Person:
    """The person with this ID number (validated: docs/domain.md, "Identifiers"),
    created on first sight; a newer phone number replaces the one on record."""
    number = validate_id_number(id_number)
    name = (name or "").strip()
    if not name:
        raise Unprocessable("vault.name_required", _("请填写申请人姓名。"), field="name")
    if len(name) > NAME_MAX:
        raise Unprocessable(
            "vault.name_too_long",
            _("申请人姓名不能超过 %(n)d 个字。") % {"n": NAME_MAX},
            field="name",
        )
    phone = "".join((phone or "").split())
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        raise Unprocessable("vault.phone_invalid", _("手机号码格式不正确。"), field="phone")
    person, created = Person.objects.get_or_create(
        id_hash=id_hash(number),
        defaults={
            "name": name,
            "id_number": number,
            "phone": phone,
            "phone_hash": phone_hash(phone) if phone else "",
        },
    )
    if not created and phone and person.phone_hash != phone_hash(phone):
        person.phone = phone
        person.phone_hash = phone_hash(phone)
        person.save(update_fields=["phone", "phone_hash", "updated_at"])
    return person


@transaction.atomic(savepoint=False)
def organisation_find_or_create(*, name: str, credit_code: str) -> Organisation:
    code = validate_credit_code(credit_code)
    org, _created = Organisation.objects.get_or_create(
        credit_code=code, defaults={"name": (name or "").strip() or code}
    )
    return org


@transaction.atomic(savepoint=False)
def document_store(
    *,
    person: Person | None = None,
    organisation: Organisation | None = None,
    doc_type: str,
    name: str,
    number: str = "",
    issuer: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    content: bytes | None = None,
    file_name: str = "",
    content_type: str = "",
    source_case_id: int | None = None,
    centre: Centre | None = None,
    department: Department | None = None,
    actor: Any = None,
) -> Document:
    """Keep a document handed in at a window (verified by the clerk who saw it)."""
    if person is None and organisation is None:
        raise Unprocessable("vault.owner_required", _("证照须属于某个人或组织。"))
    number = (number or "").strip()
    if len(number) > NUMBER_MAX:
        raise Unprocessable(
            "vault.number_too_long",
            _("证照编号不能超过 %(n)d 个字符。") % {"n": NUMBER_MAX},
            field="number",
        )
    doc = Document.objects.create(
        person=person,
        organisation=organisation,
        doc_type=doc_type,
        name=name,
        number=number,
        issuer=issuer,
        issued_on=issued_on,
        expires_on=expires_on,
        source_case_id=source_case_id,
        source_centre=centre,
        source_department=department,
        verified_by=actor if getattr(actor, "pk", None) else None,
        verified_at=timezone.now() if getattr(actor, "pk", None) else None,
        file_name=file_name,
        content_type=content_type,
    )
    if content is not None:
        doc.file_path = files.write_encrypted(content)
        doc.save(update_fields=["file_path", "updated_at"])
    return doc


@transaction.atomic(savepoint=False)
def consent_record(
    *,
    person: Person,
    scope: str = Consent.Scope.ALL,
    document_types: list[str] | None = None,
    item_codes: list[str] | None = None,
    valid_until: dt.date | None = None,
    actor: Any = None,
    centre: Centre | None = None,
    source_case_id: int | None = None,
) -> Consent:
    today = timezone.localdate()
    valid_until = valid_until or today.replace(year=today.year + 1)
    if valid_until < today:
        raise Unprocessable("vault.consent_past", _("授权有效期不能早于今天。"))
    if scope not in Consent.Scope.values:
        raise Unprocessable("vault.consent_scope", _("授权范围不正确。"))
    if scope == Consent.Scope.DOCUMENT_TYPES and not document_types:
        raise Unprocessable("vault.consent_scope", _("请选择授权共享的证照类型。"))
    if scope == Consent.Scope.ITEMS and not item_codes:
        raise Unprocessable("vault.consent_scope", _("请选择授权使用的事项。"))
    consent = Consent.objects.create(
        person=person,
        scope=scope,
        document_types=list(document_types or []),
        item_codes=list(item_codes or []),
        valid_until=valid_until,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        centre=centre,
        source_case_id=source_case_id,
    )
    audit_record("vault.consent_recorded", actor=actor, obj=consent, scope=scope)
    return consent


def reuse_basis(
    *, document: Document, person: Person, doc_type: str, item_code: str, day: dt.date
) -> tuple[str, Consent | None]:
    """May ``document`` serve as material ``doc_type`` of a case of ``person`` for
    item ``item_code``? Returns (basis, consent) or raises the reason why not."""
    if document.person_id != person.pk:
        raise Unprocessable(
            "vault.document_not_owned",
            _("该证照不属于本申请人，不能复用。"),
            document_id=document.pk,
        )
    if document.doc_type != doc_type:
        raise Unprocessable(
            "vault.document_type_mismatch",
            _("该证照类型与所需材料不符。"),
            document_id=document.pk,
        )
    if not document.is_valid_on(day):
        raise Unprocessable(
            "vault.document_expired",
            _("该证照已过有效期（%(d)s），请提交新的证照。") % {"d": document.expires_on},
            document_id=document.pk,
        )
    if share_type(doc_type) == "unconditional":
        return "unconditional", None
    for consent in person.consents.filter(revoked_at__isnull=True, valid_until__gte=day):
        if consent.covers(doc_type=doc_type, item_code=item_code, day=day):
            return "consent", consent
    raise Unprocessable(
        "vault.consent_missing",
        _("申请人未授权共享该证照，请先征得本人同意。"),
        document_id=document.pk,
    )


@transaction.atomic(savepoint=False)
def document_read(
    *,
    document: Document,
    actor: Any,
    purpose: str,
    case_id: int | None,
    case_label: str,
    basis: str,
    consent: Consent | None = None,
    department: Department | None = None,
    centre: Centre | None = None,
) -> AccessLog:
    """Record one read of a document for a case (who, which case, why, when)."""
    if document.person_id is None:
        raise Unprocessable("vault.no_person", _("该证照不属于自然人。"))
    return access_logged(
        person_id=document.person_id,
        document=document,
        kind=AccessLog.Kind.DOCUMENT,
        actor=actor,
        department=department,
        centre=centre,
        case_id=case_id,
        case_label=case_label,
        purpose=purpose,
        basis=basis,
        consent=consent,
    )


@transaction.atomic
def person_lookup(*, id_number: str, actor: Any, purpose: str = "") -> Person | None:
    """Staff look a person up by ID number; a hit is logged in the person's log."""
    number = validate_id_number(id_number)
    person = Person.objects.filter(id_hash=id_hash(number)).first()
    audit_record(
        "vault.person_lookup",
        actor=actor,
        object_type="vault.person",
        object_id=person.pk if person else "",
        found=person is not None,
    )
    if person is not None:
        access_logged(
            person_id=person.pk,
            kind=AccessLog.Kind.LOOKUP,
            actor=actor,
            purpose=purpose or _("窗口受理前查询可复用证照"),
            basis="lookup",
        )
    return person


@transaction.atomic
def person_unmask(
    *, person: Person, actor: Any, reason: str, case_id: int | None = None, case_label: str = ""
) -> dict[str, str]:
    """The full ID number and phone, for a permitted user with a reason; logged."""
    if not can_unmask(actor):
        raise Forbidden("vault.unmask_forbidden", _("您没有查看完整证件号码的权限。"))
    reason = redact_id_numbers((reason or "").strip())  # kept in both logs
    if not reason:
        raise Unprocessable("vault.reason_required", _("请说明查看完整证件号码的理由。"))
    access_logged(
        person_id=person.pk,
        kind=AccessLog.Kind.UNMASK,
        actor=actor,
        case_id=case_id,
        case_label=case_label,
        purpose=reason,
        basis="unmask",
    )
    audit_record("vault.person_unmask", actor=actor, obj=person, reason=reason)
    return {"id_number": person.id_number, "phone": person.phone}


# --- the citizen's own page (/m/my-data) ------------------------------------------


def _code_digest(code: str, salt: str) -> str:
    return hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()


def _too_many_codes() -> TooManyRequests:
    return TooManyRequests("vault.too_many_codes", _("验证码发送过于频繁，请稍后再试。"))


def my_data_code_send(
    *, id_number: str, source_ip: str | None = None, now: dt.datetime | None = None
) -> bool:
    """Send a one-time code to the phone on record. Returns whether one was sent;
    callers answer the same either way, so nobody learns who is on record.

    The limits count whether or not the number is on record: codes per ID
    number (``MY_DATA_CODES_PER_ID`` per ``CODE_MINUTES``) and per client
    address (``MY_DATA_CODES_PER_ADDRESS_HOUR``), both 429
    ``vault.too_many_codes``. The SMS sent to one phone are capped per day
    (``MY_DATA_SMS_PER_PHONE_DAY``) silently: past the cap the answer stays the
    same and no SMS leaves. The counts are written before the action's
    transaction, so a refusal keeps them."""
    now = now or timezone.now()
    number = validate_id_number(id_number)
    per_id = Rule("mydata-id", settings.MY_DATA_CODES_PER_ID, CODE_MINUTES * 60)
    per_address = Rule("mydata-ip", settings.MY_DATA_CODES_PER_ADDRESS_HOUR, HOUR)
    if not rule_hit(per_id, number, now) or not rule_hit(per_address, source_ip or "-", now):
        raise _too_many_codes()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(id_hash=id_hash(number)).first()
        if person is None or not person.phone:
            return False
        per_phone = Rule("mydata-sms", settings.MY_DATA_SMS_PER_PHONE_DAY, DAY)
        if not rule_hit(per_phone, person.phone, now):
            return False
        row = OneTimeCode(person=person, expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
        row.code_hash = _code_digest(code, row.salt)
        row.save()
        phone = person.phone
        text = _("【一窗】您查询本人数据使用记录的验证码为 %(c)s，%(m)d 分钟内有效。") % {
            "c": code,
            "m": CODE_MINUTES,
        }
        transaction.on_commit(lambda: sms_send(phone, text))
    return True


def my_data_code_verify(*, id_number: str, code: str, now: dt.datetime | None = None) -> Person:
    """The person whose code this is. Wrong codes count per ID number whether
    or not it is on record (``CODE_ATTEMPTS`` per ``CODE_MINUTES``, then 429
    ``vault.code_locked``), so the answers never tell who is on record; a code
    also stops working after ``CODE_ATTEMPTS`` wrong tries of its own."""
    now = now or timezone.now()
    wrong = Unprocessable("vault.code_invalid", _("验证码不正确或已过期。"))
    try:
        number = validate_id_number(id_number)
    except Unprocessable:
        raise wrong from None
    failures = Rule("mydata-verify", CODE_ATTEMPTS, CODE_MINUTES * 60)
    if rule_full(failures, number, now):
        raise TooManyRequests("vault.code_locked", _("验证码错误次数过多，请重新获取。"))
    ok = False
    with transaction.atomic():
        person = Person.objects.filter(id_hash=id_hash(number)).first()
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(person=person, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
            if person is not None
            else None
        )
        if row is not None and row.attempts < CODE_ATTEMPTS:
            ok = hmac.compare_digest(row.code_hash, _code_digest((code or "").strip(), row.salt))
            if ok:
                row.used_at = now
                row.save(update_fields=["used_at"])
            else:
                row.attempts += 1
                row.save(update_fields=["attempts"])
    if not ok:
        rule_hit(failures, number, now)
        raise wrong
    assert person is not None
    return person
