"""Password rules: at least 10 characters, 3 of 4 character classes, no username, no ID digits, not guessable."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StrongPasswordValidator:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(_("The password must be at least %(n)d characters long.") % {"n": self.min_length})
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"))
        if classes < 3:
            errors.append(_("The password must mix at least three of: lower case, upper case, digits, symbols."))
        if user is not None:
            username = (getattr(user, "username", "") or "").lower()
            if username and len(username) >= 3 and username in password.lower():
                errors.append(_("The password must not contain the user name."))
            person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
            if person is not None and _shares_id_digits(password, person.id_number):
                errors.append(_("The password must not contain digits of your ID number."))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "At least %(n)d characters mixing three of lower case, upper case, digits and symbols; "
            "not containing the user name or ID number digits."
        ) % {"n": self.min_length}


def _shares_id_digits(password: str, id_number: str) -> bool:
    """Any run of six characters of the ID number (birth date, tail ...) found in the password."""
    if not id_number:
        return False
    upper = password.upper()
    return any(id_number[i:i + 6] in upper for i in range(len(id_number) - 5))


class ZxcvbnValidator:
    """A strength estimate (zxcvbn: dictionaries, keyboard patterns, dates, l33t): `Password123!` and
    `Qwerty12345!` pass every character-class rule but are guessed in seconds."""

    MAX_CHECKED = 100  # zxcvbn's time grows with length; what lies beyond adds strength anyway

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        from zxcvbn import zxcvbn

        inputs = [v for v in (getattr(user, "username", ""), getattr(user, "display_name", "")) if v]
        if zxcvbn(password[: self.MAX_CHECKED], user_inputs=inputs)["score"] < self.min_score:
            raise ValidationError(
                _("This password is too easy to guess (a common word, a keyboard pattern or a date with a few "
                  "changes). Use a phrase of several unrelated words or a longer password."),
                code="password_too_guessable")

    def get_help_text(self) -> str:
        return _("Not easy to guess: no common words, keyboard patterns or dates with a few changes.")
