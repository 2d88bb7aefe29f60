"""Instructions per hall operation (issue 4): how much work the app process
does for one issue, one call-next, one finish and one idle poll, counted by
valgrind's callgrind rather than timed.

The load bench's figures move with the host: on a shared 2-core machine the
same code gives 3.3 ms of CPU per operation in one hour and 5–6 ms in another,
so a change that saves 5 % can't be seen in it. An instruction count is the
same on every run of the same code and data (within a fraction of a per cent),
whatever else the machine is doing; it is the figure to compare two versions
of a hot path by.

A child process runs under callgrind and drives the whole WSGI application
in-process (middleware, ninja, auth, actions, psycopg), one request at a time,
against the load bench's PostgreSQL database (12 months of demo history,
built once and reused); the HTTP server and PostgreSQL are not counted. After
a warm-up (prepared statements, caches), each request is counted on its own:
the child zeroes callgrind's counters before it and dumps them after it
(``callgrind_control``), and empty steps measure what zeroing and dumping
themselves cost.

Prints one JSON line: millions of instructions per issue, call-next, finish
and idle call-next (nobody waiting), the mean and the median of BENCH_OPS (30)
of each, and their mean per operation of a hall (an issue, a call, a finish).
Needs valgrind (scripts/sysdeps.sh installs it). Environment as the load
bench: BENCH_DATABASE_URL, BENCH_MONTHS, BENCH_REUSE.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_queue_load import PG, django_setup, fresh_day, hall_setup, prepare_database

PHASES = ("empty", "issue", "call", "finish", "idle_poll")


def request(app, method: str, path: str, token: str, body: dict | None = None) -> int:
    """One request through the WSGI application, as the server would make it."""
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    response = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        b"".join(response)
    finally:
        response.close()  # request_finished, as after every request served
    return int(status[0].split()[0])


def child(db: str, n: int) -> None:
    """Runs under callgrind: the hall's requests, each counted apart."""
    django_setup(db)
    fresh_day()
    setup = hall_setup(1, 1)
    (wid, clerk), (centre, kiosk) = setup["windows"][0], setup["kiosks"][0]
    queue = next(q for c, q, _n in setup["queues"] if c == centre)
    from django.db import connection

    from yichuang.wsgi import application as app

    connection.close()
    pid = str(os.getpid())

    def expect(code: int, *args) -> None:
        got = request(app, *args)
        if got != code:
            raise SystemExit(f"{args[1]}: HTTP {got}, expected {code}")

    def issue() -> None:
        expect(201, "POST", f"/api/v1/centres/{centre}/tickets", kiosk, {"queue": queue})

    def call() -> None:
        expect(200, "POST", f"/api/v1/windows/{wid}/call-next", clerk)

    def finish() -> None:
        expect(200, "POST", f"/api/v1/windows/{wid}/finish", clerk)

    def idle_poll() -> None:
        expect(204, "POST", f"/api/v1/windows/{wid}/call-next", clerk)

    expect(200, "POST", f"/api/v1/windows/{wid}/open", clerk)
    for _ in range(8):  # warm: connections, prepared statements, caches
        issue()
        call()
        finish()
        idle_poll()

    def counted_apart(phase: str, fn) -> None:
        subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
        fn()
        subprocess.run(["callgrind_control", "-d", phase, pid], check=True, capture_output=True)

    for _ in range(n):
        counted_apart("empty", lambda: None)
    for _ in range(n):
        counted_apart("issue", issue)
    for _ in range(n):
        counted_apart("call", call)
        counted_apart("finish", finish)
    for _ in range(n):
        counted_apart("idle_poll", idle_poll)
    expect(200, "POST", f"/api/v1/windows/{wid}/close", clerk)


def counted(out: Path) -> dict[str, list[int]]:
    """The instructions of each dumped request (or empty step), by phase."""
    found: dict[str, list[int]] = {}
    for f in out.glob("cg.*.*"):
        lines = f.read_text(errors="replace").splitlines()
        phase = next(x for x in lines if x.startswith("desc: Trigger:")).rsplit(" ", 1)[-1]
        summary = next(x for x in lines if x.startswith("summary:"))
        if phase in PHASES:
            found.setdefault(phase, []).append(int(summary.split()[1]))
    return found


def main() -> int:
    db = os.environ.get("BENCH_DATABASE_URL", f"{PG}/yichuang_bench")
    n = int(os.environ.get("BENCH_OPS", "30"))
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(db, n)
        return 0
    prepare_database(
        db,
        months=int(os.environ.get("BENCH_MONTHS", "12")),
        reuse=os.environ.get("BENCH_REUSE", "1") == "1",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}/cg.%p",
                "--dump-instr=no",
                sys.executable,
                __file__,
                "--child",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        found = counted(out)
    missing = [p for p in PHASES if len(found.get(p, [])) != n]
    if missing:
        raise SystemExit(f"callgrind dumped too few counts for {missing}")
    empty = statistics.median(found["empty"])
    per = {p: (statistics.mean(found[p]) - empty) / 1e6 for p in PHASES[1:]}
    print(
        json.dumps(
            {
                "bench": "queue_instructions",
                "database": "postgresql",
                "ops_each": n,
                "issue_minstr": round(per["issue"], 3),
                "call_next_minstr": round(per["call"], 3),
                "finish_minstr": round(per["finish"], 3),
                "idle_poll_minstr": round(per["idle_poll"], 3),
                # a hall's mix: one call and one finish for every ticket issued
                "per_operation_minstr": round((per["issue"] + per["call"] + per["finish"]) / 3, 3),
                # the typical request; the mean above also carries the rare
                # heavy one (a peak alert raised or resolved, statistics read)
                "median_minstr": {
                    p: round((statistics.median(found[p]) - empty) / 1e6, 3) for p in PHASES[1:]
                },
                "spread_pct": {  # (max - min) / mean of the requests of each kind
                    p: round((max(found[p]) - min(found[p])) / statistics.mean(found[p]) * 100, 1)
                    for p in PHASES[1:]
                },
                "zero_and_dump_minstr": round(empty / 1e6, 3),
                "python": sys.version.split()[0],
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
