from yichuang.catalog import actions


def test_it_lists_published_items_without_login(make_item, api):
    make_item("A-1", name="城乡居民养老保险待遇申领")
    make_item("A-2", name="未发布的事项", publish=False)
    resp = api().get("/api/v1/items")
    assert resp.status_code == 200
    rows = resp.json()
    assert [r["code"] for r in rows] == ["A-1"]
    assert set(rows[0]) == {
        "code",
        "name",
        "department",
        "case_type",
        "legal_limit_days",
        "committed_limit_days",
        "visits_required",
        "online_depth",
    }
    assert rows[0]["legal_limit_days"] == 20 and rows[0]["committed_limit_days"] == 10


def test_it_searches_by_name_and_pinyin_initials(make_item, api):
    make_item("A-1", name="养老保险待遇申领")
    make_item("A-2", name="医疗救助申请", department="yb")
    client = api()
    assert [r["code"] for r in client.get("/api/v1/items?q=ylbx").json()] == ["A-1"]
    assert [r["code"] for r in client.get("/api/v1/items?q=YLJZ").json()] == ["A-2"]
    assert [r["code"] for r in client.get("/api/v1/items?q=救助").json()] == ["A-2"]
    assert client.get("/api/v1/items?q=zzzz").json() == []


def test_it_filters_by_department_and_centre(make_item, api, county):
    make_item("A-1", department="rs", centres=[county.hall, county.town])
    make_item("A-2", department="yb")
    client = api()
    assert [r["code"] for r in client.get("/api/v1/items?department=yb").json()] == ["A-2"]
    assert [r["code"] for r in client.get("/api/v1/items?centre=chengguan").json()] == ["A-1"]


def test_it_shows_an_item_with_materials_steps_and_bundles(make_item, api, county):
    make_item("A-1", name="出生医学证明", department="wj")
    make_item("A-2", name="出生登记", department="ga")
    actions.bundle_save(
        actor=county.county_admin,
        code="newborn",
        name="新生儿出生一件事",
        item_codes=["A-1", "A-2"],
    )
    body = api().get("/api/v1/items/A-1").json()
    assert body["code"] == "A-1" and body["version"] == 1
    assert [m["code"] for m in body["materials"]] == ["M01", "M02", "M03"]
    assert [s["kind"] for s in body["steps"]] == ["accept", "review", "complete"]
    assert body["bundles"] == [{"code": "newborn", "name": "新生儿出生一件事"}]
    assert body["centres"] == ["county-hall"]


def test_it_answers_404_in_the_contract_shape_for_unknown_or_unpublished_codes(make_item, api):
    make_item("A-DRAFT", publish=False)
    for path in ("/api/v1/items/NOPE", "/api/v1/items/A-DRAFT", "/api/v1/items/NOPE/guide.pdf"):
        resp = api().get(path)
        assert resp.status_code == 404
        body = resp.json()
        assert body["code"] == "catalog.item_not_found" and body["message"]


def test_it_serves_the_guide_pdf(make_item, api):
    make_item("A-PDF", name="最低生活保障申请")
    resp = api().get("/api/v1/items/A-PDF/guide.pdf")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")


def test_it_shows_a_bundle_with_deduplicated_materials(make_item, api, county):
    make_item("A-1", department="wj")
    make_item(
        "A-2",
        department="ga",
        materials=[
            {"code": "M01", "name": "身份证", "document_type": "id_card", "copies": 2},
            {"code": "M02", "name": "出生医学证明", "document_type": "birth_cert"},
        ],
    )
    actions.bundle_save(
        actor=county.county_admin, code="nb", name="新生儿出生一件事", item_codes=["A-1", "A-2"]
    )
    body = api().get("/api/v1/bundles/nb").json()
    names = [m["name"] for m in body["materials"]]
    assert names == ["居民身份证", "居民户口簿", "出院小结", "出生医学证明"]
    assert body["materials"][0]["copies"] == 2
    assert body["materials"][0]["items"] == ["测试事项A-1", "测试事项A-2"]
    assert api().get("/api/v1/bundles/none").json()["code"] == "catalog.bundle_not_found"


def test_the_openapi_document_says_what_each_catalogue_operation_answers(api):
    spec = api().get("/api/v1/openapi.json").json()
    answers = {
        ("get", "/api/v1/items"): {"200"},
        ("get", "/api/v1/items/{code}"): {"200", "404"},
        ("get", "/api/v1/items/{code}/guide.pdf"): {"200", "404"},
        ("get", "/api/v1/bundles"): {"200"},
        ("get", "/api/v1/bundles/{code}"): {"200", "404"},
        ("get", "/api/v1/catalog/metrics"): {"200", "404", "422"},
        ("post", "/api/v1/catalog/notices"): {"201", "401", "403", "404", "409", "422"},
    }
    for (method, path), statuses in answers.items():
        responses = spec["paths"][path][method]["responses"]
        assert set(responses) == statuses, (path, set(responses))
        for status, response in responses.items():
            assert response["content"], (path, status)
    pdf = spec["paths"]["/api/v1/items/{code}/guide.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    item = spec["components"]["schemas"]["ItemOut"]["properties"]
    assert item["legal_limit_unit"]["enum"] == ["working_day", "calendar_day", "month"]
