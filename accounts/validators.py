"""Password validators whose messages Django's Vietnamese catalogue lacks."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Vietnamese refusal: Django 5.2 changed the English text of this message and its
    Vietnamese catalogue still has the old one, so a short password was refused in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}
