"""Worker tasks of the knowledge base: reindex the catalogue items changed
since the last run (``catalog`` doesn't know the search exists)."""

from __future__ import annotations

from .indexing import reindex_tick

TASKS = [("knowledge.reindex_items", 60, reindex_tick)]
