from django.apps import AppConfig

# The longest statement the hall queue sends (call-next's pick, at a window
# serving many queues) must stay under these; a test holds it to them.
DRIVER_CACHED_SQL_LENGTH = 16384
DRIVER_CACHED_SQL_PARAMS = 200


class LibConfig(AppConfig):
    name = "yichuang.lib"
    label = "lib"
    verbose_name = "基础"

    def ready(self) -> None:
        _let_the_driver_cache_long_statements()


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
