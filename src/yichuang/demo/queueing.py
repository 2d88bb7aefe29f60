"""Demo step: the queues of every centre of 云溪县, which windows serve them, and
(with ``--months N``) N months of hall traffic."""

from __future__ import annotations

from yichuang.org.models import Centre, Window
from yichuang.queueing.models import Queue, WindowSkill

from .base import DemoRun

# (code, name, prefix, department of the dedicated windows, minutes per service)
COUNTY_QUEUES = [
    ("general", "综合业务", "A", None, 7),
    ("social", "社保业务", "B", "rs", 9),
    ("medical", "医保业务", "C", "yb", 8),
    ("household", "户籍业务", "D", "ga", 10),
    ("civil", "民政业务", "E", "mz", 12),
    ("health", "卫生健康", "F", "wj", 8),
    ("disability", "残疾人服务", "G", "cl", 10),
    ("veterans", "退役军人服务", "H", "tyjr", 10),
    ("unsolved", "办不成事反映", "J", None, 15),
]
TOWNSHIP_QUEUES = [
    ("general", "综合业务", "A", None, 7),
    ("social", "社保医保", "B", None, 8),
]


def build_structure() -> dict[str, list[Queue]]:
    """Queues and window skills for every centre that has none yet."""
    made: dict[str, list[Queue]] = {}
    for centre in Centre.objects.all():
        if Queue.objects.filter(centre=centre).exists():
            continue
        county = centre.kind == "county"
        spec = COUNTY_QUEUES if county else TOWNSHIP_QUEUES
        queues = Queue.objects.bulk_create(
            [
                Queue(
                    centre=centre,
                    code=code,
                    name=name,
                    prefix=prefix,
                    sort_order=i,
                    service_minutes=minutes,
                    alert_waiting=20 if county else 10,
                    alert_wait_minutes=40 if county else 30,
                )
                for i, (code, name, prefix, _dept, minutes) in enumerate(spec)
            ]
        )
        by_code = {q.code: q for q in queues}
        by_dept = {dept: by_code[code] for code, _n, _p, dept, _m in spec if dept}
        skills = []
        for w in Window.objects.filter(centre=centre).select_related("department"):
            if w.department_id and w.department.code in by_dept:
                skills.append(WindowSkill(window=w, queue=by_dept[w.department.code], order=1))
                if county:
                    skills.append(WindowSkill(window=w, queue=by_code["general"], order=2))
            elif county and w.number == 21:
                skills.append(WindowSkill(window=w, queue=by_code["unsolved"], order=1))
            elif w.kind == "comprehensive" and not county and w.number == 3:
                skills.append(WindowSkill(window=w, queue=by_code["social"], order=1))
                skills.append(WindowSkill(window=w, queue=by_code["general"], order=2))
            elif w.kind == "comprehensive":
                skills.append(WindowSkill(window=w, queue=by_code["general"], order=1))
                skills += [
                    WindowSkill(window=w, queue=q, order=2)
                    for q in queues
                    if q.code not in ("general", "unsolved")
                ]
            else:  # green channel and flexible windows serve every queue
                skills += [
                    WindowSkill(window=w, queue=q, order=1) for q in queues if q.code != "unsolved"
                ]
        WindowSkill.objects.bulk_create(skills)
        made[centre.code] = queues
    return made


def build(run: DemoRun) -> None:
    made = build_structure()
    run.ctx["queues"] = made
    run.say(f"排队叫号：{sum(len(v) for v in made.values())} 个业务队列")
