"""The password policy refuses passwords made mostly of one repeated character
or of an obvious run (abcdef, 123456), which pass a count of character classes."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from yichuang.accounts.actions import user_validate_password
from yichuang.lib.errors import DomainError

pytestmark = pytest.mark.django_db

REFUSED = [
    "aaaaaaaa1A",  # the one from the report: three classes, one character
    "AAAAAAAa1!",
    "aaaaAAAA1!",  # case doesn't make a character new
    "Aa1!Aa1!Aa1!",  # four characters repeated
    "Abcdefgh1!",  # a run of the alphabet
    "12345678Aa",  # a run of digits
    "Zyxwvuts9#",  # a descending run
    "Qq!987654321",
]
ACCEPTED = [
    "Demo@2026",  # the demo accounts (make run)
    "Demo@2026x",
    "Bench@2026pw",  # bench/
    "Test@2026pw",  # tests/conftest.py
    "Yunxi#Hall2027",
    "Window#2026",
    "Zwfw!Hall#58",
    "Abc@2026xyz",  # a short run inside a longer password is fine
]


@pytest.mark.parametrize("password", REFUSED)
def test_it_refuses_repeated_characters_and_runs(password):
    with pytest.raises(ValidationError) as err:
        validate_password(password)
    codes = {e.code for e in err.value.error_list}
    assert codes & {"password_distinct", "password_run"}, codes
    with pytest.raises(DomainError) as domain:
        user_validate_password(password)
    assert domain.value.code == "accounts.weak_password"
    assert "字符" in domain.value.message


@pytest.mark.parametrize("password", ACCEPTED)
def test_it_accepts_varied_passwords(password):
    validate_password(password)


def test_the_messages_are_chinese():
    with pytest.raises(ValidationError) as err:
        validate_password("aaaaaaaa1A")
    assert "不同的字符" in " ".join(err.value.messages)
    with pytest.raises(ValidationError) as err:
        validate_password("Abcdefgh1!")
    assert "连续" in " ".join(err.value.messages)


def test_the_password_page_refuses_aaaaaaaa1A(county):
    user = county.clerk
    user.set_password("Demo@2026")
    user.save()
    browser = Client()
    assert browser.login(username=user.username, password="Demo@2026")
    resp = browser.post("/me/password/", {"old": "Demo@2026", "new": "aaaaaaaa1A"})
    assert "不同的字符" in resp.content.decode()
    user.refresh_from_db()
    assert user.check_password("Demo@2026") and not user.check_password("aaaaaaaa1A")
