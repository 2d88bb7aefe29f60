from django.db import connection
from django.test import Client


def test_it_answers_ok_when_the_database_answers(db):
    resp = Client().get("/healthz")
    assert (resp.status_code, resp.json()) == (200, {"ok": True})


def test_it_answers_503_when_the_database_does_not(db, monkeypatch):
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    resp = Client().get("/healthz")
    assert (resp.status_code, resp.json()) == (503, {"ok": False})
