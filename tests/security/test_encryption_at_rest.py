"""Personal data at rest (issue 17, item 6): after the demo county is seeded and
an applicant has been through the window (a case with an ID card handed in, a
one-time notice, a ticket with an ID number) and a citizen has used the phone
pages (the own-data code, a complaint), no text column of any table holds
an ID number in clear, and the vault and notice tables hold no citizen's name in
clear. The columns are read raw (SQL), not through the models."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from tests.conftest import PASSWORD, ensure_county, token_client
from tests.insights.conftest import ensure_world

from yichuang.catalog.admin import OneTimeNoticeAdmin
from yichuang.catalog.models import Item, OneTimeNotice
from yichuang.feedback.models import Complaint
from yichuang.lib.crypto import decrypt_column, encrypt_column, keyed_hash
from yichuang.lib.errors import DomainError
from yichuang.org.models import Window
from yichuang.vault.models import Document, Person

# An 18-character mainland ID number, not part of a longer run of letters or digits.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A hex digest (keyed hashes, seals, throttle keys) is not an ID number, whatever
# its digits: digests are blanked out before the pattern is looked for.
HEX_DIGEST = re.compile(r"[0-9a-f]{32,}")
TEXT_TYPES = {"CharField", "TextField", "JSONField"}
# Where a citizen's name would sit: the vault, the one-time notices, complaints
# and rectifications (their contact).
NAME_TABLES = ("vault_", "catalog_onetimenotice", "feedback_complaint", "feedback_rectification")

ID_ALICE = "11010519491231002X"  # valid GB 11643 numbers (check characters computed)
ID_BOB = "440524188001010014"


def is_text(col: Any) -> bool:
    """A text-like column; one of a type Django doesn't know (untyped, inet …)
    is read too, to be safe."""
    try:
        return connection.introspection.get_field_type(col.type_code, col) in TEXT_TYPES
    except KeyError:
        return True


def text_columns() -> list[tuple[str, str]]:
    """Every text-like column of every table in the database, by introspection."""
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            for col in connection.introspection.get_table_description(cursor, table):
                if is_text(col):
                    found.append((table, col.name))
    return found


def as_text(value: Any) -> str:
    """A stored value as text; JSON without its escapes (``\\u8bc1`` before an ID
    number's digits would hide them)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def raw_values(table: str, column: str) -> list[str]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE {qn(column)} IS NOT NULL")
        return [as_text(value) for (value,) in cursor.fetchall()]


def id_numbers_in_clear() -> dict[str, list[str]]:
    """table.column → the ID-like strings stored there in clear."""
    hits: dict[str, list[str]] = {}
    for table, column in text_columns():
        for value in raw_values(table, column):
            found = ID_PATTERN.findall(HEX_DIGEST.sub(" ", value))
            if found:
                hits.setdefault(f"{table}.{column}", []).extend(found)
    return hits


def names_in_clear(names: set[str]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for table, column in text_columns():
        if not table.startswith(NAME_TABLES):
            continue
        for value in raw_values(table, column):
            found = [n for n in names if n in value]
            if found:
                hits.setdefault(f"{table}.{column}", []).extend(found)
    return hits


def staff_client(username: str) -> Client:
    return token_client(username)


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def item_with_id_card() -> tuple[Item, list[str]]:
    """A county-hall item asking for an ID card, with its required materials."""
    for item in (
        Item.objects.published()
        .filter(centres__code="county-hall", current_version__materials__document_type="id_card")
        .select_related("current_version")
        .order_by("code")
    ):
        materials = item.current_version.materials.all()
        required = [m.code for m in materials if m.requirement == "required"]
        if len(required) >= 2:
            return item, required
    raise AssertionError("the demo catalogue has no county-hall item asking for an ID card")


def called_by_hand(ticket_id: int) -> None:
    """The director calls the ticket to window 1, typing a reason that names the
    citizen and her ID number (kept in the ticket's events and the audit log)."""
    window = Window.objects.get(centre__code="county-hall", number=1)
    resp = post(staff_client("clerk_w01"), f"/api/v1/windows/{window.pk}/open", {})
    assert resp.status_code == 200, resp.content
    resp = post(
        staff_client("director"),
        f"/api/v1/windows/{window.pk}/call-specific",
        {"ticket_id": ticket_id, "reason": f"老人欧阳明珠 身份证{ID_ALICE} 优先"},
    )
    assert resp.status_code == 200, resp.content


def through_the_window() -> None:
    """An applicant's visit: a ticket with an ID number called by hand, a case
    whose ID card is kept with its number, a lookup in the vault, and a second
    applicant sent home with a notice who then withdraws."""
    clerk = staff_client("clerk_county")
    resp = post(
        clerk,
        "/api/v1/centres/county-hall/tickets",
        {"queue": "general", "channel": "greeter", "id_number": ID_ALICE},
    )
    assert resp.status_code == 201, resp.content
    called_by_hand(resp.json()["id"])
    item, required = item_with_id_card()
    id_card = item.current_version.materials.get(document_type="id_card").code
    materials = [
        {"code": code, "source": "submitted", **({"number": ID_ALICE} if code == id_card else {})}
        for code in required
    ]
    resp = post(
        clerk,
        "/api/v1/cases",
        {
            "item": item.code,
            "centre": "county-hall",
            "applicant": {"name": "欧阳明珠", "id_number": ID_ALICE, "phone": "13800138000"},
            "materials": materials,
            "tolerate_missing": True,
        },
    )
    assert resp.status_code == 201, resp.content
    resp = clerk.get(
        "/api/v1/people/lookup", {"id_number": ID_ALICE, "purpose": f"核对 {ID_ALICE} 的证照"}
    )
    assert resp.status_code == 200, resp.content
    resp = post(
        clerk,
        "/api/v1/cases",
        {
            "item": item.code,
            "centre": "county-hall",
            "applicant": {"name": "司马青云", "id_number": ID_BOB},
            "materials": [{"code": id_card, "source": "submitted", "number": ID_BOB}],
        },
    )
    assert resp.status_code == 422 and resp.json()["code"] == "cases.materials_incomplete"
    resp = post(
        clerk,
        f"/api/v1/cases/{resp.json()['case_id']}/actions",
        {"action": "withdraw", "note": f"申请人（身份证 {ID_BOB}）当场撤回"},
    )
    assert resp.status_code == 200, resp.content


def from_the_phone() -> None:
    """A citizen, not signed in, asks for the code of the own-data page and files
    a complaint with her name, typing her ID number into it."""
    citizen = Client()
    resp = citizen.post("/m/my-data", {"id_number": ID_ALICE})
    assert resp.status_code == 200
    resp = post(
        citizen,
        "/api/v1/complaints",
        {
            "kind": "complaint",
            "description": f"我的身份证号 {ID_ALICE}，窗口推诿",
            "centre": "county-hall",
            "name": "欧阳明珠",
            "phone": "13800138000",
        },
    )
    assert resp.status_code == 201, resp.content


@pytest.fixture
def demo_county(transactional_db):
    """The full demo (a small county, one month of history) and one morning at
    the window on top of it. The database is flushed afterwards."""
    ensure_county()  # the working-day calendar, if an earlier test flushed it
    call_command(
        "seed_demo",
        "--reset",
        "--scale",
        "small",
        "--months",
        "1",
        "--seed",
        "17",
        "--password",
        PASSWORD,
        "--always-open",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    through_the_window()
    from_the_phone()


def test_no_id_number_and_no_citizen_name_is_stored_in_clear(demo_county):
    # What the window stored is there, readable through the models …
    numbers = {d.number for d in Document.objects.filter(doc_type="id_card")}
    assert {ID_ALICE, ID_BOB} <= numbers and len(numbers) > 10  # the demo's too
    names = set(Person.objects.values_list("name", flat=True))
    names |= set(OneTimeNotice.objects.values_list("applicant_name", flat=True))
    names |= set(Complaint.objects.exclude(name="").values_list("name", flat=True))
    assert {"欧阳明珠", "司马青云"} <= names and len(names) > 20
    # … nowhere in clear in the database …
    assert (id_numbers_in_clear(), names_in_clear(names)) == ({}, {})
    # … and shown masked.
    doc = next(d for d in Document.objects.filter(doc_type="id_card") if d.number == ID_BOB)
    assert str(doc) == f"{doc.name} 440524********0014"
    notice = OneTimeNotice.objects.get()
    assert notice.masked_applicant_name == "司***"
    assert OneTimeNoticeAdmin(OneTimeNotice, admin.site).applicant(notice) == "司***"


def raw_name(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM vault_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_column_rewrite_encrypts_only_plaintext_and_reverses(county):
    from yichuang.vault.actions import person_find_or_create

    plain = person_find_or_create(name="上官燕", id_number=ID_ALICE)
    sealed = person_find_or_create(name="诸葛亮", id_number=ID_BOB)
    with connection.cursor() as cursor:  # as stored before the migration
        cursor.execute("UPDATE vault_person SET name = %s WHERE id = %s", ["上官燕", plain.pk])
    token = raw_name(sealed.pk)

    assert encrypt_column(connection, "vault_person", "name") == 1
    assert raw_name(plain.pk).startswith("v1:") and raw_name(sealed.pk) == token
    assert encrypt_column(connection, "vault_person", "name") == 0
    assert Person.objects.get(pk=plain.pk).name == "上官燕"

    assert decrypt_column(connection, "vault_person", "name") == 2
    assert (raw_name(plain.pk), raw_name(sealed.pk)) == ("上官燕", "诸葛亮")
    assert decrypt_column(connection, "vault_person", "name") == 0


BEFORE = [("vault", "0001_initial"), ("catalog", "0001_initial")]
AFTER = [("vault", "0002_encrypt_names_and_numbers"), ("catalog", "0002_encrypt_applicant_name")]
STORED = {
    ("vault_person", "name"): "上官燕",
    ("vault_document", "number"): ID_ALICE,
    ("catalog_onetimenotice", "applicant_name"): "上官燕",
}


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def seed_before_the_migration(apps: Any) -> None:
    """Rows as the old schema stored them: name, number and applicant in clear."""
    from yichuang.org.models import Department

    person = apps.get_model("vault", "Person").objects.create(
        name="上官燕", id_number=ID_ALICE, id_hash=keyed_hash(ID_ALICE, "id")
    )
    apps.get_model("vault", "Document").objects.create(
        person=person, doc_type="id_card", name="居民身份证", number=ID_ALICE
    )
    item = apps.get_model("catalog", "Item").objects.create(
        code="ENC-1", name="测试事项", department_id=Department.objects.first().pk
    )
    version = apps.get_model("catalog", "ItemVersion").objects.create(
        item=item, number=1, name="测试事项"
    )
    apps.get_model("catalog", "OneTimeNotice").objects.create(
        reference="YCGZ-ENC-1", item=item, version=version, applicant_name="上官燕"
    )


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_what_is_stored_and_reverse():
    ensure_county()
    try:
        seed_before_the_migration(migrate(BEFORE))
        assert {k: raw_values(*k) for k in STORED} == {k: [v] for k, v in STORED.items()}

        migrate(AFTER)
        for (table, column), value in STORED.items():
            [raw] = raw_values(table, column)
            assert raw.startswith("v1:") and value not in raw
        assert Person.objects.get().name == "上官燕"
        assert Document.objects.get().number == ID_ALICE
        assert OneTimeNotice.objects.get().applicant_name == "上官燕"

        migrate(BEFORE)
        assert {k: raw_values(*k) for k in STORED} == {k: [v] for k, v in STORED.items()}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def assert_refused(code: str, fn: Any) -> None:
    """Refused with ``code``, and no row of the vault or the notices changed."""
    before = (Person.objects.count(), Document.objects.count(), OneTimeNotice.objects.count())
    with pytest.raises(DomainError) as err, transaction.atomic():  # as a request would
        fn()
    assert err.value.code == code
    after = (Person.objects.count(), Document.objects.count(), OneTimeNotice.objects.count())
    assert after == before


@pytest.mark.django_db
def test_the_lengths_the_columns_carried_are_checked_before_encrypting(county):
    """An encrypted column is text of any length: the old bounds are checked by
    the actions (422, not a database error)."""
    from yichuang.catalog.actions import notice_issue
    from yichuang.vault.actions import document_store, person_find_or_create

    person = person_find_or_create(name="上官燕", id_number=ID_ALICE)
    ensure_world()  # the demo catalogue
    item = Item.objects.published().first()
    assert_refused(
        "vault.name_too_long", lambda: person_find_or_create(name="燕" * 51, id_number=ID_BOB)
    )
    assert_refused(
        "vault.number_too_long",
        lambda: document_store(person=person, doc_type="id_card", name="身份证", number="1" * 61),
    )
    assert_refused(
        "catalog.applicant_too_long",
        lambda: notice_issue(item=item, brought_material_codes=[], applicant_name="燕" * 101),
    )
    assert person_find_or_create(name="燕" * 50, id_number=ID_BOB).name == "燕" * 50


def test_free_text_keeps_no_id_number_in_clear():
    from yichuang.lib.crypto import redact_id_numbers

    text = f"老人 身份证{ID_ALICE.lower()}，同行{ID_BOB}优先"
    assert redact_id_numbers(text) == "老人 身份证110105********002X，同行440524********0014优先"
    kept = "工单 A0123456789012345678 号，电话 13800138000"  # not an ID number on its own
    assert redact_id_numbers(kept) == kept
