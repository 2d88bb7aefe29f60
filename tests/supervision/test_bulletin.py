"""The monthly bulletin (通报): its figures from a small ledger made here, the
draft → signed → published flow through the pages per role, the refusals,
the PDF and the report command."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from tests.conftest import login_client

from yichuang.accounts.models import User
from yichuang.lib.audit import AuditEntry
from yichuang.org.models import Department, Staff
from yichuang.supervision.models import Bulletin, Checklist, Inspection, Problem
from yichuang.supervision.selectors_bulletin import bulletin_figures

MARCH = dt.date(2026, 3, 1)
TODAY = dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ledger(county, today):
    """Rows of February and March at the county hall's 人社 department, the
    hall itself and the 城关 township; visits in both months (one covert
    visit unpublished); a covert finding not yet published."""
    from yichuang.supervision.defaults import ensure_checklists

    ensure_checklists()
    rs = Department.objects.get(code="rs")
    hall, town = county.hall, county.town
    checklist = Checklist.objects.filter(is_current=True).first()
    for centre, day, score, published in [
        (hall, dt.date(2026, 3, 4), 90, True),
        (hall, dt.date(2026, 3, 20), 80, True),
        (hall, dt.date(2026, 3, 25), 50, False),
        (town, dt.date(2026, 2, 12), 95, True),
    ]:
        Inspection.objects.create(
            centre=centre,
            kind="open" if published else "covert",
            checklist=checklist,
            inspector=county.inspector,
            visited_at=at(day),
            score=score,
            published_at=at(day, 17) if published else None,
        )
    specs = [
        # centre, department, category, found, due, verified on, recurrence, hidden
        (hall, rs, "appearance", (3, 2), (3, 9), (3, 5), 0, False),
        (hall, rs, "language", (3, 3), (3, 5), (3, 10), 0, False),
        (hall, rs, "appearance", (3, 10), (3, 20), None, 1, False),
        (hall, None, "environment", (3, 12), (4, 28), None, 1, False),
        (town, None, "environment", (2, 10), (2, 20), (2, 18), 0, False),
        (town, None, "at_post", (3, 15), (3, 17), (4, 2), 0, False),
        (town, None, "at_post", (2, 25), (3, 4), None, 0, False),
        (hall, rs, "discipline", (3, 18), None, None, 0, True),
    ]
    rows = []
    for centre, dept, category, found, due, verified, recurrence, hidden in specs:
        found_on = dt.date(2026, *found)
        due_date = dt.date(2026, *due) if due else None
        verified_on = dt.date(2026, *verified) if verified else None
        rows.append(
            Problem.objects.create(
                source="inspection",
                centre=centre,
                department=dept,
                category=category,
                severity="general",
                description="检查发现的问题",
                found_on=found_on,
                due_date=due_date,
                status="verified" if verified_on else "open",
                verified_at=at(verified_on, 15) if verified_on else None,
                on_time=(verified_on <= due_date) if verified_on and due_date else None,
                recurrence=recurrence,
                escalated=False,
                hidden_until_published=hidden,
            )
        )
    return rows


def expected(rows: list[Problem], visits, month: dt.date, key) -> dict:
    """The figures of one unit (``key(row)`` says whether a row is the
    unit's), computed here from the rows as the rules in docs/domain.md say."""
    lo = month
    hi = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    after = hi + dt.timedelta(days=1)
    mine = [r for r in rows if key(r) and not r.hidden_until_published]

    def verified_on(r):
        return timezone.localdate(r.verified_at) if r.verified_at else None

    on_time = sum(1 for r in mine if verified_on(r) and lo <= verified_on(r) <= hi and r.on_time)
    late = sum(1 for r in mine if verified_on(r) and lo <= verified_on(r) <= hi and not r.on_time)
    overdue = sum(
        1
        for r in mine
        if r.due_date
        and r.due_date < after
        and r.found_on <= hi
        and (verified_on(r) is None or verified_on(r) >= after)
    )
    found = [r for r in mine if lo <= r.found_on <= hi]
    scores = [
        v.score
        for v in visits
        if v.published_at and lo <= timezone.localdate(v.visited_at) <= hi and key(v)
    ]
    return {
        "visits": len(scores),
        "found": len(found),
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "recurring": sum(1 for r in found if r.recurrence),
        "score": round(sum(scores) / len(scores), 1) if scores else None,
        "on_time_rate": on_time / (on_time + late + overdue) if on_time + late + overdue else None,
    }


def pick(figures: dict) -> dict:
    keys = ("visits", "found", "on_time", "late", "overdue", "recurring", "score", "on_time_rate")
    return {k: figures[k] for k in keys}


def test_it_counts_each_unit_with_the_month_before(county, ledger):
    visits = list(Inspection.objects.all())
    figures = bulletin_figures(MARCH)
    units = {u["centre_id"]: u for u in figures["units"]}
    hall, town = units[county.hall.pk], units[county.town.pk]

    def of_hall(r):
        return r.centre_id == county.hall.pk

    def of_town(r):
        return r.centre_id == county.town.pk

    def of_rs(r):
        return of_hall(r) and getattr(r, "department_id", None) == ledger[0].department_id

    feb = dt.date(2026, 2, 1)
    assert pick(hall["now"]) == expected(ledger, visits, MARCH, of_hall)
    assert pick(hall["before"]) == expected(ledger, visits, feb, of_hall)
    assert pick(town["now"]) == expected(ledger, visits, MARCH, of_town)
    assert pick(town["before"]) == expected(ledger, visits, feb, of_town)
    rs = next(d for d in hall["departments"] if d["department_id"] == ledger[0].department_id)
    assert pick(rs["now"]) | {"visits": 0, "score": None} == expected(ledger, [], MARCH, of_rs) | {
        "visits": 0,
        "score": None,
    }

    def everyone(r):
        return True

    assert pick(figures["total"]) == expected(ledger, visits, MARCH, everyone)
    assert pick(figures["total_before"]) == expected(ledger, visits, feb, everyone)
    # By category: the month's rows that are not hidden.
    found = [r for r in ledger if r.found_on >= MARCH and not r.hidden_until_published]
    assert figures["total"]["categories"] == {
        c: sum(1 for r in found if r.category == c) for c in {r.category for r in found}
    }
    # The worst unit has the most rows overdue; no unit with an overdue or
    # recurring row is among the best.
    worst = figures["worst"][0]
    assert worst["overdue"] == max(u["overdue"] for u in figures["worst"])
    assert all(not u["overdue"] and not u["recurring"] for u in figures["best"])
    assert any(county.town.name in p for p in figures["words"])


def assert_refused(resp, status: int, code: str, before: tuple) -> None:
    assert resp.status_code == status, resp.content[:500]
    assert code.encode() in resp.content
    assert snapshot() == before


def snapshot() -> tuple:
    return (
        list(
            Bulletin.objects.order_by("id").values_list("id", "status", "signed_by", "published_at")
        ),
        AuditEntry.objects.filter(event__startswith="supervision.bulletin").count(),
    )


def test_the_director_signs_and_publishes_and_the_units_see_it(county, ledger):
    director = login_client(county.director)
    resp = director.post("/supervision/bulletins/new/", {"month": "2026-03"})
    assert resp.status_code == 302
    bulletin = Bulletin.objects.get(month=MARCH)
    assert bulletin.status == "draft"
    page = director.get(f"/supervision/bulletins/{bulletin.pk}/")
    assert page.status_code == 200 and "草稿" in page.content.decode()
    lead = login_client(county.dept_lead)  # 人社, a unit the bulletin names
    assert lead.get(f"/supervision/bulletins/{bulletin.pk}/").status_code == 404
    assert f"bulletin-{bulletin.pk}" not in lead.get("/supervision/bulletins/").content.decode()

    director.post(f"/supervision/bulletins/{bulletin.pk}/sign/")
    bulletin.refresh_from_db()
    assert bulletin.status == "signed" and bulletin.signed_by == county.director
    signed = bulletin.figures["total"]["found"]
    # A row found later in March does not change the signed figures.
    Problem.objects.create(
        source="self_check",
        centre=county.hall,
        category="other",
        severity="general",
        description="签发后登记",
        found_on=dt.date(2026, 3, 30),
        due_date=dt.date(2026, 4, 20),
    )
    assert bulletin_figures(MARCH)["total"]["found"] == signed + 1
    page = director.get(f"/supervision/bulletins/{bulletin.pk}/")
    assert page.context["f"]["total"]["found"] == signed

    director.post(f"/supervision/bulletins/{bulletin.pk}/publish/")
    bulletin.refresh_from_db()
    assert bulletin.status == "published" and bulletin.published_at is not None
    assert lead.get(f"/supervision/bulletins/{bulletin.pk}/").status_code == 200
    assert f"bulletin-{bulletin.pk}" in lead.get("/supervision/bulletins/").content.decode()
    town_director = login_client(User.objects.get(username="director_chengguan"))
    assert town_director.get(f"/supervision/bulletins/{bulletin.pk}/").status_code == 200
    # A township the bulletin does not name does not see it.
    other = User.objects.get(username="director_qinglong")
    assert Staff.objects.get(user=other).centre_id not in bulletin.figures["centre_ids"]
    assert login_client(other).get(f"/supervision/bulletins/{bulletin.pk}/").status_code == 404
    events = list(
        AuditEntry.objects.filter(object_id=str(bulletin.pk), event__startswith="supervision.bull")
        .order_by("id")
        .values_list("event", flat=True)
    )
    assert events == [
        "supervision.bulletin_draft",
        "supervision.bulletin_sign",
        "supervision.bulletin_publish",
    ]


def test_it_refuses_what_a_role_may_not_do(county, ledger):
    director = login_client(county.director)
    director.post("/supervision/bulletins/new/", {"month": "2026-03"})
    bulletin = Bulletin.objects.get(month=MARCH)
    url = f"/supervision/bulletins/{bulletin.pk}"
    before = snapshot()
    # The supervision office drafts but does not sign.
    assert_refused(
        login_client(county.inspector).post(f"{url}/sign/"), 403, "supervision.not_director", before
    )
    # A unit's lead does not see a draft; a clerk has no bulletins.
    assert_refused(
        login_client(county.dept_lead).post(f"{url}/sign/"),
        404,
        "supervision.bulletin_not_found",
        before,
    )
    assert_refused(
        login_client(county.outsider).get(f"{url}/"), 403, "supervision.not_allowed", before
    )
    assert_refused(
        login_client(county.admin).get(f"{url}/"), 403, "org.administrators_only", before
    )
    assert_refused(
        login_client(county.dept_lead).post("/supervision/bulletins/new/", {"month": "2026-02"}),
        403,
        "supervision.not_allowed",
        before,
    )
    assert_refused(
        director.post("/supervision/bulletins/new/", {"month": "2026-13"}),
        422,
        "supervision.bad_month",
        before,
    )
    assert_refused(
        director.post("/supervision/bulletins/new/", {"month": "2026-05"}),
        422,
        "supervision.future_month",
        before,
    )
    assert_refused(director.post(f"{url}/publish/"), 409, "supervision.bulletin_not_signed", before)
    director.post(f"{url}/sign/")
    before = snapshot()
    assert_refused(director.post(f"{url}/sign/"), 409, "supervision.bulletin_not_draft", before)
    director.post(f"{url}/publish/")
    before = snapshot()
    # Published: the lead sees it, and still may not sign or publish it.
    assert_refused(
        login_client(county.dept_lead).post(f"{url}/publish/"),
        403,
        "supervision.not_director",
        before,
    )
    assert login_client(county.outsider).get(url + "/pdf/").status_code == 403


def pdf_text(data: bytes, tmp_path) -> tuple[str, int]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return text, pages


def test_the_pdf_is_the_county_document(county, ledger, tmp_path):
    director = login_client(county.director)
    director.post("/supervision/bulletins/new/", {"month": "2026-03"})
    bulletin = Bulletin.objects.get(month=MARCH)
    resp = director.get(f"/supervision/bulletins/{bulletin.pk}/pdf/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text, pages = pdf_text(resp.content, tmp_path)
    flat = "".join(text.split())
    assert pages >= 2  # the letter, then the tables
    for words in (
        "云溪县政务服务管理办公室",
        "云政服督〔2026〕1号",
        "关于2026年3月政务服务窗口监督检查情况的通报",
        "草稿",
        "附表1",
        county.town.name,
    ):
        assert words in flat, words
    assert AuditEntry.objects.filter(event="supervision.bulletin_download").count() == 1


def test_the_report_command_writes_the_bulletin(county, ledger, tmp_path):
    out = tmp_path / "bulletin.pdf"
    call_command(
        "report",
        "--kind",
        "bulletin",
        "--month",
        "2026-03",
        "-o",
        str(out),
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    text, _pages = pdf_text(out.read_bytes(), tmp_path)
    assert "关于2026年3月政务服务窗口监督检查情况的通报" in "".join(text.split())
    assert not Bulletin.objects.exists()  # writing the file stores nothing
