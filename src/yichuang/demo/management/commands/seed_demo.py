"""`yichuang seed-demo`: build the demo county."""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yichuang.accounts.models import User
from yichuang.demo.base import DEMO_MARK, DemoRun
from yichuang.demo.steps import STEPS
from yichuang.lib.config import Setting
from yichuang.org.models import Centre

DEMO_USERS = [
    ("admin", "系统管理员"),
    ("security", "安全管理员"),
    ("auditor", "审计管理员"),
    ("countyadmin", "县级管理员"),
    ("director", "县政务服务中心主任"),
    ("dept_rs", "人社部门负责人"),
    ("clerk_county", "县中心窗口工作人员"),
    ("clerk_town", "城关镇便民服务中心窗口工作人员"),
    ("inspector", "督查员"),
    ("clerk_w01 … clerk_w22", "县中心各窗口工作人员"),
]


class Command(BaseCommand):
    help = "Build the demo county: centres, departments, windows, staff, catalogue, history."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "county", "large"], default="county")
        parser.add_argument("--months", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--password", default=None)
        parser.add_argument("--always-open", action="store_true")
        parser.add_argument("--reset", action="store_true")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (successfully) when the database has data",
        )

    def handle(self, *args, **opts):
        if opts["months"] < 0 or opts["months"] > 60:
            raise CommandError("--months 须在 0 到 60 之间")
        if settings.PRODUCTION:
            raise CommandError(
                "YICHUANG_PRODUCTION 已开启：演示数据不能写入生产数据库，seed-demo 拒绝运行。"
            )
        if Centre.objects.exists() or User.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据生成。")
                return
            if not opts["reset"]:
                raise CommandError("数据库中已有数据；如需重建演示县，请加 --reset。")
            if not Setting.objects.filter(key=DEMO_MARK).exists():
                raise CommandError(
                    "数据库中的数据不是演示县生成的（没有演示标记），--reset 拒绝清空；"
                    "请换一个空数据库。"
                )
            call_command("flush", interactive=False, verbosity=0)
            import chinese_calendar

            from yichuang.org.calendar import calendar_load_official

            calendar_load_official(years=sorted({d.year for d in chinese_calendar.holidays}))
        password = opts["password"] or secrets.token_urlsafe(9) + "a1!"
        run = DemoRun(
            seed=opts["seed"],
            scale=opts["scale"],
            months=opts["months"],
            password=password,
            always_open=opts["always_open"],
        )
        started = time.monotonic()
        for step in STEPS:
            with transaction.atomic():
                step(run)
        for line in run.out:
            self.stdout.write(line)
        self.stdout.write(
            f"演示县已生成（{time.monotonic() - started:.1f} 秒）。演示账号（密码：{password}）："
        )
        for username, what in DEMO_USERS:
            self.stdout.write(f"  {username:<24} {what}")
