"""What every bench does before it touches Django: the import paths (``src/``
and the repository, for ``tests.conftest``), a YICHUANG_VAR of its own, the
database, the settings module, ``django.setup()``.

The database: SQLite in that YICHUANG_VAR unless a URL is passed. The benches
that run in process keep ``YICHUANG_DATABASE_URL`` only when their flag says
so (``BENCH_KEEP_DB_URL=1``; the fuzzer's ``FUZZ_KEEP_DB_URL=1``): see
``kept_database_url``. The ones that drive ``yichuang serve`` name theirs
(``BENCH_DATABASE_URL``) and pass it in. A PostgreSQL database that is missing
is created on its server.

A bench script imports this module by its plain name (``from benchenv import
…``): the script's own folder, bench/, is first on ``sys.path``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

for _path in (ROOT, ROOT / "src"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


def kept_database_url(flag: str = "BENCH_KEEP_DB_URL") -> str | None:
    """``YICHUANG_DATABASE_URL`` when the environment variable ``flag`` is 1,
    else None (the bench's own SQLite file): a developer's URL exported for
    the tests is never flushed by a bench that wasn't asked to use it."""
    if os.environ.get(flag) != "1":
        return None
    return os.environ.get("YICHUANG_DATABASE_URL") or None


def ensure_pg_database(url: str | None) -> None:
    """Create the PostgreSQL database ``url`` names when it is missing (its
    server's ``postgres`` database answers); anything else is left alone."""
    if not (url and url.startswith("postgres")):
        return
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_start(
    name: str,
    *,
    database: str | None = None,
    var: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Set the environment and run ``django.setup()``; returns YICHUANG_VAR.

    ``database``: a database URL, or None for SQLite under YICHUANG_VAR.
    ``var``: the YICHUANG_VAR to use (created if missing, kept), else a fresh
    temporary ``bench-<name>-*`` directory. ``environ``: more variables to set
    as they are, e.g. ``{"YICHUANG_DEBUG": "0"}`` to measure as in production
    (no query log); see ``production``.

    Once Django is set up, a second call (a bench importing another bench's
    helpers, as ``bench_bulletin`` does) changes nothing.
    """
    from django.apps import apps

    if apps.ready:
        return Path(os.environ["YICHUANG_VAR"])
    var_dir = Path(var) if var else Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "static").mkdir(exist_ok=True)  # DEBUG off: whitenoise looks for it
    os.environ["YICHUANG_VAR"] = str(var_dir)
    if database:
        os.environ["YICHUANG_DATABASE_URL"] = database
        ensure_pg_database(database)
    else:
        os.environ.pop("YICHUANG_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings")
    os.environ.update(environ or {})
    import django

    django.setup()
    return var_dir


def production(hosts: str = "testserver") -> dict[str, str]:
    """DEBUG off (no query log, which costs a long fill a fifth of its time)
    and the host names the bench's requests use; a value already in the
    environment wins."""
    return {
        "YICHUANG_DEBUG": os.environ.get("YICHUANG_DEBUG", "0"),
        "YICHUANG_ALLOWED_HOSTS": os.environ.get("YICHUANG_ALLOWED_HOSTS", hosts),
    }
