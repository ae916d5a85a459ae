"""The meetings list of the API: the same rows and count whichever way the scope is read (every organisation,
as the bureau of a city, or a part of the tree with joint meetings from outside it), newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jinqiu.orglife import selectors
from jinqiu.orglife.models import Meeting
from tests.factories import make_org

from .helpers import hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(world):
    today = timezone.localdate()
    own = [hold(world.branch, "zhuti-dangri", today - timedelta(days=10 + i)) for i in range(3)]
    # held by another street's branch, counting for the street's neighbour branch too
    joint = hold(world.other_branch, "zhuti-dangri", today - timedelta(days=5), joint=[world.neighbor_branch])
    outside = hold(world.other_branch, "dangke", today - timedelta(days=4))
    return own, joint, outside


def _ids(client, url: str) -> tuple[list[int], int]:
    body = client.get(url).json()
    return [m["id"] for m in body["items"]], body["count"]


def test_the_bureau_sees_every_meeting_newest_first(world, client_for, meetings):
    own, joint, outside = meetings
    assert selectors.meeting_list(world.users["bureau"]).query.where.children == []  # every organisation: no filter
    ids, count = _ids(client_for("bureau"), "/api/orglife/meetings")
    assert ids == [outside.pk, joint.pk] + [m.pk for m in own] and count == 5
    page, count = _ids(client_for("bureau"), "/api/orglife/meetings?limit=2&offset=1")
    assert page == [joint.pk, own[0].pk] and count == 5


def test_a_street_sees_its_own_and_the_joint_meetings_of_its_organisations(world, client_for, meetings):
    own, joint, outside = meetings
    ids, count = _ids(client_for("street"), "/api/orglife/meetings")
    assert ids == [joint.pk] + [m.pk for m in own] and count == 4
    assert outside.pk not in ids
    ids, count = _ids(client_for("street"), f"/api/orglife/meetings?org={world.neighbor_branch.pk}")
    assert ids == [joint.pk] and count == 1


def test_an_organisation_outside_the_bureaus_tree_keeps_its_meetings_out(world, client_for, meetings):
    """Once one organisation is out of the bureau's scope, the list is filtered again."""
    elsewhere = make_org("外区离退休干部党工委", "gongwei", location_type="agency")
    branch = make_org("外区某社区党支部", "zhibu", elsewhere)
    hidden = hold(branch, "zhuti-dangri", timezone.localdate() - timedelta(days=1))
    assert Meeting.objects.count() == 6
    ids, count = _ids(client_for("bureau"), "/api/orglife/meetings")
    assert hidden.pk not in ids and count == 5


def test_a_user_without_organisations_sees_no_meeting(world, meetings):
    assert not selectors.meeting_list(world.users["pair"]).exists()
