"""Every read in care, starting from the user's scope (`accounts.scoping`).

"Overdue" is defined here once (`overdue_q`, `request_overdue_q`): every list, count and figure uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinqiu.accounts.models import Pairing
from jinqiu.accounts.scoping import visible_orgs, visible_persons
from jinqiu.people.models import Health, Living, Person, PersonStatus, RetirementType
from jinqiu.people.selectors import search_q
from jinqiu.regions.models import Region, RegionLevel

from .models import (
    OPEN_REQUEST_STATUSES,
    Campaign,
    CampaignTarget,
    Request,
    RequestStatus,
    TaskStatus,
    Visit,
    VisitTask,
)

SENIOR_AGE = 90


# Overdue, once ---------------------------------------------------------------------------------------------

def overdue_q(today: date) -> Q:
    """A visit task is overdue when it is still open after its due day (and not yet missed: its window is
    still open; the daily job turns it into missed after `latest`)."""
    return Q(status=TaskStatus.OPEN, due_on__lt=today)


def overdue_tasks(qs: QuerySet[VisitTask], today: date | None = None) -> QuerySet[VisitTask]:
    return qs.filter(overdue_q(today or timezone.localdate()))


def request_overdue_q(today: date) -> Q:
    """A request is overdue when 信访 has not been accepted or refused by `accept_by`, or an accepted request
    is not concluded by its deadline."""
    return (Q(status=RequestStatus.RECEIVED, accept_by__lt=today)
            | Q(status__in=[RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS], deadline__lt=today))


# Tasks ----------------------------------------------------------------------------------------------------

TASK_STATES = ("open", "due", "overdue", "due_week", "done", "missed", "exempted", "withdrawn")


def visible_tasks(user) -> QuerySet[VisitTask]:
    return VisitTask.objects.filter(person__in=visible_persons(user).values("pk"))


@dataclass(frozen=True)
class TaskFilters:
    state: str = "open"
    kind: str = ""
    mine: bool = False
    q: str = ""
    region: int | None = None


def filter_tasks(qs: QuerySet[VisitTask], f: TaskFilters, user, today: date | None = None) -> QuerySet[VisitTask]:
    today = today or timezone.localdate()
    if f.state == "overdue":
        qs = qs.filter(overdue_q(today))
    elif f.state == "due":  # the home page's "due": the window has begun and the due day is not past
        qs = qs.filter(status=TaskStatus.OPEN, earliest__lte=today, due_on__gte=today)
    elif f.state == "due_week":
        qs = qs.filter(status=TaskStatus.OPEN, earliest__lte=today, due_on__lte=today + timedelta(days=7))
    elif f.state in TaskStatus.values:
        qs = qs.filter(status=f.state)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.mine:
        qs = qs.filter(assignee=user)
    if f.q:
        qs = qs.filter(person__in=Person.objects.filter(search_q(f.q)).values("pk"))
    if f.region:
        region = Region.objects.filter(pk=f.region).only("path").first()
        qs = qs.filter(person__region__path__startswith=region.path) if region else qs.none()
    return qs.select_related("person__region", "assignee", "rule").order_by("due_on", "id")


# Visits ---------------------------------------------------------------------------------------------------

def visible_visits(user) -> QuerySet[Visit]:
    return Visit.objects.filter(Q(person__in=visible_persons(user).values("pk"))
                                | Q(org__in=visible_orgs(user).values("pk")))


# Campaigns ------------------------------------------------------------------------------------------------

def visible_targets(user, campaign: Campaign | None = None) -> QuerySet[CampaignTarget]:
    targets = CampaignTarget.objects.filter(Q(person__in=visible_persons(user).values("pk"))
                                            | Q(org__in=visible_orgs(user).values("pk")))
    return targets.filter(campaign=campaign) if campaign is not None else targets


def visible_campaigns(user) -> QuerySet[Campaign]:
    """A campaign is seen by who sees one of its targets (its coverage is then counted over those only),
    and by who created it."""
    return Campaign.objects.filter(Q(Exists(visible_targets(user).filter(campaign=OuterRef("pk"))))
                                   | Q(created_by=user) if user.is_authenticated else Q(pk__in=[]))


@dataclass
class Coverage:
    name: str
    region_id: int | None
    total: int = 0
    reached: int = 0

    @property
    def missing(self) -> int:
        return self.total - self.reached

    @property
    def rate(self) -> float:
        return self.reached / self.total if self.total else 1.0


STREET_LEVELS = (RegionLevel.STREET, RegionLevel.TOWN)


def coverage(user, campaign: Campaign) -> tuple[Coverage, list[tuple[Coverage, list[Coverage]]]]:
    """(the whole, [(street, [community, ...]), ...]) over the targets the user sees; the withdrawn are
    left out of both sides. A target placed at a street (a street's party organisation) counts under that
    street as "the street itself"; one above the streets, or with no region, under a row with no name.
    Three queries: the counts by region, the regions, and the streets above them."""
    rows = (visible_targets(user, campaign).filter(withdrawn_on__isnull=True).values("region_id")
            .annotate(total=Count("id"), reached=Count("id", filter=Q(reached_on__isnull=False))))
    by_region = {r["region_id"]: r for r in rows}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=[k for k in by_region if k])}
    parent_paths = {r.path[:-Region.steplen] for r in regions.values() if r.level not in STREET_LEVELS}
    parents = {r.path: r for r in Region.objects.filter(path__in=parent_paths, level__in=STREET_LEVELS)}
    whole = Coverage(name="", region_id=None)
    streets: dict[int | None, tuple[Coverage, list[Coverage]]] = {}
    for region_id, row in by_region.items():
        region = regions.get(region_id)
        if region is not None and region.level in STREET_LEVELS:
            street_region, name = region, str(_("the street itself"))
        else:
            street_region = parents.get(region.path[:-Region.steplen]) if region else None
            name = region.name if region and street_region else ""
        key = street_region.pk if street_region else None
        street = streets.setdefault(key, (Coverage(name=street_region.name if street_region else "",
                                                   region_id=key), []))
        community = Coverage(name=name, region_id=region_id, total=row["total"], reached=row["reached"])
        street[1].append(community)
        for c in (street[0], whole):
            c.total += community.total
            c.reached += community.reached
    ordered = sorted(streets.values(), key=lambda s: (-s[0].missing, s[0].name))
    for _street, communities in ordered:
        communities.sort(key=lambda c: (-c.missing, c.name))
    return whole, ordered


# Requests -------------------------------------------------------------------------------------------------

def visible_requests(user) -> QuerySet[Request]:
    return Request.objects.filter(person__in=visible_persons(user).values("pk"))


@dataclass(frozen=True)
class RequestFilters:
    state: str = "open"
    source: str = ""
    category: str = ""
    mine: bool = False
    q: str = ""


def filter_requests(qs: QuerySet[Request], f: RequestFilters, user, today: date | None = None) -> QuerySet[Request]:
    today = today or timezone.localdate()
    if f.state == "open":
        qs = qs.filter(status__in=OPEN_REQUEST_STATUSES)
    elif f.state == "overdue":
        qs = qs.filter(request_overdue_q(today))
    elif f.state in RequestStatus.values:
        qs = qs.filter(status=f.state)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.mine:
        qs = qs.filter(assignee=user)
    if f.q:
        qs = qs.filter(person__in=Person.objects.filter(search_q(f.q)).values("pk"))
    return qs.select_related("person__region", "assignee").order_by("-urgent", "deadline", "-id")


# 结对联系 coverage -----------------------------------------------------------------------------------------

def special_group_q(today: date | None = None) -> Q:
    """独居, 空巢, 卧床/失能, 特困, 离休, 90+: the persons who must each have a pair contact."""
    today = today or timezone.localdate()
    try:
        ninety = today.replace(year=today.year - SENIOR_AGE)
    except ValueError:
        ninety = today.replace(year=today.year - SENIOR_AGE, day=28)
    return (Q(living__in=[Living.ALONE, Living.EMPTY_NEST]) | Q(health__in=[Health.BEDRIDDEN, Health.DISABLED])
            | Q(hardship=True) | Q(retirement_type=RetirementType.LIXIU) | Q(birth_date__lte=ninety))


def unpaired_special(user) -> QuerySet[Person]:
    paired = Pairing.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
    return (visible_persons(user).filter(special_group_q(), status=PersonStatus.ACTIVE)
            .exclude(Exists(paired)).select_related("region").order_by("region__path", "name", "id"))


# The home page --------------------------------------------------------------------------------------------

def home_figures(user, today: date | None = None) -> dict:
    """What the home page shows for care, each linking to the list behind it."""
    today = today or timezone.localdate()
    tasks = visible_tasks(user)
    mine = tasks.filter(assignee=user) if user.role_set == {"pair_contact"} else tasks
    task_counts = mine.aggregate(
        due=Count("id", filter=Q(status=TaskStatus.OPEN, earliest__lte=today, due_on__gte=today)),
        overdue=Count("id", filter=overdue_q(today)))
    requests = visible_requests(user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_REQUEST_STATUSES)),
        overdue=Count("id", filter=request_overdue_q(today)))
    special = visible_persons(user).filter(special_group_q(today), status=PersonStatus.ACTIVE)
    paired = Pairing.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
    pairing = special.aggregate(total=Count("id"), paired=Count("id", filter=Q(Exists(paired))))
    # The running campaigns' coverage over the targets the user sees: one grouped count, not `coverage` each.
    counts = list(visible_targets(user).filter(campaign__starts_on__lte=today, campaign__ends_on__gte=today,
                                               withdrawn_on__isnull=True)
                  .values("campaign_id").annotate(total=Count("id"),
                                                  reached=Count("id", filter=Q(reached_on__isnull=False)))
                  .order_by("campaign_id")[:3])
    campaigns = Campaign.objects.in_bulk([row["campaign_id"] for row in counts])
    running = [(campaigns[row["campaign_id"]], Coverage(name="", region_id=None, total=row["total"],
                                                        reached=row["reached"])) for row in counts]
    return {"tasks": task_counts, "requests": requests, "pairing": pairing, "campaigns": running}


# 结对联系: who is due a call or a visit --------------------------------------------------------------------

PAIRING_STATES = ("all", "overdue", "call_overdue", "visit_overdue")


def paired_special(user, *, state: str = "all", mine: bool = False, q: str = "",
                   today: date | None = None) -> QuerySet[Person]:
    """Persons of a special group with a pair contact, each with the day of their last call and last visit
    (`last_call`, `last_visit`) and whether each is overdue under the contact rules (`call_due`,
    `visit_due`: the day by which the next was due). Never contacted counts as overdue."""
    from django.db.models import Max

    from .models import CONTACT_VISIT_KINDS, ContactKind
    from .services.rules import ensure_contact_rules

    today = today or timezone.localdate()
    rules = ensure_contact_rules()
    active = Pairing.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
    persons = (visible_persons(user).filter(special_group_q(today), status=PersonStatus.ACTIVE)
               .filter(Exists(active))
               .annotate(last_call=Max("visits__visited_on",
                                       filter=Q(visits__kind__in=CONTACT_VISIT_KINDS[ContactKind.CALL])),
                         last_visit=Max("visits__visited_on",
                                        filter=Q(visits__kind__in=CONTACT_VISIT_KINDS[ContactKind.VISIT]))))
    if mine:
        persons = persons.filter(Exists(active.filter(contact=user)))
    if q:
        persons = persons.filter(search_q(q))
    late = {}
    for kind, field in ((ContactKind.CALL, "last_call"), (ContactKind.VISIT, "last_visit")):
        rule = rules[kind]
        late[kind] = (Q(**{f"{field}__lt": today - timedelta(days=rule.every_days)}) | Q(**{f"{field}__isnull": True})
                      if rule.is_active else Q(pk__in=[]))
    if state == "overdue":
        persons = persons.filter(late[ContactKind.CALL] | late[ContactKind.VISIT])
    elif state == "call_overdue":
        persons = persons.filter(late[ContactKind.CALL])
    elif state == "visit_overdue":
        persons = persons.filter(late[ContactKind.VISIT])
    return persons.select_related("region").order_by("region__path", "name", "id")


def contact_status(person: Person, rules: dict, today: date) -> dict:
    """For one row of `paired_special`: the next call and visit due, and whether each is late."""
    from .models import ContactKind

    out = {}
    for kind, field in ((ContactKind.CALL, "last_call"), (ContactKind.VISIT, "last_visit")):
        rule, last = rules[kind], getattr(person, field)
        due = last + timedelta(days=rule.every_days) if last else None
        out[kind] = {"last": last, "due": due, "late": rule.is_active and (due is None or due < today)}
    return out


def pair_contacts_of(persons: list[Person]) -> dict[int, list]:
    """person id → their active pair contacts (one query)."""
    found: dict[int, list] = {}
    for pairing in (Pairing.objects.filter(person__in=[p.pk for p in persons], ended_on__isnull=True)
                    .select_related("contact").order_by("started_on", "id")):
        found.setdefault(pairing.person_id, []).append(pairing.contact)
    return found
