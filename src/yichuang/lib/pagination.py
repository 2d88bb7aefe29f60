"""Pagination of the API's lists (CONTRACT §3: ``?limit=&offset=`` →
``{"items": […], "count": N}``).

Every paginated operation takes ``page: Query[PageIn]``: ``limit`` 1–500,
``offset`` 0–1,000,000. Past those bounds the request answers 422
``api.bad_page`` (``yichuang.api``) before anything reads the database, so a
negative or astronomic offset can't reach a query (a negative slice is an
error in the ORM, and SQLite can't bind an integer past 64 bits)."""

from __future__ import annotations

from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
PAGE_FIELDS = ("limit", "offset")


class PageIn(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="1–500")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="0–1000000")


def page_of(rows, page: PageIn):
    """The page's slice of a queryset (or list)."""
    return rows[page.offset : page.offset + page.limit]


def is_page_error(loc: list[str]) -> bool:
    """Whether a validation error's location is a pagination parameter."""
    return len(loc) >= 2 and loc[0] == "query" and loc[-1] in PAGE_FIELDS
