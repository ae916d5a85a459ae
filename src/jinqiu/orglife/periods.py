"""Calendar periods for frequency rules: months, quarters and years, as (first day, last day)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Period

MONTHS = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}
# Years a user may ask for: from the founding of the Party to next year's plans.
FIRST_YEAR = 1921


def last_year() -> int:
    return timezone.localdate().year + 1


def year_error(year: int) -> str | None:
    """Why a year is out of range, in words, or None when it is fine."""
    if FIRST_YEAR <= year <= last_year():
        return None
    return _("Choose a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": last_year()}


def period_start(day: date, period: str) -> date:
    step = MONTHS[Period(period)]
    return date(day.year, (day.month - 1) // step * step + 1, 1)


def next_start(start: date, period: str) -> date:
    month = start.month - 1 + MONTHS[Period(period)]
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_end(start: date, period: str) -> date:
    return next_start(start, period) - timedelta(days=1)


def periods(first: date, last: date, period: str) -> list[tuple[date, date]]:
    """Every period that overlaps [first, last]."""
    out = []
    start = period_start(first, period)
    while start <= last:
        following = next_start(start, period)
        out.append((start, following - timedelta(days=1)))
        start = following
    return out


def label(start: date, period: str) -> str:
    if period == Period.MONTH:
        return _("%(month)d/%(year)d") % {"month": start.month, "year": start.year}
    if period == Period.QUARTER:
        return _("Q%(quarter)d %(year)d") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return _("year %(year)d") % {"year": start.year}


def span_label(start: date, end: date) -> str:
    """A period given by its first and last day, read as a period: 2025年, 2025年第1季度, 2025年3月."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    period = Period.YEAR if months >= 12 else Period.QUARTER if months >= 3 else Period.MONTH
    return label(start, period)
