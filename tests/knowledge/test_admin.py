"""The county admin edits the business lines (with their departments, items
and queues) and the synonym groups in the admin site; a clerk may not."""

from tests.conftest import login_client

from yichuang.knowledge.models import SynonymGroup
from yichuang.org.models import BusinessLine


def formset_prefixes(html: str) -> list[str]:
    import re

    return sorted(set(re.findall(r'name="([^"]+)-TOTAL_FORMS"', html)))


def test_the_county_admin_maps_an_item_to_a_line(county, catalogue):
    line = BusinessLine.objects.get(code="minzheng")
    item = catalogue["异地就医备案"]
    client = login_client(county.county_admin)
    url = f"/admin/org/businessline/{line.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    prefixes = formset_prefixes(page.content.decode())
    assert len(prefixes) == 3  # departments, items, queues
    data = {"code": line.code, "name": line.name, "sort": line.sort}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    item_prefix = next(p for p in prefixes if "item" in p.lower())
    existing = list(line.items.order_by("pk"))
    data[f"{item_prefix}-TOTAL_FORMS"] = len(existing) + 1
    data[f"{item_prefix}-INITIAL_FORMS"] = len(existing)
    through = type(item).lines.through
    rows = {r.item_id: r.pk for r in through.objects.filter(businessline=line)}
    for i, other in enumerate(existing):
        data[f"{item_prefix}-{i}-id"] = rows[other.pk]
        data[f"{item_prefix}-{i}-item"] = other.pk
        data[f"{item_prefix}-{i}-businessline"] = line.pk
    data[f"{item_prefix}-{len(existing)}-item"] = item.pk
    data[f"{item_prefix}-{len(existing)}-businessline"] = line.pk
    dept_prefix = next(p for p in prefixes if "department" in p.lower())
    # the departments stay as they are
    departments = list(type(line).objects.get(pk=line.pk).departments.order_by("pk"))
    dept_through = departments[0].lines.through if departments else None
    if dept_through is not None:
        drows = {r.department_id: r.pk for r in dept_through.objects.filter(businessline=line)}
        data[f"{dept_prefix}-TOTAL_FORMS"] = data[f"{dept_prefix}-INITIAL_FORMS"] = len(departments)
        for i, dept in enumerate(departments):
            data[f"{dept_prefix}-{i}-id"] = drows[dept.pk]
            data[f"{dept_prefix}-{i}-department"] = dept.pk
            data[f"{dept_prefix}-{i}-businessline"] = line.pk
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert line.items.filter(pk=item.pk).exists()


def test_the_county_admin_edits_synonyms(county):
    client = login_client(county.county_admin)
    resp = client.post(
        "/admin/knowledge/synonymgroup/add/", {"terms": "光荣牌 = 荣誉牌", "note": ""}
    )
    assert resp.status_code == 302
    assert SynonymGroup.objects.filter(terms="光荣牌 = 荣誉牌").exists()


def test_a_clerk_may_not(county):
    client = login_client(county.clerk)
    line = BusinessLine.objects.first()
    assert client.get(f"/admin/org/businessline/{line.pk}/change/").status_code in (302, 403)
    assert client.get("/admin/knowledge/synonymgroup/").status_code in (302, 403)
