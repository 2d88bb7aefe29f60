"""Append-only rows: events, audit entries, access logs.

A row of an append-only model is written once. The model refuses ``save`` of
an existing row (unless every field in ``update_fields`` is named in the
model's ``MUTABLE``) and ``delete``; its QuerySet refuses bulk ``update`` and
``delete``. Code that must remove old rows on purpose (a retention purge)
says so through ``purge()``, which is the only way out.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(TypeError):
    """An attempt to change or delete a row that is written once."""


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def purge(self) -> int:
        """Delete the rows of this QuerySet for a retention rule, bypassing
        the guard (the database may still refuse, as the audit trigger does
        for rows younger than the retention period)."""
        deleted, _ = models.QuerySet.delete(self)
        return deleted


class AppendOnlyModel(models.Model):
    """Base of every event and log table. ``MUTABLE`` names the fields an
    action may still change after the row is written (a rating's exclusion,
    say); everything else is frozen."""

    MUTABLE: ClassVar[frozenset[str]] = frozenset()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if not fields or not set(fields) <= self.MUTABLE:
                raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
