"""The hall queue: queues, window skills, tickets, their events, the daily number
counters, appointments and peak alerts.

Hot paths (issue, call next, hall state) only ever touch today's rows through the
indexes declared here, so their cost does not grow with history.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.lib.append_only import AppendOnlyModel
from yichuang.lib.crypto import EncryptedTextField, mask_phone
from yichuang.org.models import BusinessLine, Centre, Device, Staff, Window


def new_code(nbytes: int = 12) -> str:
    """An unguessable URL-safe code (track and rating codes)."""
    return secrets.token_urlsafe(nbytes)


def new_short_code() -> str:
    """An 8-digit code a citizen can type on the kiosk (appointment check-in)."""
    return f"{secrets.randbelow(10**8):08d}"


class Queue(models.Model):
    """A line of citizens in one centre. Settings here drive the calling rule
    (docs/queueing.md): interleave ratio, ageing, quotas and alert thresholds."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="queues")
    code = models.SlugField(_("队列代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(_("号码字母"), max_length=1)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    interleave_ratio = models.PositiveSmallIntegerField(
        _("优先与普通交替比例（每叫几个普通号叫一个优先号）"), default=2
    )
    ageing_minutes = models.PositiveSmallIntegerField(
        _("普通号等候超过该分钟数即提前（0 为不启用）"), default=45
    )
    max_length = models.PositiveIntegerField(_("最多等候人数（0 为不限）"), default=0)
    daily_quota = models.PositiveIntegerField(_("每日取号上限（0 为不限）"), default=0)
    slot_minutes = models.PositiveSmallIntegerField(_("分时段长度（分钟）"), default=60)
    slot_quota = models.PositiveIntegerField(_("每时段取号上限（0 为不限）"), default=0)
    alert_waiting = models.PositiveIntegerField(_("等候人数预警线（0 为不启用）"), default=15)
    alert_wait_minutes = models.PositiveIntegerField(
        _("预计等候分钟预警线（0 为不启用）"), default=30
    )
    service_minutes = models.DecimalField(
        _("平均办理分钟（无当日数据时用于估算）"), max_digits=5, decimal_places=1, default=8
    )
    no_show_rejoin = models.BooleanField(_("过号可重新排队一次"), default=True)
    items = models.ManyToManyField(
        "catalog.Item", blank=True, related_name="queues", verbose_name=_("办理事项")
    )
    lines = models.ManyToManyField(
        BusinessLine, blank=True, related_name="queues", verbose_name=_("业务条线")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre_id", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="uniq_queue_code"),
        ]
        verbose_name = _("队列")
        verbose_name_plural = _("队列")

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


def queue_item_names(queues: list[Queue]) -> dict[int, list[str]]:
    """The names of the active catalogue items each queue serves, in one query."""
    out: dict[int, list[str]] = {}
    for queue_id, name in (
        Queue.items.through.objects.filter(queue__in=queues, item__is_active=True)
        .order_by("queue_id", "item__name")
        .values_list("queue_id", "item__name")
    ):
        out.setdefault(queue_id, []).append(name)
    return out


class WindowSkill(models.Model):
    """A window serves a queue. Lower ``order`` is served first: a window calls
    from its order-1 queues and reaches order-2 queues only when those are empty;
    queues of the same order are merged by place in line."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="skills")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="skills")
    order = models.PositiveSmallIntegerField(_("顺位"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["window_id", "order", "queue_id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "queue"], name="uniq_window_skill"),
        ]
        verbose_name = _("窗口可办队列")
        verbose_name_plural = _("窗口可办队列")

    def __str__(self) -> str:
        return f"{self.window} → {self.queue} ({self.order})"


class QueueCounter(models.Model):
    """Ticket numbering for one (centre, queue, day): the row is locked while a
    number is taken, so numbers never repeat and never skip."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    # (the unique (queue, day) key serves lookups by queue)
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="counters", db_index=False
    )
    day = models.DateField()
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "queue_id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "day"], name="uniq_queue_counter_day"),
        ]
        verbose_name = _("取号计数")
        verbose_name_plural = _("取号计数")

    def __str__(self) -> str:
        return f"{self.queue} {self.day}: {self.last_seq}"


class Priority(models.TextChoices):
    NORMAL = "normal", _("普通")
    ELDERLY = "elderly", _("老年人（60 周岁及以上）")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇")
    MILITARY = "military", _("军人、退役军人")
    GREEN = "green", _("绿色通道")


class Channel(models.TextChoices):
    KIOSK = "kiosk", _("取号机")
    GREETER = "greeter", _("导办台")
    APPOINTMENT = "appointment", _("预约签到")
    MOBILE = "mobile", _("手机取号")
    TRANSFER = "transfer", _("转办")


class TicketQuerySet(models.QuerySet["Ticket"]):
    def today(self, centre: Centre) -> TicketQuerySet:
        return self.filter(centre=centre, day=timezone.localdate())

    def waiting(self) -> TicketQuerySet:
        return self.filter(status=Ticket.Status.WAITING)

    def current_at(self, window: Window) -> TicketQuerySet:
        return self.filter(window=window, status__in=Ticket.ACTIVE)


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        DONE = "done", _("已办结")
        NO_SHOW = "no_show", _("过号")
        TRANSFERRED = "transferred", _("已转办")
        CANCELLED = "cancelled", _("已取消")
        # Still waiting, called or 过号 (able to rejoin) when the hall closed
        # (``actions.tickets_expire``): the hall did not serve the citizen.
        EXPIRED = "expired", _("已过期")

    ACTIVE = (Status.CALLED, Status.SERVING)
    FINAL = (Status.DONE, Status.TRANSFERRED, Status.CANCELLED, Status.EXPIRED)

    # Every index is written on each issue and call, so foreign keys that
    # lead a composite index below get no index of their own.
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    day = models.DateField(_("日期"))
    # The sequence number of the day; empty on a ticket made by a transfer, which
    # keeps the number printed on the citizen's slip.
    seq = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("号码"), max_length=8)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    priority = models.CharField(
        _("优先类别"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("取号渠道"), max_length=12, choices=Channel.choices)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_hash = models.CharField(max_length=64, blank=True)
    # unique through Meta constraints: no extra LIKE index on PostgreSQL
    track_code = models.CharField(max_length=32, default=new_code)
    rating_code = models.CharField(max_length=32, null=True, blank=True)
    issued_at = models.DateTimeField(_("取号时间"))
    # Place in line: the issue time, kept through transfers, reset by a rejoin.
    sort_at = models.DateTimeField()
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("窗口"),
        db_index=False,
    )
    # Only this window may call the ticket (a transfer to a named window).
    target_window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    clerk = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
        db_index=False,
    )
    first_ask = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("首问负责人"),
        db_index=False,
    )
    transferred_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        db_index=False,
    )
    appointment = models.ForeignKey(
        "Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    # The appointment's time window, copied here so the calling rule reads one row.
    appt_from = models.DateTimeField(null=True, blank=True)
    appt_until = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    rejoined = models.BooleanField(default=False)
    sms_sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    # (people ahead, estimated minutes) when the issuing action computed them.
    estimate: tuple[int, int] | None = None

    class Meta:
        ordering = ["-day", "sort_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "queue", "day", "seq"], name="uniq_ticket_number"
            ),
            models.UniqueConstraint(fields=["track_code"], name="uniq_ticket_track_code"),
            models.UniqueConstraint(
                fields=["rating_code"],
                condition=models.Q(rating_code__isnull=False),
                name="uniq_ticket_rating_code",
            ),
        ]
        # Every call and finish changes ``status``, so it rewrites the row and
        # adds an entry to every index whose condition the new version meets.
        # Indexes on mostly-empty columns are therefore partial (a kiosk ticket
        # with no phone, no appointment and no transfer costs them nothing), and
        # the finished tickets have their own two small indexes.
        indexes = [
            models.Index(fields=["centre", "day", "status"], name="ticket_centre_day_status"),
            models.Index(
                fields=["queue", "day", "finished_at"],
                condition=models.Q(status="done"),
                name="ticket_done_in_queue",
            ),
            models.Index(
                fields=["window", "finished_at"],
                condition=models.Q(status="done"),
                name="ticket_done_at_window",
            ),
            models.Index(
                fields=["phone_hash"], condition=~models.Q(phone_hash=""), name="ticket_phone_hash"
            ),
            models.Index(
                fields=["id_hash"], condition=~models.Q(id_hash=""), name="ticket_id_hash"
            ),
            models.Index(
                fields=["clerk"], condition=models.Q(clerk__isnull=False), name="ticket_clerk"
            ),
            models.Index(
                fields=["first_ask"],
                condition=models.Q(first_ask__isnull=False),
                name="ticket_first_ask",
            ),
            models.Index(
                fields=["target_window"],
                condition=models.Q(target_window__isnull=False),
                name="ticket_target_window",
            ),
            models.Index(
                fields=["transferred_from"],
                condition=models.Q(transferred_from__isnull=False),
                name="ticket_transferred_from",
            ),
            models.Index(
                fields=["appointment"],
                condition=models.Q(appointment__isnull=False),
                name="ticket_appointment",
            ),
            # The hot paths look only at the waiting line and at the tickets at
            # windows; these partial indexes hold just those rows, so they stay
            # small however many tickets the years pile up.
            models.Index(
                fields=["queue", "day", "sort_at", "id"],
                condition=models.Q(status="waiting"),
                name="ticket_waiting_line",
            ),
            models.Index(
                fields=["queue", "day", "sort_at", "id"],
                condition=models.Q(status="waiting") & ~models.Q(priority="normal"),
                name="ticket_waiting_priority",
            ),
            models.Index(
                fields=["queue", "day"],
                condition=models.Q(status="waiting", appt_until__isnull=False),
                name="ticket_waiting_appointment",
            ),
            models.Index(
                fields=["target_window", "day"],
                condition=models.Q(status="waiting", target_window__isnull=False),
                name="ticket_waiting_for_window",
            ),
            models.Index(
                fields=["window", "called_at"],
                condition=models.Q(status__in=["called", "serving"]),
                name="ticket_at_window",
            ),
        ]
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")

    def __str__(self) -> str:
        return f"{self.number} ({self.day})"

    @property
    def is_priority(self) -> bool:
        return self.priority != Priority.NORMAL

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    def latest(self) -> Ticket:
        """Follow transfers to the ticket the citizen is now waiting on."""
        ticket = self
        for _hop in range(20):
            nxt = ticket.transfers.order_by("-id").first()
            if nxt is None:
                break
            ticket = nxt
        return ticket


class TicketEvent(AppendOnlyModel):
    """One state change of a ticket or window. Append-only; the id is the hall
    display's cursor (``GET /centres/{code}/events?after=``)."""

    class Type(models.TextChoices):
        ISSUED = "issued", _("取号")
        CALLED = "called", _("叫号")
        RECALLED = "recalled", _("重呼")
        STARTED = "started", _("开始办理")
        FINISHED = "finished", _("办结")
        NO_SHOW = "no_show", _("过号")
        REJOINED = "rejoined", _("重新排队")
        TRANSFERRED = "transferred", _("转办")
        CANCELLED = "cancelled", _("取消")
        EXPIRED = "expired", _("过期")
        WINDOW_OPENED = "window_opened", _("开窗")
        WINDOW_CLOSED = "window_closed", _("关窗")
        WINDOW_PAUSED = "window_paused", _("暂停")
        WINDOW_RESUMED = "window_resumed", _("恢复")
        ALERT = "alert", _("高峰预警")

    # (centre and window lead the composite indexes below)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+", db_index=False)
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    type = models.CharField(max_length=16, choices=Type.choices)
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Copies for the display feed, which must not join.
    ticket_number = models.CharField(max_length=8, blank=True)
    window_number = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["centre", "id"], name="event_centre_cursor"),
            models.Index(fields=["window", "type", "id"], name="event_window_type"),
            # partial: window events have no ticket, window events no device
            models.Index(
                fields=["ticket"], condition=models.Q(ticket__isnull=False), name="event_ticket"
            ),
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False), name="event_actor"
            ),
            models.Index(
                fields=["device"], condition=models.Q(device__isnull=False), name="event_device"
            ),
        ]
        verbose_name = _("排队事件")
        verbose_name_plural = _("排队事件")

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.type} {self.ticket_number}"


class IdempotencyKey(models.Model):
    """A request made with an ``Idempotency-Key`` header; a replay gets the first
    answer back inside a ``queueing.replayed`` error and changes nothing."""

    key = models.CharField(max_length=80)
    principal = models.CharField(max_length=80)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="uniq_idempotency_key"),
        ]
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"


class AppointmentSlot(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="slots")
    day = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("可约人数"), default=4)
    booked = models.PositiveSmallIntegerField(_("已约人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "start", "queue_id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "day", "start"], name="uniq_slot"),
        ]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")

    def __str__(self) -> str:
        return f"{self.queue} {self.day} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        NO_SHOW = "no_show", _("爽约")
        CANCELLED = "cancelled", _("已取消")

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="bookings")
    code = models.CharField(_("预约码"), max_length=8, unique=True, default=new_short_code)
    phone = EncryptedTextField(_("手机号"))
    phone_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phone_hash", "status"], name="appt_phone_status")]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")

    def __str__(self) -> str:
        return f"{self.code} {self.slot}"


class QueueAlert(models.Model):
    """A peak alert on a queue with the diversion advice computed when it rose,
    and what the director did about it."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="alerts")
    day = models.DateField()
    raised_at = models.DateTimeField(default=timezone.now)
    waiting = models.PositiveIntegerField()
    estimated_wait_minutes = models.PositiveIntegerField()
    open_windows = models.PositiveSmallIntegerField()
    windows_needed = models.PositiveSmallIntegerField(_("需增开窗口数"))
    advice = models.JSONField(default=dict)
    resolved_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.CharField(_("处置措施"), max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["queue", "day", "resolved_at"], name="alert_open")]
        verbose_name = _("高峰预警")
        verbose_name_plural = _("高峰预警")

    def __str__(self) -> str:
        return f"{self.queue} {self.raised_at:%Y-%m-%d %H:%M}"
