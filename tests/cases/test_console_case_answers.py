"""Beside the console, the answers follow the ticket's queue until a case is
opened for the citizen; then they follow that case's item."""

import re

from django.test import Client
from tests.queueing.conftest import clerk_user, window_of

from yichuang.queueing.actions import window_open

FRAGMENT = re.compile(r'hx-get="/knowledge/fragments/answers/\?([^"]*)"')


def _fragment_query(client: Client) -> str:
    match = FRAGMENT.search(client.get("/console/").content.decode())
    assert match, "the console loads no answers fragment"
    return match.group(1)


def test_the_answers_follow_the_queue_then_the_opened_cases_item(hall_queues, ticket, intake, item):
    window_open(window=window_of(hall_queues, 1), actor=clerk_user(1))
    served = ticket()
    client = Client()
    client.force_login(clerk_user(1))
    client.post("/console/act/call-next")
    before = _fragment_query(client)
    assert f"item={item.code}" not in before

    intake(ticket=served)

    after = _fragment_query(client)
    assert after == f"item={item.code}&amp;"
