"""The menu links only to what a role can use (issue 18, item 22): the county
administrator has no 系统管理 entry (the admin site would show him only the
catalogue he edits on /catalog/); the system administrator reaches the hall
devices page."""

from __future__ import annotations

from django.test import Client


def _urls(user) -> set[str]:
    client = Client()
    client.force_login(user)
    return {i["url"] for i in client.get("/").context["nav"]}


def test_the_county_admin_menu_has_no_admin_site_but_the_catalogue(county):
    urls = _urls(county.county_admin)
    assert "/admin/" not in urls and "/catalog/" in urls and "/org/devices/" not in urls


def test_only_the_system_admin_menu_has_the_devices_page(county):
    assert {"/admin/", "/org/devices/"} <= _urls(county.admin)
    for user in (county.security, county.auditor, county.director, county.clerk):
        assert "/org/devices/" not in _urls(user)
    assert "/admin/" in _urls(county.security) and "/admin/" in _urls(county.auditor)
