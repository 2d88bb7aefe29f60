from django.test import Client
from tests.queueing.conftest import clerk_user


def test_it_links_the_current_citizen_to_the_case_intake_form(open_window, issue):
    open_window(1)
    ticket = issue("general")
    client = Client()
    client.force_login(clerk_user(1))
    client.post("/console/act/call-next")
    page = client.get("/console/").content.decode()
    assert f'href="/cases/new/?ticket={ticket.pk}"' in page
    intake = client.get(f"/cases/new/?ticket={ticket.pk}")
    assert intake.status_code == 200
    assert ticket.number in intake.content.decode()


def test_it_offers_no_case_link_without_a_current_citizen(open_window):
    open_window(1)
    client = Client()
    client.force_login(clerk_user(1))
    assert "/cases/new/?ticket=" not in client.get("/console/").content.decode()
