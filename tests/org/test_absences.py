"""Dated staff absences (请假, 培训, 出差): the director records them on
/org/absences/; the A/B routing and the director's home read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.conftest import login_client

from yichuang.accounts.models import Role, UserRole
from yichuang.cases.selectors import my_posts
from yichuang.lib.audit import AuditEntry
from yichuang.org.models import Post, Staff, StaffAbsence
from yichuang.org.selectors import absent_on, is_absent

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def _state() -> tuple:
    return (
        list(StaffAbsence.objects.order_by("pk").values_list("pk", "cancelled_at")),
        AuditEntry.objects.filter(event__startswith="org.absence").count(),
    )


def _post(county) -> Post:
    post = (
        Post.objects.filter(centre=county.hall, a_staff__isnull=False, b_staff__isnull=False)
        .select_related("a_staff", "b_staff")
        .order_by("pk")
        .first()
    )
    assert post is not None
    return post


def _add(client, staff: Staff, start: dt.date, end: dt.date, kind="leave", note=""):
    return client.post(
        "/org/absences/new",
        {
            "staff": staff.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "kind": kind,
            "note": note,
        },
    )


def test_the_director_adds_and_cancels_an_absence_through_the_page(county):
    staff = Staff.objects.filter(centre=county.hall).order_by("pk").first()
    client = login_client(county.director)
    page = client.get("/org/absences/")
    assert page.status_code == 200 and staff.name in page.content.decode()
    today = _today()
    resp = _add(
        client, staff, today, today + dt.timedelta(days=2), kind="training", note="省厅培训"
    )
    assert resp.status_code == 302
    absence = StaffAbsence.objects.get(staff=staff)
    assert (absence.kind, absence.start, absence.end, absence.created_by) == (
        "training",
        today,
        today + dt.timedelta(days=2),
        county.director,
    )
    assert AuditEntry.objects.filter(event="org.absence_added").count() == 1
    html = client.get("/org/absences/?done=added").content.decode()
    assert f'id="absence-{absence.pk}"' in html and "省厅培训" in html
    assert is_absent(staff, today) and is_absent(staff, today + dt.timedelta(days=2))
    assert not is_absent(staff, today + dt.timedelta(days=3))

    resp = client.post(f"/org/absences/{absence.pk}/cancel")
    assert resp.status_code == 302
    absence.refresh_from_db()
    assert absence.cancelled_at is not None and absence.cancelled_by == county.director
    assert AuditEntry.objects.filter(event="org.absence_cancelled").count() == 1
    assert not is_absent(staff, today)
    assert f'id="absence-{absence.pk}"' not in client.get("/org/absences/").content.decode()


def test_the_county_admin_may_record_absences_too(county):
    staff = Staff.objects.filter(centre=county.town).order_by("pk").first()
    resp = _add(login_client(county.county_admin), staff, _today(), _today())
    assert resp.status_code == 302 and StaffAbsence.objects.filter(staff=staff).exists()


@pytest.mark.parametrize("who", ["clerk", "inspector", "dept_lead", "admin"])
def test_other_roles_are_refused_and_nothing_is_written(county, who):
    staff = Staff.objects.filter(centre=county.hall).order_by("pk").first()
    mine = StaffAbsence.objects.create(staff=staff, start=_today(), end=_today(), kind="leave")
    before = _state()
    client = login_client(getattr(county, who))
    assert client.get("/org/absences/").status_code == 403
    assert _add(client, staff, _today(), _today()).status_code == 403
    assert client.post(f"/org/absences/{mine.pk}/cancel").status_code == 403
    assert _state() == before


def test_a_township_director_cannot_touch_the_county_halls_staff(county):
    UserRole.objects.create(user=county.outsider, role=Role.CENTRE_DIRECTOR)
    county.outsider.forget_roles()
    hall_staff = Staff.objects.filter(centre=county.hall).order_by("pk").first()
    theirs = StaffAbsence.objects.create(
        staff=hall_staff, start=_today(), end=_today(), kind="trip"
    )
    before = _state()
    client = login_client(county.outsider)
    page = client.get("/org/absences/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{hall_staff.pk}"' not in html and f'id="absence-{theirs.pk}"' not in html
    resp = _add(client, hall_staff, _today(), _today())
    assert resp.status_code == 404 and resp.context["error"].code == "org.absence_staff_not_found"
    assert client.post(f"/org/absences/{theirs.pk}/cancel").status_code == 404
    assert _state() == before


@pytest.mark.parametrize(
    ("start", "end", "kind", "code"),
    [
        (3, 1, "leave", "org.absence_end_before_start"),
        (0, 0, "holiday", "org.absence_kind"),
        (0, 400, "leave", "org.absence_too_long"),
        (None, 0, "leave", "org.absence_dates"),
    ],
)
def test_invalid_absences_are_refused_and_nothing_is_written(county, start, end, kind, code):
    staff = Staff.objects.filter(centre=county.hall).order_by("pk").first()
    before = _state()
    today = _today()
    resp = login_client(county.director).post(
        "/org/absences/new",
        {
            "staff": staff.pk,
            "start": "" if start is None else (today + dt.timedelta(days=start)).isoformat(),
            "end": (today + dt.timedelta(days=end)).isoformat(),
            "kind": kind,
        },
    )
    assert resp.status_code == 422 and resp.context["error"].code == code
    assert _state() == before


def test_an_overlapping_absence_is_refused(county):
    staff = Staff.objects.filter(centre=county.hall).order_by("pk").first()
    client = login_client(county.director)
    today = _today()
    _add(client, staff, today, today + dt.timedelta(days=4))
    before = _state()
    resp = _add(client, staff, today + dt.timedelta(days=4), today + dt.timedelta(days=6))
    assert resp.status_code == 409 and resp.context["error"].code == "org.absence_overlap"
    assert _state() == before
    # Right after it ends is fine.
    assert (
        _add(client, staff, today + dt.timedelta(days=5), today + dt.timedelta(days=6)).status_code
        == 302
    )


def test_cancelling_twice_is_refused(county):
    staff = Staff.objects.filter(centre=county.hall).order_by("pk").first()
    client = login_client(county.director)
    _add(client, staff, _today(), _today())
    absence = StaffAbsence.objects.get(staff=staff)
    client.post(f"/org/absences/{absence.pk}/cancel")
    before = _state()
    assert client.post(f"/org/absences/{absence.pk}/cancel").status_code == 409
    assert _state() == before


def test_the_directors_home_counts_staff_absent_today_by_the_table(county):
    Staff.objects.update(is_present=True)
    hall_staff = list(Staff.objects.filter(centre=county.hall).order_by("pk")[:3])
    today = _today()
    client = login_client(county.director)
    _add(client, hall_staff[0], today - dt.timedelta(days=1), today)
    _add(client, hall_staff[1], today, today + dt.timedelta(days=5), kind="trip")
    _add(client, hall_staff[2], today + dt.timedelta(days=1), today + dt.timedelta(days=2))
    resp = client.get("/")
    board = next(h for h in resp.context["board"] if h["centre"] == county.hall)
    assert board["absent"] == 2
    glance = next(c for c in resp.context["centres"] if c.pk == county.hall.pk)
    assert glance.n_absent == 2
    assert set(absent_on(today)) == set(hall_staff[:2])
    assert 'href="/org/absences/"' in resp.content.decode()


def test_ab_routing_passes_to_b_while_a_is_away_and_back_the_day_after(county):
    import time_machine

    Staff.objects.update(is_present=True)
    post = _post(county)
    today = _today()
    assert post.holder() == post.a_staff
    resp = _add(login_client(county.director), post.a_staff, today, today, kind="leave")
    assert resp.status_code == 302
    assert post.holder() == post.b_staff
    assert post.holder(today + dt.timedelta(days=1)) == post.a_staff
    a_user, b_user = post.a_staff.user, post.b_staff.user
    assert a_user is not None and b_user is not None
    assert post.pk in my_posts(b_user) and post.pk not in my_posts(a_user)
    # Neither A nor B in: the post is flagged on the director's home.
    _add(login_client(county.director), post.b_staff, today, today, kind="trip")
    assert post.holder() is None
    assert post in login_client(county.director).get("/").context["uncovered"]
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        assert post.holder() == post.a_staff
        assert post.pk in my_posts(a_user) and post.pk not in my_posts(b_user)
