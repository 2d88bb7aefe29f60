"""The PostgreSQL database a bench keeps between runs (``…_KEEP_DB_URL=1``):
created on the server named by ``YICHUANG_DATABASE_URL`` when missing."""

from __future__ import annotations

import os


def ensure_pg_database(keep: bool) -> None:
    url = os.environ.get("YICHUANG_DATABASE_URL", "")
    if not (keep and url.startswith("postgres")):
        return
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
