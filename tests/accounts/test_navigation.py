from django.test import Client


def _nav(user, path="/"):
    client = Client()
    client.force_login(user)
    resp = client.get(path)
    return [(i["label"], i["url"], i["active"]) for i in resp.context["nav"]]


def test_it_shows_each_role_only_its_places(county):
    clerk = {url for _label, url, _a in _nav(county.clerk)}
    assert "/console/" in clerk and "/admin/" not in clerk and "/dashboard/" not in clerk
    director = {url for _label, url, _a in _nav(county.director)}
    assert {"/dashboard/", "/feedback/", "/console/"} <= director
    assert "/admin/" not in director
    admin = {url for _label, url, _a in _nav(county.admin)}
    assert "/admin/" in admin


def test_it_marks_the_deepest_matching_entry_active(county):
    active = [url for _label, url, a in _nav(county.director, "/feedback/desk/") if a]
    assert active == ["/feedback/desk/"]
