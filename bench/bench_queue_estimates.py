"""Wait-estimate accuracy on the demo history (issue 4): for every ticket of the
history that was called, the estimate the documented method
(docs/queueing.md §Estimates) would have printed on it when it was issued,
against the wait it actually had (issued → called). Prints one JSON line: mean
absolute error in minutes, bias, the error quantiles, and the same for the
naive "people ahead × the queue's configured minutes" baseline.

The replay uses only what was known at the moment of issue:
* people ahead: tickets of the queue issued earlier that day and not yet
  called or cancelled;
* minutes per citizen: mean called → finished of the queue's last 20 finished
  tickets of the day (from 3 on), else the queue's ``service_minutes``;
* serving windows: the windows that called a ticket of the queue in the hour
  before (at least 1) — the history keeps no window sign-ins, and these are
  the windows that were open and serving it.

Environment: BENCH_DATABASE_URL (default: a SQLite file under /tmp seeded with
BENCH_MONTHS (3) months of demo history, built once and reused).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_queue_load import BIN, PASSWORD, django_setup, load_average

RECENT = 20
HOUR = 3600.0


def ensure_sqlite(path: Path, months: int) -> None:
    marker = path.with_suffix(f".months{months}")
    if path.exists() and marker.exists():
        return
    for f in path.parent.glob(path.name + "*"):
        f.unlink()
    env = {
        **os.environ,
        "YICHUANG_DATABASE_URL": f"sqlite:///{path}",
        "YICHUANG_VAR": str(path.parent / "var"),
    }
    for args in (
        ["migrate", "-v", "0"],
        ["seed-demo", "--always-open", "--months", str(months), "--password", PASSWORD],
    ):
        subprocess.run(
            [str(BIN / "yichuang"), *args], check=True, env=env, stdout=subprocess.DEVNULL
        )
    marker.touch()


def replay() -> dict:
    from yichuang.queueing.models import Queue, Ticket

    configured = {q.pk: float(q.service_minutes) for q in Queue.objects.all()}
    rows = (
        Ticket.objects.filter(transferred_from__isnull=True)
        .order_by("queue_id", "day", "issued_at", "id")
        .values_list(
            "queue_id", "day", "status", "issued_at", "called_at", "finished_at", "window_id"
        )
    )
    errors: list[float] = []
    base_errors: list[float] = []
    waits: list[float] = []
    group: list[tuple] = []
    key = None

    def flush(group: list[tuple]) -> None:
        if not group:
            return
        queue_id = group[0][0]
        issued = [r[3].timestamp() for r in group]
        left = sorted(
            (r[4] or r[5]).timestamp() for r in group if r[4] is not None or r[2] == "cancelled"
        )
        done = sorted(
            (r[5].timestamp(), (r[5] - r[4]).total_seconds())
            for r in group
            if r[2] == "done" and r[4] is not None and r[5] is not None
        )
        done_at = [d[0] for d in done]
        prefix = [0.0]
        for _at, secs in done:
            prefix.append(prefix[-1] + secs)
        calls = sorted(
            ((r[4].timestamp(), r[6]) for r in group if r[4] is not None), key=lambda c: c[0]
        )
        call_at = [c[0] for c in calls]
        for i, r in enumerate(group):
            if r[4] is None:
                continue  # never called: no wait to compare with
            t = issued[i]
            ahead = i - bisect.bisect_left(left, t)  # issued before, not yet gone
            k = bisect.bisect_left(done_at, t)
            if k >= 3:
                n = min(RECENT, k)
                each = (prefix[k] - prefix[k - n]) / n / 60
            else:
                each = configured[queue_id]
            lo = bisect.bisect_left(call_at, t - HOUR)
            hi = bisect.bisect_left(call_at, t)
            windows = max(1, len({w for _at, w in calls[lo:hi]}))
            estimate = math.ceil(max(0, ahead) * max(0.5, each) / windows)
            actual = (r[4] - r[3]).total_seconds() / 60
            errors.append(estimate - actual)
            base_errors.append(max(0, ahead) * configured[queue_id] - actual)
            waits.append(actual)

    for row in rows.iterator(chunk_size=5000):
        k = (row[0], row[1])
        if k != key:
            flush(group)
            group, key = [], k
        group.append(row)
    flush(group)

    def summary(errs: list[float]) -> dict:
        absolute = sorted(abs(e) for e in errs)
        return {
            "mae_minutes": round(statistics.fmean(absolute), 2),
            "bias_minutes": round(statistics.fmean(errs), 2),
            "median_abs_minutes": round(absolute[len(absolute) // 2], 1),
            "p90_abs_minutes": round(absolute[int(len(absolute) * 0.9)], 1),
        }

    return {
        "tickets": len(errors),
        "mean_wait_minutes": round(statistics.fmean(waits), 2),
        **summary(errors),
        "baseline": summary(base_errors),
    }


def main() -> int:
    months = int(os.environ.get("BENCH_MONTHS", "3"))
    db = os.environ.get("BENCH_DATABASE_URL")
    if not db:
        path = Path("/tmp/yichuang-bench-estimates/demo.sqlite3")
        path.parent.mkdir(parents=True, exist_ok=True)
        ensure_sqlite(path, months)
        db = f"sqlite:///{path}"
    django_setup(db)
    started = time.monotonic()
    result = replay()
    print(
        json.dumps(
            {
                "bench": "queue_estimates",
                "database": db.split(":", 1)[0],
                "history_months": months,
                **result,
                "seconds": round(time.monotonic() - started, 1),
                "load_average": load_average(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
