"""Organisations with the same name (dozens of 第一党小组) are shown with their parents, in tree order, outside the
organisation pages too: the selects of the person, transfer, account scope and meeting forms, and the tables of
organisational life and of a person's page. The labels of a list cost a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jinqiu.organizations.models import PartyOrg
from jinqiu.people import services as people_services
from tests.factories import make_org, make_person
from tests.orglife.helpers import hold

GROUP = "第一党小组"


@pytest.fixture
def groups(world):
    """Two 第一党小组, one under each branch of the street: the same name, different parents."""
    a = make_org(GROUP, "xiaozu", world.branch, region=world.community)
    b = make_org(GROUP, "xiaozu", world.neighbor_branch, region=world.community2)
    return PartyOrg.objects.get(pk=a.pk), PartyOrg.objects.get(pk=b.pk)


def _label(world, branch) -> str:
    return f"{world.street_org.name} › {branch.name} › {GROUP}"


def _assert_both_in_tree_order(world, page: str) -> None:
    first, second = _label(world, world.branch), _label(world, world.neighbor_branch)
    assert first in page and second in page, "each 第一党小组 is named with its parents"
    assert PartyOrg.objects.get(pk=world.branch.pk).path < PartyOrg.objects.get(pk=world.neighbor_branch.pk).path
    assert page.index(first) < page.index(second), "in tree order"


def test_person_form_org_select_names_each_group_with_its_parents(world, groups, client_for):
    page = client_for("street").get(reverse("people:create")).content.decode()
    _assert_both_in_tree_order(world, page)
    # tree order: a branch, then its group, then the next branch
    assert page.index(f">{world.street_org.name} › {world.branch.name}<") < page.index(_label(world, world.branch)) \
        < page.index(f">{world.street_org.name} › {world.neighbor_branch.name}<")


def test_person_filter_org_select_names_each_group_with_its_parents(world, groups, client_for):
    page = client_for("street").get(reverse("people:list")).content.decode()
    _assert_both_in_tree_order(world, page)


def test_transfer_form_names_each_group_with_its_parents(world, groups, client_for):
    page = client_for("street").get(reverse("people:transfer", kwargs={"pk": world.zhang.pk})).content.decode()
    _assert_both_in_tree_order(world, page)


def test_account_scope_form_names_each_group_with_its_parents(world, groups, client_for):
    account = world.users["neighbor"]
    page = client_for("secadmin").get(reverse("accounts:user", kwargs={"pk": account.pk})).content.decode()
    _assert_both_in_tree_order(world, page)


def test_meeting_form_joint_organisations_name_each_group_with_its_parents(world, groups, client_for):
    page = client_for("street").get(reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk})).content.decode()
    _assert_both_in_tree_order(world, page)


def test_meeting_page_counts_for_names_each_group_with_its_parents(world, groups, client_for):
    a, b = groups
    meeting = hold(a, "xiaozuhui", timezone.localdate() - timedelta(days=3), joint=[b])
    page = client_for("street").get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    _assert_both_in_tree_order(world, page)


def test_overview_names_each_group_behind_with_its_parents(world, groups, client_for):
    page = client_for("street").get(reverse("orglife:overview")).content.decode()
    assert _label(world, world.branch) in page and _label(world, world.neighbor_branch) in page


def test_person_page_names_the_memberships_organisations_with_their_parents(world, groups, client_for):
    a, b = groups
    people_services.membership_transfer(actor=None, person=world.zhang, org=a, on=timezone.localdate())
    page = client_for("street").get(reverse("people:detail", kwargs={"pk": world.zhang.pk})).content.decode()
    assert _label(world, world.branch) in page  # the new membership: 第一党小组 with its parents


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _many_groups(world, n: int) -> None:
    for i in range(n):
        make_org(f"第{i + 2}党小组", "xiaozu", world.branch if i % 2 else world.neighbor_branch)


@pytest.mark.parametrize("url_name, kwargs", [
    ("orglife:overview", {}),
    ("people:create", {}),
    ("orglife:meeting_create", {"pk": "branch"}),
])
def test_labels_of_thirty_organisations_cost_no_query_per_row(world, groups, client_for, url_name, kwargs,
                                                             django_assert_max_num_queries):
    client = client_for("street")
    url = reverse(url_name, kwargs={k: getattr(world, v).pk for k, v in kwargs.items()})
    client.get(url)  # warm-up: the compliance figures are cached until something changes
    few = _queries(client, url)
    _many_groups(world, 30)
    client.get(url)
    with django_assert_max_num_queries(few):
        page = client.get(url).content.decode()
    assert f"{world.street_org.name} › {world.branch.name} › 第31党小组" in page


def test_meeting_page_counts_of_a_hidden_partner_name_it_with_its_parents(world, groups, client_for):
    a, b = groups
    make_person("钱七", region=world.community2, org=b, birth=date(1941, 2, 2))
    meeting = hold(a, "xiaozuhui", timezone.localdate() - timedelta(days=3), joint=[b])
    response = client_for("secretary").get(reverse("orglife:meeting", kwargs={"pk": meeting.pk}))
    assert [o.label for o in response.context["others"]] == [_label(world, world.neighbor_branch)]
    assert f"<strong>{_label(world, world.neighbor_branch)}</strong>" in response.content.decode()


def test_calendar_and_attendance_pages_name_the_groups_with_their_parents(world, groups, client_for):
    a, b = groups
    member = make_person("孙八", region=world.community, org=a, birth=date(1942, 3, 3))
    day = timezone.localdate() - timedelta(days=3)
    hold(b, "xiaozuhui", day, joint=[a])
    client = client_for("street")
    calendar = client.get(reverse("orglife:calendar", kwargs={"pk": a.pk}) + f"?year={day.year}").content.decode()
    assert _label(world, world.branch) in calendar  # the title: this group
    assert _label(world, world.neighbor_branch) in calendar  # the joint meeting's host
    person = client.get(reverse("orglife:person", kwargs={"pk": member.pk})).content.decode()
    assert _label(world, world.branch) in person
