"""Chinese resident identity card numbers (GB 11643-1999).

An 18-character number is: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit sequence
(odd for men, even for women) and a MOD 11-2 check character (0-9 or X). Old 15-digit numbers have a
2-digit year (always 19xx) and no check character.

Region codes are deliberately never validated: codes of abolished or merged counties stay valid on
cards issued before the change, and no list would be complete.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from operator import mul

from django.utils.translation import gettext_lazy as _

__all__ = [
    "IdInfo",
    "IdNumberError",
    "check_digit",
    "generate",
    "mask",
    "normalize",
    "parse",
    "to_18",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ZERO_SUM = ord("0") * sum(_WEIGHTS)
_EARLIEST = datetime.date(1890, 1, 1)
_RE_18 = re.compile(r"[0-9]{17}[0-9X]")
_RE_15 = re.compile(r"[0-9]{15}")
_WHITESPACE = re.compile(r"\s+")


class IdNumberError(ValueError):
    """An ID number failed validation. ``message`` is a user-facing, lazily translated sentence."""

    def __init__(self, message, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class IdInfo:
    number: str  # always the 18-character form
    birth_date: datetime.date
    gender: str  # "M" or "F"
    region_code: str  # first 6 digits, never validated
    converted_from_15: bool


def normalize(raw: str) -> str:
    """Full-width to ASCII (NFKC), drop every kind of whitespace, upper-case X. Nothing else."""
    if not raw:
        return ""
    value = unicodedata.normalize("NFKC", raw)
    value = _WHITESPACE.sub("", value)
    return value.replace("x", "X")


def check_digit(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit() needs exactly 17 ASCII digits")
    total = sum(map(mul, first17.encode(), _WEIGHTS)) - _ZERO_SUM  # ASCII codes: each digit plus 48
    return _CHECK_CHARS[total % 11]


def to_18(id15: str) -> str:
    """Convert an old 15-digit number to 18 characters (the year gains "19" and a check character)."""
    if not _RE_15.fullmatch(id15) or not id15.isascii():
        raise ValueError("to_18() needs exactly 15 ASCII digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_digit(first17)


def _today() -> datetime.date:
    from django.conf import settings

    if settings.configured:
        from django.utils import timezone

        return timezone.localdate()
    return datetime.date.today()


def _birth_date(yyyymmdd: str, *, from_15: bool) -> datetime.date:
    try:
        return datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        if from_15:
            raise IdNumberError(
                _("The birth date in this 15-digit ID number is not a real date."), "bad_date"
            ) from None
        raise IdNumberError(_("The birth date in this ID number is not a real date."), "bad_date") from None


def parse(raw: str, *, today: datetime.date | None = None) -> IdInfo:
    """Validate an ID number and return what it says. Raises ``IdNumberError``."""
    value = normalize(raw or "")
    if not value:
        raise IdNumberError(_("Please enter an ID number."), "empty")
    if not value.isascii() or not re.fullmatch(r"[0-9X]+", value):
        raise IdNumberError(
            _("An ID number may contain only digits, and an X as its last character."), "characters"
        )
    if len(value) not in (15, 18):
        raise IdNumberError(_("An ID number must have 18 characters (old cards: 15 digits)."), "length")
    converted = len(value) == 15
    if converted:
        if not _RE_15.fullmatch(value):
            raise IdNumberError(_("A 15-digit ID number may contain only digits."), "characters")
        birth = _birth_date("19" + value[6:12], from_15=True)
        number = to_18(value)
    else:
        if not _RE_18.fullmatch(value):
            raise IdNumberError(
                _("An ID number may contain only digits, and an X as its last character."), "characters"
            )
        birth = _birth_date(value[6:14], from_15=False)
        number = value
    today = today or _today()
    if birth > today:
        raise IdNumberError(_("The birth date in this ID number is in the future."), "future_date")
    if birth < _EARLIEST:
        raise IdNumberError(_("The birth date in this ID number is before 1890."), "too_old")
    if not converted and check_digit(value[:17]) != value[17]:
        raise IdNumberError(
            _(
                "The check digit (the last character) of this ID number is wrong; please look for a typing mistake."
            ),
            "check_digit",
        )
    return IdInfo(
        number=number,
        birth_date=birth,
        gender="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
        converted_from_15=converted,
    )


def generate(*, region_code: str, birth_date: datetime.date, sequence: int, gender: str) -> str:
    """Build a valid 18-character number (demo data and tests).

    ``sequence`` (0-999) becomes the 3-digit sequence; its last digit is nudged by one when its parity
    does not match ``gender`` ("M" odd, "F" even).
    """
    if not re.fullmatch(r"[0-9]{6}", region_code or "") or not region_code.isascii():
        raise ValueError("region_code must be 6 digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    if gender not in ("M", "F"):
        raise ValueError('gender must be "M" or "F"')
    if not 1000 <= birth_date.year <= 9999:
        raise ValueError("birth year must have 4 digits")
    if gender == "M" and sequence % 2 == 0:
        sequence += 1
    elif gender == "F" and sequence % 2 == 1:
        sequence -= 1
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def mask(number: str) -> str:
    """``110105********002X`` for 18 characters; other lengths keep the first 3 and last 2."""
    if not number:
        return ""
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
