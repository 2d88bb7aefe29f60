"""The case page (issue 18, item 16): no text from the URL is shown (a link
carrying "?error=…" can't put a phisher's words on an official page); a
refusal is shown from the server's own result; the history names events and
states in Chinese; only the actions valid for the case's state and the user's
roles are offered."""

from __future__ import annotations

import re

from django.test import Client

from yichuang.cases.models import Case, CaseEvent

from .conftest import user

PHISH = "系统升级，请拨打400-800-0000"


def _client(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


def _offered(html: str) -> set[str]:
    menu = re.search(r'<select name="action" id="action">(.*?)</select>', html, re.S)
    return set(re.findall(r'<option value="([a-z_]+)"', menu.group(1))) if menu else set()


def test_text_in_the_url_is_never_shown(intake):
    case = intake().case
    html = _client(user("yb_review1")).get(f"/cases/{case.pk}/?error={PHISH}").content.decode()
    # What the page shows (the language switch keeps the address in a hidden field).
    shown = re.sub(r"<[^>]+>", " ", html)
    assert "400-800" not in shown and 'role="alert"' not in html


def test_a_refusal_is_shown_once_from_the_server_and_changes_nothing(intake):
    case = intake().case
    c = _client(user("yb_review1"))
    events = CaseEvent.objects.filter(case=case).count()
    resp = c.post(f"/cases/{case.pk}/act/", {"action": "complete"})
    assert resp.status_code == 302 and resp["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == "accepted" and CaseEvent.objects.filter(case=case).count() == events
    html = c.get(resp["Location"]).content.decode()
    assert re.search(r'<p class="alert" role="alert" data-code="cases\.[a-z_]+">', html)
    assert 'role="alert"' not in c.get(f"/cases/{case.pk}/").content.decode()


def test_the_history_speaks_chinese(intake):
    case = intake().case
    c = _client(user("yb_review1"))
    c.post(f"/cases/{case.pk}/act/", {"action": "approve", "note": "通过"})
    html = c.get(f"/cases/{case.pk}/").content.decode()
    timeline = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", " ", timeline)
    assert not re.search(r"[a-z]{4,}", text), text
    assert "收件" in text and "受理" in text and "（已受理 → 审查中）" in text


def test_only_valid_actions_are_offered(intake, county):
    case = intake().case
    reviewer = _client(user("yb_review1"))
    offered = _offered(reviewer.get(f"/cases/{case.pk}/").content.decode())
    assert {"approve", "request_supplement", "suspend", "withdraw"} <= offered
    assert not offered & {"complete", "deliver", "resume", "supplement", "extend"}
    director = _offered(_client(county.director).get(f"/cases/{case.pk}/").content.decode())
    assert "extend" in director
    # An inspector only reads: no action form at all.
    html = _client(county.inspector).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-form"' not in html
    # A withdrawn case offers nothing.
    reviewer.post(f"/cases/{case.pk}/act/", {"action": "withdraw", "note": "申请人撤回"})
    assert Case.objects.get(pk=case.pk).status == "withdrawn"
    assert 'id="act-form"' not in reviewer.get(f"/cases/{case.pk}/").content.decode()
