"""Campaign targets and coverage: a subtree with dual membership counted once, scope, death, visits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jinqiu.care import services
from jinqiu.care.models import CampaignTarget
from jinqiu.care.selectors import coverage
from jinqiu.people import services as people_services
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def spring(world, actor, **fields):
    today = timezone.localdate()
    return services.campaign_create(actor=actor, fields={
        "name": "春节走访慰问", "kind": "spring", "starts_on": today - timedelta(days=5),
        "ends_on": today + timedelta(days=20), **fields})


def test_subtree_with_dual_membership_counts_each_person_once(world):
    people_services.membership_join(actor=None, person=world.zhang, org=world.functional,
                                    on=timezone.localdate() - timedelta(days=30))  # also in the 老年大学 branch
    campaign = spring(world, world.users["bureau"], root_org=world.root)
    persons = list(CampaignTarget.objects.filter(campaign=campaign).values_list("person__name", flat=True))
    assert sorted(persons) == sorted(["张三", "李四", "王五"])
    whole, streets = coverage(world.users["bureau"], campaign)
    assert (whole.total, whole.reached) == (3, 0)


def test_region_campaign_for_the_bureau_and_the_street_sees_its_part(world):
    campaign = spring(world, world.users["bureau"], root_region=world.district, include_orgs=True)
    bureau_whole, streets = coverage(world.users["bureau"], campaign)
    # four persons, and the five organisations placed in a region (the 党工委 and the 老年大学 branch are not)
    assert bureau_whole.total == 4 + 5
    street_whole, street_rows = coverage(world.users["street"], campaign)
    assert street_whole.total < bureau_whole.total
    assert [s.name for s, _c in street_rows] == ["新浦街道"]
    assert street_whole.total == 3 + 3  # 张三, 李四, 赵六; the street's 党总支 and its two branches


def test_a_visit_reaches_the_target_and_a_death_leaves_it(world):
    campaign = spring(world, world.users["street"], root_region=world.street)
    services.visit_record(actor=world.users["pair"], person=world.zhang, fields={
        "visited_at": timezone.now() - timedelta(hours=2), "kind": "home", "gifts": "米、油"})
    people_services.person_record_death(actor=world.users["street"], person=world.li,
                                        died_on=timezone.localdate() - timedelta(days=1))
    zhang = CampaignTarget.objects.get(campaign=campaign, person=world.zhang)
    li = CampaignTarget.objects.get(campaign=campaign, person=world.li)
    assert zhang.reached_on == timezone.localdate()
    assert (li.withdrawn_because, li.reached_on) == ("died", None)
    whole, _streets = coverage(world.users["street"], campaign)
    assert (whole.total, whole.reached) == (2, 1)  # 张三 and 赵六; 李四 left


def test_a_visit_before_the_target_was_added_counts(world):
    services.visit_record(actor=world.users["street"], person=world.zhao, fields={
        "visited_at": timezone.now() - timedelta(days=1), "kind": "home"})
    campaign = spring(world, world.users["street"], root_region=world.street)
    assert CampaignTarget.objects.get(campaign=campaign, person=world.zhao).reached_on is not None


def test_filters_and_scope(world):
    campaign = spring(world, world.users["street"], root_region=world.district, party_members_only=True)
    names = set(CampaignTarget.objects.filter(campaign=campaign).values_list("person__name", flat=True))
    assert names == {"张三", "李四"}  # 王五 is out of the street's scope; 赵六 is not a party member
    with pytest.raises(ValidationError):
        spring(world, world.users["street"], root_org=world.other_street_org)
    with pytest.raises(ValidationError):
        spring(world, world.users["secretary"], root_org=world.branch)


def test_bulk_assign_skips_targets_the_assignee_cannot_see(world):
    campaign = spring(world, world.users["street"], root_region=world.street)
    assigned = services.campaign_assign(actor=world.users["street"], campaign=campaign,
                                        targets=CampaignTarget.objects.all(), assignee=world.users["pair"])
    assert assigned == 1
    assert CampaignTarget.objects.get(campaign=campaign, assignee=world.users["pair"]).person == world.zhang


def test_new_person_added_on_refresh(world):
    campaign = spring(world, world.users["street"], root_region=world.street)
    make_person("新来", region=world.community2, birth=date(1950, 1, 1))
    added, withdrawn = services.campaign_refresh(actor=world.users["street"], campaign=campaign)
    assert (added, withdrawn) == (1, 0)
