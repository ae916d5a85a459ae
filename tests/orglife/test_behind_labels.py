"""The organisations behind are named with their parents in the Excel export as on the overview (dozens of
第一党小组), and those names cost one query for a page or a whole export: compliance already read each
organisation's path and depth."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jinqiu.accounts.scoping import visible_orgs
from jinqiu.organizations.models import PartyOrg
from jinqiu.orglife import compliance, exports, views
from tests.factories import make_org

pytestmark = pytest.mark.django_db

GROUP = "第一党小组"


@pytest.fixture
def groups(world):
    """Two 第一党小组 with no meeting at all (so both behind), one under each branch of the street."""
    a = make_org(GROUP, "xiaozu", world.branch, region=world.community)
    b = make_org(GROUP, "xiaozu", world.neighbor_branch, region=world.community2)
    return a, b


def _label(world, branch) -> str:
    return f"{world.street_org.name} › {branch.name} › {GROUP}"


def _rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_behind_export_tells_same_named_organisations_apart(world, groups, client_for):
    rows = _rows(client_for("street").get(reverse("orglife:overview_export")))
    names = [r[0] for r in rows[1:]]
    assert _label(world, world.branch) in names and _label(world, world.neighbor_branch) in names
    assert GROUP not in names, "no organisation is written by its bare name"
    assert f"{world.street_org.name} › {world.neighbor_branch.name}" in names  # a branch: its parent, then it
    assert len(names) == len(set(names))


def test_the_behind_export_names_from_the_scope_root_down(world, groups, client_for):
    """The labels leave out the district's 党工委 (the same for everyone), as the pages do."""
    rows = _rows(client_for("bureau").get(reverse("orglife:overview_export")))
    names = [r[0] for r in rows[1:]]
    assert _label(world, world.branch) in names
    assert not any(world.root.name in n for n in names)


def test_the_labels_of_the_behind_cost_one_query(world, groups, django_assert_num_queries):
    for i in range(10):
        make_org(f"第{i + 2}党小组", "xiaozu", world.branch if i % 2 else world.neighbor_branch)
    result = compliance.subtree_compliance(visible_orgs(world.users["street"]))
    assert len(result.behind) >= 14  # two branches, twelve groups
    with django_assert_num_queries(1):
        rows = views._labelled(result.behind)
    assert {label for _oc, label in rows} >= {_label(world, world.branch), _label(world, world.neighbor_branch)}
    with django_assert_num_queries(1):
        exports.behind_workbook(result)


def test_a_compliance_row_rebuilds_its_organisation_with_path_and_depth(world, groups):
    result = compliance.subtree_compliance(PartyOrg.objects.filter(pk=groups[0].pk))
    org = result.orgs[0].org
    assert (org.pk, org.path, org.depth) == (groups[0].pk, groups[0].path, groups[0].depth)
