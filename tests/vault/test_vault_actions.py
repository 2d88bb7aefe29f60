import datetime as dt
from pathlib import Path

import pytest

from yichuang.lib.errors import DomainError
from yichuang.lib.sms import MemoryBackend
from yichuang.vault import actions, files
from yichuang.vault.models import AccessLog, Consent

ID = "11010519491231002X"


@pytest.fixture
def person(db):
    return actions.person_find_or_create(name="张小花", id_number=ID, phone="13800138000")


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


def test_it_keeps_identifiers_encrypted_and_finds_people_by_hash(person):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM vault_person WHERE id = %s", [person.pk])
        raw_id, raw_phone = cur.fetchone()
    assert ID not in raw_id and "13800138000" not in raw_phone
    assert actions.person_by_id_number(ID.lower()) == person
    assert person.masked_id_number == "110105********002X"
    again = actions.person_find_or_create(name="张小花", id_number=ID, phone="13900139000")
    assert again.pk == person.pk and again.phone == "13900139000"


def test_it_stores_scans_encrypted_on_disk(person, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    doc = actions.document_store(
        person=person, doc_type="birth_cert", name="出生医学证明", content=b"%PDF-1.7 scan"
    )
    raw = (Path(settings.MEDIA_ROOT) / doc.file_path).read_bytes()
    assert b"scan" not in raw
    assert files.read_decrypted(doc.file_path) == b"%PDF-1.7 scan"


def test_consent_covers_by_scope_and_date(person):
    today = dt.date(2026, 3, 2)
    c = Consent(
        person=person,
        scope="document_types",
        document_types=["birth_cert"],
        valid_until=dt.date(2026, 12, 31),
    )
    assert c.covers(doc_type="birth_cert", item_code="X", day=today)
    assert not c.covers(doc_type="marriage_cert", item_code="X", day=today)
    assert not c.covers(doc_type="birth_cert", item_code="X", day=dt.date(2027, 1, 1))
    with pytest.raises(DomainError):
        actions.consent_record(person=person, scope="items", item_codes=[])


def test_unmasking_needs_a_permission_a_reason_and_is_logged(person, county):
    with pytest.raises(DomainError) as exc:
        actions.person_unmask(person=person, actor=county.clerk, reason="核对")
    assert exc.value.code == "vault.unmask_forbidden"
    with pytest.raises(DomainError):
        actions.person_unmask(person=person, actor=county.director, reason=" ")
    shown = actions.person_unmask(person=person, actor=county.director, reason="核对户籍信息")
    assert shown["id_number"] == ID
    log = AccessLog.objects.get(kind="unmask")
    assert log.actor == county.director and log.purpose == "核对户籍信息"


def test_the_one_time_code_opens_the_data_page_once(
    person, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.my_data_code_send(id_number=ID)
    phone, text = sms[-1]
    code = text.split("验证码为 ")[1][:6]
    assert phone == "13800138000"
    with pytest.raises(DomainError):
        actions.my_data_code_verify(id_number=ID, code="000000" if code != "000000" else "1")
    assert actions.my_data_code_verify(id_number=ID, code=code) == person
    with pytest.raises(DomainError):
        actions.my_data_code_verify(id_number=ID, code=code)


def test_codes_lock_after_five_wrong_tries_and_sending_is_limited(person, sms):
    actions.my_data_code_send(id_number=ID)
    for _ in range(5):
        with pytest.raises(DomainError) as exc:
            actions.my_data_code_verify(id_number=ID, code="x")
        assert exc.value.code == "vault.code_invalid"
    with pytest.raises(DomainError) as exc:
        actions.my_data_code_verify(id_number=ID, code="x")
    assert exc.value.code == "vault.code_locked"
    actions.my_data_code_send(id_number=ID)
    actions.my_data_code_send(id_number=ID)
    with pytest.raises(DomainError) as exc:
        actions.my_data_code_send(id_number=ID)
    assert exc.value.code == "vault.too_many_codes"


def test_an_unknown_person_gets_no_code_and_no_hint(db, sms):
    assert actions.my_data_code_send(id_number="440524188001010014") is False
    assert sms == []


def test_media_root_is_used(settings):
    assert Path(settings.MEDIA_ROOT)
