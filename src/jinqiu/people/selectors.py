"""Reads over persons. Every function takes a queryset already cut to the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from jinqiu.core import crypto, idnumber, text
from jinqiu.organizations.models import PartyOrg, Unit

from .models import AgeBand, Health, Living, Membership, MembershipKind, Person, PersonStatus, Situation


@dataclass
class PersonFilters:
    q: str = ""
    org_path: str = ""
    region_path: str = ""
    unit_id: int | None = None
    retirement_type: str = ""
    age_band: str = ""
    situations: list[str] = field(default_factory=list)
    status: str = PersonStatus.ACTIVE
    party: str = ""  # "yes", "no" or "" for everyone
    pending: bool = False  # party members with no known membership relation (待落实)


def birth_range(band: str, today: date | None = None) -> tuple[date | None, date]:
    """Birth dates (exclusive lower, inclusive upper) for an age band on `today`."""
    today = today or timezone.localdate()
    low_age = int(band)
    high_age = None if band == AgeBand.B90 else low_age + 9

    def years_ago(n: int) -> date:
        try:
            return today.replace(year=today.year - n)
        except ValueError:  # 29 February
            return today.replace(year=today.year - n, day=28)

    latest = years_ago(low_age)
    earliest = years_ago(high_age + 1) if high_age is not None else None
    return earliest, latest


def age_band_q(band: str, today: date | None = None) -> Q:
    earliest, latest = birth_range(band, today)
    q = Q(birth_date__lte=latest)
    if earliest is not None:
        q &= Q(birth_date__gt=earliest)
    return q


SITUATION_Q = {
    Situation.ALONE: Q(living=Living.ALONE),
    Situation.EMPTY_NEST: Q(living=Living.EMPTY_NEST),
    Situation.BEDRIDDEN: Q(health__in=[Health.BEDRIDDEN, Health.DISABLED]),
    Situation.HARDSHIP: Q(hardship=True),
}


def pending_relation_q() -> Q:
    """待落实组织关系: a party member on the register with no active primary membership."""
    active_primary = Membership.objects.filter(
        person=OuterRef("pk"), kind=MembershipKind.PRIMARY, ended_on__isnull=True
    )
    return Q(is_party_member=True, status=PersonStatus.ACTIVE) & ~Q(Exists(active_primary))


def search_q(raw: str) -> Q:
    """Name, pinyin, initials, traditional characters, a full ID number, or its last four characters."""
    query = text.normalize_query(raw)
    if not query:
        return Q()
    normalized = idnumber.normalize(raw)
    if len(normalized) in (15, 18) and normalized[:-1].isdigit():
        try:
            info = idnumber.parse(normalized)
        except idnumber.IdNumberError:
            pass
        else:
            return Q(id_number_index=crypto.blind_index(info.number))
    return Q(search_text__contains=" " + query)


def filter_persons(qs: QuerySet[Person], f: PersonFilters) -> QuerySet[Person]:
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.org_path:
        in_org = Membership.objects.filter(
            person=OuterRef("pk"), ended_on__isnull=True, org__path__startswith=f.org_path
        )
        qs = qs.filter(Exists(in_org))
    if f.region_path:
        qs = qs.filter(region__path__startswith=f.region_path)
    if f.unit_id:
        qs = qs.filter(Q(service_unit_id=f.unit_id) | Q(original_unit_id=f.unit_id))
    if f.retirement_type:
        qs = qs.filter(retirement_type=f.retirement_type)
    if f.age_band:
        qs = qs.filter(age_band_q(f.age_band))
    for flag in f.situations:
        if flag in SITUATION_Q:
            qs = qs.filter(SITUATION_Q[flag])
    if f.party == "yes":
        qs = qs.filter(is_party_member=True)
    elif f.party == "no":
        qs = qs.filter(is_party_member=False)
    if f.pending:
        qs = qs.filter(pending_relation_q())
    return qs


def with_list_relations(qs: QuerySet[Person]) -> QuerySet[Person]:
    """What a list row shows, fetched in a fixed number of queries."""
    active = Membership.objects.filter(ended_on__isnull=True).select_related("org")
    return qs.select_related("region", "original_unit").prefetch_related(
        Prefetch("memberships", queryset=active, to_attr="active_memberships")
    )


def person_detail(qs: QuerySet[Person], pk: int) -> Person:
    return (
        qs.select_related("region", "original_unit", "service_unit")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("org").order_by("-started_on")),
            "survivors",
            "officer_terms__org",
        )
        .get(pk=pk)
    )


def units_with_retiree_counts(units: QuerySet[Unit], persons: QuerySet[Person]) -> QuerySet[Unit]:
    """Each unit's retired persons (among those the user sees) and whether it has its own party org."""
    has_org = PartyOrg.objects.filter(unit=OuterRef("pk"), dissolved_on__isnull=True)
    return (units.select_related("region", "parent").annotate(has_party_org=Exists(has_org))
            .with_counts(persons.filter(status=PersonStatus.ACTIVE)))


def org_subtree_totals(org: PartyOrg, orgs: QuerySet[PartyOrg], persons: QuerySet[Person] | None) -> dict:
    """Totals under an organisation: organisations by kind, members counted once by primary relation.

    `persons` is what the user sees, or None when their scope covers the whole subtree (see
    `scoping.sees_all_members_of`): the count then skips testing each member against the scope.
    """
    active = Membership.objects.filter(org__path__startswith=org.path, ended_on__isnull=True,
                                       person__status=PersonStatus.ACTIVE)
    if persons is not None:
        active = active.filter(person__in=persons.values("pk"))
    members = active.aggregate(
        primary=Count("person", filter=Q(kind=MembershipKind.PRIMARY), distinct=True),
        participating=Count("person", filter=Q(kind=MembershipKind.PARTICIPATING), distinct=True),
    )
    return {
        "orgs": list(orgs.filter(path__startswith=org.path, dissolved_on__isnull=True).exclude(pk=org.pk)
                     .values("kind").annotate(n=Count("id")).order_by("kind")),
        **members,
    }


def org_members(org: PartyOrg) -> QuerySet[Membership]:
    return (Membership.objects.filter(org=org, ended_on__isnull=True, person__status=PersonStatus.ACTIVE)
            .select_related("person").order_by("kind", "person__name"))


def unplaced_persons() -> QuerySet[Person]:
    """待归属: on the register, yet no scope reaches them: no 居住社区, no 管理服务单位, no active membership in
    an organisation of the system. Not cut to a scope: only the bureau's page reads it (see `views.unplaced_list`)."""
    placed = Membership.objects.filter(person=OuterRef("pk"), org__isnull=False, ended_on__isnull=True)
    return Person.objects.filter(status=PersonStatus.ACTIVE, region__isnull=True,
                                 service_unit__isnull=True).exclude(Exists(placed))
