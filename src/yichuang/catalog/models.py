"""The service catalogue (事项清单): items with versioned definitions, their
materials and steps, the centres that offer them, bundles (一件事), and the
one-time notices (一次性告知书) issued against them.

An :class:`Item` is the stable thing a citizen applies for, identified by its
implementation code. What the item *is* (limits, visits, materials, steps …)
lives in :class:`ItemVersion` rows (docs/domain.md, "Service items"). A
published version is immutable: the model refuses to save or delete it and its
materials and steps; edits go into a new draft version, which ``item_publish``
validates and makes current. Cases keep the version they were opened on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from pypinyin import Style, lazy_pinyin

from yichuang.lib import workdays
from yichuang.lib.crypto import EncryptedTextField, mask_name
from yichuang.lib.errors import Conflict
from yichuang.org.models import BusinessLine, Centre, Department


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials of Chinese text; letters and digits are kept
    (``养老保险待遇申领`` → ``ylbxdysl``)."""
    parts = lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(parts).lower() if ch.isalnum())


class VersionPublished(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "catalog.version_published",
            _("已发布的事项版本不能修改；请先生成新的草稿版本再编辑。"),
        )


class ItemType(models.TextChoices):
    LICENSING = "licensing", _l("行政许可")
    CONFIRMATION = "confirmation", _l("行政确认")
    BENEFIT = "benefit", _l("行政给付")
    RULING = "ruling", _l("行政裁决")
    REWARD = "reward", _l("行政奖励")
    OTHER_POWER = "other_power", _l("其他行政权力")
    PUBLIC_SERVICE = "public_service", _l("公共服务")


class CaseType(models.TextChoices):
    IMMEDIATE = "immediate", _l("即办件")
    PROMISED = "promised", _l("承诺件")


class LimitUnit(models.TextChoices):
    WORKDAY = "workday", _l("工作日")
    DAY = "day", _l("自然日")
    MONTH = "month", _l("个月")


# The names the API gives the units (docs/CONTRACT: whatever the models call them).
LIMIT_UNIT_API: dict[str, str] = {
    LimitUnit.WORKDAY: "working_day",
    LimitUnit.DAY: "calendar_day",
    LimitUnit.MONTH: "month",
}


class OnlineDepth(models.IntegerChoices):
    NONE = 0, _l("不可网办")
    INFO = 1, _l("一级（网上咨询）")
    FORMS = 2, _l("二级（网上预约、表格下载）")
    PREVIEW = 3, _l("三级（网上预审）")
    FULL = 4, _l("四级（全程网办）")


class Area(models.TextChoices):
    LOCAL = "local", _l("不通办（属地办理）")
    COUNTY = "county", _l("全县通办")
    CITY = "city", _l("全市通办")
    PROVINCE = "province", _l("全省通办")
    NATIONWIDE = "nationwide", _l("跨省通办")


def limit_span(amount: int | None, unit: str) -> float | None:
    """A limit as working days on the plain week (Monday to Friday, no
    holidays) from a Monday: the limit turned into a due date and counted back,
    so limits of different units compare like with like (docs/domain.md,
    "Working days"). Never a 5/7 ratio: 30 calendar days span 22 such days."""
    span = workdays.limit_in_plain_workdays(amount, unit)
    return None if span is None else float(span)


def limit_compression(legal: int | None, legal_unit: str, committed: int, committed_unit: str):
    """How much shorter the committed limit is than the statutory one (0–1),
    or None without a statutory limit: the amounts when the units agree, else
    both limits as spans on the plain week (``limit_span``)."""
    if not legal:
        return None
    if legal_unit == committed_unit:
        return 1 - committed / legal
    span = limit_span(legal, legal_unit) or 0.0
    return 1 - (limit_span(committed, committed_unit) or 0.0) / span if span else None


class ItemQuerySet(models.QuerySet["Item"]):
    def published(self) -> ItemQuerySet:
        return self.filter(current_version__isnull=False, is_active=True)

    def search(self, q: str) -> ItemQuerySet:
        q = (q or "").strip()
        if not q:
            return self
        return self.filter(
            models.Q(name__icontains=q)
            | models.Q(initials__startswith=q.lower())
            | models.Q(initials__contains=q.lower())
            | models.Q(code__iexact=q)
        )


class Item(models.Model):
    """A service item, stable across versions. ``name`` and ``initials`` mirror
    the current version (or the first draft) for listing and search."""

    code = models.CharField(_l("实施编码"), max_length=40, unique=True)
    basic_code = models.CharField(_l("基本编码"), max_length=40, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_l("部门"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_l("事项名称"), max_length=120)
    initials = models.CharField(_l("拼音首字母"), max_length=120, db_index=True, blank=True)
    current_version = models.OneToOneField(
        "ItemVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_l("现行版本"),
    )
    centres = models.ManyToManyField(
        Centre, blank=True, related_name="items", verbose_name=_l("办理地点")
    )
    lines = models.ManyToManyField(
        BusinessLine, blank=True, related_name="items", verbose_name=_l("业务条线")
    )
    # Cases handled, maintained by the cases app; weights the volume coverage.
    case_count = models.PositiveIntegerField(_l("办件量"), default=0)
    is_active = models.BooleanField(_l("启用"), default=True)
    created_at = models.DateTimeField(_l("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_l("更新时间"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["department_id", "code"]
        verbose_name = _l("服务事项")
        verbose_name_plural = _l("服务事项")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.initials = pinyin_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "initials"}
        super().save(*args, **kwargs)

    def draft(self) -> ItemVersion | None:
        return self.versions.filter(status=ItemVersion.Status.DRAFT).first()


class ItemVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _l("草稿")
        PUBLISHED = "published", _l("已发布")

    item = models.ForeignKey(
        Item, verbose_name=_l("事项"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_l("版本号"))
    status = models.CharField(
        _l("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    name = models.CharField(_l("事项名称"), max_length=120)
    item_type = models.CharField(
        _l("事项类型"), max_length=20, choices=ItemType.choices, default=ItemType.PUBLIC_SERVICE
    )
    case_type = models.CharField(
        _l("办件类型"), max_length=10, choices=CaseType.choices, default=CaseType.PROMISED
    )
    legal_limit = models.PositiveIntegerField(_l("法定时限"), null=True, blank=True)
    legal_limit_unit = models.CharField(
        _l("法定时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAY
    )
    committed_limit = models.PositiveIntegerField(_l("承诺时限"), default=0)
    committed_limit_unit = models.CharField(
        _l("承诺时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAY
    )
    visits_required = models.PositiveSmallIntegerField(_l("到办事现场次数"), default=1)
    visits_reason = models.CharField(_l("到现场原因"), max_length=200, blank=True)
    # [{"name": "公示", "max_days": 7}]
    special_procedures = models.JSONField(_l("特别程序"), default=list, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _l("网上办理深度"), choices=OnlineDepth.choices, default=OnlineDepth.FORMS
    )
    in_hall = models.BooleanField(_l("进驻大厅"), default=True)
    appointment = models.BooleanField(_l("支持预约"), default=False)
    express = models.BooleanField(_l("支持快递送达"), default=False)
    area = models.CharField(
        _l("通办范围"), max_length=12, choices=Area.choices, default=Area.COUNTY
    )
    legal_basis = models.TextField(_l("设定依据"), blank=True)
    conditions = models.TextField(_l("受理条件"), blank=True)
    fee = models.CharField(_l("收费标准"), max_length=200, blank=True, default="不收费")
    result = models.CharField(_l("办理结果"), max_length=120, blank=True)
    published_at = models.DateTimeField(_l("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_l("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_l("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_l("更新时间"), auto_now=True)

    class Meta:
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="uniq_item_version"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="one_draft_per_item"
            ),
        ]
        verbose_name = _l("事项版本")
        verbose_name_plural = _l("事项版本")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_published:
            raise VersionPublished()
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any):
        if self.is_published:
            raise VersionPublished()
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._stored_status = obj.__dict__.get("status")
        return obj

    @property
    def is_published(self) -> bool:
        return getattr(self, "_stored_status", None) == self.Status.PUBLISHED

    @property
    def is_immediate(self) -> bool:
        return self.case_type == CaseType.IMMEDIATE

    @property
    def legal_limit_days(self) -> float | None:
        return limit_span(self.legal_limit, self.legal_limit_unit)

    @property
    def committed_limit_days(self) -> float:
        if self.is_immediate:
            return 0.0
        return limit_span(self.committed_limit, self.committed_limit_unit) or 0.0

    def limit_text(self, which: str) -> str:
        if which == "legal":
            if self.legal_limit is None:
                return _("无法定时限")
            return f"{self.legal_limit} {self.get_legal_limit_unit_display()}"
        if self.is_immediate:
            return _("即办")
        return f"{self.committed_limit} {self.get_committed_limit_unit_display()}"

    @property
    def limit_text_legal(self) -> str:
        return self.limit_text("legal")

    @property
    def limit_text_committed(self) -> str:
        return self.limit_text("committed")

    def compression(self) -> float | None:
        committed = 0 if self.is_immediate else self.committed_limit or 0
        return limit_compression(
            self.legal_limit, self.legal_limit_unit, committed, self.committed_limit_unit
        )


def _refuse_if_published(version: ItemVersion) -> None:
    stored = ItemVersion.objects.filter(pk=version.pk).values_list("status", flat=True).first()
    if stored == ItemVersion.Status.PUBLISHED:
        raise VersionPublished()


class Material(models.Model):
    class Requirement(models.TextChoices):
        REQUIRED = "required", _l("必要")
        OPTIONAL = "optional", _l("非必要")

    version = models.ForeignKey(
        ItemVersion, verbose_name=_l("事项版本"), on_delete=models.CASCADE, related_name="materials"
    )
    code = models.CharField(_l("材料编码"), max_length=20)
    name = models.CharField(_l("材料名称"), max_length=200)
    originals = models.PositiveSmallIntegerField(_l("原件份数"), default=1)
    copies = models.PositiveSmallIntegerField(_l("复印件份数"), default=0)
    requirement = models.CharField(
        _l("必要性"), max_length=10, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    tolerable = models.BooleanField(_l("容缺"), default=False)
    commitment = models.BooleanField(_l("告知承诺"), default=False)
    document_type = models.CharField(_l("证照类型"), max_length=40, blank=True)
    removable = models.BooleanField(_l("不得索要（可取消）"), default=False)
    notes = models.CharField(_l("要求说明"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_l("序号"), default=0)

    class Meta:
        ordering = ["version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_material_code")
        ]
        verbose_name = _l("申请材料")
        verbose_name_plural = _l("申请材料")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_published(self.version)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        _refuse_if_published(self.version)
        return super().delete(*args, **kwargs)

    @property
    def dedup_key(self) -> str:
        """Materials with the same document type, or else the same name, are one."""
        if self.document_type:
            return f"type:{self.document_type}"
        return "name:" + "".join(self.name.split())

    def counts_text(self) -> str:
        parts = []
        if self.originals:
            parts.append(_("原件 %(n)d 份") % {"n": self.originals})
        if self.copies:
            parts.append(_("复印件 %(n)d 份") % {"n": self.copies})
        return "，".join(parts) or _("电子或核验")


class Step(models.Model):
    class Kind(models.TextChoices):
        ACCEPT = "accept", _l("受理")
        REVIEW = "review", _l("审查")
        DECIDE = "decide", _l("决定")
        COMPLETE = "complete", _l("办结")
        DELIVER = "deliver", _l("送达")

    ORDER = ("accept", "review", "decide", "complete", "deliver")

    version = models.ForeignKey(
        ItemVersion, verbose_name=_l("事项版本"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_l("序号"))
    kind = models.CharField(_l("环节"), max_length=10, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_l("部门"), on_delete=models.PROTECT, related_name="+"
    )
    share = models.PositiveSmallIntegerField(_l("时限占比（%）"), default=0)
    notes = models.CharField(_l("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="uniq_step_position")
        ]
        verbose_name = _l("办理环节")
        verbose_name_plural = _l("办理环节")

    def __str__(self) -> str:
        return self.get_kind_display()

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_published(self.version)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        _refuse_if_published(self.version)
        return super().delete(*args, **kwargs)


class Bundle(models.Model):
    """一件事: items grouped for one life event, with one deduplicated material list."""

    code = models.SlugField(_l("一件事编码"), max_length=40, unique=True)
    name = models.CharField(_l("名称"), max_length=120)
    initials = models.CharField(_l("拼音首字母"), max_length=120, blank=True, db_index=True)
    description = models.TextField(_l("说明"), blank=True)
    items = models.ManyToManyField(
        Item, verbose_name=_l("包含事项"), through="BundleItem", related_name="bundles"
    )
    is_active = models.BooleanField(_l("启用"), default=True)
    created_at = models.DateTimeField(_l("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_l("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _l("一件事")
        verbose_name_plural = _l("一件事")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)

    def member_versions(self) -> list[ItemVersion]:
        links = self.links.select_related("item__current_version__item").order_by("position")
        return [
            link.item.current_version for link in links if link.item.current_version is not None
        ]

    def materials(self) -> list[dict[str, Any]]:
        """The deduplicated material list: one entry per document type (or name),
        with the largest counts asked by any member item and the items asking."""
        merged: dict[str, dict[str, Any]] = {}
        versions = self.member_versions()
        mats = Material.objects.filter(version__in=versions).select_related("version")
        for m in mats.order_by("version__item_id", "position", "id"):
            entry = merged.get(m.dedup_key)
            if entry is None:
                merged[m.dedup_key] = {
                    "name": m.name,
                    "document_type": m.document_type,
                    "originals": m.originals,
                    "copies": m.copies,
                    "required": m.requirement == Material.Requirement.REQUIRED,
                    "removable": m.removable,
                    "notes": m.notes,
                    "items": [m.version.name],
                }
            else:
                entry["originals"] = max(entry["originals"], m.originals)
                entry["copies"] = max(entry["copies"], m.copies)
                entry["required"] = entry["required"] or (
                    m.requirement == Material.Requirement.REQUIRED
                )
                entry["removable"] = entry["removable"] and m.removable
                if m.version.name not in entry["items"]:
                    entry["items"].append(m.version.name)
        return list(merged.values())


class BundleItem(models.Model):
    bundle = models.ForeignKey(
        Bundle, verbose_name=_l("一件事"), on_delete=models.CASCADE, related_name="links"
    )
    item = models.ForeignKey(
        Item, verbose_name=_l("事项"), on_delete=models.CASCADE, related_name="bundle_links"
    )
    position = models.PositiveSmallIntegerField(_l("序号"), default=0)

    class Meta:
        ordering = ["bundle_id", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="uniq_bundle_item")]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.item_id}"


class NoticeCounter(models.Model):
    """Last reference number issued per day (row-locked while issuing)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


class OneTimeNotice(models.Model):
    """一次性告知书: every missing and non-conforming material, kept on record."""

    reference = models.CharField(_l("告知书编号"), max_length=24, unique=True)
    item = models.ForeignKey(
        Item, verbose_name=_l("事项"), on_delete=models.PROTECT, related_name="notices"
    )
    version = models.ForeignKey(
        ItemVersion, verbose_name=_l("事项版本"), on_delete=models.PROTECT, related_name="notices"
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_l("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A citizen's name: encrypted at rest (docs/domain.md, "Security").
    applicant_name = EncryptedTextField(_l("申请人"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_l("开具人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brought = models.JSONField(_l("已提交材料"), default=list)
    # [{"code","name","counts","requirement","what_is_needed","tolerable","commitment"}]
    missing = models.JSONField(_l("缺少的材料"), default=list)
    # [{"code","name","reason","what_is_needed"}]
    nonconforming = models.JSONField(_l("不符合要求的材料"), default=list)
    created_at = models.DateTimeField(_l("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _l("一次性告知书")
        verbose_name_plural = _l("一次性告知书")

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_applicant_name(self) -> str:
        return mask_name(self.applicant_name)
