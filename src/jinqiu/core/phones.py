"""Chinese phone numbers.

Normal form: a mobile is its 11 digits ("13812345678"); a landline is area code + local number as
digits ("01012345678", "05188123456"), with an extension appended after "#" ("01012345678#123").
A "+86" or "0086" country prefix is removed; other country codes are refused.

Area codes: 010 and 020-029 have two digits after the 0, all others three.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

__all__ = ["PhoneError", "is_mobile", "mask_phone", "normalize_phone"]

_SEPARATORS = re.compile(r"[\s\-()\.\u2010-\u2015\u2212]+")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#|,|;)\s*(\d{1,6})$", re.IGNORECASE)
_DASHED_EXTENSION = re.compile(r"^(\(?0\d{2,3}\)?[\s-]*\d{3,4}[\s-]?\d{3,4})-(\d{1,6})$")
_MOBILE = re.compile(r"1\d{10}")
_SHORT_AREA = re.compile(r"0(?:10|2\d)")
_LOCAL = re.compile(r"[1-9]\d{6,7}")


class PhoneError(ValueError):
    """Not a phone number; ``message`` is a user-facing, lazily translated sentence."""

    def __init__(self, message, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _area_length(digits: str) -> int:
    return 3 if _SHORT_AREA.match(digits) else 4


def _is_landline(digits: str) -> bool:
    if not digits.startswith("0") or not 10 <= len(digits) <= 12:
        return False
    return bool(_LOCAL.fullmatch(digits[_area_length(digits) :]))


def normalize_phone(raw: str) -> str:
    """The normal form of a mobile or landline number; "" for blank input. Raises ``PhoneError``."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    if not value:
        return ""
    extension = ""
    match = _EXTENSION.search(value)
    if match:
        value, extension = value[: match.start()], match.group(1)
    else:
        dashed = _DASHED_EXTENSION.match(value)
        if dashed and _is_landline(_SEPARATORS.sub("", dashed.group(1))):
            value, extension = dashed.group(1), dashed.group(2)
    digits = _SEPARATORS.sub("", value)
    international = digits.startswith(("+86", "0086"))
    if digits.startswith("+") and not international:
        raise PhoneError(_("Only Chinese phone numbers (+86) can be entered."), "country")
    if international:
        digits = digits[3:] if digits.startswith("+") else digits[4:]
        if not digits.startswith("0") and not _MOBILE.fullmatch(digits) and _is_landline("0" + digits):
            digits = "0" + digits  # "+86 10 12345678": the area code loses its 0 abroad
    if not digits.isascii() or not digits.isdigit():
        raise PhoneError(
            _(
                "Enter a mobile number (11 digits) or a landline number with its area code, such as 010-12345678."
            ),
            "invalid",
        )
    if _MOBILE.fullmatch(digits) and not extension:
        return digits
    if digits.startswith("1"):
        raise PhoneError(_("A mobile number has 11 digits and starts with 1."), "mobile")
    if _is_landline(digits):
        return digits + ("#" + extension if extension else "")
    raise PhoneError(
        _("Enter a mobile number (11 digits) or a landline number with its area code, such as 010-12345678."),
        "invalid",
    )


def is_mobile(s: str) -> bool:
    """True when ``s`` is (or normalises to) a mobile number."""
    try:
        return bool(_MOBILE.fullmatch(normalize_phone(s)))
    except PhoneError:
        return False


def mask_phone(s: str) -> str:
    """ "138****5678" for a mobile; a landline keeps its area code and last 2 digits."""
    if not s:
        return ""
    try:
        value = normalize_phone(s)
    except PhoneError:
        value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", s))
    if not value:
        return ""
    if _MOBILE.fullmatch(value):
        return value[:3] + "****" + value[-4:]
    main = value.split("#", 1)[0]
    if _is_landline(main):
        area = _area_length(main)
        return main[:area] + "*" * (len(main) - area - 2) + main[-2:]
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]
