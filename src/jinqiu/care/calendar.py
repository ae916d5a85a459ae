"""Birthdays that call for a visit (重要寿辰), in the solar or the lunar calendar.

Milestones: 70, 75, 80, 85, 90, 95, 100, and every year after 100. Ages are counted as full years (周岁).

- Solar: a birthday on 29 February falls on 28 February in a common year (the day the month ends, as the
  law counts a year of age from such a day).
- Lunar (农历, for a person whose record says they keep it): the lunar month and day of birth in the lunar
  year `birth lunar year + age`, converted to the solar date with lunar-python. A birth in a leap month
  (闰月) is kept in the ordinary month of that number, and a 30th day in a 29-day month falls on the 29th.
  A lunar birthday in the 12th month (腊月) falls in January or February of the next solar year: the
  birthday "of age A" is then in solar year birth year + A + 1, which is why dates, not years, are compared.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from lunar_python import Lunar, LunarMonth, Solar

MILESTONES = (70, 75, 80, 85, 90, 95, 100)


def is_milestone(age: int) -> bool:
    return age in MILESTONES or age > 100


@lru_cache(maxsize=65536)
def lunar_of(born: date) -> tuple[int, int, int]:
    """(lunar year, month, day) of a solar birth date; a leap month is given as its ordinary number."""
    lunar = Solar.fromYmd(born.year, born.month, born.day).getLunar()
    return lunar.getYear(), abs(lunar.getMonth()), lunar.getDay()


@lru_cache(maxsize=65536)
def _lunar_to_solar(year: int, month: int, day: int) -> date:
    days = LunarMonth.fromYm(year, month).getDayCount()
    solar = Lunar.fromYmd(year, month, min(day, days)).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def solar_birthday(born: date, age: int) -> date:
    year = born.year + age
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return born.replace(year=year)


def lunar_birthday(born: date, age: int) -> date:
    year, month, day = lunar_of(born)
    return _lunar_to_solar(year + age, month, day)


def birthday(born: date, age: int, lunar: bool) -> date:
    return lunar_birthday(born, age) if lunar else solar_birthday(born, age)


def milestones_between(born: date, lunar: bool, start: date, end: date) -> Iterator[tuple[int, date]]:
    """(age, day) of each milestone birthday falling within [start, end]."""
    first = start.year - born.year - 2  # a lunar birthday can fall up to a solar year later
    for age in range(max(first, MILESTONES[0]), end.year - born.year + 1):
        if not is_milestone(age):
            continue
        try:
            day = birthday(born, age, lunar)
        except Exception:  # lunar-python covers 1901-2099 reliably; outside it, fall back to the solar day
            day = solar_birthday(born, age)
        if start <= day <= end:
            yield age, day
