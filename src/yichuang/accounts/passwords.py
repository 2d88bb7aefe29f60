from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def longest_run(password: str) -> int:
    """The longest stretch of one repeated character or of an obvious run
    (``aaaa``, ``abcd``, ``4321``): each step between neighbours the same, 0, +1
    or -1, case ignored."""
    chars = [ord(c) for c in password.casefold()]
    best = min(len(chars), 1)
    start, step = 0, None
    for i in range(1, len(chars)):
        diff = chars[i] - chars[i - 1]
        if diff in (-1, 0, 1) and (step is None or diff == step):
            step = diff
        else:
            start = i - 1 if diff in (-1, 0, 1) else i
            step = diff if diff in (-1, 0, 1) else None
        best = max(best, i - start + 1)
    return best


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters; at
    least ``min_distinct`` different characters (case ignored); and not mostly
    one run: no stretch of repeated or consecutive characters longer than half
    the password (from four characters up)."""

    def __init__(self, min_distinct: int = 6, min_run: int = 4):
        self.min_distinct = min_distinct
        self.min_run = min_run

    def validate(self, password: str, user=None) -> None:
        errors = []
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            errors.append(
                ValidationError(
                    _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
                    code="password_classes",
                )
            )
        if len(set(password.casefold())) < self.min_distinct:
            errors.append(
                ValidationError(
                    _("密码须包含至少 %(n)d 个不同的字符，不能主要由同一字符重复组成。")
                    % {"n": self.min_distinct},
                    code="password_distinct",
                )
            )
        run = longest_run(password)
        if run >= self.min_run and run * 2 > len(password):
            errors.append(
                ValidationError(
                    _("密码不能主要由连续或重复的字符组成（如 abcdef、123456、aaaa）。"),
                    code="password_run",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "密码至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类，"
            "至少 %(n)d 个不同的字符，且不能主要由连续或重复的字符组成。"
        ) % {"n": self.min_distinct}
