"""Demo step: the business lines of the departments, queues and items of 云溪县
(the county admin changes them in the admin site)."""

from __future__ import annotations

from yichuang.catalog.models import Item
from yichuang.org.models import BusinessLine, Department
from yichuang.queueing.models import Queue

from .base import DemoRun

# department code → line codes
DEPARTMENT_LINES = {
    "rs": ["shebao"],
    "yb": ["yibao"],
    "ga": ["huji"],
    "mz": ["minzheng"],
    "wj": ["weijian"],
    "cl": ["canlian"],
    "tyjr": ["tuiyi"],
    "sw": ["shuiwu"],
}
# queue code → line codes (the same code in every centre)
QUEUE_LINES = {
    "general": ["zonghe"],
    "unsolved": ["zonghe"],
    "social": ["shebao"],
    "medical": ["yibao"],
    "household": ["huji"],
    "civil": ["minzheng"],
    "health": ["weijian"],
    "disability": ["canlian"],
    "veterans": ["tuiyi"],
    "tax": ["shuiwu"],
}
# A township's 社保医保 queue serves both lines.
TOWNSHIP_QUEUE_LINES = {"social": ["shebao", "yibao"]}


def map_lines() -> None:
    """Give every department, queue and item without lines the lines above
    (items take their department's)."""
    BusinessLine.ensure_defaults()
    lines = {line.code: line for line in BusinessLine.objects.all()}
    for department in Department.objects.filter(lines__isnull=True):
        department.lines.set([lines[c] for c in DEPARTMENT_LINES.get(department.code, [])])
    for queue in Queue.objects.filter(lines__isnull=True).select_related("centre"):
        spec = TOWNSHIP_QUEUE_LINES if queue.centre.kind != "county" else {}
        codes = spec.get(queue.code) or QUEUE_LINES.get(queue.code, [])
        queue.lines.set([lines[c] for c in codes])
    through = Item.lines.through
    rows = [
        through(item_id=item_id, businessline_id=lines[code].pk)
        for item_id, dept in Item.objects.filter(lines__isnull=True).values_list(
            "id", "department__code"
        )
        for code in DEPARTMENT_LINES.get(dept, [])
    ]
    through.objects.bulk_create(rows, ignore_conflicts=True)


def build(run: DemoRun) -> None:
    map_lines()
