"""三权分立 in the seeded install (issue 17, item 9).

Found: ``admin`` was a Django superuser who read the audit log and ran user
administration; ``auditor`` and ``security`` got 403 on their own home links;
all of them read every case of the county through the API. Now the system,
security and audit administrators each reach exactly their own pages, and none
of them reads cases, ratings, complaints, rectifications, KPIs or documents."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from yichuang.accounts.models import SEPARATED_ADMIN_ROLES, Role, User, UserRole
from yichuang.lib.audit import AuditEntry, audit_record

# Each administrator's own pages (the home cards and the menu lead there) and
# a page of each of the others'.
OWN_PAGES = {
    "admin": [
        "/admin/",
        "/admin/org/centre/",
        "/admin/org/window/",
        "/admin/org/device/",
        "/admin/org/calendaryear/",
        "/admin/org/workcalendar/",
        "/admin/lib/setting/",
    ],
    "security": ["/admin/", "/admin/accounts/user/", "/admin/accounts/apitoken/"],
    "auditor": ["/admin/", "/admin/lib/auditentry/", "/admin/vault/accesslog/"],
}
# The halls' records in the admin site: no administrator reads them there.
HALL_ADMIN_PAGES = [
    "/admin/cases/case/",
    "/admin/cases/caseevent/",
    "/admin/feedback/rating/",
    "/admin/feedback/feedbackevent/",
    "/admin/vault/consent/",
    "/admin/catalog/onetimenotice/",
]
ADMINS = ["admin", "security", "auditor"]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _home_links(client: Client) -> set[str]:
    resp = client.get("/")
    assert resp.status_code == 200
    cards = {c["url"] for c in resp.context["cards"]}
    nav = {i["url"] for i in resp.context["nav"]}
    return cards | nav


def test_the_seeded_install_has_no_superuser_and_one_admin_role_each(county):
    assert not User.objects.filter(is_superuser=True).exists()
    for username, role in [
        ("admin", Role.SYSTEM_ADMIN),
        ("security", Role.SECURITY_ADMIN),
        ("auditor", Role.AUDIT_ADMIN),
    ]:
        roles = set(UserRole.objects.filter(user__username=username).values_list("role", flat=True))
        assert roles & SEPARATED_ADMIN_ROLES == {role}, username


@pytest.mark.parametrize("username", ADMINS)
def test_every_home_link_of_each_administrator_opens(county, username):
    client = _client(username)
    links = _home_links(client)
    assert set(OWN_PAGES[username]) & links, links  # the home leads to the own pages
    for url in sorted(links | set(OWN_PAGES[username])):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("username", ADMINS)
def test_each_administrator_is_refused_the_others_pages_and_the_halls_records(county, username):
    client = _client(username)
    others = {
        url
        for other, pages in OWN_PAGES.items()
        if other != username
        for url in pages
        if url != "/admin/"
    }
    for url in sorted(others | set(HALL_ADMIN_PAGES)):
        assert client.get(url).status_code == 403, url
    # The admin index lists only the own part.
    index = client.get("/admin/").content.decode()
    for url in others | set(HALL_ADMIN_PAGES):
        assert f'href="{url}"' not in index, url


def test_the_admin_site_offers_no_superuser_switch_or_permissions(county):
    page = _client("security").get(f"/admin/accounts/user/{county.clerk.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    for field in ("is_superuser", "user_permissions", "groups"):
        assert f'name="{field}"' not in body, field


def test_the_security_administrator_resets_a_totp_and_unlocks_audited(county):
    from yichuang.accounts.actions import user_totp_begin

    user_totp_begin(user=county.director)
    User.objects.filter(pk=county.director.pk).update(failed_logins=5)
    client = _client("security")
    for action in ("reset_totp", "unlock"):
        resp = client.post(
            "/admin/accounts/user/",
            {"action": action, "_selected_action": [county.director.pk]},
        )
        assert resp.status_code == 302, action
    director = User.objects.get(pk=county.director.pk)
    assert (director.totp_secret, director.failed_logins) == ("", 0)
    events = set(
        AuditEntry.objects.filter(actor_name="security", object_id=str(director.pk)).values_list(
            "event", flat=True
        )
    )
    assert {"accounts.totp_reset", "accounts.unlock"} <= events


def test_the_security_administrator_cannot_change_his_own_roles(county):
    security = county.security
    grant = UserRole.objects.get(user=security, role=Role.SECURITY_ADMIN)
    client = _client("security")
    page = client.get(f"/admin/accounts/user/{security.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "last_login", "date_joined")
    }
    data.update(
        {
            "roles-TOTAL_FORMS": "2",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(grant.pk),
            "roles-0-user": str(security.pk),
            "roles-0-role": Role.SECURITY_ADMIN,
            "roles-1-user": str(security.pk),
            "roles-1-role": Role.CLERK,
        }
    )
    resp = client.post(f"/admin/accounts/user/{security.pk}/change/", data)
    assert resp.status_code == 403
    assert set(UserRole.objects.filter(user=security).values_list("role", flat=True)) == {
        Role.SECURITY_ADMIN
    }


def test_the_audit_administrator_exports_the_log_and_the_export_is_audited(county):
    audit_record("test.exported", actor=county.clerk, note="=cmd|' /C calc'!A0")
    ids = list(AuditEntry.objects.values_list("pk", flat=True))
    resp = _client("auditor").post(
        "/admin/lib/auditentry/",
        {"action": "export_csv", "_selected_action": ids, "select_across": "1", "index": "0"},
    )
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "at", "actor_id", "actor_name", "event"]
    exported = {row[4]: row for row in rows[1:]}
    assert "test.exported" in exported
    assert exported["test.exported"][9].startswith("{")  # a formula is never a cell's start
    assert AuditEntry.objects.filter(event="audit.export", actor_name="auditor").exists()
    # The other administrators may not export (nor read) it.
    for username in ("admin", "security"):
        resp = _client(username).post(
            "/admin/lib/auditentry/", {"action": "export_csv", "_selected_action": ids}
        )
        assert resp.status_code == 403, username


@pytest.fixture
def history(county):
    """A month of the demo county: cases with documents, ratings,
    rectifications and complaints."""
    from yichuang.demo import cases, catalog, queueing
    from yichuang.demo import feedback as demo_feedback
    from yichuang.demo.base import DemoRun
    from yichuang.org.models import Centre, Department

    run = DemoRun(seed=3, months=1, scale="small")
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=county.hall,
    )
    catalog.build(run)
    queueing.build(run)
    cases.build(run)
    demo_feedback.build(run)


def _record_urls():
    from yichuang.cases.models import Case
    from yichuang.feedback.models import Complaint, Rating, Rectification

    case = Case.objects.filter(parent__isnull=True).order_by("id").first()
    rect = Rectification.objects.order_by("id").first()
    complaint = Complaint.objects.order_by("id").first()
    rating = Rating.objects.order_by("id").first()
    assert case and rect and complaint and rating
    api = [
        "/api/v1/cases",
        f"/api/v1/cases/{case.pk}",
        "/api/v1/ratings",
        "/api/v1/rectifications",
        f"/api/v1/rectifications/{rect.pk}/contact",
        "/api/v1/complaints",
        "/api/v1/kpis",
        "/api/v1/kpis/breakdown",
        "/api/v1/centres/county-hall/alerts",
    ]
    pages = [
        "/cases/",
        f"/cases/{case.pk}/",
        "/feedback/",
        "/feedback/desk/",
        "/dashboard/",
        f"/rectifications/{rect.pk}/contact",
    ]
    secrets = [case.number, case.receipt_code, complaint.reference]
    return api, pages, secrets


def _listed(resp) -> int:
    """How many records a 200 answer lists (a list, or ``items``)."""
    body = resp.json()
    if isinstance(body, list):
        return len(body)
    if "items" in body:
        return len(body["items"])
    return 1


def test_a_hall_role_reads_the_records_the_administrators_may_not(history, county, api):
    """The records are there: the director sees them (so the test below can fail)."""
    api_urls, _pages, secrets = _record_urls()
    client = api(county.director)
    assert client.get(api_urls[0]).json()["count"] > 0
    assert client.get(api_urls[1]).status_code == 200
    assert client.get("/api/v1/ratings").json()["count"] > 0
    assert secrets[0] in _client("director").get(_pages[1]).content.decode()


@pytest.mark.parametrize("username", ADMINS)
def test_no_administrator_reads_the_halls_records(history, county, api, username):
    api_urls, pages, secrets = _record_urls()
    user = User.objects.get(username=username)
    client = api(user)
    for url in api_urls:
        resp = client.get(url)
        if resp.status_code == 200:
            assert _listed(resp) == 0, (url, resp.content[:200])
        else:
            assert resp.status_code in (403, 404), (url, resp.status_code)
            assert resp.json()["code"], url
    browser = _client(username)
    for url in pages:
        resp = browser.get(url)
        body = resp.content.decode()
        assert resp.status_code in (200, 403, 404), url
        for secret in secrets:
            assert secret not in body, (url, secret)
    resp = client.get("/api/v1/people/lookup", {"id_number": "110101199003070011"})
    assert resp.status_code in (403, 404)


def test_an_installation_starts_with_administrators_not_a_superuser(county, monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("YICHUANG_ADMIN_PASSWORD", "Yc!Secur1ty-2026")
    call_command("create_admin", "sec2", "--role", "security_admin", stdout=io.StringIO())
    user = User.objects.get(username="sec2")
    assert not user.is_superuser and user.role_set == {Role.SECURITY_ADMIN}
    assert user.check_password("Yc!Secur1ty-2026")
    assert _client("sec2").get("/admin/accounts/user/").status_code == 200
    assert AuditEntry.objects.filter(event="accounts.user_create", object_id=str(user.pk)).exists()

    monkeypatch.setenv("YICHUANG_ADMIN_PASSWORD", "aaaaaaaa1A")
    with pytest.raises(CommandError, match=r"accounts\.weak_password"):
        call_command("create_admin", "sys2", "--role", "system_admin", stdout=io.StringIO())
    assert not User.objects.filter(username="sys2").exists()


def test_a_password_set_by_the_security_administrator_revokes_tokens_audited(county, api):
    client = api(county.clerk)
    assert client.get("/api/v1/auth/me").status_code == 200
    resp = _client("security").post(
        f"/admin/accounts/user/{county.clerk.pk}/password/",
        {"password1": "Yc!Clerk-new-2026", "password2": "Yc!Clerk-new-2026"},
    )
    assert resp.status_code == 302
    assert User.objects.get(pk=county.clerk.pk).check_password("Yc!Clerk-new-2026")
    assert client.get("/api/v1/auth/me").status_code == 401
    entry = AuditEntry.objects.get(event="accounts.password_reset")
    assert (entry.actor_name, entry.object_id) == ("security", str(county.clerk.pk))
    # A weak one is refused by the policy and changes nothing.
    resp = _client("security").post(
        f"/admin/accounts/user/{county.clerk.pk}/password/",
        {"password1": "aaaaaaaa1A", "password2": "aaaaaaaa1A"},
    )
    assert resp.status_code == 200
    assert User.objects.get(pk=county.clerk.pk).check_password("Yc!Clerk-new-2026")
