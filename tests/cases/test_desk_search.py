"""The case desk (issue 18, item 16): the active tab is marked, and a search
finds a case by its number, receipt code, item or the applicant's full phone
or ID number, within the user's scope only."""

from __future__ import annotations

import re

from django.test import Client

from .conftest import ID_A, user


def _client(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


def _found(html: str) -> list[str]:
    table = re.search(r'<table id="search-results">(.*?)</table>', html, re.S)
    return re.findall(r'<a href="/cases/(\d+)/">', table.group(1))


def test_the_active_tab_is_marked(intake):
    c = _client(user("yb_review1"))
    html = c.get("/cases/?view=centre").content.decode()
    assert re.search(r'<a href="\?view=centre" aria-current="page">', html)
    assert not re.search(r'<a href="\?view=mine" aria-current', html)


def test_the_search_finds_a_case_by_each_key(intake, county):
    case = intake().case
    other = intake(applicant={"name": "李四", "id_number": "110105198001010016", "phone": ""}).case
    c = _client(county.clerk)
    for q in (case.receipt_code, case.number, "13800138000", ID_A):
        assert _found(c.get("/cases/", {"q": q}).content.decode()) == [str(case.pk)], q
    by_item = _found(c.get("/cases/", {"q": case.title[:4]}).content.decode())
    assert {str(case.pk), str(other.pk)} <= set(by_item)
    # A phone tail matches nothing: only full numbers are matched, by hash.
    assert _found(c.get("/cases/", {"q": "8000"}).content.decode()) == []


def test_the_search_stays_in_scope_and_shows_the_query_escaped(intake, county):
    case = intake().case
    outsider = _client(county.outsider)
    assert _found(outsider.get("/cases/", {"q": case.receipt_code}).content.decode()) == []
    html = outsider.get("/cases/", {"q": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
