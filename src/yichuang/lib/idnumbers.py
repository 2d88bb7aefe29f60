"""National identifiers: the citizen ID number and the unified social credit code.

* Citizen ID number (公民身份号码), GB 11643-1999: 18 characters — a 6-digit
  area code, an 8-digit birth date (YYYYMMDD), a 3-digit sequence (odd for men,
  even for women) and a check character ``"10X98765432"[Σ aᵢ·Wᵢ mod 11]``.
* Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters over
  the alphabet ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z); the last one
  is a check character ``alphabet[(31 − Σ aᵢ·Wᵢ mod 31) mod 31]`` with
  ``Wᵢ = 3^(i−1) mod 31``.

``validate_*`` return the normalised value or raise an ``lib.invalid_id_number`` /
``lib.invalid_credit_code`` domain error (HTTP 422) whose Chinese message says what is
wrong; ``is_valid_*`` are the boolean forms.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.utils.translation import gettext as _

from yichuang.lib.errors import Unprocessable

# --- citizen ID number (GB 11643-1999) ---------------------------------------------

ID_LENGTH = 18
ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# The lower bound for a plausible birth date. 440524188001010014, the worked
# example of GB 11643-1999 itself (born 1 Jan 1880), must be valid, so the bound
# cannot be 1900; anything from 1800 on is accepted.
EARLIEST_BIRTH_DATE = date(1800, 1, 1)

_DIGITS = frozenset("0123456789")

IdFailure = Literal["length", "characters", "birth_date", "check_char"]


def normalize_id_number(s: str) -> str:
    """Remove all whitespace and upper-case a trailing ``x``."""
    return "".join(s.split()).upper()


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a citizen ID number."""
    if len(first17) != ID_LENGTH - 1 or not set(first17) <= _DIGITS:
        raise ValueError("id_check_char needs exactly 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _parse_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _id_failure(number: str, today: date | None) -> tuple[IdFailure, str] | None:
    """Why a normalised ID number is invalid (reason, Chinese message), or None."""
    if len(number) != ID_LENGTH:
        return "length", _("身份证号码应为18位，当前为%(n)d位。") % {"n": len(number)}
    if not set(number[:17]) <= _DIGITS or number[17] not in ID_CHECK_CHARS:
        return "characters", _("身份证号码前17位应为数字，最后一位应为数字或字母X。")
    birth = _parse_birth_date(number)
    if birth is None:
        return "birth_date", _("身份证号码中的出生日期%(value)s不是有效日期。") % {
            "value": number[6:14]
        }
    if birth > (today or date.today()):
        return "birth_date", _("身份证号码中的出生日期%(value)s晚于今天。") % {
            "value": birth.isoformat()
        }
    if birth < EARLIEST_BIRTH_DATE:
        return "birth_date", _("身份证号码中的出生日期%(value)s过早，请核对。") % {
            "value": birth.isoformat()
        }
    if id_check_char(number[:17]) != number[17]:
        return "check_char", _("身份证号码校验位不正确，请核对后重新输入。")
    return None


def is_valid_id_number(s: str, *, today: date | None = None) -> bool:
    """Whether ``s`` is a valid citizen ID number (after normalisation)."""
    return _id_failure(normalize_id_number(s), today) is None


def validate_id_number(s: str, *, today: date | None = None) -> str:
    """Return the normalised ID number or raise ``lib.invalid_id_number`` (422).

    ``today`` defaults to the current local date (Django sets the process time
    zone to ``TIME_ZONE``); it bounds the birth date from above.
    """
    number = normalize_id_number(s)
    failure = _id_failure(number, today)
    if failure is not None:
        reason, message = failure
        raise Unprocessable("lib.invalid_id_number", message, field="id_number", reason=reason)
    return number


def id_birth_date(s: str) -> date:
    """The birth date encoded in a (valid) ID number; raises ``lib.invalid_id_number``."""
    number = validate_id_number(s)
    birth = _parse_birth_date(number)
    assert birth is not None  # validate_id_number checked it
    return birth


def id_gender(s: str) -> Literal["male", "female"]:
    """``"male"`` for an odd sequence digit (the 17th character), else ``"female"``."""
    number = validate_id_number(s)
    return "male" if int(number[16]) % 2 == 1 else "female"


def id_age(s: str, on: date) -> int:
    """Age in completed years on ``on`` (a 29 February birthday counts from 1 March)."""
    birth = id_birth_date(s)
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    return on.year - birth.year - int(before_birthday)


# --- unified social credit code (GB 32100-2015) -------------------------------------

CREDIT_CODE_LENGTH = 18
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_CODE_VALUES = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}


def normalize_credit_code(s: str) -> str:
    """Remove all whitespace and upper-case."""
    return "".join(s.split()).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    if len(first17) != CREDIT_CODE_LENGTH - 1 or not set(first17) <= _CREDIT_CODE_VALUES.keys():
        raise ValueError("credit_code_check_char needs 17 characters of the code alphabet")
    total = sum(
        _CREDIT_CODE_VALUES[c] * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def _credit_code_failure(code: str) -> tuple[str, str] | None:
    if len(code) != CREDIT_CODE_LENGTH:
        return "length", _("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(code)}
    if not set(code) <= _CREDIT_CODE_VALUES.keys():
        return "characters", _("统一社会信用代码只能包含数字和大写字母（不含I、O、S、V、Z）。")
    if credit_code_check_char(code[:17]) != code[17]:
        return "check_char", _("统一社会信用代码校验位不正确，请核对后重新输入。")
    return None


def is_valid_credit_code(s: str) -> bool:
    """Whether ``s`` is a valid unified social credit code (after normalisation)."""
    return _credit_code_failure(normalize_credit_code(s)) is None


def validate_credit_code(s: str) -> str:
    """Return the normalised credit code or raise ``lib.invalid_credit_code`` (422)."""
    code = normalize_credit_code(s)
    failure = _credit_code_failure(code)
    if failure is not None:
        reason, message = failure
        raise Unprocessable("lib.invalid_credit_code", message, field="credit_code", reason=reason)
    return code


def age_on(birth: date, day: date) -> int:
    """Full years (周岁) of someone born on ``birth`` on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
