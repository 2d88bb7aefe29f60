from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from yichuang.lib.crypto import (
    EncryptedTextField,
    decrypt,
    encrypt,
    keyed_hash,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from yichuang.lib.errors import DomainError

TEST_KEY = "test data key — any string will do"


@pytest.fixture(autouse=True, scope="module")
def _data_key() -> Iterator[None]:
    # Module scope (not pytest-django's function-scoped `settings`) so that
    # hypothesis tests may use it.
    with override_settings(DATA_KEY=TEST_KEY):
        yield


def _bad(token: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        decrypt(token)
    assert info.value.code == "lib.bad_ciphertext"
    assert info.value.status == 500
    return info.value


@given(st.text())
def test_it_round_trips_any_text(plaintext: str) -> None:
    token = encrypt(plaintext)
    assert token.startswith("v1:")
    assert decrypt(token) == plaintext


def test_it_produces_urlsafe_versioned_text() -> None:
    token = encrypt("11010519491231002X")
    version, body = token.split(":", 1)
    assert version == "v1"
    raw = base64.urlsafe_b64decode(body)
    assert len(raw) == 12 + len("11010519491231002X") + 16  # nonce, ciphertext, tag
    assert "11010519491231002X" not in token


def test_it_gives_different_ciphertexts_for_equal_plaintexts() -> None:
    tokens = {encrypt("13812341234") for _ in range(20)}
    assert len(tokens) == 20
    assert {decrypt(t) for t in tokens} == {"13812341234"}


def test_it_detects_tampering() -> None:
    token = encrypt("11010519491231002X")
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    for i in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        flipped = bytearray(raw)
        flipped[i] ^= 0x01
        _bad("v1:" + base64.urlsafe_b64encode(bytes(flipped)).decode())
    _bad("v1:" + base64.urlsafe_b64encode(bytes(raw[:-1])).decode())  # truncated


@pytest.mark.parametrize("token", ["", "plaintext", "v2:AAAA", "v1:", "v1:***", "v1:AAAA"])
def test_it_rejects_malformed_tokens(token: str) -> None:
    error = _bad(token)
    assert error.message  # a Chinese message for the error page


def test_it_refuses_a_token_made_with_another_key() -> None:
    token = encrypt("secret")
    with override_settings(DATA_KEY="another key"):
        _bad(token)
        assert decrypt(encrypt("secret")) == "secret"
    assert decrypt(token) == "secret"


def test_it_hashes_stably_and_normalises() -> None:
    h = keyed_hash("11010519491231002X")
    assert h == keyed_hash("11010519491231002X")
    assert h == keyed_hash(" 11010519491231002x ")
    assert len(h) == 64
    assert int(h, 16) >= 0
    assert h != keyed_hash("110105194912310021")


def test_it_hashes_distinctly_per_purpose_and_key() -> None:
    assert keyed_hash("13812341234", "phone") != keyed_hash("13812341234", "id")
    assert keyed_hash("13812341234") == keyed_hash("13812341234", "id")
    before = keyed_hash("13812341234", "phone")
    with override_settings(DATA_KEY="another key"):
        assert keyed_hash("13812341234", "phone") != before
    assert keyed_hash("13812341234", "phone") == before


def test_it_masks_identifiers() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138 1234 1234") == "138****1234"
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("张") == "张"
    assert mask_name("") == ""
    assert mask_bank_account("6222021234567890123") == "***************0123"
    assert mask_bank_account("6222 0212 3456 7890 123") == "***************0123"


def test_it_masks_too_short_values_entirely() -> None:
    assert mask_id_number("1234567890") == "**********"
    assert mask_phone("1234") == "****"
    assert mask_bank_account("123") == "***"
    assert mask_id_number("") == ""


def test_it_encrypts_in_the_model_field() -> None:
    field = EncryptedTextField()
    stored = field.get_prep_value("11010519491231002X")
    assert isinstance(stored, str)
    assert stored.startswith("v1:")
    assert field.from_db_value(stored, None, None) == "11010519491231002X"
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, None) is None
    assert field.from_db_value("", None, None) == ""


def test_it_deconstructs_the_model_field_for_migrations() -> None:
    _name, path, args, kwargs = EncryptedTextField(blank=True).deconstruct()
    assert args == []
    assert path == "yichuang.lib.crypto.EncryptedTextField"
    assert kwargs == {"blank": True}
