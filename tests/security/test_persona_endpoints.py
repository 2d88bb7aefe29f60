"""Every persona against every operation of the OpenAPI description.

For each operation the table below says which object it reaches (a centre, a
window, a ticket, a case …) and which roles may use it. Each persona then
calls it on an object inside and one outside the scopes the selectors give it
(``centres_for``, ``windows_for``, ``tickets_for``, ``cases_for`` …), and the
answer must match:

- hidden:  the object is outside the persona's scope → 404 (401 for nobody
  signed in); a persona whose role may not use the operation at all may get
  403 instead — that tells nothing about the object either;
- refused: inside the scope, but the role may not do this → 403;
- open:    inside the scope and allowed → anything but 401/403/404, and never
  a 500 (a 409 or 422 about the object's state is the rule working).

Every call runs in a savepoint rolled back afterwards, so the cells don't
change each other's world. An operation missing from the table fails the test:
each new endpoint joins the matrix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from tests.conftest import token_client

pytestmark = pytest.mark.django_db

PERSONAS = [
    None,  # nobody signed in
    "admin",
    "security",
    "auditor",
    "countyadmin",
    "director",
    "dept_rs",
    "clerk_county",
    "clerk_w01",
    "clerk_town",
    "inspector",
    "greeter",
]

MISSING = 10**9  # an id no row has


# --- the world ---------------------------------------------------------------------------


@dataclass
class Thing:
    """One object of the world: its path value and its id for the selectors."""

    kind: str
    key: Any
    pk: int | None


def _world(county) -> dict[str, list[Thing]]:
    from yichuang.accounts.models import User
    from yichuang.cases.actions import case_intake
    from yichuang.catalog import actions as catalog
    from yichuang.demo.queueing import build_structure
    from yichuang.feedback.actions import complaint_submit, ensure_defaults, rating_submit
    from yichuang.feedback.models import Rectification
    from yichuang.org.models import Department, Window
    from yichuang.queueing.actions import (
        ticket_call_next,
        ticket_finish,
        ticket_issue,
        window_open,
    )
    from yichuang.queueing.models import WindowSkill

    build_structure()
    ensure_defaults()
    hall, town = county.hall, county.town
    rs, yb = Department.objects.get(code="rs"), Department.objects.get(code="yb")
    windows = {
        "hall_rs": Window.objects.filter(centre=hall, department=rs).order_by("number").first(),
        "hall_yb": Window.objects.filter(centre=hall, department=yb).order_by("number").first(),
        "hall_general": Window.objects.filter(centre=hall, department=None)
        .order_by("number")
        .first(),
        "town": Window.objects.filter(centre=town).order_by("number").first(),
    }
    assert all(windows.values()), windows

    def first_queue(window):
        return WindowSkill.objects.filter(window=window).order_by("order").first().queue

    def waiting(window):
        return ticket_issue(
            centre=window.centre,
            queue_code=first_queue(window).code,
            channel="kiosk",
            priority="normal",
        )

    tickets = {name: waiting(w) for name, w in windows.items()}

    def rated(window, clerk):
        window = window_open(window=window, actor=clerk)
        ticket_issue(
            centre=window.centre,
            queue_code=first_queue(window).code,
            channel="kiosk",
            priority="normal",
            phone="13912345678",
        )
        ticket_call_next(window=window, actor=clerk)
        done = ticket_finish(window=window, actor=clerk)
        rating = rating_submit(
            rating_code=done.rating_code,
            level=1,
            channel="qr",
            reasons=["attitude"],
            source_ip="10.0.0.9",
        )
        return rating, Rectification.objects.get(rating=rating)

    hall_clerk = User.objects.get(username=f"clerk_w{windows['hall_rs'].number:02d}")
    hall_rating, hall_rect = rated(windows["hall_rs"], hall_clerk)
    town_rating, town_rect = rated(windows["town"], county.outsider)

    admin = county.county_admin
    item = catalog.item_create(
        actor=admin,
        code="MATRIX-1",
        department=rs,
        name="矩阵测试事项",
        centres=[hall, town],
        case_type="promised",
        legal_limit=20,
        committed_limit=10,
        visits_required=1,
        visits_reason="须现场核验原件",
    )
    catalog.version_update(
        actor=admin,
        version=item.draft(),
        materials=[{"code": "M01", "name": "居民身份证", "originals": 1}],
        steps=[
            {"kind": "accept", "department": "rs", "share": 50},
            {"kind": "complete", "department": "rs", "share": 50},
        ],
    )
    catalog.item_publish(actor=admin, item=item)
    item.refresh_from_db()

    def case_at(centre, clerk, id_number):
        return case_intake(
            actor=clerk,
            centre=centre,
            item=item,
            applicant={"name": "测试人", "id_number": id_number, "phone": "13800138000"},
            materials=[{"code": "M01", "source": "submitted"}],
        ).case

    hall_case = case_at(hall, county.clerk, "11010519491231002X")
    town_case = case_at(town, county.outsider, "440524188001010014")

    def complaint_at(centre):
        return complaint_submit(
            kind="complaint", channel="mobile", description="窗口人员态度差", centre=centre
        )

    hall_complaint, town_complaint = complaint_at(hall), complaint_at(town)

    from yichuang.supervision.actions import problem_open
    from yichuang.supervision.defaults import ensure_checklists

    ensure_checklists()

    def problem_at(window):
        return problem_open(
            source="self_check",
            centre=window.centre,
            window=window,
            category="environment",
            severity="general",
            description="窗口台面杂乱",
            actor=county.inspector,
        )

    hall_problem, town_problem = problem_at(windows["hall_rs"]), problem_at(windows["town"])

    from yichuang.demo.lines import map_lines
    from yichuang.knowledge.actions import ArticleContent, article_create

    map_lines()

    def draft_in(line):
        return article_create(
            actor=admin,
            kind="faq",
            content=ArticleContent(title="矩阵测试问答", body="答案。", lines=[line]),
        )

    shebao_draft, yibao_draft = draft_in("shebao"), draft_in("yibao")

    def both(kind, a, b, key=lambda o: o.pk):
        return [Thing(kind, key(a), a.pk), Thing(kind, key(b), b.pk)]

    return {
        "centre": both("centre", hall, town, key=lambda c: c.code),
        "window": [Thing("window", w.pk, w.pk) for w in windows.values()],
        "ticket": [Thing("ticket", t.pk, t.pk) for t in tickets.values()],
        "case": both("case", hall_case, town_case),
        "rating": both("rating", hall_rating, town_rating),
        "rect": both("rect", hall_rect, town_rect),
        "complaint": both("complaint", hall_complaint, town_complaint),
        "problem": both("problem", hall_problem, town_problem),
        "article": both("article", shebao_draft, yibao_draft),
        "missing": [Thing("missing", MISSING, None)],
        "none": [Thing("none", None, None)],
        "_codes": [
            Thing("track", tickets["hall_rs"].track_code, None),
            Thing("receipt", hall_case.receipt_code, None),
            Thing("item", item.code, None),
        ],
    }


# --- who may: the policy, stated once more, independently of the code ------------------

HIDDEN, REFUSED, OPEN, SCOPED, ANY = "hidden", "refused", "open", "scoped", "any"


def _visible(kind: str, user, thing: Thing) -> bool:
    from yichuang.cases.selectors import cases_for
    from yichuang.feedback.selectors import complaints_for, ratings_for, rectifications_for
    from yichuang.knowledge.permissions import editable_articles
    from yichuang.org.scopes import centres_for, windows_for
    from yichuang.queueing.permissions import tickets_for
    from yichuang.supervision.selectors import problems_for

    if kind == "none":
        return True
    if kind == "missing":
        return False
    if kind == "centre":
        return centres_for(user).filter(code=thing.key).exists()
    selectors: dict[str, Callable] = {
        "window": windows_for,
        "ticket": tickets_for,
        "case": cases_for,
        "rating": ratings_for,
        "rect": rectifications_for,
        "complaint": complaints_for,
        "problem": problems_for,
        "article": editable_articles,  # drafts: only their editors see them
    }
    return selectors[kind](user).filter(pk=thing.pk).exists()


def _holds(*roles: str) -> Callable[[Any], bool]:
    from yichuang.org.permissions import holds
    from yichuang.org.scopes import staff_of

    return lambda user: staff_of(user) is not None and holds(user, *roles)


def _window_roles(user) -> bool:
    from yichuang.queueing.permissions import WINDOW_ROLES

    return _holds(*WINDOW_ROLES)(user)


def _window_operator(user, thing: Thing) -> bool:
    """A window role, at a window nobody else is signed in at (a director may
    work any window of his scope)."""
    from yichuang.org.models import Window
    from yichuang.org.scopes import staff_of
    from yichuang.queueing.permissions import is_director

    if not _window_roles(user):
        return False
    clerk_id = Window.objects.get(pk=thing.pk).clerk_id
    return clerk_id in (None, staff_of(user).pk) or is_director(user)


def _director(user, thing: Thing) -> bool:
    from yichuang.queueing.permissions import is_director

    return _window_roles(user) and is_director(user)


def _ticket_roles(user) -> bool:
    from yichuang.queueing.permissions import TICKET_ROLES

    return _holds(*TICKET_ROLES)(user)


def _case_actors(user) -> bool:
    from yichuang.cases.permissions import may_act

    return may_act(user)


def _signed_in_(user, thing: Thing) -> bool:
    return True


def _inspectors_(user, thing: Thing) -> bool:
    from yichuang.org.scopes import staff_of
    from yichuang.supervision.permissions import may_inspect

    return staff_of(user) is not None and may_inspect(user)


def _ticket_roles_(user, thing: Thing) -> bool:
    return _ticket_roles(user)


def _knowledge_editors_(user, thing: Thing) -> bool:
    from yichuang.knowledge.permissions import is_editor

    return is_editor(user)


@dataclass
class Op:
    kind: str  # what the path (or body) reaches
    # who may use it, given the object (SCOPED: the scope alone is checked here;
    # the roles are the app's own tests' business)
    may: Callable[[Any, Thing], bool] | str
    body: Callable[[Thing, dict], Any] | None = None


def _queue_of(thing: Thing, world) -> str:
    from yichuang.queueing.models import WindowSkill

    window = world["_windows"][thing.key]
    return WindowSkill.objects.filter(window=window).order_by("order").first().queue.code


OPS: dict[tuple[str, str], Op] = {
    # accounts and organisation
    ("post", "/api/v1/auth/token"): Op("none", ANY),
    ("get", "/api/v1/auth/me"): Op("none", _signed_in_),
    ("get", "/api/v1/centres"): Op("none", ANY),
    ("get", "/api/v1/centres/{code}/opening"): Op("none", ANY),
    ("get", "/api/v1/lines"): Op("none", ANY),
    # the hall
    ("get", "/api/v1/centres/{code}/windows"): Op("centre", _signed_in_),
    ("get", "/api/v1/centres/{code}/queues"): Op("centre", ANY),  # the hall screen's
    ("post", "/api/v1/centres/{code}/tickets"): Op(
        "centre", SCOPED, lambda t, w: {"queue": "general"}
    ),
    ("post", "/api/v1/centres/{code}/check-in"): Op(
        "centre", SCOPED, lambda t, w: {"code": "00000000"}
    ),
    ("get", "/api/v1/centres/{code}/hall"): Op("centre", ANY),  # the hall screen's
    ("get", "/api/v1/centres/{code}/events"): Op("centre", ANY),  # the hall screen's
    ("get", "/api/v1/centres/{code}/alerts"): Op("centre", _signed_in_),
    ("post", "/api/v1/alerts/{alert_id}/handle"): Op(
        "missing", SCOPED, lambda t, w: {"action": "acknowledge"}
    ),
    ("get", "/api/v1/tickets/{ticket_id}"): Op("ticket", _signed_in_),
    ("get", "/api/v1/track/{track_code}"): Op("none", ANY),
    ("post", "/api/v1/tickets/{ticket_id}/cancel"): Op("ticket", _ticket_roles_),
    ("post", "/api/v1/tickets/{ticket_id}/rejoin"): Op("ticket", _ticket_roles_),
    ("get", "/api/v1/windows/{window_id}/current"): Op("window", _signed_in_),
    ("get", "/api/v1/centres/{code}/slots"): Op("none", ANY),
    ("post", "/api/v1/appointments/code"): Op("none", ANY),
    ("post", "/api/v1/appointments"): Op("none", ANY),
    # the catalogue
    ("get", "/api/v1/items"): Op("none", ANY),
    ("get", "/api/v1/items/{code}"): Op("none", ANY),
    ("get", "/api/v1/items/{code}/guide.pdf"): Op("none", ANY),
    ("get", "/api/v1/bundles"): Op("none", ANY),
    ("get", "/api/v1/bundles/{code}"): Op("none", ANY),
    ("get", "/api/v1/catalog/metrics"): Op("none", ANY),
    ("post", "/api/v1/catalog/notices"): Op(
        "none", SCOPED, lambda t, w: {"item": "MATRIX-1", "applicant_name": "测试人"}
    ),
    # the knowledge base
    ("post", "/api/v1/knowledge/articles"): Op(
        "none", _knowledge_editors_, lambda t, w: {"kind": "faq", "title": "矩阵测试"}
    ),
    ("post", "/api/v1/knowledge/articles/{article_id}/publish"): Op("article", _knowledge_editors_),
    ("get", "/api/v1/knowledge/articles/{article_id}"): Op("article", _signed_in_),
    ("get", "/api/v1/knowledge/search"): Op("none", ANY),
    # cases
    ("post", "/api/v1/cases"): Op(
        "centre",
        SCOPED,
        lambda t, w: {
            "centre": t.key,
            "item": "MATRIX-1",
            "applicant": {
                "name": "测试人",
                "id_number": "11010519491231002X",
                "phone": "13800138000",
            },
            "materials": [],
        },
    ),
    ("get", "/api/v1/cases"): Op("none", _signed_in_),
    ("get", "/api/v1/cases/{case_id}"): Op("case", _signed_in_),
    ("post", "/api/v1/cases/{case_id}/visits"): Op(
        "case", SCOPED, lambda t, w: {"ticket_id": MISSING}
    ),
    ("post", "/api/v1/cases/{case_id}/actions"): Op(
        "case", SCOPED, lambda t, w: {"action": "approve"}
    ),
    ("post", "/api/v1/cards/{card_id}/lift"): Op("missing", SCOPED),
    ("get", "/api/v1/progress/{receipt_code}"): Op("none", ANY),
    ("get", "/api/v1/people/lookup"): Op("none", SCOPED),
    # ratings, rectifications, complaints
    ("post", "/api/v1/ratings"): Op("none", ANY),
    ("get", "/api/v1/ratings"): Op("none", _signed_in_),
    ("post", "/api/v1/ratings/{rating_id}/appeals"): Op(
        "rating", SCOPED, lambda t, w: {"kind": "malicious", "reason": "恶意差评"}
    ),
    ("post", "/api/v1/appeals/{appeal_id}/decide"): Op(
        "missing", SCOPED, lambda t, w: {"upheld": True}
    ),
    ("get", "/api/v1/rectifications"): Op("none", _signed_in_),
    ("post", "/api/v1/rectifications/{rect_id}/actions"): Op(
        "rect", SCOPED, lambda t, w: {"action": "call_back", "note": "已回访"}
    ),
    ("get", "/api/v1/rectifications/{rect_id}/contact"): Op("rect", SCOPED),
    ("post", "/api/v1/complaints"): Op("none", ANY),
    ("get", "/api/v1/complaints"): Op("none", _signed_in_),
    ("post", "/api/v1/complaints/{complaint_id}/actions"): Op(
        "complaint", SCOPED, lambda t, w: {"action": "accept"}
    ),
    # the targets
    ("get", "/api/v1/kpis"): Op("none", SCOPED),
    ("get", "/api/v1/kpis/breakdown"): Op("none", SCOPED),
    ("get", "/api/v1/kpis/trend"): Op("none", SCOPED),
    # supervision
    ("get", "/api/v1/checklists"): Op("none", _signed_in_),
    ("post", "/api/v1/inspections"): Op(
        "centre",
        _inspectors_,
        lambda t, w: {
            "centre": t.key,
            "kind": "open",
            "checklist": "environment",
            "visited_at": "2026-03-16T10:00:00+08:00",
            "findings": [{"line": "E1", "result": "pass"}],
        },
    ),
    ("post", "/api/v1/inspections/{inspection_id}/publish"): Op("missing", SCOPED),
    ("get", "/api/v1/problems"): Op("none", _signed_in_),
    ("post", "/api/v1/problems"): Op(
        "centre",
        SCOPED,
        lambda t, w: {
            "source": "self_check",
            "centre": t.key,
            "category": "environment",
            "severity": "general",
            "description": "饮水机无水",
        },
    ),
    ("post", "/api/v1/problems/{problem_id}/actions"): Op(
        "problem", SCOPED, lambda t, w: {"action": "plan", "measure": "当天整理台面"}
    ),
    ("get", "/api/v1/campaigns"): Op("none", _signed_in_),
    ("get", "/api/v1/campaigns/{campaign_id}"): Op("missing", _signed_in_),
}
# anyone of a window role may try to open a window of his scope: one another
# clerk is signed in at answers 409 queueing.window_taken
OPS[("post", "/api/v1/windows/{window_id}/open")] = Op("window", lambda u, t: _window_roles(u))
for _verb in (
    "close",
    "pause",
    "resume",
    "call-next",
    "recall",
    "start",
    "finish",
    "no-show",
):
    OPS[("post", f"/api/v1/windows/{{window_id}}/{_verb}")] = Op("window", _window_operator)
OPS[("post", "/api/v1/windows/{window_id}/transfer")] = Op(
    "window", _window_operator, lambda t, w: {"queue": "general"}
)
OPS[("post", "/api/v1/windows/{window_id}/call-specific")] = Op(
    "window", _director, lambda t, w: {"ticket_id": MISSING, "reason": "老人优先"}
)

# Path parameters that name no scoped object: what each takes.
FIXED_PARAMS = {
    "alert_id": MISSING,
    "card_id": MISSING,
    "appeal_id": MISSING,
    "bundle_code": "none",
    "inspection_id": MISSING,
    "campaign_id": MISSING,
}

# Lists whose rows the selectors scope: every row listed must be one the
# persona's selector gives, and every such row of the world must be listed.
LISTS = {
    "/api/v1/cases": "case",
    "/api/v1/ratings": "rating",
    "/api/v1/rectifications": "rect",
    "/api/v1/complaints": "complaint",
    "/api/v1/problems": "problem",
}


def _spec_ops() -> dict[tuple[str, str], dict]:
    from yichuang.api import api

    spec = api.get_openapi_schema()
    return {
        (method, path): op
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    }


def test_every_operation_is_in_the_matrix():
    assert set(_spec_ops()) == set(OPS)


def _url(path: str, thing: Thing, world) -> str:
    codes = {t.kind: t.key for t in world["_codes"]}
    values = {
        "track_code": codes["track"],
        "receipt_code": codes["receipt"],
        **FIXED_PARAMS,
    }
    if "{code}" in path:
        if path.startswith("/api/v1/items/"):
            values["code"] = codes["item"]
        elif path.startswith("/api/v1/bundles/"):
            values["code"] = "none"
        elif thing.kind == "centre":
            values["code"] = thing.key
        else:
            values["code"] = "county-hall"
    for name in (
        "ticket_id",
        "window_id",
        "case_id",
        "rating_id",
        "rect_id",
        "complaint_id",
        "problem_id",
        "article_id",
    ):
        values[name] = thing.key
    url = path
    for name, value in values.items():
        url = url.replace("{" + name + "}", str(value))
    if path == "/api/v1/people/lookup":
        url += "?id_number=11010519491231002X"
    if path == "/api/v1/knowledge/search":
        url += "?q=矩阵测试"
    return url


def _expected(op: Op, user, thing: Thing, needs_auth: bool) -> str:
    if op.may == ANY:
        return ANY
    if user is None:
        return "unauthorised" if needs_auth else ANY
    visible = _visible(thing.kind, user, thing)
    if op.may == SCOPED:
        return SCOPED if visible else "denied"
    allowed = op.may(user, thing)
    if not visible:
        return HIDDEN if allowed else "denied"
    return OPEN if allowed else REFUSED


# The 404 that hides each kind of object; a 404 about something else (a
# ticket named in the body, an appointment code) means the object was reached.
HIDING_CODES = {
    "centre": {"org.centre_not_found"},
    "window": {"org.window_not_found"},
    "ticket": {"queueing.ticket_not_found"},
    "case": {"cases.not_found"},
    "rating": {"feedback.rating_not_found"},
    "rect": {"feedback.rectification_not_found"},
    "complaint": {"feedback.complaint_not_found"},
    "problem": {"supervision.problem_not_found"},
    "article": {"knowledge.article_not_found"},
}


def _fits(expected: str, kind: str, status: int, code: str | None) -> bool:
    if status >= 500:
        return False
    hidden = status == 404 and (kind not in HIDING_CODES or code in HIDING_CODES[kind])
    return {
        ANY: True,
        "unauthorised": status == 401,
        HIDDEN: hidden,
        "denied": status == 403 or hidden,
        REFUSED: status == 403,
        OPEN: status not in (401, 403) and not hidden,
        SCOPED: status != 401 and not hidden,
    }[expected]


def _client(username: str | None) -> Client:
    return token_client(username) if username is not None else Client()


def _call(client: Client, method: str, url: str, body) -> Any:
    cache.clear()
    with transaction.atomic():
        if method == "get":
            resp = client.get(url)
        else:
            resp = client.post(url, json.dumps(body or {}), content_type="application/json")
        transaction.set_rollback(True)
    return resp


def _cells(county, username: str | None) -> tuple[int, list[str]]:
    from yichuang.accounts.models import User

    world = _world(county)
    world["_windows"] = {t.key: t for t in world["window"]}
    user = User.objects.get(username=username) if username else None
    client = _client(username)
    spec = _spec_ops()
    wrong: list[str] = []
    cells = 0
    for (method, path), op in sorted(OPS.items()):
        needs_auth = bool(spec[(method, path)].get("security"))
        for thing in world[op.kind]:
            url = _url(path, thing, world)
            body = op.body(thing, world) if op.body else None
            resp = _call(client, method, url, body)
            expected = _expected(op, user, thing, needs_auth)
            cells += 1
            is_json = resp.get("Content-Type", "").startswith("application/json")
            answer = resp.json() if is_json else None
            code = answer.get("code") if isinstance(answer, dict) else None
            if not _fits(expected, thing.kind, resp.status_code, code):
                wrong.append(
                    f"{method.upper()} {url}: {resp.status_code} {code}, expected {expected}"
                )
    for path, kind in LISTS.items():
        if user is None:
            continue
        resp = client.get(path + "?limit=500")
        assert resp.status_code == 200, (path, resp.content)
        listed = {row["id"] for row in resp.json()["items"]}
        world_ids = {t.pk for t in world[kind]}
        expected_ids = {t.pk for t in world[kind] if _visible(kind, user, t)}
        if listed & world_ids != expected_ids:
            wrong.append(
                f"GET {path}: lists {sorted(listed & world_ids)}, expected {sorted(expected_ids)}"
            )
    return cells, wrong


@pytest.mark.parametrize("username", PERSONAS, ids=lambda u: u or "anonymous")
def test_each_persona_reaches_exactly_its_scope(county, username, settings):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    cells, wrong = _cells(county, username)
    assert cells > 60
    assert wrong == [], "\n".join(wrong)
