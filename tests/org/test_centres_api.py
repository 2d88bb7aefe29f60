from yichuang.org.models import Device, Window, device_token_hash


def test_it_lists_centres_publicly(api, county):
    resp = api().get("/api/v1/centres")
    assert resp.status_code == 200
    codes = [c["code"] for c in resp.json()]
    assert "county-hall" in codes and "chengguan" in codes
    hall = next(c for c in resp.json() if c["code"] == "county-hall")
    assert hall == {
        "code": "county-hall",
        "name": "云溪县政务服务中心",
        "kind": "county",
        "region_code": "369921",
        "address": hall["address"],
    }


def test_it_lists_the_windows_of_a_centre_in_scope(api, county):
    resp = api(county.clerk).get("/api/v1/centres/county-hall/windows")
    assert resp.status_code == 200
    windows = resp.json()
    assert len(windows) == Window.objects.filter(centre=county.hall).count()
    first = windows[0]
    assert set(first) >= {"id", "number", "name", "kind", "queues", "state", "clerk"}
    assert first["number"] == 1 and first["state"] == "closed"
    assert {w["kind"] for w in windows} == {"comprehensive", "dedicated", "green", "flexible"}


def test_it_hides_another_centres_windows_from_an_outsider(api, county):
    before = list(Window.objects.values_list("id", "state"))
    resp = api(county.outsider).get("/api/v1/centres/county-hall/windows")
    assert resp.status_code == 404
    assert resp.json()["code"] == "org.centre_not_found"
    assert list(Window.objects.values_list("id", "state")) == before


def test_it_answers_an_unknown_centre_with_404(api, county):
    resp = api(county.director).get("/api/v1/centres/nowhere/windows")
    assert resp.status_code == 404
    assert resp.json()["code"] == "org.centre_not_found"


def test_it_lets_a_county_director_see_township_windows(api, county):
    assert api(county.director).get("/api/v1/centres/chengguan/windows").status_code == 200


def _device(centre, kind="display"):
    raw = Device.new_token()
    Device.objects.create(kind=kind, name="t", centre=centre, token_hash=device_token_hash(raw))
    return raw


def test_it_lets_a_display_read_its_own_centre_only(api, county):
    raw = _device(county.hall)
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    assert client.get("/api/v1/centres/county-hall/windows").status_code == 200
    resp = client.get("/api/v1/centres/chengguan/windows")
    assert resp.status_code == 403
    assert resp.json()["code"] == "org.device_wrong_centre"


def test_it_refuses_a_device_token_where_a_person_is_needed(api, county):
    raw = _device(county.hall, kind="kiosk")
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    resp = client.get("/api/v1/auth/me")
    assert resp.status_code == 403
    assert resp.json()["code"] == "org.device_not_allowed"


def test_it_refuses_a_deactivated_device(api, county):
    raw = _device(county.hall)
    Device.objects.filter(token_hash=device_token_hash(raw)).update(is_active=False)
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    assert client.get("/api/v1/centres/county-hall/windows").status_code == 401
