from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from yichuang.lib.errors import DomainError
from yichuang.lib.idnumbers import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    id_age,
    id_birth_date,
    id_check_char,
    id_gender,
    is_valid_credit_code,
    is_valid_id_number,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)

VALID_IDS = ["11010519491231002X", "440524188001010014"]
VALID_CREDIT_CODE = "91350100M000100Y43"
ID_CHARS = "0123456789X"


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


def _reason(number: str) -> str:
    with pytest.raises(DomainError) as info:
        validate_id_number(number)
    assert info.value.code == "lib.invalid_id_number"
    assert info.value.status == 422
    assert info.value.details["field"] == "id_number"
    return str(info.value.details["reason"])


# --- citizen ID ---------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_IDS)
def test_it_accepts_the_domain_test_vectors(number: str) -> None:
    assert is_valid_id_number(number)
    assert validate_id_number(number) == number


def test_it_computes_the_check_char_of_the_test_vectors() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_it_normalises_lower_case_x_and_spaces() -> None:
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize("number", ["", "1101051949123100", "11010519491231002X1", "110105"])
def test_it_rejects_wrong_lengths(number: str) -> None:
    assert not is_valid_id_number(number)
    assert _reason(number) == "length"


@pytest.mark.parametrize(
    "number",
    [
        "1101051949123100AX",
        "X1010519491231002X",
        "11010519491231002Y",
        "１１０１０５１９４９１２３１００２X",
    ],
)
def test_it_rejects_wrong_characters(number: str) -> None:
    assert not is_valid_id_number(number)
    assert _reason(number) == "characters"


def test_it_rejects_letters_in_the_first_seventeen() -> None:
    assert _reason("1101051949123100X2") == "characters"


@pytest.mark.parametrize("birth", ["19990230", "19991301", "19990001", "20230229", "19990100"])
def test_it_rejects_impossible_birth_dates(birth: str) -> None:
    number = _with_check("110105" + birth + "002")
    assert not is_valid_id_number(number)
    assert _reason(number) == "birth_date"


def test_it_accepts_a_leap_day_birth_date() -> None:
    assert is_valid_id_number(_with_check("11010520000229002"))


def test_it_rejects_future_birth_dates() -> None:
    tomorrow = date.today() + timedelta(days=1)
    number = _with_check("110105" + tomorrow.strftime("%Y%m%d") + "002")
    assert not is_valid_id_number(number)
    assert _reason(number) == "birth_date"
    # ...but the same number is fine once that day has come
    assert is_valid_id_number(number, today=tomorrow)


def test_it_rejects_implausibly_early_birth_dates() -> None:
    number = _with_check("11010517991231002")
    assert _reason(number) == "birth_date"


def test_it_rejects_a_wrong_check_digit() -> None:
    assert not is_valid_id_number("110105194912310021")
    assert _reason("110105194912310021") == "check_char"
    assert _reason("440524188001010015") == "check_char"


def test_it_explains_the_problem_in_chinese() -> None:
    with pytest.raises(DomainError) as info:
        validate_id_number("110105194912310021")
    assert "校验位" in info.value.message
    with pytest.raises(DomainError) as info:
        validate_id_number("12345")
    assert "18位" in info.value.message
    assert info.value.as_dict()["code"] == "lib.invalid_id_number"


def test_it_reads_birth_date_gender_and_age() -> None:
    assert id_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_gender("11010519491231002X") == "female"  # sequence 002
    assert id_gender("440524188001010014") == "male"  # sequence 001
    assert id_age("11010519491231002X", date(2025, 12, 30)) == 75
    assert id_age("11010519491231002X", date(2025, 12, 31)) == 76


def test_it_counts_a_leap_day_birthday_from_the_first_of_march() -> None:
    number = _with_check("11010520000229002")
    assert id_age(number, date(2001, 2, 28)) == 0
    assert id_age(number, date(2001, 3, 1)) == 1
    assert id_age(number, date(2004, 2, 29)) == 4


def test_it_refuses_to_read_an_invalid_number() -> None:
    with pytest.raises(DomainError):
        id_birth_date("110105194912310021")


def test_it_requires_seventeen_digits_for_the_check_char() -> None:
    with pytest.raises(ValueError):
        id_check_char("1234")
    with pytest.raises(ValueError):
        id_check_char("1101051949123100X")


id_first17 = st.builds(
    lambda area, birth, seq: area + birth.strftime("%Y%m%d") + seq,
    st.text("0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    st.text("0123456789", min_size=3, max_size=3),
)


@given(id_first17)
def test_it_accepts_any_number_with_a_real_date_and_its_check_char(first17: str) -> None:
    number = _with_check(first17)
    assert is_valid_id_number(number)
    assert validate_id_number(number.lower()) == number


@given(id_first17, st.integers(0, 17), st.sampled_from(ID_CHARS))
def test_it_rejects_any_single_character_change(first17: str, pos: int, char: str) -> None:
    number = _with_check(first17)
    assume(number[pos] != char)
    changed = number[:pos] + char + number[pos + 1 :]
    assert not is_valid_id_number(changed)


# --- unified social credit code -----------------------------------------------------


def test_it_accepts_the_credit_code_test_vector() -> None:
    assert is_valid_credit_code(VALID_CREDIT_CODE)
    assert validate_credit_code(" 91350100m000100y43 ") == VALID_CREDIT_CODE
    assert credit_code_check_char(VALID_CREDIT_CODE[:17]) == "3"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M000100I43", "characters"),  # I is not in the alphabet
        ("91350100O000100Y43", "characters"),  # nor O
        ("91350100M000100Y44", "check_char"),
    ],
)
def test_it_rejects_bad_credit_codes(code: str, reason: str) -> None:
    assert not is_valid_credit_code(code)
    with pytest.raises(DomainError) as info:
        validate_credit_code(code)
    assert info.value.code == "lib.invalid_credit_code"
    assert info.value.status == 422
    assert info.value.details == {"field": "credit_code", "reason": reason}


def test_it_requires_seventeen_alphabet_characters_for_the_credit_check() -> None:
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100I4")


credit_first17 = st.text(CREDIT_CODE_ALPHABET, min_size=17, max_size=17)


@given(credit_first17)
def test_it_accepts_any_credit_code_with_its_check_char(first17: str) -> None:
    code = first17 + credit_code_check_char(first17)
    assert is_valid_credit_code(code)
    assert validate_credit_code(code.lower()) == code


@given(credit_first17, st.integers(0, 17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_it_rejects_any_single_credit_code_change(first17: str, pos: int, char: str) -> None:
    code = first17 + credit_code_check_char(first17)
    assume(code[pos] != char)
    changed = code[:pos] + char + code[pos + 1 :]
    assert not is_valid_credit_code(changed)
