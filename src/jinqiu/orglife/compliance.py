"""Which required meetings each organisation held, period by period, and who is behind.

A period is *required* when the organisation existed for all of it: the period in which a branch is
founded and the one in which it is dissolved are exempt (a meeting held in them still shows). A past
required period with no meeting is *missed*; the current one is *due* until it ends. The compliance
rate over a subtree counts the required periods that ended in the last twelve months.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, QuerySet, Sum, Value
from django.utils import timezone

from jinqiu.organizations.models import Establishment, PartyOrg

from .models import EstablishmentGroup, FrequencyRule, MeetingOrg, Period, month_index
from .periods import label, period_start, periods

HELD, MISSED, DUE, EXEMPT, FUTURE = "held", "missed", "due", "exempt", "future"


def group_of(establishment: str) -> str:
    return EstablishmentGroup.FORMAL if establishment == Establishment.FORMAL else EstablishmentGroup.INFORMAL


def rules_by_kind() -> dict[tuple[str, str], list[FrequencyRule]]:
    found: dict[tuple[str, str], list[FrequencyRule]] = defaultdict(list)
    for rule in FrequencyRule.objects.filter(is_active=True).select_related("meeting_type"):
        found[(rule.org_kind, rule.establishment)].append(rule)
    return found


def state_of(start: date, end: date, *, founded: date | None, dissolved: date | None, held: bool,
             today: date) -> str:
    if held:
        return HELD
    if start > today:
        return FUTURE
    if (founded and start < founded) or (dissolved and end >= dissolved):
        return EXEMPT
    return DUE if end >= today else MISSED


@dataclass
class Cell:
    start: date
    end: date
    label: str
    state: str
    count: int = 0


@dataclass
class CalendarRow:
    rule: FrequencyRule
    cells: list[Cell]


def _held_months(org_ids, first: date, last: date) -> dict[tuple[int, int, int], int]:
    """(org, meeting type, month index) → meetings held, read from the per-organisation tallies."""
    rows = (MeetingOrg.objects.filter(org_id__in=org_ids, held=True,
                                      month__range=(month_index(first), month_index(last)))
            .values_list("org_id", "meeting_type_id", "month").annotate(n=Count("id")).order_by())
    return {(org_id, type_id, month): n for org_id, type_id, month, n in rows}


def _held_masks(org_ids, first: date, last: date) -> dict[tuple[int, int], int]:
    """(org, meeting type) → a bit per month from `first` (bit 0) to `last` in which one was held.

    One row per organisation and type instead of one per meeting: a city's compliance reads ~10,000
    small rows. The sum of distinct powers of two is their bitwise OR.
    """
    base = month_index(first)
    bit = Value(1).bitleftshift(F("month") - base)
    rows = (MeetingOrg.objects.filter(org_id__in=org_ids, held=True, month__range=(base, month_index(last)))
            .values("org_id", "meeting_type_id").annotate(mask=Sum(bit, distinct=True)).order_by()
            .values_list("org_id", "meeting_type_id", "mask"))
    return {(org_id, type_id): mask for org_id, type_id, mask in rows}


def _span(base: int, start: date, end: date) -> int:
    """The bits of the months from `start` to `end`, counted from month index `base`."""
    low, high = month_index(start) - base, month_index(end) - base
    return ((1 << (high - low + 1)) - 1) << low


def _count(held, org_id: int, type_id: int, start: date, end: date) -> int:
    return sum(held.get((org_id, type_id, m), 0) for m in range(month_index(start), month_index(end) + 1))


def org_calendar(org: PartyOrg, year: int, today: date | None = None) -> list[CalendarRow]:
    """One row per required meeting type, one cell per period of the year."""
    today = today or timezone.localdate()
    first, last = date(year, 1, 1), date(year, 12, 31)
    held = _held_months([org.pk], first, last)
    out = []
    for rule in rules_by_kind().get((org.kind, group_of(org.establishment)), []):
        cells = []
        for start, end in periods(first, last, rule.period):
            n = _count(held, org.pk, rule.meeting_type_id, start, end)
            cells.append(Cell(start, end, label(start, rule.period),
                              state_of(start, end, founded=org.founded_on, dissolved=org.dissolved_on,
                                       held=n > 0, today=today), n))
        out.append(CalendarRow(rule, cells))
    return out


@dataclass
class OrgCompliance:
    org: PartyOrg
    required: int = 0
    held: int = 0
    missed: list[tuple[str, date, date]] = field(default_factory=list)  # (type name, start, end)
    due: list[str] = field(default_factory=list)  # type names still to hold this period

    @property
    def rate(self) -> float | None:
        return self.held / self.required if self.required else None

    overdue_days: int = 0  # since the end of the oldest missed period


@dataclass
class SubtreeCompliance:
    window: tuple[date, date]
    orgs: list[OrgCompliance]

    @property
    def required(self) -> int:
        return sum(o.required for o in self.orgs)

    @property
    def held(self) -> int:
        return sum(o.held for o in self.orgs)

    @property
    def rate(self) -> float | None:
        return self.held / self.required if self.required else None

    @property
    def behind(self) -> list[OrgCompliance]:
        """Organisations with a missed period, most overdue first (most missed, then the oldest miss)."""
        late = [o for o in self.orgs if o.missed]
        return sorted(late, key=lambda o: (-len(o.missed), -o.overdue_days, o.org.name))


def window_of(today: date) -> tuple[date, date]:
    return today - timedelta(days=365), today


def subtree_compliance(orgs: QuerySet[PartyOrg], today: date | None = None) -> SubtreeCompliance:
    """Compliance of every organisation in `orgs` over the periods that ended in the last twelve months."""
    today = today or timezone.localdate()
    first, _last = window_of(today)
    rules = rules_by_kind()
    kinds = {k for k, _g in rules}
    org_list = list(orgs.filter(kind__in=kinds).only("pk", "name", "kind", "establishment", "founded_on",
                                                     "dissolved_on", "path"))
    # The yearly period that ended inside the window started before it: read from its first day.
    since = period_start(first, "year")
    base = month_index(since)
    held = _held_masks([o.pk for o in org_list], since, today)
    # The periods are the same for every organisation: each with the bits of its months.
    cells = {p: [(start, end, _span(base, start, end)) for start, end in periods(first, today, p)]
             for p in Period.values}
    results = []
    for org in org_list:
        oc = OrgCompliance(org)
        founded, dissolved = org.founded_on, org.dissolved_on
        for rule in rules.get((org.kind, group_of(org.establishment)), []):
            mask = held.get((org.pk, rule.meeting_type_id), 0)
            for start, end, span in cells[rule.period]:
                n = bool(mask & span)
                exempt = (founded and start < founded) or (dissolved and end >= dissolved)
                if end >= today:
                    if not n and not exempt:
                        oc.due.append(rule.meeting_type.name)
                    continue
                if exempt:
                    continue  # a meeting held in an exempt period shows on the calendar, and is not counted
                oc.required += 1
                if n:
                    oc.held += 1
                else:
                    oc.missed.append((rule.meeting_type.name, start, end))
        if oc.missed:
            oc.overdue_days = (today - min(m[2] for m in oc.missed)).days
        if oc.required or oc.due:
            results.append(oc)
    return SubtreeCompliance((first, today), results)
