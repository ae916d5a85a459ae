"""走访慰问 campaigns: a target set drawn from a scope with filters, assigned in bulk, covered to 100%.

The target set is the persons under the campaign's root (an organisation subtree: its members, primary or
participating, each once; or a region subtree: the persons living there) who match the filters, and who the
user creating it can see. Persons who later join are added by `campaign_refresh`; a person who dies or moves
away leaves the target (withdrawn, not counted either way).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.accounts.scoping import visible_orgs, visible_persons
from jinqiu.core.audit import acting
from jinqiu.organizations.models import OrgKind, PartyOrg
from jinqiu.people.models import Membership, Person, PersonStatus

from ..models import Campaign, CampaignTarget, LeftBecause
from ..permissions import ASSIGNABLE_ROLES, may_manage

CAMPAIGN_FIELDS = ("name", "kind", "starts_on", "ends_on", "root_org", "root_region", "retirement_type",
                   "party_members_only", "min_age", "include_orgs", "note")
# Organisations a campaign visits: every level but the 党小组 (part of its branch).
ORG_TARGET_KINDS = [k for k in OrgKind.values if k != OrgKind.GROUP]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def candidate_persons(campaign: Campaign, actor) -> QuerySet[Person]:
    persons = visible_persons(actor).filter(status=PersonStatus.ACTIVE)
    if campaign.root_org_id:
        members = Membership.objects.filter(org__path__startswith=campaign.root_org.path, ended_on__isnull=True)
        persons = persons.filter(pk__in=members.values("person_id"))
    else:
        persons = persons.filter(region__path__startswith=campaign.root_region.path)
    if campaign.retirement_type:
        persons = persons.filter(retirement_type=campaign.retirement_type)
    if campaign.party_members_only:
        persons = persons.filter(is_party_member=True)
    if campaign.min_age:
        persons = persons.filter(birth_date__lte=_years_before(campaign.starts_on, campaign.min_age))
    return persons


def candidate_orgs(campaign: Campaign, actor) -> QuerySet[PartyOrg]:
    if not campaign.include_orgs:
        return PartyOrg.objects.none()
    orgs = visible_orgs(actor).filter(dissolved_on__isnull=True, kind__in=ORG_TARGET_KINDS)
    if campaign.root_org_id:
        return orgs.filter(path__startswith=campaign.root_org.path)
    return orgs.filter(region__path__startswith=campaign.root_region.path)


def _check_root(campaign: Campaign, actor) -> None:
    from jinqiu.accounts.scoping import person_filter

    if campaign.root_org_id and not visible_orgs(actor).filter(pk=campaign.root_org_id).exists():
        raise ValidationError({"root_org": [_("This organisation is not in your scope.")]})
    if campaign.root_region_id and person_filter(actor) is None:
        raise ValidationError({"root_region": [_("This region is not in your scope.")]})


def _add_targets(campaign: Campaign, actor) -> int:
    existing_persons = set(campaign.targets.filter(person__isnull=False).values_list("person_id", flat=True))
    existing_orgs = set(campaign.targets.filter(org__isnull=False).values_list("org_id", flat=True))
    rows = [CampaignTarget(campaign=campaign, person_id=pk, region_id=region)
            for pk, region in candidate_persons(campaign, actor).values_list("pk", "region_id")
            if pk not in existing_persons]
    rows += [CampaignTarget(campaign=campaign, org_id=pk, region_id=region)
             for pk, region in candidate_orgs(campaign, actor).values_list("pk", "region_id")
             if pk not in existing_orgs]
    CampaignTarget.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    _count_earlier_visits(campaign)
    return len(rows)


def _count_earlier_visits(campaign: Campaign) -> None:
    """A person or organisation visited since the campaign began (before being added to it) counts as reached."""
    from ..models import Visit

    open_targets = campaign.targets.filter(reached_on__isnull=True, withdrawn_on__isnull=True)
    first: dict[tuple[str, int], tuple[int, date]] = {}
    for visit_id, person_id, org_id, on in (
            Visit.objects.filter(visited_on__range=(campaign.starts_on, campaign.ends_on))
            .filter(Q(person__in=open_targets.values("person_id")) | Q(org__in=open_targets.values("org_id")))
            .order_by("visited_at", "id").values_list("id", "person_id", "org_id", "visited_on")):
        first.setdefault(("p", person_id) if person_id else ("o", org_id), (visit_id, on))
    reached = []
    for target in open_targets.filter(Q(person_id__in=[k for w, k in first if w == "p"])
                                      | Q(org_id__in=[k for w, k in first if w == "o"])):
        found = first.get(("p", target.person_id) if target.person_id else ("o", target.org_id))
        if found:
            target.visit_id, target.reached_on = found
            reached.append(target)
    CampaignTarget.objects.bulk_update(reached, ["visit", "reached_on"], batch_size=1000)


@transaction.atomic
def campaign_create(*, actor, fields: dict[str, Any]) -> Campaign:
    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street runs visit campaigns."))
    campaign = Campaign(created_by=actor, **{k: v for k, v in fields.items() if k in CAMPAIGN_FIELDS})
    campaign.name = (campaign.name or "").strip()
    campaign.full_clean()
    _check_root(campaign, actor)
    with acting(actor):
        campaign.save()
    _add_targets(campaign, actor)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, fields: dict[str, Any]) -> Campaign:
    """Name, dates and note; the target set is changed by refreshing it, not by editing the filters."""
    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street runs visit campaigns."))
    for key in ("name", "starts_on", "ends_on", "note"):
        if key in fields:
            setattr(campaign, key, fields[key])
    campaign.full_clean()
    with acting(actor):
        campaign.save()
    return campaign


@transaction.atomic
def campaign_refresh(*, actor, campaign: Campaign) -> tuple[int, int]:
    """Add who now matches; withdraw who died or moved away. Returns (added, withdrawn)."""
    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street runs visit campaigns."))
    added = _add_targets(campaign, actor)
    withdrawn = 0
    for target in campaign.targets.filter(person__status__in=[PersonStatus.DECEASED, PersonStatus.MOVED],
                                          withdrawn_on__isnull=True, reached_on__isnull=True).select_related("person"):
        withdraw_target(target)
        withdrawn += 1
    return added, withdrawn


def withdraw_target(target: CampaignTarget, on: date | None = None) -> None:
    person = target.person
    target.withdrawn_because = LeftBecause.DIED if person and person.status == PersonStatus.DECEASED \
        else LeftBecause.MOVED
    target.withdrawn_on = on or (person and (person.died_on or person.moved_on)) or timezone.localdate()
    target.save(update_fields=["withdrawn_on", "withdrawn_because", "updated_at"])


@transaction.atomic
def campaign_assign(*, actor, campaign: Campaign, targets: QuerySet[CampaignTarget], assignee) -> int:
    """Assign targets in bulk; those the assignee cannot see are left unassigned and counted as refused."""
    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street runs visit campaigns."))
    if assignee is not None and (not assignee.is_active or not assignee.role_set & ASSIGNABLE_ROLES):
        raise ValidationError({"assignee": [_("This user cannot be assigned visits.")]})
    targets = targets.filter(campaign=campaign)
    if assignee is not None:
        seen_persons = visible_persons(assignee).values("pk")
        seen_orgs = visible_orgs(assignee).values("pk")
        targets = targets.filter(Q(person__in=seen_persons) | Q(org__in=seen_orgs))
    with acting(actor):
        return targets.update(assignee=assignee, updated_at=timezone.now())
