"""The document vault ("submit once"): people and organisations, the documents
they have handed in at a window, their consent to reuse, and the log of every
read (docs/domain.md, "Identifiers" and "Security").

The vault sits beside ``cases`` and never imports it: a document remembers the
case it came from and an access-log row the case it was read for as plain ids
plus a readable label, so the vault can be read and changed on its own.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.lib.append_only import AppendOnlyModel
from yichuang.lib.crypto import (
    EncryptedTextField,
    keyed_hash,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from yichuang.org.models import Centre, Department

# Document types the catalogue's materials name, with how the law lets them be
# shared between departments (docs/domain.md, "Security"): "unconditional" types
# may be read for any case that asks for them; "conditional" ones need the
# person's consent.
DOCUMENT_TYPES: dict[str, tuple[Any, str]] = {
    "id_card": (_("居民身份证"), "unconditional"),
    "hukou_book": (_("居民户口簿"), "unconditional"),
    "business_license": (_("营业执照"), "unconditional"),
    "birth_cert": (_("出生医学证明"), "conditional"),
    "marriage_cert": (_("结婚证"), "conditional"),
    "death_cert": (_("居民死亡医学证明（推断）书"), "conditional"),
    "cremation_cert": (_("火化证明"), "conditional"),
    "disability_cert": (_("残疾人证"), "conditional"),
    "veteran_cert": (_("退役证件"), "conditional"),
    "ss_card": (_("社会保障卡"), "conditional"),
    "bank_card": (_("银行借记卡"), "conditional"),
    "residence_permit": (_("居住证"), "conditional"),
    "property_cert": (_("不动产权证书"), "conditional"),
}


def document_type_label(doc_type: str) -> str:
    entry = DOCUMENT_TYPES.get(doc_type)
    return str(entry[0]) if entry else doc_type


def share_type(doc_type: str) -> str:
    entry = DOCUMENT_TYPES.get(doc_type)
    return entry[1] if entry else "conditional"


def id_hash(id_number: str) -> str:
    """The keyed hash a person is found by (of a validated ID number)."""
    return keyed_hash(id_number, "id")


def phone_hash(phone: str) -> str:
    return keyed_hash("".join(phone.split()), "phone")


class Person(models.Model):
    """A natural person known to the halls. Identifiers are encrypted at rest and
    found through keyed hashes; screens show them masked."""

    name = EncryptedTextField(_("姓名"))
    id_number = EncryptedTextField(_("身份证号"))
    id_hash = models.CharField(max_length=64, unique=True)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        permissions = [("unmask_person", "Can see full ID numbers and phones (logged)")]
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class Organisation(models.Model):
    name = models.CharField(_("名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["credit_code"]
        verbose_name = _("法人和其他组织")
        verbose_name_plural = _("法人和其他组织")

    def __str__(self) -> str:
        return self.name


class DocumentQuerySet(models.QuerySet["Document"]):
    def valid_on(self, day: dt.date) -> DocumentQuerySet:
        return self.filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=day))


class Document(models.Model):
    """A certificate or licence handed in once, reusable later (with consent)."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    doc_type = models.CharField(_("证照类型"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    # Any certificate's number may be (or contain) an ID number: encrypted
    # whatever the type; nothing looks documents up by number.
    number = EncryptedTextField(_("证照编号"), blank=True, default="")
    issuer = models.CharField(_("发证机关"), max_length=120, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    # Path under MEDIA_ROOT of the encrypted scan (see vault.files); empty when
    # only the paper original was checked.
    file_path = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    # Where it came from: plain references (the vault does not import cases).
    source_case_id = models.BigIntegerField(null=True, blank=True)
    source_centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "doc_type"], name="vault_doc_person_type")]
        verbose_name = _("证照材料")
        verbose_name_plural = _("证照材料")

    def __str__(self) -> str:
        return f"{self.name} {self.masked_number}".strip()

    @property
    def masked_number(self) -> str:
        """The number as screens show it: an ID card's keeps its first 6 and last
        4 characters, any other keeps its last 4."""
        if not self.number:
            return ""
        if self.doc_type == "id_card":
            return mask_id_number(self.number)
        return mask_bank_account(self.number)

    @property
    def type_label(self) -> str:
        return document_type_label(self.doc_type)

    @property
    def share_type(self) -> str:
        return share_type(self.doc_type)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class Consent(models.Model):
    """A person's consent, recorded at a window, to reuse documents for later cases."""

    class Scope(models.TextChoices):
        ALL = "all", _("全部证照")
        DOCUMENT_TYPES = "document_types", _("指定证照类型")
        ITEMS = "items", _("指定事项")

    person = models.ForeignKey(
        Person, verbose_name=_("本人"), on_delete=models.PROTECT, related_name="consents"
    )
    scope = models.CharField(_("授权范围"), max_length=16, choices=Scope.choices)
    document_types = models.JSONField(_("证照类型"), default=list, blank=True)
    item_codes = models.JSONField(_("事项编码"), default=list, blank=True)
    valid_until = models.DateField(_("有效期至"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_case_id = models.BigIntegerField(_("来源办件编号"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")

    def __str__(self) -> str:
        return f"{self.person} {self.get_scope_display()} → {self.valid_until}"

    def covers(self, *, doc_type: str, item_code: str, day: dt.date) -> bool:
        if self.revoked_at is not None or self.valid_until < day:
            return False
        if self.scope == self.Scope.ALL:
            return True
        if self.scope == self.Scope.DOCUMENT_TYPES:
            return doc_type in (self.document_types or [])
        return item_code in (self.item_codes or [])


class AccessLog(AppendOnlyModel):
    """Every read of a person's data: who, for which case, why, when (Data Tracker).
    Written once (``vault.events``), never changed or deleted."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("调取证照")
        LOOKUP = "lookup", _("查询身份信息")
        UNMASK = "unmask", _("查看完整证件号")

    person = models.ForeignKey(
        Person, verbose_name=_("本人"), on_delete=models.PROTECT, related_name="access_logs"
    )
    document = models.ForeignKey(
        Document,
        verbose_name=_("证照"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_logs",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("查看人姓名"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_id = models.BigIntegerField(_("办件编号"), null=True, blank=True)
    case_label = models.CharField(_("办件"), max_length=200, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    # consent | unconditional | lookup | unmask
    basis = models.CharField(_("依据"), max_length=20)
    consent = models.ForeignKey(
        Consent,
        verbose_name=_("授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"], name="vault_access_person_at")]
        verbose_name = _("数据调取记录")
        verbose_name_plural = _("数据调取记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_kind_display()}"


def new_code_salt() -> str:
    return secrets.token_hex(8)


class OneTimeCode(models.Model):
    """A 6-digit code sent to the phone on record to open /m/my-data."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    salt = models.CharField(max_length=16, default=new_code_salt)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("一次性验证码")
        verbose_name_plural = _("一次性验证码")

    def __str__(self) -> str:
        return f"{self.person_id} {self.created_at:%Y-%m-%d %H:%M}"
