"""Shared personas (a county admin, a centre director, clerks of two centres,
an inspector, an anonymous citizen): the demo county's organisation is the world
every test lives in. It is built once per database; a test that flushes the
database (transactional and browser tests) gets it rebuilt."""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.test import Client

PASSWORD = "Test@2026pw"


def _database_vendor() -> str:
    url = os.environ.get("YICHUANG_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgres") else "sqlite"


def pytest_collection_modifyitems(config, items):
    """A test marked ``only_on("postgresql")`` checks what only that database
    does (its plan text, its roles, its triggers); on the other database it is
    deselected rather than skipped, as the CI runs the suite on both."""
    vendor = _database_vendor()
    kept, other = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        (other if marker and marker.args[0] != vendor else kept).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


def ensure_county():
    from yichuang.demo import org
    from yichuang.demo.base import DemoRun
    from yichuang.org.models import CalendarYear, Centre

    if not CalendarYear.objects.filter(year=2026).exists():
        import chinese_calendar

        from yichuang.org.calendar import calendar_load_official

        calendar_load_official(years=sorted({d.year for d in chinese_calendar.holidays}))
    if not Centre.objects.exists():
        org.build(DemoRun(seed=7, password=PASSWORD, always_open=True))
    ensure_reference_data()


def ensure_reference_data():
    """What the data migrations write (the nine business lines, the search's
    synonym groups, the default checklists): a flush by a transactional or
    browser test deletes it, and the next test needs it back whatever order
    the tests ran in."""
    from yichuang.knowledge.defaults import ensure_synonyms
    from yichuang.knowledge.models import SynonymGroup
    from yichuang.org.models import BusinessLine
    from yichuang.supervision.defaults import ensure_checklists
    from yichuang.supervision.models import Checklist

    if not BusinessLine.objects.exists():
        BusinessLine.ensure_defaults()
    if not SynonymGroup.objects.exists():
        ensure_synonyms()
    if not Checklist.objects.exists():
        ensure_checklists()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_county()


@pytest.fixture
def county(db):
    """The demo organisation with the personas as attributes."""
    from yichuang.accounts.models import User
    from yichuang.org.models import Centre

    ensure_county()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "admin",
                "security",
                "auditor",
                "countyadmin",
                "director",
                "dept_rs",
                "clerk_county",
                "clerk_town",
                "inspector",
                "clerk_w01",
                "greeter",
            ]
        )
    }
    return SimpleNamespace(
        password=PASSWORD,
        hall=Centre.objects.get(code="county-hall"),
        town=Centre.objects.get(code="chengguan"),
        admin=users["admin"],
        security=users["security"],
        auditor=users["auditor"],
        county_admin=users["countyadmin"],
        director=users["director"],
        dept_lead=users["dept_rs"],
        clerk=users["clerk_county"],
        outsider=users["clerk_town"],
        inspector=users["inspector"],
        greeter=users["greeter"],
        window_clerk=users["clerk_w01"],
    )


def token_client(username: str) -> Client:
    """A client carrying a bearer token of ``username`` (signed in through the API)."""
    client = Client()
    resp = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {resp.json()['token']}"
    return client


def login_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def api(county):
    """An API client factory: ``api(user)`` gives a client with a bearer token."""

    def make(user=None):
        return token_client(user.username) if user is not None else Client()

    return make


# Monday 16 March 2026, 10:00 in the hall's time zone: a working day, the hall open.
MONDAY_10 = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def frozen():
    """Time frozen at 10:00 on Monday 16 March 2026; ``frozen.shift(seconds)``."""
    import time_machine

    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hall(county):
    """The county hall with the demo's queues and the feedback defaults
    (reason list, complaint categories); rebuilt after a flush."""
    from yichuang.demo.queueing import build_structure
    from yichuang.feedback.actions import ensure_defaults

    build_structure()
    ensure_defaults()
    return county.hall


@pytest.fixture(autouse=True)
def _empty_cache():
    """Answers kept in the process cache (the hall state) don't leak between tests."""
    from django.core.cache import cache

    cache.clear()
