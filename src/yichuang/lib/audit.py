"""The append-only audit log (docs/domain.md, "Security"): who did what to which object, from
where, and whether it worked.

Entries are written with :func:`audit_record`. They can't be changed: the model
refuses ``save`` on an existing row and ``delete``; the QuerySet refuses bulk
``update`` and ``delete``; and a database trigger (migration 0002) refuses UPDATE
outright and DELETE of rows younger than the retention period. On PostgreSQL the
app runs as a role that may only INSERT and SELECT here (``yichuang db-roles``,
docs/deployment.md), so it can't disable, drop or replace that trigger either.

Entries are sealed into a hash chain (:func:`audit_seal`, run by the worker):
each :class:`AuditSeal` holds the SHA-256 of the previous seal's hash and its
entry's canonical content, so an edited entry, or a deleted one (its seal goes
with it or its seal points nowhere), breaks the chain at that place;
``yichuang audit-verify`` walks it (:func:`audit_verify`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yichuang.lib.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

__all__ = [
    "AppendOnlyError",
    "AuditEntry",
    "AuditSeal",
    "ChainReport",
    "audit_purge",
    "audit_record",
    "audit_seal",
    "audit_verify",
    "client_ip",
]

# The hash before the first seal.
GENESIS = "0" * 64


class AuditQuerySet(AppendOnlyQuerySet):
    def for_object(self, obj: models.Model) -> AuditQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEntry(AppendOnlyModel):
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(_("用户编号"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("用户"), max_length=150, blank=True)
    event = models.CharField(_("事件"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    source_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        app_label = "lib"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.event}"


class AuditSeal(AppendOnlyModel):
    """One link of the hash chain: entry ``entry`` at position ``seq``.

    ``hash`` = SHA-256(``prev_hash`` + the entry's canonical content), where
    ``prev_hash`` is the hash of the seal at ``seq - 1`` (``GENESIS`` before
    the first, or the anchor a retention purge recorded). Positions run
    1, 2, 3 … without gaps; the unique constraints on ``seq`` and ``entry``
    keep the chain linear when two sealers run at once."""

    seq = models.PositiveBigIntegerField(unique=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="seal")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        app_label = "lib"
        ordering = ["seq"]
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


def _parse_ip(value: str | None) -> str | None:
    """One address as a proxy or the socket reports it, or None if it isn't one.

    Accepts ``1.2.3.4``, ``1.2.3.4:port``, ``2001:db8::1``, ``[2001:db8::1]`` and
    ``[2001:db8::1]:port``; drops an IPv6 zone (``fe80::1%eth0``, which an
    ``inet`` column refuses) and unwraps an IPv4-mapped IPv6 address, so one
    client always has one key. Anything else (garbage, a name, a control
    character) is None: it must never reach a write.
    """
    if not value:
        return None
    text = value.strip().strip('"')
    if not text or len(text) > 64:
        return None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
            return None
        text = host
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    text = text.partition("%")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit log and the per-address limits.

    With ``TRUSTED_PROXIES = 0`` (the default) it is the socket's address and
    ``X-Forwarded-For`` is ignored: any client can write that header. With N
    proxies in front (nginx alone: 1) it is the N-th address from the right of
    ``X-Forwarded-For``, the one the outermost trusted proxy saw; the addresses
    to its left are the client's own claims. When the header is missing,
    shorter than N or holds no valid address there, it is the socket's
    address. An invalid address is never returned (None if the socket's isn't
    valid either).
    """
    if request is None:
        return None
    remote = _parse_ip(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    hops = forwarded.split(",")
    if not forwarded.strip() or len(hops) < proxies:
        return remote
    return _parse_ip(hops[-proxies]) or remote


def audit_record(
    event: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    success: bool = True,
    request: HttpRequest | None = None,
    source_ip: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Write one audit entry. ``actor`` is a user (or None for the system)."""
    user = getattr(request, "user", None) if request is not None else None
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "",
        event=event,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        success=success,
        source_ip=source_ip or client_ip(request),
        detail=detail,
    )


def audit_purge(*, older_than_days: int) -> int:
    """Delete entries older than the retention period (the trigger refuses younger).

    The chain loses a prefix: the seals up to the first one whose entry is
    still young go with their entries, and the new start is recorded in an
    ``audit.purge`` entry (the last removed seal's position and hash), which
    ``audit_verify`` accepts as an anchor. On PostgreSQL only the owner role may
    delete (the app's runtime role may not): run it with the migration URL."""
    from datetime import timedelta

    from django.utils import timezone

    cutoff = timezone.now() - timedelta(days=older_than_days)
    with transaction.atomic():
        young = AuditSeal.objects.filter(entry__at__gte=cutoff).order_by("seq").first()
        prefix = AuditSeal.objects.filter(entry__at__lt=cutoff)
        if young is not None:
            prefix = prefix.filter(seq__lt=young.seq)
        last = prefix.order_by("-seq").first()
        entry_ids = list(prefix.values_list("entry_id", flat=True))
        prefix.purge()
        unsealed = AuditEntry.objects.filter(at__lt=cutoff, seal__isnull=True)
        deleted = AuditEntry.objects.filter(pk__in=entry_ids).purge() + unsealed.purge()
        if last is not None:
            audit_record(
                "audit.purge",
                object_type="lib.auditentry",
                count=deleted,
                anchor_seq=last.seq,
                anchor_hash=last.hash,
            )
    return deleted


# --- the hash chain -----------------------------------------------------------------


def canonical(entry: AuditEntry) -> bytes:
    """The entry's content as it is stored, in one fixed byte form: every field
    (the id too, so that a row can't be swapped for a copy), the time in UTC
    with microseconds, JSON with sorted keys. Computed from the row as read
    back from the database, so both databases' representations hash alike."""
    at = entry.at
    fields = [
        entry.pk,
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if at else None,
        entry.actor_id,
        entry.actor_name,
        entry.event,
        entry.object_type,
        entry.object_id,
        bool(entry.success),
        entry.source_ip,
        entry.detail,
    ]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(entry)).hexdigest()


SEAL_BATCH = 500
SEAL_RETRIES = 5
# How far below the newest sealed entry's id a routine seal looks for entries
# committed late (ids are taken at insert, commits come in any order). A
# transaction would have to stay open across this many audit writes to be
# missed; ``audit_seal(full=True)`` (audit-verify --seal) looks at every row.
SEAL_LOOKBACK = 10_000


def _seal_batch(limit: int, *, full: bool) -> int:
    """Seal up to ``limit`` unsealed entries after the current head, in one
    transaction. Another sealer that got there first makes the insert fail on
    the unique ``seq`` (or ``entry``): nothing is written and the caller reads
    the new head again."""
    with transaction.atomic():
        head = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = head if head else _start_anchor()
        unsealed = AuditEntry.objects.filter(seal__isnull=True)
        newest = AuditSeal.objects.order_by("-entry_id").values_list("entry_id", flat=True).first()
        if newest is not None and not full:
            # An index range, not the whole table: cheap every few seconds.
            unsealed = unsealed.filter(id__gt=newest - SEAL_LOOKBACK)
        pending = list(unsealed.order_by("id")[:limit])
        seals = []
        for entry in pending:
            seq += 1
            digest = chain_hash(prev, entry)
            seals.append(AuditSeal(seq=seq, entry=entry, prev_hash=prev, hash=digest))
            prev = digest
        AuditSeal.objects.bulk_create(seals)
    return len(seals)


def _start_anchor() -> tuple[int, str]:
    """Where the first seal follows when there is none: position 0 at GENESIS,
    or the anchor of the latest purge (every seal purged, the chain goes on
    from there)."""
    purge = AuditEntry.objects.filter(event="audit.purge").order_by("-id").first()
    if purge is None:
        return 0, GENESIS
    return int(purge.detail.get("anchor_seq", 0)), str(purge.detail.get("anchor_hash", GENESIS))


def audit_seal(*, limit: int | None = None, full: bool = False) -> int:
    """Seal every entry not sealed yet (or up to ``limit``), oldest id first;
    the number sealed. Entries committed late (a long transaction) are sealed
    by a later run, further on in the chain: the chain's order is the order of
    sealing, not of ids. Safe to run from several workers at once."""
    done, retries = 0, 0
    while limit is None or done < limit:
        want = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - done)
        try:
            sealed = _seal_batch(want, full=full)
        except IntegrityError:
            retries += 1
            if retries > SEAL_RETRIES:
                raise
            continue
        done += sealed
        if sealed < want:
            break
    return done


@dataclass
class ChainReport:
    sealed: int = 0
    unsealed: int = 0
    broken_seq: int | None = None
    broken_entry: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _anchors() -> dict[int, str]:
    """Where the chain may start: position 0 at GENESIS, and after each purge
    the last purged seal's position and hash."""
    anchors = {0: GENESIS}
    for detail in AuditEntry.objects.filter(event="audit.purge").values_list("detail", flat=True):
        if isinstance(detail, dict) and "anchor_seq" in detail:
            anchors[int(detail["anchor_seq"])] = str(detail.get("anchor_hash", ""))
    return anchors


def _walk(
    report: ChainReport,
    links: Iterable[tuple[AuditSeal, AuditEntry | None]],
    anchors: dict[int, str],
) -> None:
    expected_seq: int | None = None
    prev = ""
    for seal, entry in links:
        if expected_seq is None:
            # The chain starts at GENESIS or right after a purge's anchor.
            start = seal.seq - 1
            if anchors.get(start) != seal.prev_hash:
                report.broken_seq, report.broken_entry = seal.seq, seal.entry_id
                report.reason = f"seals before #{seal.seq} are missing"
                return
            prev = seal.prev_hash
        elif seal.seq != expected_seq:
            report.broken_seq, report.broken_entry = expected_seq, None
            report.reason = f"seals #{expected_seq}-#{seal.seq - 1} are missing"
            return
        if seal.prev_hash != prev:
            report.broken_seq, report.broken_entry = seal.seq, seal.entry_id
            report.reason = "previous hash does not match"
            return
        if entry is None:
            report.broken_seq, report.broken_entry = seal.seq, seal.entry_id
            report.reason = "entry is missing"
            return
        if chain_hash(prev, entry) != seal.hash:
            report.broken_seq, report.broken_entry = seal.seq, seal.entry_id
            report.reason = "entry was changed"
            return
        prev = seal.hash
        expected_seq = seal.seq + 1
        report.sealed += 1
        report.head_seq, report.head_hash = seal.seq, seal.hash


def audit_verify(*, chunk: int = 2000) -> ChainReport:
    """Walk the chain from its start: the first broken place (a missing seal, a
    missing or changed entry), or the number of sealed entries and the head.
    Entries not sealed yet are counted, not judged."""
    report = ChainReport()
    anchors = _anchors()

    def links() -> Iterator[tuple[AuditSeal, AuditEntry | None]]:
        after = -1
        while True:
            batch = list(AuditSeal.objects.filter(seq__gt=after).order_by("seq")[:chunk])
            entries = AuditEntry.objects.in_bulk([s.entry_id for s in batch])
            for seal in batch:
                yield seal, entries.get(seal.entry_id)
            if len(batch) < chunk:
                return
            after = batch[-1].seq

    _walk(report, links(), anchors)
    report.unsealed = AuditEntry.objects.filter(seal__isnull=True).count()
    return report
