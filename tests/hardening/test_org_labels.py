"""No internal code on organisation pages, and organisations named with their parents where names repeat."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jinqiu.core.widgets import label_with_ancestors
from jinqiu.organizations.forms import OrgCreateForm
from jinqiu.organizations.models import PartyOrg
from tests.factories import make_org

STREET = "新浦街道离退休干部党总支"


@pytest.fixture
def groups(world):
    return [make_org("第一党小组", "xiaozu", world.branch), make_org("第一党小组", "xiaozu", world.neighbor_branch)]


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_sub_organisation_counts_show_kind_labels(world, groups, client_for):
    response = client_for("bureau").get(reverse("organizations:detail", kwargs={"pk": world.street_org.pk}))
    text = _visible_text(response.content.decode())
    assert "下级党组织: 党支部" in text and "下级党组织: 党小组" in text
    for code in ("xiaozu", "zhibu", "zongzhi", "gongwei"):
        assert code not in text


def test_api_kind_counts_carry_their_label(world, groups, client_for):
    totals = client_for("bureau").get(f"/api/orgs/{world.street_org.pk}").json()["totals"]["orgs"]
    assert {row["kind"]: row["kind_label"] for row in totals} == {"xiaozu": "党小组", "zhibu": "党支部"}


def test_path_label_names_the_parents_without_the_top(world, groups):
    assert groups[0].path_label == f"{STREET} › 新东社区离退休干部党支部 › 第一党小组"
    assert groups[1].path_label == f"{STREET} › 新西社区离退休干部党支部 › 第一党小组"
    assert world.street_org.path_label == STREET
    assert world.root.path_label == world.root.name


def test_labels_for_a_list_cost_one_query(world, groups, django_assert_num_queries):
    orgs = list(PartyOrg.objects.order_by("path"))
    with django_assert_num_queries(1):
        labelled = label_with_ancestors(orgs)
        labels = [o.path_label for o in labelled]
    assert labels.count("第一党小组") == 0 and len(set(labels)) == len(labels)


def test_parent_select_lists_parents_in_tree_order_with_their_path(world, groups, django_assert_max_num_queries):
    form = OrgCreateForm(orgs=PartyOrg.objects.all())
    with django_assert_max_num_queries(3):
        html = str(form["parent"])
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)
    expected = [o.path_label for o in label_with_ancestors(PartyOrg.objects.exclude(kind="xiaozu").order_by("path"))]
    assert options == expected  # tree order
    assert options[0] == world.root.name
    assert f"{STREET} › 新东社区离退休干部党支部" in options


def test_created_message_names_the_parents(world, client_for):
    response = client_for("bureau").post(reverse("organizations:create"), {
        "parent": world.branch.pk, "name": "第二党小组", "kind": "xiaozu", "establishment": "formal",
        "location_type": "community",
        "collects_dues": "on"}, follow=True)
    assert response.status_code == 200, response.context["form"].errors
    assert response.redirect_chain, response.context["form"].errors
    assert f"{STREET} › 新东社区离退休干部党支部 › 第二党小组" in response.content.decode()
