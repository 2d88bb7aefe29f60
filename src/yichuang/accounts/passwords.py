from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("密码至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类。")
