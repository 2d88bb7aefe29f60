"""lib.apps tunes the database driver; what the app reads must not change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from yichuang.lib import rows

pytestmark = pytest.mark.django_db


def test_timestamps_read_back_exactly_and_in_utc(county):
    from yichuang.org.models import Centre

    centre = Centre.objects.first()
    at = dt.datetime(2026, 3, 2, 9, 15, 7, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    Centre.objects.filter(pk=centre.pk).update(created_at=at)
    loaded = Centre.objects.get(pk=centre.pk).created_at
    assert loaded == at
    assert loaded.utcoffset() == dt.timedelta(0)
    assert (loaded.hour, loaded.microsecond) == (1, 123456)
    (raw,) = rows.fetchone("SELECT created_at FROM org_centre WHERE id = %s", [centre.pk])
    assert rows.convert(Centre, "created_at", raw) == at


def test_postgresql_reads_timestamps_with_the_compiled_parser(county):
    """On PostgreSQL the connection's timestamptz loader is the one lib.apps
    registers, labelled with Django's time zone (so Django keeps it for every
    cursor); on SQLite there is no such loader and nothing to register."""
    connection.ensure_connection()
    if connection.vendor != "postgresql":
        assert not hasattr(connection.connection, "adapters")
        return
    from psycopg.pq import Format

    from yichuang.lib.apps import TIMESTAMPTZ_OID

    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader.__name__ == "CompiledTzLoader"
    assert loader.timezone == connection.timezone == dt.UTC
    with connection.cursor() as cur:
        cur.execute("SELECT '2026-01-01 10:00:00.5+08'::timestamptz, NULL::timestamptz")
        value, missing = cur.fetchone()
    assert value == dt.datetime(2026, 1, 1, 2, 0, 0, 500000, tzinfo=dt.UTC)
    assert value.tzinfo is dt.UTC
    assert missing is None
