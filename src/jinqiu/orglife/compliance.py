"""Which required meetings each organisation held, period by period, and who is behind.

A period is *required* when the organisation existed for all of it: the period in which a branch is
founded and the one in which it is dissolved are exempt (a meeting held in them still shows). A past
required period with no meeting is *missed*; the current one is *due* until it ends. The compliance
rate over a subtree counts the required periods that ended in the last twelve months.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from jinqiu.organizations.models import Establishment, PartyOrg

from .models import (
    EstablishmentGroup,
    FrequencyRule,
    HeldMonths,
    MeetingOrg,
    Period,
    TallyVersion,
    month_index,
)
from .periods import MONTHS, label, period_start, periods
from .selectors import Rate, subtree_rate

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


def _held_masks(orgs, first: date, last: date) -> dict[tuple[int, int], int]:
    """(org, meeting type) → a bit per month from January of `first`'s year (bit 0) to `last` in which one
    was held, summed in SQL from the months-held rows (one per organisation, type and year).
    """
    base_year = first.year
    rows = (HeldMonths.objects.filter(org__in=orgs, year__range=(base_year, last.year))
            .values("org_id", "meeting_type_id").order_by()
            .annotate(mask=Sum(F("months").bitleftshift((F("year") - base_year) * 12)))
            .values_list("org_id", "meeting_type_id", "mask"))
    limit = (1 << (month_index(last) - base_year * 12 + 1)) - 1  # nothing after `last`
    return {(org_id, type_id): mask & limit for org_id, type_id, mask in rows}


def _span(base: int, start: date, end: date) -> int:
    """The bits of the months from `start` to `end`, counted from month index `base`."""
    low, high = month_index(start) - base, month_index(end) - base
    return ((1 << (high - low + 1)) - 1) << low


def _per_period(mask: int, step: int, firsts: int) -> int:
    """The months-held bits reduced to one bit per period of `step` months: its first month's bit (in
    `firsts`) is set when a meeting was held in any of its months. Months are counted from a January, so
    periods start at multiples of `step`; organisations with the same periods held then share one key."""
    smeared = mask
    for i in range(1, step):
        smeared |= mask >> i
    return smeared & firsts


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


# path and depth last: with them `OrgCompliance.org` can be named with its parents in one query for a page
# (`with_path_labels`), without reading the organisations again.
ORG_FIELDS = ("pk", "name", "kind", "establishment", "founded_on", "dissolved_on", "path", "depth")


@dataclass(slots=True)
class OrgCompliance:
    row: tuple  # the organisation's ORG_FIELDS
    required: int = 0
    held: int = 0
    missed: list[tuple[str, date, date]] = field(default_factory=list)  # (type name, start, end)
    due: list[str] = field(default_factory=list)  # type names still to hold this period

    @property
    def rate(self) -> float | None:
        return self.held / self.required if self.required else None

    overdue_days: int = 0  # since the end of the oldest missed period

    @property
    def org_id(self) -> int:
        return self.row[0]

    @property
    def name(self) -> str:
        return self.row[1]

    @property
    def org(self) -> PartyOrg:
        """The organisation, with the fields compliance read (built when asked for: a city has 2,000); its
        path and depth are enough for `with_path_labels`."""
        return PartyOrg(**dict(zip(ORG_FIELDS, self.row, strict=True)))


@dataclass
class SubtreeCompliance:
    window: tuple[date, date]
    orgs: list[OrgCompliance]

    @cached_property
    def required(self) -> int:
        return sum(o.required for o in self.orgs)

    @cached_property
    def held(self) -> int:
        return sum(o.held for o in self.orgs)

    @property
    def rate(self) -> float | None:
        return self.held / self.required if self.required else None

    @cached_property
    def behind(self) -> list[OrgCompliance]:
        """Organisations with a missed period, most overdue first (most missed, then the oldest miss)."""
        late = [o for o in self.orgs if o.missed]
        return sorted(late, key=lambda o: (-len(o.missed), -o.overdue_days, o.name))


@dataclass(frozen=True)
class Totals:
    """What a page shows of a subtree's compliance, without the 2,000 organisations behind it.

    Pages hand this to their templates rather than the whole result: a template context lives in
    reference cycles, and a city's result kept alive until the cycle collector runs makes every
    collection slow.
    """

    window: tuple[date, date]
    required: int
    held: int
    behind: int
    orgs: int

    @property
    def rate(self) -> float | None:
        return self.held / self.required if self.required else None

    @classmethod
    def of(cls, result: SubtreeCompliance) -> Totals:
        return cls(result.window, result.required, result.held, len(result.behind), len(result.orgs))


def window_of(today: date) -> tuple[date, date]:
    return today - timedelta(days=365), today


def _rule_outcome(cells, mask: int, founded: date | None, dissolved: date | None,
                  today: date) -> tuple[int, int, tuple[tuple[date, date], ...], bool]:
    """(required, held, missed periods, due now) of one rule, from the bits of the months held."""
    required = held = 0
    missed = []
    due = False
    for start, end, span in cells:
        exempt = (founded and start < founded) or (dissolved and end >= dissolved)
        if end >= today:
            due = due or not (mask & span or exempt)
            continue
        if exempt:
            continue  # a meeting held in an exempt period shows on the calendar, and is not counted
        required += 1
        if mask & span:
            held += 1
        else:
            missed.append((start, end))
    return required, held, tuple(missed), due


def subtree_compliance(orgs: QuerySet[PartyOrg], today: date | None = None, *, rows: list[tuple] | None = None,
                       rules: dict | None = None) -> SubtreeCompliance:
    """Compliance of every organisation in `orgs` over the periods that ended in the last twelve months.

    Most organisations share the same few situations (every month held, founded long ago, not dissolved):
    the outcome of a rule is worked out once per (period, months held, founding and dissolving dates that
    fall in the window) and reused, so a city's 2,000 organisations cost a few thousand dictionary reads.
    """
    today = today or timezone.localdate()
    first, _last = window_of(today)
    rules = rules_by_kind() if rules is None else rules
    kinds = {k for k, _g in rules}
    if rows is None:
        rows = list(orgs.filter(kind__in=kinds).values_list(*ORG_FIELDS))
    # The yearly period that ended inside the window started before it: read from its first day.
    since = period_start(first, "year")
    base = month_index(since)
    held = _held_masks(orgs.filter(kind__in=kinds), since, today)
    # The periods are the same for every organisation: each with the bits of its months.
    cells = {p: [(start, end, _span(base, start, end)) for start, end in periods(first, today, p)]
             for p in Period.values}
    last_end = max(end for c in cells.values() for _s, end, _b in c)
    width = month_index(last_end) - base + 1
    firsts = {p: sum(1 << b for b in range(0, width, MONTHS[p])) for p in Period.values}
    outcomes: dict[tuple, tuple] = {}
    results = []
    for row in rows:
        org_id, _name, kind, establishment, founded, dissolved = row[:6]
        org_rules = rules.get((kind, group_of(establishment)))
        if not org_rules:
            continue
        oc = OrgCompliance(row)
        # Dates outside the window change nothing: leave them out of the key, so that outcomes are shared.
        founded = founded if founded and founded > since else None
        dissolved = dissolved if dissolved and dissolved <= last_end else None
        for rule in org_rules:
            period = rule.period
            mask = held.get((org_id, rule.meeting_type_id), 0)
            outcome = outcomes.get((period, mask, founded, dissolved))  # seen with these very months
            if outcome is None:
                step = MONTHS[period]
                held_periods = mask if step == 1 else _per_period(mask, step, firsts[period])
                outcome = outcomes.get((period, -1 - held_periods, founded, dissolved))  # these periods
                if outcome is None:
                    outcome = _rule_outcome(cells[period], held_periods, founded, dissolved, today)
                    outcomes[(period, -1 - held_periods, founded, dissolved)] = outcome
                outcomes[(period, mask, founded, dissolved)] = outcome
            required, n_held, missed, due = outcome
            oc.required += required
            oc.held += n_held
            if missed:
                name = rule.meeting_type.name
                oc.missed.extend((name, start, end) for start, end in missed)
            if due:
                oc.due.append(rule.meeting_type.name)
        if oc.missed:
            oc.overdue_days = (today - min(m[2] for m in oc.missed)).days
        if oc.required or oc.due:
            results.append(oc)
    return SubtreeCompliance((first, today), results)


def tally_version(which: int = TallyVersion.HELD) -> tuple[int, str] | None:
    """The current version (TallyVersion.HELD or .TALLIES), or None when there is none: nothing is cached."""
    return TallyVersion.objects.filter(pk=which).values_list("number", "token").first()


CACHE_SECONDS = 6 * 3600


def _cached(key: str | None, compute):
    """The value under `key` (content-addressed: the versions and data it was computed from), else computed.

    Only in the shared cache: results kept alive in the process would make every cycle collection
    longer (a city's result is some 12,000 objects).
    """
    if key is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _key(kind: str, version, *parts) -> str | None:
    if version is None:
        return None
    digest = hashlib.blake2b(repr((version, *parts)).encode(), digest_size=20)
    return f"orglife:{kind}:{digest.hexdigest()}"


def subtree_summary(orgs: QuerySet[PartyOrg], today: date | None = None) -> tuple[SubtreeCompliance, Rate]:
    """Compliance and attendance of a subtree, as the overview, the API and the home page show them.

    Both are cached under everything they are computed from, versions read first (so that a result stored
    under a version is never older than it): compliance under the version of the months held, the day,
    the organisations in scope with the fields that matter and the frequency rules; attendance rates under
    the version of the tallies, the day and the organisations. Recording, moving, reopening or dropping a
    meeting moves both versions; an attendance mark or 送学上门 only the second, so the bureau's
    compliance survives the secretaries' taps. An organisation founded, dissolved, renamed or moved, or a
    rule changed, changes the organisations or rules read here.
    """
    today = today or timezone.localdate()
    versions = dict((pk, (n, t)) for pk, n, t in TallyVersion.objects.filter(
        pk__in=(TallyVersion.HELD, TallyVersion.TALLIES)).values_list("pk", "number", "token"))
    rules = rules_by_kind()
    kinds = {k for k, _g in rules}
    all_rows = list(orgs.values_list(*ORG_FIELDS))
    scope = hashlib.blake2b(repr((today, all_rows)).encode(), digest_size=20).hexdigest()
    rule_rows = sorted((k, r.pk, r.meeting_type_id, r.meeting_type.name, r.period)
                       for k, found in rules.items() for r in found)
    result = _cached(_key("compliance", versions.get(TallyVersion.HELD), scope, rule_rows),
                     lambda: subtree_compliance(orgs, today, rows=[r for r in all_rows if r[2] in kinds],
                                                rules=rules))
    first, last = result.window
    rate = _cached(_key("rates", versions.get(TallyVersion.TALLIES), scope),
                   lambda: subtree_rate(orgs, first, last))
    return result, rate
