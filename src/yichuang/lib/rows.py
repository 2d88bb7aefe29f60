"""Hand-written SQL for the few hot paths (the hall queue's issue, call and
finish, API authentication, the display feed).

Building a query through the ORM costs about ten times what the query itself
costs on a warm database (compiling the SQL, then turning each row into an
instance with every field's converters). On a request that runs ten queries
that is most of the server's CPU. The helpers here keep hand-written SQL honest:

* column lists come from the models (``Cols``), so a new field cannot be
  forgotten in a SELECT;
* values read go through the same database converters the ORM applies, so
  an instance loaded here equals one loaded by the ORM, on SQLite and on
  PostgreSQL alike;
* parameters are adapted the way the ORM adapts them.

Everything else uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)


def _db():
    """The default connection, looked up once per call (``django.db.connection``
    is a proxy that resolves on every attribute)."""
    return connections[DEFAULT_DB_ALIAS]


class Cols(Generic[M]):
    """The concrete columns of ``model`` under a table alias, and the loader
    that turns the slice of a result row holding them into an instance."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in self.fields)
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[int, list, Any]]] = {}
        self._plain = False  # set with the converters: may skip Model.__init__

    def _converters_for(self) -> list[tuple[int, list, Any]]:
        connection = _db()
        vendor = connection.vendor
        found = self._converters.get(vendor)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if funcs:
                    found.append((i, funcs, col))
            self._converters[vendor] = found
            model = self.model
            self._plain = (
                model.__init__ is Model.__init__
                and not signals.pre_init.has_listeners(model)
                and not signals.post_init.has_listeners(model)
            )
        return found

    def load(self, row, start: int = 0) -> M | None:
        """The instance in ``row[start:start + width]``; None when its primary
        key is NULL (the missing side of a LEFT JOIN)."""
        connection = _db()
        values = list(row[start : start + self.width])
        if values[0] is None:
            return None
        for i, funcs, col in self._converters_for():
            value = values[i]
            for func in funcs:
                value = func(value, col, connection)
            values[i] = value
        if not self._plain:
            return self.model.from_db(connection.alias, self.attnames, values)
        return _instance(self.model, connection.alias, self.attnames, values)


def _instance(model: type[M], alias: str, attnames: list[str], values: list) -> M:
    """What ``model.from_db(alias, attnames, values)`` returns, built without
    ``Model.__init__``: on a model of 33 fields that walk was the single
    largest cost of a hall operation in Python. Used only where a loaded row
    has every concrete field, the model keeps ``Model.__init__`` and nothing
    listens to ``pre_init``/``post_init`` (``Cols._plain``); then setting the
    attributes directly gives the same instance (test_rows compares it with
    the ORM's, field by field)."""
    obj = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    obj._state = state
    obj.__dict__.update(zip(attnames, values, strict=True))
    return obj


@functools.cache
def _by_attname(model: type[Model]) -> dict[str, Any]:
    """``model``'s concrete fields by attname (built once per model)."""
    return {f.attname: f for f in model._meta.concrete_fields}


# SQL text built from a model and the attnames a call writes, by that key: the
# hot paths write the same columns every time, so it is built once per process
_sql_cache: dict[tuple, Any] = {}


def _prep(fields: list, values, connection) -> list:
    return [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]


def _params(connection, params) -> list:
    ops = connection.ops
    return [
        ops.adapt_datetimefield_value(p)
        if isinstance(p, dt.datetime)
        else ops.adapt_datefield_value(p)
        if isinstance(p, dt.date)
        else p
        for p in params
    ]


def fetchone(sql: str, params: list | tuple = ()) -> tuple | None:
    connection = _db()
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(connection, params))
        return cursor.fetchone()


def fetchall(sql: str, params: list | tuple = ()) -> list[tuple]:
    connection = _db()
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(connection, params))
        return cursor.fetchall()


def insert(model: type[Model], values: dict[str, Any]) -> int:
    """INSERT one row of ``model`` (by attname) and return its id."""
    connection = _db()
    key = ("insert", model, tuple(values))
    found = _sql_cache.get(key)
    if found is None:
        by_name = _by_attname(model)
        cols = ", ".join(f'"{by_name[k].column}"' for k in values)
        marks = ", ".join(["%s"] * len(values))
        sql = f'INSERT INTO "{model._meta.db_table}" ({cols}) VALUES ({marks}) RETURNING "id"'
        found = _sql_cache[key] = (sql, [by_name[k] for k in values])
    sql, fields = found
    with connection.cursor() as cursor:
        cursor.execute(sql, _prep(fields, values.values(), connection))
        return int(cursor.fetchone()[0])


def insert_instance(obj: Model) -> Model:
    """INSERT an unsaved instance the way ``save()`` would (defaults already
    set by the constructor, ``auto_now`` fields filled) and mark it saved."""
    connection = _db()
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    values = {f.attname: f.pre_save(obj, True) for f in fields}
    obj.pk = insert(type(obj), values)
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def update(
    model: type[Model], pk: int, values: dict[str, Any], *, where: str = "", where_params=()
) -> int:
    """UPDATE one row of ``model`` by id (and an extra SQL condition); returns
    the number of rows changed."""
    connection = _db()
    key = ("update", model, tuple(values), where)
    found = _sql_cache.get(key)
    if found is None:
        by_name = _by_attname(model)
        sets = ", ".join(f'"{by_name[k].column}" = %s' for k in values)
        extra = f" AND {where}" if where else ""
        sql = f'UPDATE "{model._meta.db_table}" SET {sets} WHERE "id" = %s{extra}'
        found = _sql_cache[key] = (sql, [by_name[k] for k in values])
    sql, fields = found
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_prep(fields, values.values(), connection), pk, *where_params])
        return cursor.rowcount


def _log_insert(log_model: type[Model], keys: tuple, log_ref: str, source: str, connection):
    """The ``INSERT … SELECT`` of a log row whose ``log_ref`` is the id the CTE
    ``source`` returns, and the fields of its parameters (in ``keys`` order)."""
    by_name = _by_attname(log_model)
    cols = ", ".join(f'"{by_name[k].column}"' for k in keys)
    casts = ", ".join(f"CAST(%s AS {by_name[k].cast_db_type(connection)})" for k in keys)
    ref_col = by_name[log_ref].column
    sql = (
        f' INSERT INTO "{log_model._meta.db_table}" ({cols}, "{ref_col}")'
        f' SELECT {casts}, {source}."id" FROM {source} RETURNING "{ref_col}"'
    )
    return sql, [by_name[k] for k in keys]


def insert_logged(
    obj: Model, log_model: type[Model], log_values: dict[str, Any], log_ref: str
) -> Model:
    """INSERT an unsaved instance and a log row that points at it (``log_ref``
    is the log's column for the new id); on PostgreSQL in one statement."""
    connection = _db()
    if connection.vendor != "postgresql":
        insert_instance(obj)
        insert(log_model, {**log_values, log_ref: obj.pk})
        return obj
    model = type(obj)
    key = ("insert_logged", model, log_model, tuple(log_values), log_ref)
    found = _sql_cache.get(key)
    if found is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        cols = ", ".join(f'"{f.column}"' for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        log_sql, log_fields = _log_insert(log_model, tuple(log_values), log_ref, "n", connection)
        sql = (
            f'WITH n AS (INSERT INTO "{model._meta.db_table}" ({cols}) VALUES ({marks})'
            f' RETURNING "id"){log_sql}'
        )
        found = _sql_cache[key] = (sql, fields, log_fields)
    sql, fields, log_fields = found
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    log_params = _prep(log_fields, log_values.values(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *log_params])
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def update_logged(
    model: type[Model],
    pk: int,
    values: dict[str, Any],
    log_model: type[Model],
    log_values: dict[str, Any],
    log_ref: str,
    *,
    where: str = "",
    where_params=(),
) -> bool:
    """UPDATE one row by id (and an extra condition) and, only if it changed,
    INSERT a log row pointing at it; on PostgreSQL in one statement. Returns
    whether the row changed."""
    connection = _db()
    if connection.vendor != "postgresql":
        if update(model, pk, values, where=where, where_params=where_params) != 1:
            return False
        insert(log_model, {**log_values, log_ref: pk})
        return True
    key = ("update_logged", model, tuple(values), where, log_model, tuple(log_values), log_ref)
    found = _sql_cache.get(key)
    if found is None:
        by_name = _by_attname(model)
        sets = ", ".join(f'"{by_name[k].column}" = %s' for k in values)
        extra = f" AND {where}" if where else ""
        log_sql, log_fields = _log_insert(log_model, tuple(log_values), log_ref, "u", connection)
        sql = (
            f'WITH u AS (UPDATE "{model._meta.db_table}" SET {sets} WHERE "id" = %s{extra}'
            f' RETURNING "id"){log_sql}'
        )
        found = _sql_cache[key] = (sql, [by_name[k] for k in values], log_fields)
    sql, fields, log_fields = found
    log_params = _prep(log_fields, log_values.values(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*_prep(fields, values.values(), connection), pk, *where_params, *log_params]
        )
        return cursor.fetchone() is not None


_field_converters: dict[tuple, tuple[list, Any]] = {}


def convert(model: type[Model], attname: str, value: Any) -> Any:
    """A raw value of ``model.attname`` (an aggregate, say) turned as the ORM
    would turn it; None stays None."""
    connection = _db()
    if value is None:
        return None
    key = (model, attname, connection.vendor)
    found = _field_converters.get(key)
    if found is None:
        field = next(f for f in model._meta.concrete_fields if f.attname == attname)
        col = field.get_col(model._meta.db_table)
        found = (connection.ops.get_db_converters(col) + col.get_db_converters(connection), col)
        _field_converters[key] = found
    funcs, col = found
    for func in funcs:
        value = func(value, col, connection)
    return value


def lock_clause(of: str, *, skip_locked: bool = False) -> str:
    """``FOR NO KEY UPDATE OF <alias>`` on PostgreSQL; nothing on SQLite, where
    the write transaction (BEGIN IMMEDIATE) already serialises writers."""
    connection = _db()
    if connection.vendor != "postgresql":
        return ""
    return f" FOR NO KEY UPDATE OF {of}" + (" SKIP LOCKED" if skip_locked else "")


def seconds_between(start: str, end: str) -> str:
    """SQL for the seconds from timestamp ``start`` to ``end``."""
    connection = _db()
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start}))"
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def string_agg(expr: str) -> str:
    """A comma-joined aggregate of ``expr`` in the database's own spelling."""
    connection = _db()
    if connection.vendor == "postgresql":
        return f"string_agg({expr}, ',')"
    return f"group_concat({expr}, ',')"


def in_ids(column: str, ids: list[int]) -> tuple[str, list]:
    """SQL and parameters for ``column`` being one of ``ids``. On PostgreSQL
    the ids are one array parameter, so the statement's text and its number of
    parameters stay the same however many ids there are (the driver caches
    the conversion of a statement only up to 50 parameters)."""
    if not ids:
        return "1 = 0", []
    if _db().vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)
