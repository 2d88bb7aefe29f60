"""The one piece of SQL of the cases app the ORM cannot say, each with a test
against its ORM version on both databases (tests/cases/test_sql.py).

SQLite uses a partial index only when the query repeats the index's condition
with the same literals (a bound parameter never matches it); the ORM always
binds the values of ``status__in``. The desk's reads of open cases therefore
spell the condition of the partial indexes on (department | post | centre,
due_date, id) WHERE open, as SQL literals.
"""

from __future__ import annotations

from django.db import models
from django.db.models.expressions import RawSQL

from .states import OPEN

# The statuses are fixed identifiers of this module, never user input.
OPEN_SQL = "cases_case.status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN))


def open_status() -> RawSQL:
    """``status IN (<the open statuses>)`` with literals: the same rows as
    ``Q(status__in=OPEN)``."""
    return RawSQL(OPEN_SQL, [], output_field=models.BooleanField())
