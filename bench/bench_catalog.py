"""Catalogue benchmark: prints one JSON line.

- import of a generated 2,000-item workbook (seconds; target < 15),
- GET /api/v1/items with 2,000 items, p95 in ms (target < 50),
- guide PDF rendering, seconds each (target < 1.5).

Sets up its own SQLite database in a temporary directory.
"""

from __future__ import annotations

import io
import json
import statistics
import time

from benchenv import django_start, production  # bench/, the script's own folder

django_start("catalog", environ=production())

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from openpyxl import Workbook  # noqa: E402

N_ITEMS = 2000


def workbook(n: int) -> bytes:
    from yichuang.catalog.workbook import ITEM_COLUMNS, MATERIAL_COLUMNS, STEP_COLUMNS

    wb = Workbook(write_only=True)
    items, mats, steps = (wb.create_sheet(s) for s in ("事项", "材料", "环节"))
    items.append([h for h, *_ in ITEM_COLUMNS])
    mats.append([h for h, *_ in MATERIAL_COLUMNS])
    steps.append([h for h, *_ in STEP_COLUMNS])
    depts = ["rs", "yb", "ga", "mz", "wj", "cl", "tyjr"]
    words = ["养老", "医疗", "户口", "低保", "残疾", "生育", "退役", "救助", "登记", "补贴"]
    for i in range(n):
        code, dept = f"B{i:05d}", depts[i % len(depts)]
        name = f"{words[i % 10]}{words[(i // 10) % 10]}服务事项{i}"
        items.append(
            [
                code,
                "",
                name,
                dept,
                "公共服务",
                "承诺件",
                20,
                "工作日",
                10 + i % 10,
                "工作日",
                i % 3,
                "须现场核验原件" if i % 3 else "",
                "",
                "三级",
                "是",
                "否",
                "是",
                "全县通办",
                "",
                "",
                "不收费",
                "",
                "county-hall",
            ]
        )
        for m in range(5):
            mats.append(
                [code, f"M{m + 1:02d}", f"材料{m + 1}", 1, 0, "必要", "否", "否", "", "否", ""]
            )
        for pos, (kind, share) in enumerate((("受理", 20), ("审查", 50), ("办结", 30)), 1):
            steps.append([code, pos, kind, dept, share, ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    call_command("migrate", verbosity=0)
    from yichuang.demo import org
    from yichuang.demo.base import DemoRun

    org.build(DemoRun(seed=1, password="Bench@2026pw", always_open=True))
    from yichuang.catalog.models import Item
    from yichuang.catalog.pdf import guide_pdf
    from yichuang.catalog.workbook import catalog_import

    data = workbook(N_ITEMS)
    started = time.perf_counter()
    report = catalog_import(data=data)
    import_s = time.perf_counter() - started
    assert report.ok and report.created == N_ITEMS, report.lines()[:5]

    client = Client()
    for _ in range(5):
        client.get("/api/v1/items")
    times = []
    for i in range(100):
        path = "/api/v1/items" if i % 2 == 0 else "/api/v1/items?q=ylbx"
        t = time.perf_counter()
        resp = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]

    item = Item.objects.published().select_related("department", "current_version").first()
    pdf_times = []
    for _ in range(5):
        t = time.perf_counter()
        guide_pdf(item, "http://127.0.0.1:8000/m/items/" + item.code)
        pdf_times.append(time.perf_counter() - t)

    print(
        json.dumps(
            {
                "bench": "catalog",
                "items": N_ITEMS,
                "import_seconds": round(import_s, 2),
                "list_api_p95_ms": round(p95, 1),
                "list_api_median_ms": round(statistics.median(times), 1),
                "guide_pdf_seconds_first": round(pdf_times[0], 2),
                "guide_pdf_seconds_median": round(statistics.median(pdf_times), 2),
                "targets": {"import_seconds": 15, "list_api_p95_ms": 50, "guide_pdf_seconds": 1.5},
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
