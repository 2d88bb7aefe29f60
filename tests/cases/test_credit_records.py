"""The 失信记录 page (/cases/credit/): who reads it, what it shows, what a
look-up writes; and the citizen's own view on the progress page and /m/my-data
(docs/cases.md, "Credit records")."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from yichuang.cases.models import CreditRecord
from yichuang.cases.views import MY_DATA_SESSION
from yichuang.lib.audit import AuditEntry
from yichuang.vault.models import AccessLog

from .conftest import ALL, ID_A, ID_B, user

TZ = dt.timezone(dt.timedelta(hours=8))
ACCEPTED = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)
COMMITTED = [m for m in ALL if m["code"] != "M04"] + [{"code": "M04", "source": "commitment"}]
PAGE = "/cases/credit/"
MASKED_A = "110105********002X"


def page_client(username):
    client = Client()
    client.force_login(user(username))
    return client


def open_case(api, county, item, id_number=ID_A):
    body = {
        "item": item.code,
        "centre": "county-hall",
        "applicant": {"name": "张小花", "id_number": id_number, "phone": "13800138000"},
        "materials": COMMITTED,
    }
    with time_machine.travel(ACCEPTED, tick=False):
        resp = api(county.clerk).post("/api/v1/cases", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp.json()


@pytest.fixture
def record(api, county, item):
    """A case whose 告知承诺 proved false: one credit record on 张小花."""
    case = open_case(api, county, item)
    resp = api(user("rs_review1")).post(
        f"/api/v1/cases/{case['id']}/actions",
        {
            "action": "verify",
            "material": "M04",
            "outcome": "false",
            "note": "银行流水显示收入高于申报",
        },
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    rec = CreditRecord.objects.get()
    rec.receipt_code = case["receipt_code"]  # type: ignore[attr-defined]
    return rec


def writes():
    """What a read of the page may write: audit entries and access-log rows."""
    return AuditEntry.objects.count(), AccessLog.objects.count()


@pytest.mark.parametrize("username", ["director", "dept_rs", "inspector"])
def test_overseers_list_the_recent_records_masked(record, username):
    resp = page_client(username).get(PAGE)
    assert resp.status_code == 200
    page = resp.content.decode()
    assert f'data-credit="{record.pk}"' in page
    assert "家庭收入情况声明" in page and "银行流水显示收入高于申报" in page
    assert "撤销办理决定" in page and record.case.number in page
    assert MASKED_A in page and ID_A not in page
    assert "张**" in page and "张小花" not in page


def test_a_lookup_by_id_number_lists_the_person_records_and_is_audited(record):
    client = page_client("director")
    before = AuditEntry.objects.filter(event="cases.credit_lookup").count()
    resp = client.post(PAGE, {"id_number": ID_A.lower()})
    assert resp.status_code == 200
    page = resp.content.decode()
    found = page.split('id="credit-found"')[1].split("</section>")[0]
    assert f'data-credit="{record.pk}"' in found and MASKED_A in found
    assert ID_A not in page and ID_A.lower() not in page
    entries = AuditEntry.objects.filter(event="cases.credit_lookup")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.actor_name == "director" and entry.detail["records"] == [record.pk]
    assert entry.object_id == str(record.person_id) and ID_A not in str(entry.detail)
    # the citizen sees the look-up among the reads of his data
    assert AccessLog.objects.filter(person=record.person, purpose="查询失信记录").exists()


def test_a_lookup_of_an_unknown_person_is_audited_and_says_so(record):
    client = page_client("director")
    resp = client.post(PAGE, {"id_number": ID_B})
    assert resp.status_code == 200
    assert 'id="credit-none"' in resp.content.decode()
    entry = AuditEntry.objects.filter(event="cases.credit_lookup").first()
    assert entry.detail == {"found": False, "records": []}


@pytest.mark.parametrize("bad", ["", "110105194912310021", "11010519491231002", "abc"])
def test_a_bad_id_number_is_a_clear_error_and_writes_nothing(record, bad):
    client = page_client("director")
    before = writes()
    resp = client.post(PAGE, {"id_number": bad})
    assert resp.status_code == 422
    page = resp.content.decode()
    assert 'data-code="lib.invalid_id_number"' in page
    assert "身份证" in page.split('id="credit-error"')[1].split("</p>")[0]
    assert writes() == before


@pytest.mark.parametrize("username", ["clerk_county", "rs_review1", "greeter"])
def test_window_staff_may_not_read_credit_records(record, username):
    client = page_client(username)
    before = writes()
    for resp in (
        client.get(PAGE),
        client.post(PAGE, {"id_number": ID_A}),
        client.get(f"{PAGE}{record.pk}/"),
    ):
        assert resp.status_code == 403, resp.status_code
        assert "cases.credit_forbidden" in resp.content.decode()
    assert writes() == before
    assert 'id="credit-link"' not in client.get("/cases/").content.decode()


def test_the_desk_links_the_page_for_overseers(county):
    assert 'id="credit-link"' in page_client("director").get("/cases/").content.decode()


@pytest.mark.parametrize("username", ["director_chengguan", "dept_mz"])
def test_an_outsider_sees_nothing_and_gets_404_on_the_record(record, username):
    client = page_client(username)
    assert f'data-credit="{record.pk}"' not in client.get(PAGE).content.decode()
    before = writes()
    resp = client.get(f"{PAGE}{record.pk}/")
    assert resp.status_code == 404
    assert "cases.credit_not_found" in resp.content.decode()
    assert writes() == before
    # a look-up finds the person (it is audited) but none of the records
    resp = client.post(PAGE, {"id_number": ID_A})
    found = resp.content.decode().split('id="credit-found"')[1].split("</section>")[0]
    assert f'data-credit="{record.pk}"' not in found
    entry = AuditEntry.objects.filter(event="cases.credit_lookup").first()
    assert entry.actor_name == username and entry.detail["records"] == []


def test_the_record_page_shows_the_record_and_audits_the_read(record):
    resp = page_client("inspector").get(f"{PAGE}{record.pk}/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "银行流水显示收入高于申报" in page and MASKED_A in page and ID_A not in page
    assert AuditEntry.objects.filter(
        event="cases.credit_viewed", object_id=str(record.pk), actor_name="inspector"
    ).exists()


def test_the_page_is_read_only(record):
    """The page reads; nothing on it changes a record (the model refuses too)."""
    count = CreditRecord.objects.count()
    client = page_client("director")
    assert client.post(f"{PAGE}{record.pk}/", {"reason": "x"}).status_code == 405
    assert CreditRecord.objects.count() == count
    assert CreditRecord.objects.get().reason == "银行流水显示收入高于申报"


def test_the_progress_page_tells_the_applicant(record, api, county, make_item):
    page = Client().get(f"/m/progress/{record.receipt_code}").content.decode()
    notice = page.split('id="credit-notice"')[1].split("</div>")[0]
    assert "家庭收入情况声明" in notice and "失信记录" in notice
    # the finding itself is not on the public page
    assert "银行流水" not in page
    other = open_case(api, county, make_item("CASE-2"), id_number=ID_B)
    page = Client().get(f"/m/progress/{other['receipt_code']}").content.decode()
    assert 'id="credit-notice"' not in page


def test_my_data_lists_the_citizen_own_records(record):
    client = Client()
    session = client.session
    session[MY_DATA_SESSION] = record.person_id
    session.save()
    page = client.get("/m/my-data").content.decode()
    table = page.split('id="my-credit"')[1].split("</ul>")[0]
    assert "家庭收入情况声明" in table and "银行流水显示收入高于申报" in table


def test_the_list_costs_the_same_whatever_the_number_of_records(record, api, county, item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = page_client("director")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for _ in range(2):
        case = open_case(api, county, item)
        resp = api(user("rs_review1")).post(
            f"/api/v1/cases/{case['id']}/actions",
            {"action": "verify", "material": "M04", "outcome": "false", "note": "不实"},
            content_type="application/json",
        )
        assert resp.status_code == 200
    assert CreditRecord.objects.count() == 3
    assert queries() == one


def test_the_inspector_home_links_the_page(county):
    """An inspector has no case desk in the menu: the home page links the page."""
    page = page_client("inspector").get("/").content.decode()
    assert 'href="/cases/credit/"' in page
