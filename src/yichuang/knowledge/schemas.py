"""Ninja schemas of the knowledge API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class ArticleIn(Schema):
    kind: str = Field(max_length=10)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=50_000)
    issuer: str = Field(default="", max_length=120)
    doc_number: str = Field(default="", max_length=80)
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    superseded_by: int | None = None
    rests_on: int | None = None
    moment: str = Field(default="", max_length=12)
    replacement: str = Field(default="", max_length=300)
    attachment_base64: str | None = Field(default=None, max_length=14_000_000)
    attachment_name: str = Field(default="", max_length=120)
    items: list[str] | None = Field(default=None, max_length=200)
    lines: list[str] | None = Field(default=None, max_length=20)
    publish: bool = False


class NamedOut(Schema):
    code: str
    name: str


class VersionOut(Schema):
    number: int
    title: str
    body: str
    issuer: str
    doc_number: str
    effective_from: dt.date | None
    expires_on: dt.date | None
    superseded_by: int | None
    rests_on: int | None
    moment: str
    replacement: str
    attachment: str | None
    author: str | None
    created_at: dt.datetime
    published_at: dt.datetime | None
    published_by: str | None
    current: bool


class ArticleOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    department: str | None
    valid_until: dt.date | None
    expired: bool
    current_version: int | None
    lines: list[NamedOut]
    items: list[NamedOut]
    versions: list[VersionOut]


class SearchHitOut(Schema):
    id: int
    kind: str
    title: str
    snippet: str
    highlights: list[str]
    score: int
    code: str | None = None
    expired: bool = False


class SearchOut(Schema):
    items: list[SearchHitOut]
    count: int
