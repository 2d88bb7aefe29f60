from django.test import Client

from yichuang.accounts.actions import user_revoke_role
from yichuang.accounts.models import Role
from yichuang.org.models import Post, Staff


def _home(user):
    client = Client()
    client.force_login(user)
    resp = client.get("/")
    assert resp.status_code == 200
    return resp


def _card_urls(resp) -> list[str]:
    return [c["url"] for c in resp.context["cards"]]


def test_it_shows_the_sign_in_form_to_a_visitor(county):
    resp = Client().get("/")
    assert resp.status_code == 200
    assert "accounts/login.html" in [t.name for t in resp.templates]


def test_it_offers_a_clerk_the_places_of_the_job_and_no_overview(county):
    resp = _home(county.clerk)
    assert _card_urls(resp) == ["/console/", "/cases/"]
    assert "centres" not in resp.context
    assert resp.context["scope_label"] == county.hall.name
    assert resp.context["role_names"] == ["窗口工作人员"]


def test_it_lists_each_place_once_for_a_director(county):
    resp = _home(county.director)
    assert _card_urls(resp) == ["/dashboard/", "/catalog/", "/supervision/", "/org/absences/"]


def test_it_shows_an_overseer_the_centres_in_scope(county, django_assert_max_num_queries):
    client = Client()
    client.force_login(county.director)
    with django_assert_max_num_queries(20):
        resp = client.get("/")
    centres = {c.code: c for c in resp.context["centres"]}
    assert len(centres) == 7
    hall = centres["county-hall"]
    assert hall.n_windows == county.hall.windows.filter(is_active=True).count()
    assert hall.n_staff == Staff.objects.filter(centre=county.hall).count()
    assert "服务中心" in resp.content.decode()


def test_it_flags_a_post_with_neither_clerk_present(county):
    post = Post.objects.filter(centre=county.hall, a_staff__isnull=False).first()
    assert _home(county.director).context["uncovered"].filter(pk=post.pk).exists() is False
    Staff.objects.filter(pk__in=[post.a_staff_id, post.b_staff_id]).update(is_present=False)
    resp = _home(county.director)
    assert list(resp.context["uncovered"].filter(pk=post.pk)) == [post]
    assert "AB 岗空缺" in resp.content.decode()


def test_it_drops_the_overview_on_the_next_request_once_the_role_is_gone(county):
    client = Client()
    client.force_login(county.director)
    assert "centres" in client.get("/").context
    user_revoke_role(user=county.director, role=Role.CENTRE_DIRECTOR)
    resp = client.get("/")
    assert "centres" not in resp.context
    assert resp.context["cards"] == []
