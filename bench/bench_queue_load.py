"""Queue load benchmark (issue 4): 100 windows calling and finishing while 20
kiosks issue, over HTTP against `yichuang serve` (2 workers of one request
thread each, DEBUG off) on PostgreSQL. Prints one JSON line: queue
operations/s, p50/p99 of issue and call-next, double calls, lost tickets,
duplicate numbers, the largest app worker's RSS, and how fast one core ran
before, every 10 s during and after the run (``cpu_speed_ms``, lower is
faster: on a shared host it varies twofold from minute to minute, so compare
runs with it in view).

The load is paced like a hall, not a closed loop of clients hammering the
server: tickets arrive as a Poisson stream (BENCH_ISSUE_RATE per second, spread
over the kiosks and over the queues in proportion to the windows serving them);
each window calls, "serves" for BENCH_SERVICE seconds, finishes, and calls
again, and polls every BENCH_POLL seconds while nobody waits. Latency is
measured from the moment a request is due, so a slow server cannot hide its
queueing delay (no coordinated omission for issues).

The hall opens first: for BENCH_WARMUP seconds (5) the same load runs while the
100 windows open and the workers warm up (first connections, prepared
statements); operations, latencies and CPU are then measured over the next
BENCH_SECONDS. The warm-up's own p99 is printed beside them (warmup_p99_ms).

Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/yichuang_bench),
BENCH_SECONDS (60), BENCH_WARMUP (5), BENCH_WINDOWS (100), BENCH_KIOSKS (20),
BENCH_ISSUE_RATE (135: about 440 operations/s in all), BENCH_SERVICE (0.4),
BENCH_POLL (1.0), BENCH_PORT (a free port), BENCH_MONTHS (12: months of demo
history to seed), BENCH_REUSE (1: keep a prepared database and only clear
today's rows), BENCH_WORKERS (2: on two cores shared with PostgreSQL and this
generator, more workers cost more CPU per operation than they add),
BENCH_TRACE (a file for every request's latency), BENCH_KEEPALIVE (1: each
kiosk and window keeps its connections open between requests, as the browser
on a real device does; 0: a new connection for every request),
YICHUANG_SERVER (granian; gunicorn for the fallback server).

Helpers here (database preparation, the server, an asyncio HTTP client) are
shared by the other bench_queue_*.py files.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import uvloop

from benchenv import BIN, django_start  # bench/, the script's own folder

PG = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "Bench@2026pw"


def env_for(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "YICHUANG_DATABASE_URL": db_url,
        "YICHUANG_VAR": "/tmp/yichuang-bench-var",
        "YICHUANG_DEBUG": "0",
        "YICHUANG_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def sh(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "yichuang"), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def free_port() -> int:
    """A port nobody listens on (other people's servers share this machine)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_speed_ms() -> float:
    """Milliseconds one core takes for a fixed piece of pure Python (best of 5).
    On a shared host this moves by a third from one minute to the next; it is
    printed before and after a run so that runs can be compared."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i % 7
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


class SpeedProbe:
    """``cpu_speed_ms`` every 10 s in a process of its own while the load runs
    (under 1 % of a core): a host that slows down in the middle of a run shows
    it here, where the figures before and after would miss it."""

    CODE = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from bench_queue_load import cpu_speed_ms\n"
        "while True:\n    time.sleep(10); print(cpu_speed_ms(), flush=True)"
    )

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(Path(__file__).resolve().parent)],
            stdout=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> list[float]:
        self.proc.terminate()
        out, _err = self.proc.communicate(timeout=10)
        return [float(x) for x in out.split()]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_seconds(pids) -> float:
    """User + system CPU seconds used so far by these processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, kernel included)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def database_backends(db_url: str) -> list[str]:
    """The PostgreSQL server processes serving connections to this database."""
    name = db_url.rsplit("/", 1)[1]
    out = subprocess.run(
        ["pgrep", "-f", f"postgres: .*{name} "], capture_output=True, text=True
    ).stdout
    return out.split()


# --- the database ---------------------------------------------------------------------


def database_exists(db_url: str) -> bool:
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
        return bool(c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def prepare_database(db_url: str, *, months: int = 0, reuse: bool = True) -> bool:
    """Create, migrate and seed the bench database; with ``reuse`` an existing
    one is only migrated. Returns True when it was (re)built."""
    import psycopg

    env = env_for(db_url)
    name = db_url.rsplit("/", 1)[1]
    marker = f"demo-months={months}"
    if reuse and database_exists(db_url):
        with psycopg.connect(db_url) as c:
            c.execute("CREATE TABLE IF NOT EXISTS bench_marker (what text)")
            row = c.execute("SELECT what FROM bench_marker").fetchone()
        if row and row[0] == marker:
            sh(env, "migrate", "-v", "0")
            return False
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    sh(env, "migrate", "-v", "0")
    sh(env, "seed-demo", "--always-open", "--months", str(months), "--password", PASSWORD)
    with psycopg.connect(db_url) as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_marker (what text)")
        c.execute("DELETE FROM bench_marker")
        c.execute("INSERT INTO bench_marker VALUES (%s)", [marker])
    return True


def django_setup(db_url: str) -> None:
    """This process on the bench database, with the server's environment."""
    env = env_for(db_url)
    django_start(
        "queue",
        database=db_url,
        var=env["YICHUANG_VAR"],
        environ={k: env[k] for k in ("YICHUANG_DEBUG", "YICHUANG_ALLOWED_HOSTS")},
    )


def fresh_day() -> dict[str, int]:
    """Start the run on a quiet hall: windows closed, today's leftover waiting
    tickets of earlier runs set aside (bench database only). Returns the highest
    ticket and event ids, so the checks look only at this run's rows."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("UPDATE queueing_ticket SET status = 'cancelled' WHERE status = 'waiting'")
        cur.execute(
            "UPDATE queueing_ticket SET status = 'done' WHERE status IN ('called', 'serving')"
        )
        cur.execute("UPDATE queueing_queuealert SET resolved_at = now() WHERE resolved_at IS NULL")
        cur.execute("UPDATE org_window SET state = 'closed', clerk_id = NULL")
        # as autovacuum does on a running server, so that one run's leftovers
        # don't weigh on the next
        for table in (
            "queueing_ticket",
            "queueing_ticketevent",
            "queueing_queuecounter",
            "queueing_queuealert",
            "org_window",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT coalesce(max(id), 0) FROM queueing_ticket")
        ticket = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM queueing_ticketevent")
        event = cur.fetchone()[0]
    return {"ticket": ticket, "event": event}


def hall_setup(n_windows: int, n_kiosks: int) -> dict:
    """Windows (adding flexible windows to the county hall up to ``n_windows``),
    a bench clerk with an API token for each, and kiosk device tokens. Returns
    {"windows": [(window id, token)], "kiosks": [(centre code, token)],
    "queues": [(centre code, queue code, weight)]}."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max

    from yichuang.accounts.actions import api_token_issue
    from yichuang.accounts.models import Role, User, UserRole
    from yichuang.org.models import Centre, Device, Staff, Window, device_token_hash
    from yichuang.queueing.models import Queue, WindowSkill

    hall = Centre.objects.get(code="county-hall")
    served = Window.objects.filter(skills__isnull=False).distinct()
    missing = n_windows - served.count()
    if missing > 0:
        top = Window.objects.filter(centre=hall).aggregate(m=Max("number"))["m"] or 0
        queues = list(Queue.objects.filter(centre=hall).exclude(code="unsolved"))
        for i in range(missing):
            w = Window.objects.create(
                centre=hall, number=top + 1 + i, name=f"弹性窗口{top + 1 + i}", kind="flexible"
            )
            WindowSkill.objects.bulk_create([WindowSkill(window=w, queue=q) for q in queues])
    password = make_password(PASSWORD)
    windows = []
    for w in Window.objects.filter(skills__isnull=False).distinct().order_by("centre_id", "number"):
        if len(windows) >= n_windows:
            break
        username = f"bench_w{w.pk}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, password=password)
            UserRole.objects.create(user=user, role=Role.CLERK)
            Staff.objects.create(
                user=user,
                name=f"压测{w.pk}",
                employee_no=f"BW{w.pk:05d}",
                region=w.centre.region,
                centre=w.centre,
                scope="centre",
                title="bench",
            )
        windows.append((w, api_token_issue(user=user)))
    centres = sorted({w.centre_id for w, _t in windows}) or [hall.pk]
    by_id = {c.pk: c for c in Centre.objects.filter(pk__in=centres)}
    kiosks = []
    for k in range(n_kiosks):
        centre = by_id[centres[k % len(centres)]]
        raw = Device.new_token()
        Device.objects.create(
            kind=Device.Kind.KIOSK,
            name=f"bench kiosk {k}",
            centre=centre,
            token_hash=device_token_hash(raw),
        )
        kiosks.append((centre.code, raw))
    weights: Counter = Counter()
    chosen = {w.pk for w, _t in windows}
    for s in WindowSkill.objects.filter(window_id__in=chosen, order=1).select_related(
        "queue__centre"
    ):
        weights[(s.queue.centre.code, s.queue.code)] += 1
    return {
        "windows": [(w.pk, t) for w, t in windows],
        "kiosks": kiosks,
        "queues": [(c, q, n) for (c, q), n in sorted(weights.items())],
    }


# --- the server -----------------------------------------------------------------------


class Server:
    def __init__(self, db_url: str, *, port: int, workers: int) -> None:
        self.port = port
        cmd = [str(BIN / "yichuang"), "serve", "--port", str(port), "--workers", str(workers)]
        self.proc = subprocess.Popen(
            cmd,
            env=env_for(db_url),
            stdout=subprocess.DEVNULL,
            stderr=open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "ab"),  # noqa: SIM115
        )

    def wait_ready(self) -> None:
        import http.client

        for _ in range(150):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited (port {self.port} taken?)")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                c.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def workers(self, expected: int = 0) -> list[str]:
        """The app worker pids; with ``expected``, wait until that many have
        started (gunicorn answers as soon as the first one is up)."""
        for _ in range(100):
            out = subprocess.run(
                ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
            ).stdout.split()
            if len(out) >= expected:
                break
            time.sleep(0.1)
        time.sleep(0.5 if expected else 0)  # let the last ones finish importing
        return out

    def worker_rss_mb(self) -> int:
        """The largest RSS among the app workers (gunicorn's children)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        best = 0
        for pid in out.split():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS"):
                        best = max(best, int(line.split()[1]) // 1024)
            except OSError:
                pass
        return best

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- a small asyncio HTTP/1.1 client ------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the server keeps the connection open."""
    header = await reader.readuntil(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        fields[name.strip().lower()] = value.strip().lower()
    if fields.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    elif "content-length" in fields:
        body = await reader.readexactly(int(fields["content-length"]))
    else:
        body = await reader.read()
        return status, body, False
    return status, body, fields.get("connection") != "close"


async def http(
    port: int,
    method: str,
    path: str,
    body=None,
    token: str | None = None,
    pool: dict | None = None,
) -> tuple[int, bytes]:
    """One request. With ``pool`` (one per device), connections are kept
    alive and reused the way a browser does, where the server allows it;
    without, each request has a connection of its own."""
    data = json.dumps(body).encode() if body is not None else b""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
    if pool is None:
        head.append("Connection: close")
    if body is not None:
        head.append("Content-Type: application/json")
    if token:
        head.append(f"Authorization: Bearer {token}")
    idle = pool.setdefault(token, []) if pool is not None else []
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + data
    while True:
        reused = bool(idle)
        try:
            reader, writer = (
                idle.pop() if idle else await asyncio.open_connection("127.0.0.1", port)
            )
        except OSError:
            return 0, b""
        keep = False
        try:
            writer.write(request)
            await writer.drain()
            status, payload, keep = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            if reused:  # the server closed an idle connection: try a new one
                continue
            return 0, b""
        finally:
            if keep and pool is not None:
                idle.append((reader, writer))
            else:
                writer.close()
        break
    return status, payload


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * q))] * 1000, 1)


# --- the load -------------------------------------------------------------------------


async def run_load(
    setup: dict,
    *,
    port: int,
    seconds: float,
    rate: float,
    service: float,
    poll: float,
    warmup: float = 0.0,
    on_measure=None,
) -> dict:
    """The hall's load for ``warmup`` + ``seconds``. Operations, latencies and
    errors are counted for requests due after the warm-up (``on_measure`` is
    called then); the warm-up's own tail latency is reported beside them."""
    lat: dict[str, list[float]] = {"issue": [], "call": [], "finish": []}
    cold: list[float] = []
    ops: Counter = Counter()
    errors: Counter = Counter()
    issued_ok = 0
    rng = random.Random(4)
    loop = asyncio.get_running_loop()
    measure_from = loop.time() + warmup
    stop = measure_from + seconds

    trace: list[tuple[str, float, float]] = []

    def record(kind: str, due: float) -> bool:
        took = loop.time() - due
        trace.append((kind, round(due - measure_from, 3), round(took * 1000, 1)))
        if due < measure_from:
            cold.append(took)
            return False
        lat[kind].append(took)
        ops[kind] += 1
        return True

    kiosks_by_centre: dict[str, list[str]] = {}
    for code, token in setup["kiosks"]:
        kiosks_by_centre.setdefault(code, []).append(token)
    targets = [(c, q) for c, q, _n in setup["queues"] if c in kiosks_by_centre]
    weights = [n for c, _q, n in setup["queues"] if c in kiosks_by_centre]
    pending: set[asyncio.Task] = set()
    # each kiosk and window keeps its connections open, as a browser does
    pool: dict | None = {} if os.environ.get("BENCH_KEEPALIVE", "1") == "1" else None

    async def issue(due: float) -> None:
        nonlocal issued_ok
        code, queue = rng.choices(targets, weights=weights)[0]
        token = rng.choice(kiosks_by_centre[code])
        status, _b = await http(
            port,
            "POST",
            f"/api/v1/centres/{code}/tickets",
            {"queue": queue, "channel": "kiosk"},
            token,
            pool,
        )
        counted = record("issue", due)
        if status == 201:
            issued_ok += 1
        elif counted:
            errors[f"issue {status}"] += 1

    async def arrivals() -> None:
        due = loop.time()
        while True:
            due += rng.expovariate(rate)
            if due >= stop:
                return
            await asyncio.sleep(max(0.0, due - loop.time()))
            task = asyncio.create_task(issue(due))
            pending.add(task)
            task.add_done_callback(pending.discard)

    async def window(wid: int, token: str) -> None:
        await http(port, "POST", f"/api/v1/windows/{wid}/open", token=token, pool=pool)
        await asyncio.sleep(rng.random() * poll)
        while loop.time() < stop:
            t = loop.time()
            status, _b = await http(
                port, "POST", f"/api/v1/windows/{wid}/call-next", token=token, pool=pool
            )
            counted = record("call", t)
            if status == 200:
                await asyncio.sleep(service * rng.uniform(0.5, 1.5))
                t = loop.time()
                status, _b = await http(
                    port, "POST", f"/api/v1/windows/{wid}/finish", token=token, pool=pool
                )
                if record("finish", t) and status != 200:
                    errors[f"finish {status}"] += 1
            elif status == 204:
                await asyncio.sleep(poll)
            else:
                if counted:
                    errors[f"call {status}"] += 1
                await asyncio.sleep(poll)

    async def measure() -> None:
        await asyncio.sleep(max(0.0, measure_from - loop.time()))
        if on_measure is not None:
            on_measure()

    await asyncio.gather(
        measure(), arrivals(), *(window(wid, tok) for wid, tok in setup["windows"])
    )
    if pending:
        await asyncio.gather(*pending)
    elapsed = loop.time() - measure_from
    if os.environ.get("BENCH_TRACE"):  # every request: (kind, due s, ms) for a look at the tail
        Path(os.environ["BENCH_TRACE"]).write_text(json.dumps(trace))
    return {
        "seconds": round(elapsed, 1),
        "warmup_seconds": warmup,
        # the hall opening: 100 windows open and call at once on cold workers
        "warmup_p99_ms": pct(cold, 0.99),
        "ops_per_s": round(sum(ops.values()) / elapsed, 1),
        "issue_per_s": round(ops["issue"] / elapsed, 1),
        "issue_p50_ms": pct(lat["issue"], 0.50),
        "issue_p99_ms": pct(lat["issue"], 0.99),
        "call_next_p50_ms": pct(lat["call"], 0.50),
        "call_next_p99_ms": pct(lat["call"], 0.99),
        "finish_p99_ms": pct(lat["finish"], 0.99),
        "issued": ops["issue"],
        "calls": ops["call"],
        "finished": ops["finish"],
        "issued_ok": issued_ok,
        "errors": dict(errors),
    }


def integrity(issued_ok: int, since: dict[str, int]) -> dict:
    """Zero double calls, zero lost tickets, zero duplicate numbers (this run's rows)."""
    from django.db import connection

    t, e = since["ticket"], since["event"]
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM queueing_ticket WHERE id > %s AND seq IS NOT NULL", [t])
        tickets = c.fetchone()[0]
        c.execute(
            "SELECT count(*) FROM (SELECT queue_id, day, seq FROM queueing_ticket "
            "WHERE seq IS NOT NULL AND (queue_id, day) IN (SELECT queue_id, day FROM "
            "queueing_ticket WHERE id > %s) GROUP BY 1, 2, 3 HAVING count(*) > 1) d",
            [t],
        )
        dupes = c.fetchone()[0]
        c.execute(
            "SELECT count(*) FROM (SELECT ticket_id FROM queueing_ticketevent WHERE id > %s "
            "AND type = 'called' GROUP BY 1 HAVING count(*) > 1) d",
            [e],
        )
        double = c.fetchone()[0]
        c.execute(
            "SELECT count(*) FROM (SELECT window_id FROM queueing_ticket WHERE "
            "status IN ('called', 'serving') GROUP BY 1 HAVING count(*) > 1) d"
        )
        two_at_once = c.fetchone()[0]
    return {
        "tickets_in_db": tickets,
        "lost_tickets": issued_ok - tickets,
        "duplicate_numbers": dupes,
        "double_calls": double,
        "windows_with_two_tickets": two_at_once,
    }


def main() -> int:
    db = os.environ.get("BENCH_DATABASE_URL", f"{PG}/yichuang_bench")
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    n_windows = int(os.environ.get("BENCH_WINDOWS", "100"))
    n_kiosks = int(os.environ.get("BENCH_KIOSKS", "20"))
    rate = float(os.environ.get("BENCH_ISSUE_RATE", "135"))
    service = float(os.environ.get("BENCH_SERVICE", "0.4"))
    poll = float(os.environ.get("BENCH_POLL", "1.0"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    port = int(os.environ.get("BENCH_PORT") or free_port())
    months = int(os.environ.get("BENCH_MONTHS", "12"))
    reuse = os.environ.get("BENCH_REUSE", "1") == "1"
    warmup = float(os.environ.get("BENCH_WARMUP", "5"))

    prepare_database(db, months=months, reuse=reuse)
    django_setup(db)
    since = fresh_day()
    setup = hall_setup(n_windows, n_kiosks)
    from django.db import connection

    connection.close()
    server = Server(db, port=port, workers=workers)
    try:
        server.wait_ready()
        load_before = load_average()
        speed_before = cpu_speed_ms()
        app = server.workers(workers)
        at_start: dict[str, float] = {}

        def snapshot() -> dict[str, float]:
            return {
                "app": cpu_seconds(app),
                "db": cpu_seconds(database_backends(db)),
                "client": time.process_time(),
                "machine": machine_busy_seconds(),
            }

        probe = SpeedProbe()
        # uvloop: the load generator shares the two cores with the server, so
        # the less CPU it takes per request the more is left for what is measured
        result = uvloop.run(
            run_load(
                setup,
                port=port,
                seconds=seconds,
                rate=rate,
                service=service,
                poll=poll,
                warmup=warmup,
                on_measure=lambda: at_start.update(snapshot()),
            )
        )
        # CPU per operation over the measured span, whatever else the machine
        # runs: the app workers, the database processes serving them (their
        # connections live as long as the workers), and this load generator.
        ops = result["ops_per_s"] * result["seconds"]
        used = {k: v - at_start[k] for k, v in snapshot().items()}
        busy = used["machine"]
        cpu = {
            "app_cpu_ms_per_op": round(used["app"] / ops * 1000, 2),
            "db_cpu_ms_per_op": round(used["db"] / ops * 1000, 2),
            "client_cpu_ms_per_op": round(used["client"] / ops * 1000, 2),
            # everything the machine did, kernel and other processes included
            "machine_cpu_ms_per_op": round(busy / ops * 1000, 2),
            "machine_busy": round(busy / result["seconds"] / (os.cpu_count() or 1), 2),
        }
        rss = server.worker_rss_mb()
        speed_during = probe.stop()
    finally:
        server.stop()
    issued_ok = result.pop("issued_ok")
    out = {
        "bench": "queue_load",
        "database": "postgresql",
        "server": os.environ.get("YICHUANG_SERVER", "granian"),
        "keepalive": os.environ.get("BENCH_KEEPALIVE", "1") == "1",
        "workers": workers,
        "windows": len(setup["windows"]),
        "kiosks": len(setup["kiosks"]),
        "offered_issue_rate": rate,
        **result,
        **cpu,
        **integrity(issued_ok, since),
        "worker_rss_mb": rss,
        "history_months": months,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "cpu_speed_ms_before": speed_before,
        "cpu_speed_ms_during": speed_during,
        "cpu_speed_ms_after": cpu_speed_ms(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
