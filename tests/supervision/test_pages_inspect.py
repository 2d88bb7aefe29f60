"""The inspector's visit form (/supervision/inspect/): choose the centre, the
way and the checklist, then each line pass or fail with its window, clerk,
severity, note and photo; the score and the rows opened are shown after.
Bad input answers with a stable code, keeps what was typed and writes
nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image
from tests.supervision.conftest import snapshot

from yichuang.lib.audit import AuditEntry
from yichuang.supervision.models import Checklist, Finding, Inspection, Problem

pytestmark = pytest.mark.django_db

URL = "/supervision/inspect/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def image(fmt: str, size=(64, 48)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    out.seek(0)
    out.name = f"photo.{fmt.lower()}"
    return out


def form_data(checklist: str = "open-visit", kind: str = "open", **lines) -> dict:
    """Every line of the checklist passed, except those given
    (``A2={"result": "fail", ...}``)."""
    data = {
        "centre": "county-hall",
        "kind": kind,
        "checklist": checklist,
        "visited_at": "2026-03-16T09:30",
        "notes": "",
    }
    for line in Checklist.objects.get(code=checklist, is_current=True).lines.all():
        given = lines.get(line.code, {})
        data[f"{line.code}-result"] = given.get("result", "pass")
        data[f"{line.code}-severity"] = given.get("severity", line.severity)
        for field in ("window", "clerk", "note", "photo"):
            if field in given:
                data[f"{line.code}-{field}"] = given[field]
    return data


def code_of(resp) -> str:
    found = re.search(r'data-code="([^"]+)"', resp.content.decode()) or re.search(
        r"<code>([^<]+)</code>", resp.content.decode()
    )
    return found.group(1) if found else ""


def assert_page_refused(resp, status: int, code: str, before: tuple) -> None:
    assert resp.status_code == status, resp.content.decode()[:2000]
    assert code_of(resp) == code
    assert snapshot() == before


def test_it_first_asks_where_and_how_then_lists_the_lines_with_the_centres_windows(
    county, sup, frozen, django_assert_max_num_queries
):
    client = client_for(county.inspector)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="centre"' in html and 'value="2026-03-16T10:00"' in html  # now
    assert "A2-result" not in html
    with django_assert_max_num_queries(14):  # the lines share one read of windows and staff
        page = client.get(
            URL,
            {
                "centre": "county-hall",
                "kind": "covert",
                "checklist": "covert-visit",
                "visited_at": "2026-03-16T09:30",
            },
        )
    html = page.content.decode()
    assert page.status_code == 200
    for code in ("V1", "V5", "V9"):
        assert f'id="line-{code}"' in html
    windows = re.search(r'<select name="V1-window".*?</select>', html, re.S).group(0)
    assert f'<option value="{sup.window.pk}">' in windows
    assert f'<option value="{sup.town_window.pk}">' not in windows
    assert 'accept="image/jpeg,image/png" capture="environment"' in html
    # V5 (服务禁语) is 严重 by default: it cannot be lowered.
    v5 = html[html.index('id="line-V5"') :]
    v5 = v5[: v5.index("</fieldset>")]
    assert 'value="general"' not in v5 and 'value="severe" selected' in v5


def test_it_records_a_visit_with_a_photo_and_shows_the_score_and_the_rows(county, sup, frozen):
    client = client_for(county.inspector)
    data = form_data(
        A2={
            "result": "fail",
            "window": sup.window.pk,
            "severity": "major",
            "note": "未佩戴工作证",
            "photo": image("PNG"),
        },
        E1={},
    )
    resp = client.post(URL, data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    inspection = Inspection.objects.get()
    assert resp["Location"] == f"/supervision/inspections/{inspection.pk}/?recorded=1"
    assert inspection.score == 96 and inspection.is_published
    row = Problem.objects.get()
    assert (row.severity, row.window, row.category) == ("major", sup.window, "appearance")
    page = client.get(resp["Location"])
    html = page.content.decode()
    assert "已登记。得分 96，开启问题 1 条。" in html
    assert f'href="/supervision/problems/{row.pk}/"' in html
    finding = Finding.objects.get(line__code="A2")
    assert finding.photo_type == "image/png" and finding.photo_path
    photo = client.get(f"/supervision/inspections/{inspection.pk}/photos/{finding.pk}")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(photo.content)).size == (64, 48)
    assert AuditEntry.objects.filter(event="supervision.photo_view").count() == 1
    # Nobody outside the centre's scope sees the photo.
    outsider = client_for(county.outsider)
    assert (
        outsider.get(f"/supervision/inspections/{inspection.pk}/photos/{finding.pk}").status_code
        == 404
    )


def test_a_gif_is_refused_and_what_was_typed_is_kept(county, sup, frozen):
    client = client_for(county.inspector)
    before = snapshot()
    data = form_data(
        A2={
            "result": "fail",
            "window": sup.window.pk,
            "note": "台面无工作牌",
            "photo": image("GIF"),
        }
    )
    resp = client.post(URL, data)
    assert_page_refused(resp, 422, "supervision.bad_photo", before)
    html = resp.content.decode()
    assert "台面无工作牌" in html
    a2 = html[html.index('id="line-A2"') :]
    assert 'value="fail" required checked' in a2[: a2.index("</fieldset>")] or re.search(
        r'value="fail"[^>]*checked', a2[: a2.index("</fieldset>")]
    )
    assert "请重新选择" in html and 'href="#line-A2"' in html


def test_an_oversized_photo_is_refused_before_it_is_read(county, sup, frozen):
    client = client_for(county.inspector)
    before = snapshot()
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024))
    big.name = "big.png"
    resp = client.post(URL, form_data(A2={"result": "fail", "photo": big}))
    assert_page_refused(resp, 422, "supervision.bad_photo", before)
    assert "照片不能超过 5 MB" in resp.content.decode()


def test_a_window_of_another_centre_is_refused(county, sup, frozen):
    before = snapshot()
    resp = client_for(county.inspector).post(
        URL, form_data(A2={"result": "fail", "window": sup.town_window.pk})
    )
    assert_page_refused(resp, 422, "supervision.window_elsewhere", before)


def test_a_lowered_severity_or_a_visit_in_the_future_is_refused(county, sup, frozen):
    client = client_for(county.inspector)
    before = snapshot()
    resp = client.post(URL, form_data(L2={"result": "fail", "severity": "general"}))
    assert_page_refused(resp, 422, "supervision.invalid_form", before)
    data = form_data(A2={"result": "fail"})
    data["visited_at"] = "2026-03-16T12:00"
    resp = client.post(URL, data)
    assert_page_refused(resp, 422, "supervision.visit_in_future", before)
    assert "检查时间不能晚于现在" in resp.content.decode()


def test_a_covert_visit_is_recorded_hidden_until_published(county, sup, frozen):
    client = client_for(county.inspector)
    resp = client.post(
        URL,
        form_data("covert-visit", "covert", V3={"result": "fail", "window": sup.window.pk}),
    )
    assert resp.status_code == 302
    row = Problem.objects.get()
    assert row.hidden_until_published and row.due_date is None
    html = client.get(resp["Location"]).content.decode()
    assert 'id="covert-hidden"' in html and "发布" in html


def test_only_inspectors_and_directors_record_visits(county, sup, frozen):
    before = snapshot()
    for user in (county.clerk, county.dept_lead, county.county_admin):
        client = client_for(user)
        resp = client.get(URL)
        assert_page_refused(resp, 403, "supervision.not_inspector", before)
        resp = client.post(URL, form_data(A2={"result": "fail"}))
        assert_page_refused(resp, 403, "supervision.not_inspector", before)
    assert client_for(county.director).get(URL).status_code == 200
    assert Client().get(URL).status_code == 302  # sign in first


def test_a_township_director_cannot_record_a_visit_of_the_county_hall(county, sup, frozen):
    from yichuang.accounts.models import User

    director = User.objects.get(username="director_chengguan")
    before = snapshot()
    client = client_for(director)
    resp = client.get(URL, {"centre": "county-hall", "kind": "open", "checklist": "open-visit"})
    assert_page_refused(resp, 404, "org.centre_not_found", before)
    resp = client.post(URL, form_data(A2={"result": "fail"}))
    assert_page_refused(resp, 404, "org.centre_not_found", before)
