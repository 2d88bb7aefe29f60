"""Feedback fixtures: a hall with queues, served tickets with rating codes, pads."""

from __future__ import annotations

import pytest

from yichuang.org.models import Device, Window, device_token_hash


def window_of(centre, number: int) -> Window:
    return Window.objects.get(centre=centre, number=number)


def clerk_user(number: int):
    from yichuang.accounts.models import User

    return User.objects.get(username=f"clerk_w{number:02d}")


@pytest.fixture
def served(hall):
    """``served(n=1)`` serves one ticket at county-hall window n and returns it
    (finished, with its rating code)."""
    from yichuang.queueing.actions import (
        ticket_call_next,
        ticket_finish,
        ticket_issue,
        window_open,
    )
    from yichuang.queueing.models import WindowSkill

    def make(number: int = 1, phone: str = ""):
        window = window_of(hall, number)
        user = clerk_user(number)
        if window.state != "open":
            window = window_open(window=window, actor=user)
        skill = WindowSkill.objects.filter(window=window).order_by("order").first()
        ticket_issue(
            centre=hall,
            queue_code=skill.queue.code,
            channel="kiosk",
            priority="normal",
            phone=phone,
        )
        ticket_call_next(window=window, actor=user)
        return ticket_finish(window=window, actor=user)

    return make


@pytest.fixture
def pad(hall):
    """``pad(n)`` makes a rating pad bound to window n and returns its token."""

    def make(number: int = 1, kind: str = "pad") -> str:
        raw = Device.new_token()
        Device.objects.create(
            kind=kind,
            name=f"{kind}-{number}",
            centre=hall,
            window=window_of(hall, number),
            token_hash=device_token_hash(raw),
        )
        return raw

    return make


@pytest.fixture
def completed_case(county, hall, frozen):
    from yichuang.cases.actions import case_intake
    from yichuang.catalog import actions as catalog
    from yichuang.org.models import Department

    admin = county.county_admin
    item = catalog.item_create(
        actor=admin,
        code="FB-IMMEDIATE-1",
        department=Department.objects.get(code="rs"),
        name="社保卡挂失",
        centres=[county.hall],
        case_type="immediate",
        legal_limit=1,
        committed_limit=0,
        visits_required=1,
        visits_reason="须现场核验身份",
    )
    catalog.version_update(
        actor=admin,
        version=item.draft(),
        materials=[{"code": "M01", "name": "居民身份证", "originals": 1}],
        steps=[{"kind": "accept", "department": "rs", "share": 100}],
    )
    catalog.item_publish(actor=admin, item=item)
    item.refresh_from_db()
    result = case_intake(
        actor=county.clerk,
        centre=county.hall,
        item=item,
        applicant={"name": "李四", "id_number": "440524188001010014", "phone": "13800138001"},
        materials=[{"code": "M01", "source": "submitted"}],
    )
    case = result.case
    case.refresh_from_db()
    assert case.status == "completed" and case.rating_code
    return case
