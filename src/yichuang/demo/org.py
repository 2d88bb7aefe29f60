"""Demo step: the organisation of 云溪县 — regions, centres, departments,
windows, staff with A/B posts, demo users, hall devices, and the 2027 calendar."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from yichuang.accounts.models import ADMIN_ROLES, Role, User, UserRole
from yichuang.lib.config import Setting
from yichuang.org.calendar import calendar_load_provisional
from yichuang.org.models import (
    DEFAULT_OPENING_HOURS,
    CalendarYear,
    Centre,
    Department,
    Device,
    Post,
    Region,
    Staff,
    Window,
    device_token_hash,
)

from .base import DEMO_MARK, DemoRun

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫波斌宇浩凯健俊帆帅旭"
    "宁婷雪琳晶颖倩丹慧佳欣悦琪晨阳辉鹏飞"
)

DEPARTMENTS = [
    ("rs", "云溪县人力资源和社会保障局", "人社"),
    ("yb", "云溪县医疗保障局", "医保"),
    ("ga", "云溪县公安局（户政）", "公安户政"),
    ("mz", "云溪县民政局", "民政"),
    ("wj", "云溪县卫生健康委员会", "卫健"),
    ("cl", "云溪县残疾人联合会", "残联"),
    ("tyjr", "云溪县退役军人事务局", "退役军人"),
    # collects the residents' social-insurance and medical-insurance contributions
    ("sw", "国家税务总局云溪县税务局", "税务"),
]

TOWNSHIPS = [
    ("chengguan", "城关镇", "369921100000"),
    ("yunxi", "云溪镇", "369921101000"),
    ("taoyuan", "桃源乡", "369921200000"),
    ("shiqiao", "石桥镇", "369921102000"),
    ("baisha", "白沙镇", "369921103000"),
    ("qinglong", "青龙乡", "369921201000"),
]

# County hall windows: (number, name, kind, department code or None)
COUNTY_WINDOWS = [
    (1, "综合受理", "comprehensive", None),
    (2, "综合受理", "comprehensive", None),
    (3, "综合受理", "comprehensive", None),
    (4, "综合受理", "comprehensive", None),
    (5, "社保参保", "dedicated", "rs"),
    (6, "社保待遇", "dedicated", "rs"),
    (7, "就业创业", "dedicated", "rs"),
    (8, "养老保险", "dedicated", "rs"),
    (9, "医保参保", "dedicated", "yb"),
    (10, "医保报销", "dedicated", "yb"),
    (11, "户籍办理", "dedicated", "ga"),
    (12, "户籍办理", "dedicated", "ga"),
    (13, "社会救助", "dedicated", "mz"),
    (14, "婚姻登记", "dedicated", "mz"),
    (15, "卫生健康", "dedicated", "wj"),
    (16, "残疾人服务", "dedicated", "cl"),
    (17, "退役军人服务", "dedicated", "tyjr"),
    (18, "绿色通道", "green", None),
    (19, "弹性窗口", "flexible", None),
    (20, "弹性窗口", "flexible", None),
    (21, "“办不成事”反映窗口", "comprehensive", None),
    (22, "税费缴纳", "dedicated", "sw"),
]
TOWNSHIP_WINDOWS = [
    (1, "综合受理", "comprehensive", None),
    (2, "综合受理", "comprehensive", None),
    (3, "社保医保", "comprehensive", None),
    (4, "绿色通道", "green", None),
    (5, "弹性窗口", "flexible", None),
]


def _name(run: DemoRun, used: set[str]) -> str:
    while True:
        name = run.rng.choice(SURNAMES) + "".join(
            run.rng.choice(GIVEN) for _ in range(run.rng.choice((1, 2, 2)))
        )
        if name not in used:
            used.add(name)
            return name


def build(run: DemoRun) -> None:
    city = Region.objects.create(code="369900", name="江城市", level="city")
    county = Region.objects.create(code="369921", name="云溪县", level="county", parent=city)
    hours = {} if run.always_open else DEFAULT_OPENING_HOURS

    departments = {
        code: Department.objects.create(code=code, name=name, short_name=short, region=county)
        for code, name, short in DEPARTMENTS
    }
    hall = Centre.objects.create(
        code="county-hall",
        name="云溪县政务服务中心",
        kind="county",
        region=county,
        address="云溪县城关镇人民路 88 号",
        phone="0799-6612345",
        opening_hours=hours,
        always_open=run.always_open,
        notice="请带齐身份证件，按叫号顺序办理。60 周岁以上老人、残疾人、孕妇、军人可走绿色通道。",
    )
    centres = [hall]
    for slug, name, code in TOWNSHIPS:
        region = Region.objects.create(code=code, name=name, level="township", parent=county)
        centres.append(
            Centre.objects.create(
                code=slug,
                name=f"{name}便民服务中心",
                kind="township",
                region=region,
                address=f"云溪县{name}政府大院",
                opening_hours=hours,
                always_open=run.always_open,
                notice="本中心可办理社保、医保、民政、残联等高频事项。",
            )
        )

    windows: dict[str, list[Window]] = {}
    for centre in centres:
        spec = COUNTY_WINDOWS if centre.kind == "county" else TOWNSHIP_WINDOWS
        windows[centre.code] = Window.objects.bulk_create(
            [
                Window(
                    centre=centre,
                    number=n,
                    name=name,
                    kind=kind,
                    department=departments[dept] if dept else None,
                )
                for n, name, kind, dept in spec
            ]
        )

    password_hash = make_password(run.password)
    used_names: set[str] = set()
    counter = {"n": 0}

    def person(
        *,
        username,
        centre,
        department,
        scope,
        title,
        roles,
        region=None,
        display=None,
    ):
        counter["n"] += 1
        name = display or _name(run, used_names)
        user = None
        if username:
            user = User.objects.create(
                username=username,
                display_name=name,
                password=password_hash,
                # No superuser (三权分立): each administrator has one role, and
                # the admin site lets each see only its part (accounts.admin_roles).
                is_staff=bool(set(roles) & ADMIN_ROLES),
                is_superuser=False,
            )
            UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
        return Staff.objects.create(
            user=user,
            name=name,
            employee_no=f"YX{counter['n']:04d}",
            region=region or (centre.region if centre else county),
            centre=centre,
            department=department,
            scope=scope,
            title=title,
        )

    person(
        username="admin",
        centre=None,
        department=None,
        scope="county",
        title="系统管理员",
        roles=[Role.SYSTEM_ADMIN],
    )
    person(
        username="security",
        centre=None,
        department=None,
        scope="county",
        title="安全管理员",
        roles=[Role.SECURITY_ADMIN],
    )
    person(
        username="auditor",
        centre=None,
        department=None,
        scope="county",
        title="审计管理员",
        roles=[Role.AUDIT_ADMIN],
    )
    person(
        username="countyadmin",
        centre=hall,
        department=None,
        scope="county",
        title="县政务服务管理局",
        roles=[Role.COUNTY_ADMIN],
        region=county,
    )
    person(
        username="director",
        centre=hall,
        department=None,
        scope="county",
        title="县政务服务中心主任",
        roles=[Role.CENTRE_DIRECTOR],
        region=county,
    )
    person(
        username="inspector",
        centre=hall,
        department=None,
        scope="county",
        title="督查室",
        roles=[Role.INSPECTOR],
        region=county,
    )
    leads = {}
    for code, dept in departments.items():
        leads[code] = person(
            username=f"dept_{code}",
            centre=hall,
            department=dept,
            scope="department",
            title=f"{dept.short_name}窗口负责人",
            roles=[Role.DEPARTMENT_LEAD],
            region=county,
        )
    person(
        username="greeter",
        centre=hall,
        department=None,
        scope="centre",
        title="导办员",
        roles=[Role.GREETER],
    )

    # One clerk per county-hall window (clerk_w01 …), plus clerk_county.
    clerks: dict[str, list[Staff]] = {}
    for w in windows[hall.code]:
        clerks.setdefault(hall.code, []).append(
            person(
                username=f"clerk_w{w.number:02d}",
                centre=hall,
                department=w.department,
                scope="centre",
                title=f"{w.number}号窗口",
                roles=[Role.CLERK],
            )
        )
    clerks[hall.code].append(
        person(
            username="clerk_county",
            centre=hall,
            department=None,
            scope="centre",
            title="综合窗口",
            roles=[Role.CLERK],
        )
    )
    # Back-office reviewers per department (审查/决定 steps).
    reviewers: dict[str, list[Staff]] = {}
    for code, dept in departments.items():
        reviewers[code] = [
            person(
                username=f"{code}_review{i}",
                centre=hall,
                department=dept,
                scope="department",
                title=f"{dept.short_name}审核岗",
                roles=[Role.CLERK],
                region=county,
            )
            for i in (1, 2)
        ]
    for i, centre in enumerate(centres[1:]):
        person(
            username=f"director_{centre.code}",
            centre=centre,
            department=None,
            scope="centre",
            title="便民服务中心主任",
            roles=[Role.CENTRE_DIRECTOR],
        )
        for j, w in enumerate(windows[centre.code]):
            username = "clerk_town" if (i == 0 and j == 0) else f"clerk_{centre.code}_{w.number}"
            clerks.setdefault(centre.code, []).append(
                person(
                    username=username,
                    centre=centre,
                    department=None,
                    scope="centre",
                    title=f"{w.number}号窗口",
                    roles=[Role.CLERK],
                )
            )

    # AB posts: every window is a post; A is its clerk, B a colleague of the centre.
    posts = []
    for centre in centres:
        staff = clerks[centre.code]
        for k, w in enumerate(windows[centre.code]):
            dept = w.department or departments["rs" if k % 2 else "yb"]
            posts.append(
                Post(
                    centre=centre,
                    department=dept,
                    name=f"{w.name}岗（{w.number}号）",
                    window=w,
                    a_staff=staff[k],
                    b_staff=staff[(k + 1) % len(staff)],
                )
            )
    for code, dept in departments.items():
        a, b = reviewers[code]
        posts.append(
            Post(
                centre=hall, department=dept, name=f"{dept.short_name}审核岗", a_staff=a, b_staff=b
            )
        )
    Post.objects.bulk_create(posts)

    # Hall devices: a kiosk and a display per centre, a rating pad per window.
    # Their tokens come from ``secrets``, never from the seed: a demo install's
    # kiosk token must not be derivable from ``--seed``.
    devices = []
    tokens: dict[str, str] = {}
    for centre in centres:
        for kind, label in (("kiosk", "1号取号机"), ("display", "大厅主屏")):
            raw = Device.new_token()
            tokens[f"{centre.code}:{kind}"] = raw
            devices.append(
                Device(kind=kind, name=label, centre=centre, token_hash=device_token_hash(raw))
            )
        for w in windows[centre.code]:
            raw = Device.new_token()
            tokens[f"{centre.code}:pad:{w.number}"] = raw
            devices.append(
                Device(
                    kind="pad",
                    name=f"{w.number}号窗口评价器",
                    centre=centre,
                    window=w,
                    token_hash=device_token_hash(raw),
                )
            )
    Device.objects.bulk_create(devices)
    # The mark `seed-demo --reset` looks for before it empties a database.
    Setting.objects.update_or_create(key=DEMO_MARK, defaults={"value": {"seed": run.seed}})

    if not CalendarYear.objects.filter(year=2027).exists():
        calendar_load_provisional(year=2027)

    run.ctx.update(
        city=city,
        county=county,
        hall=hall,
        centres=centres,
        departments=departments,
        windows=windows,
        clerks=clerks,
        reviewers=reviewers,
        leads=leads,
        device_tokens=tokens,
    )
    n_windows = sum(len(v) for v in windows.values())
    run.say(
        f"机构：{len(centres)} 个服务中心，{len(departments)} 个部门，{n_windows} 个窗口，"
        f"{Staff.objects.count()} 名工作人员，{len(posts)} 个 AB 岗"
    )
