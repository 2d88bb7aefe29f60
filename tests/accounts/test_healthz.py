from django.test import Client


def test_it_answers_ok_after_asking_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        resp = Client().get("/healthz")
    assert (resp.status_code, resp.json()) == (200, {"ok": True})
