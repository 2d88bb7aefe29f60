"""The states of a case and which of them run the clock (docs/domain.md,
"Cases and the clock"), and the warning levels derived from the clock. Both the
models and the clock read them; this module imports neither."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("收件")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    SUPPLEMENT = "supplement", _("补齐补正")
    REVIEW = "review", _("审查中")
    DECIDED = "decided", _("已决定")
    COMPLETED = "completed", _("已办结")
    DELIVERED = "delivered", _("已送达")
    SUSPENDED = "suspended", _("挂起")
    SPECIAL = "special", _("特别程序")
    WITHDRAWN = "withdrawn", _("已撤回")


# The clock runs in these states; it stops in the side states below.
RUNNING = (Status.ACCEPTED, Status.REVIEW, Status.DECIDED)
STOPPED = (Status.SUPPLEMENT, Status.SUSPENDED, Status.SPECIAL)
CLOSED = (Status.REFUSED, Status.COMPLETED, Status.DELIVERED, Status.WITHDRAWN)
OPEN = tuple(s for s in Status if s not in CLOSED)


class Level(models.TextChoices):
    NORMAL = "normal", _("正常")
    NOTICE = "notice", _("提示")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


# From the least to the most urgent: a case shows the worst of its levels.
LEVEL_ORDER = {"normal": 0, "notice": 1, "yellow": 2, "red": 3}
