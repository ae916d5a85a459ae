"""The cached subtree summary (overview, API, home page) follows every change it is computed from."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinqiu.organizations import services as org_services
from jinqiu.organizations.models import PartyOrg
from jinqiu.orglife import selectors, services
from jinqiu.orglife.compliance import subtree_compliance, subtree_summary, tally_version
from jinqiu.orglife.models import FrequencyRule, HeldMonths, Meeting, MeetingOrg
from jinqiu.people import services as people_services

from .helpers import at, hold

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)


@pytest.fixture(autouse=True)
def _frozen_and_empty_cache():
    cache.clear()
    with time_machine.travel(TODAY, tick=False):
        yield
    cache.clear()


def _figures(result, rate):
    return (result.required, result.held, [(o.org_id, o.name, len(o.missed), o.overdue_days, tuple(o.due))
                                           for o in result.behind],
            (rate.expected, rate.attended, rate.on_leave, rate.made_up))


def held_months_agree() -> None:
    """The months-held rows are exactly what the tallies say."""
    expected: dict[tuple[int, int, int], int] = {}
    for org_id, type_id, month in MeetingOrg.objects.filter(held=True).values_list("org_id", "meeting_type_id",
                                                                                     "month"):
        key = (org_id, type_id, month // 12)
        expected[key] = expected.get(key, 0) | 1 << (month % 12)
    assert dict(((o, t, y), m) for o, t, y, m in HeldMonths.objects.values_list(
        "org_id", "meeting_type_id", "year", "months")) == expected


def _agrees(orgs) -> tuple:
    """The summary equals a computation from scratch; returns its figures."""
    held_months_agree()
    cached = _figures(*subtree_summary(orgs))
    fresh = subtree_compliance(orgs)
    first, last = fresh.window
    assert cached == _figures(fresh, selectors.subtree_rate(orgs, first, last))
    return cached


def _street(world):
    return PartyOrg.objects.filter(path__startswith=world.street_org.path)


def test_an_unchanged_subtree_is_read_from_the_cache(world):
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 12, 8))
    orgs = _street(world)
    first = _figures(*subtree_summary(orgs))
    with CaptureQueriesContext(connection) as queries:
        assert _figures(*subtree_summary(orgs)) == first
    assert len(queries) == 3  # the versions, the rules, the organisations: no months held, no tallies read
    # An attendance tap leaves compliance cached; the rates follow it.
    version = tally_version()
    services.attendance_all_present(actor=None, meeting=meeting)
    assert tally_version() == version
    with CaptureQueriesContext(connection) as queries:
        assert _figures(*subtree_summary(orgs))[3][1] == 1
    assert len(queries) == 4 and not any("heldmonths" in q["sql"] for q in queries.captured_queries)
    assert _agrees(orgs)[3][1] == 1


def test_recording_editing_reopening_and_attendance_move_the_summary(world):
    orgs = _street(world)
    before = _agrees(orgs)
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 12, 8))
    recorded = _agrees(orgs)
    assert recorded[1] == before[1] + 1 and recorded[3][0] == before[3][0] + 1
    services.attendance_all_present(actor=None, meeting=meeting)
    present = _agrees(orgs)
    assert present[3][1] == recorded[3][1] + 1
    row = meeting.attendances.get()
    services.attendance_set(actor=None, attendance=row, status="leave", reason="住院")
    services.makeup_record(actor=None, attendance=row, delivered_by="刘书记", delivered_on=date(2025, 12, 9),
                           content="学习材料")
    assert _agrees(orgs)[3][2:] == (1, 1)
    # Moved to another month: December is missed again, November held.
    services.meeting_update(actor=None, meeting=meeting, fields={"starts_at": at(date(2025, 11, 8))})
    moved = _agrees(orgs)
    assert moved != present
    other = hold(world.branch, "dangke", date(2025, 12, 10))
    with_lesson = _agrees(orgs)
    services.meeting_reopen(actor=None, meeting=other, reason="误录")
    assert _agrees(orgs) == moved != with_lesson
    assert HeldMonths.objects.get(org=world.branch, meeting_type=meeting.meeting_type, year=2025).months == 1 << 10
    planned = services.meeting_create(actor=None, org=world.branch, held=False, fields={
        "meeting_type": meeting.meeting_type, "starts_at": at(date(2026, 1, 20))})
    assert _agrees(orgs) == moved  # a planned meeting counts for nothing
    services.meeting_cancel(actor=None, meeting=planned)
    assert _agrees(orgs) == moved


def test_a_joint_meeting_and_a_membership_ending_move_the_summary(world):
    orgs = _street(world)
    before = _agrees(orgs)
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 12, 8), joint=[world.neighbor_branch])
    joint = _agrees(orgs)
    assert joint[1] == before[1] + 2 and joint[3][0] == before[3][0] + 2  # counts, and expects, for both
    services.attendance_all_present(actor=None, meeting=meeting)
    assert _agrees(orgs)[3][1] == 2
    people_services.person_move_away(actor=None, person=world.li, on=date(2025, 12, 1), moved_to="南京市")
    assert _agrees(orgs)[3][:2] == (1, 1)  # 李四 had moved away before the meeting
    services.meeting_update(actor=None, meeting=meeting, fields={}, joint_orgs=[])
    assert _agrees(orgs)[1] == before[1] + 1
    assert not HeldMonths.objects.filter(org=world.neighbor_branch).exists()


def test_rules_organisations_and_the_day_move_the_summary(world):
    orgs = _street(world)
    hold(world.branch, "zhuti-dangri", date(2025, 12, 8))
    start = _agrees(orgs)
    rule = FrequencyRule.objects.get(org_kind="zhibu", establishment="formal", meeting_type__code="zhiweihui")
    services.rule_update(actor=None, rule=rule, period="quarter", is_active=True)
    lighter = _agrees(orgs)
    assert lighter[0] < start[0]
    FrequencyRule.objects.filter(pk=rule.pk).update(is_active=False)  # even behind the services' back
    assert _agrees(orgs)[0] < lighter[0]
    org_services.org_update(actor=None, org=world.neighbor_branch, fields={"name": "新西社区第一党支部"})
    renamed = _agrees(orgs)
    assert "新西社区第一党支部" in {b[1] for b in renamed[2]}
    PartyOrg.objects.filter(pk=world.neighbor_branch.pk).update(founded_on=date(2025, 10, 20))
    assert _agrees(orgs)[0] < renamed[0]  # founded inside the window: fewer required periods
    with time_machine.travel(date(2026, 2, 3), tick=False):
        later = _agrees(orgs)
    assert later[0] != renamed[0] and later != _agrees(orgs)


def test_a_deleted_meeting_leaves_the_summary(world):
    orgs = _street(world)
    before = _agrees(orgs)
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 12, 8))
    assert _agrees(orgs) != before
    Meeting.objects.filter(pk=meeting.pk).delete()  # the admin's way, with the tallies cascading
    assert _agrees(orgs) == before


def test_without_a_version_row_nothing_is_cached(world, django_assert_max_num_queries):
    from jinqiu.orglife.models import TallyVersion

    TallyVersion.objects.all().delete()
    orgs = _street(world)
    subtree_summary(orgs)
    first = _agrees(orgs)
    hold(world.branch, "zhuti-dangri", date(2025, 12, 8))  # puts the version back
    assert TallyVersion.objects.exists() and _agrees(orgs) != first
