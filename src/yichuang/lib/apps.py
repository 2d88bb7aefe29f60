from django.apps import AppConfig

# The longest statement the hall queue sends (call-next's pick, at a window
# serving many queues) must stay under these; a test holds it to them.
DRIVER_CACHED_SQL_LENGTH = 16384
DRIVER_CACHED_SQL_PARAMS = 200
TIMESTAMPTZ_OID = 1184  # PostgreSQL's type id of timestamptz


class LibConfig(AppConfig):
    name = "yichuang.lib"
    label = "lib"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        _let_the_driver_cache_long_statements()
        connection_created.connect(_compiled_timestamp_loader, dispatch_uid="lib.tz_loader")


def _let_the_driver_cache_long_statements() -> None:
    """psycopg converts a statement's ``%s`` placeholders to ``$n`` on every
    execution unless the statement is at most 4 kB with at most 50 parameters,
    which it then converts once and remembers (an LRU of 128). Call-next's pick
    is about 8 kB with 74 parameters, so its conversion cost a few per cent of
    a worker's CPU on every call. The limits are module settings of the driver;
    raising them keeps every statement the app repeats in that small cache."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 0) < DRIVER_CACHED_SQL_LENGTH:
        _queries.MAX_CACHED_STATEMENT_LENGTH = DRIVER_CACHED_SQL_LENGTH
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < DRIVER_CACHED_SQL_PARAMS:
        _queries.MAX_CACHED_STATEMENT_PARAMS = DRIVER_CACHED_SQL_PARAMS


def _compiled_timestamp_loader(sender, connection, **kwargs) -> None:
    """Read ``timestamptz`` values with psycopg's compiled parser.

    Django registers, per connection, a loader that parses each timestamp in
    Python and then labels it with the connection's time zone; a ticket row
    has nine timestamps, and that parsing was the largest cost left in reading
    rows. The compiled loader cannot be subclassed, so this one calls it and
    labels the result exactly as Django's does (``replace(tzinfo=...)``), and
    carries the ``timezone`` attribute Django compares when it opens a cursor.
    Nothing changes where psycopg has no compiled implementation."""
    if connection.vendor != "postgresql":
        return
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzLoader

    compiled = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if compiled is None or compiled is TimestamptzLoader:
        return
    tz = connection.timezone

    class CompiledTzLoader(Loader):
        timezone = tz

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._parse = compiled(oid, context).load

        def load(self, data):
            return self._parse(data).replace(tzinfo=tz)

    connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, CompiledTzLoader)
