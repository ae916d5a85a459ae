"""Expected lists and attendance rates: dual membership, joint meetings, deaths and moves, 送学上门."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jinqiu.orglife import selectors, services
from jinqiu.orglife.models import Attendance, AttendanceStatus, MeetingStatus
from jinqiu.people import services as people_services
from tests.factories import make_person

from .helpers import at, hold, mtype

pytestmark = pytest.mark.django_db


def _statuses(meeting):
    return {a.person.name: a.status for a in selectors.attendance_list(meeting)}


def test_the_expected_list_is_the_active_members_primary_and_participating(world):
    people_services.membership_join(actor=None, person=world.li, org=world.functional, on=date(2024, 1, 1))
    meeting = hold(world.functional, "zhuti-dangri", date(2025, 3, 3))
    assert set(_statuses(meeting)) == {"李四"}
    branch_meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    assert set(_statuses(branch_meeting)) == {"张三"}
    # Before 李四 joined the functional branch, she was not expected there.
    earlier = hold(world.functional, "zhuti-dangri", date(2023, 6, 3))
    assert _statuses(earlier) == {}


def test_a_person_in_two_organisations_is_one_person_with_two_expectations(world):
    people_services.membership_join(actor=None, person=world.zhang, org=world.functional, on=date(2024, 1, 1))
    services.attendance_all_present(actor=None, meeting=hold(world.branch, "zhuti-dangri", date(2025, 3, 4)))
    hold(world.functional, "zhuti-dangri", date(2025, 3, 5))  # nobody recorded: counts as not attended
    rates = dict((org.name, r) for org, r in selectors.person_rates(world.zhang.pk))
    assert rates[world.branch.name].rate == 1
    assert rates[world.functional.name].rate == 0
    total = selectors.person_total(world.zhang.pk)
    assert (total.expected, total.attended) == (2, 1)
    # A joint meeting of both expects 张三 once, through the branch holding the membership relation.
    joint = hold(world.functional, "zhuti-dangri", date(2025, 4, 5), joint=[world.branch])
    rows = list(joint.attendances.all())
    assert len(rows) == 1 and rows[0].org_id == world.branch.pk


def test_a_person_who_died_or_moved_away_stops_being_expected(world):
    qian = make_person("钱七", region=world.community, org=world.branch, birth=date(1930, 2, 2))
    before = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    assert set(_statuses(before)) == {"张三", "钱七"}
    with time_machine.travel(date(2025, 6, 1), tick=False):
        people_services.person_record_death(actor=None, person=qian, died_on=date(2025, 4, 20))
        people_services.person_move_away(actor=None, person=world.zhang, on=date(2025, 5, 2), moved_to="南京市")
    after_death = hold(world.branch, "zhuti-dangri", date(2025, 4, 25))
    assert set(_statuses(after_death)) == {"张三"}
    after_move = hold(world.branch, "zhuti-dangri", date(2025, 5, 10))
    assert _statuses(after_move) == {}
    # The meeting before keeps both, and editing it does not drop them.
    services.meeting_update(actor=None, meeting=before, fields={"place": "社区会议室"})
    assert set(_statuses(before)) == {"张三", "钱七"}


def test_one_tap_statuses_leave_needs_a_reason(world):
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    row = meeting.attendances.get()
    with pytest.raises(ValidationError) as exc:
        services.attendance_set(actor=None, attendance=row, status=AttendanceStatus.LEAVE, reason=" ")
    assert "reason" in exc.value.message_dict
    services.attendance_set(actor=None, attendance=row, status=AttendanceStatus.LEAVE, reason="住院")
    row.refresh_from_db()
    assert (row.status, row.reason) == ("leave", "住院")
    services.attendance_set(actor=None, attendance=row, status=AttendanceStatus.ONLINE)
    row.refresh_from_db()
    assert (row.status, row.reason) == ("online", "")
    assert selectors.meeting_rate(meeting).rate == 1


def test_delivery_at_home_counts_as_make_up_study(world):
    with time_machine.travel(date(2025, 3, 20), tick=False):
        meeting = hold(world.branch, "dangke", date(2025, 3, 4))
        row = meeting.attendances.get()
        services.attendance_set(actor=None, attendance=row, status=AttendanceStatus.LEAVE, reason="行动不便")
        with pytest.raises(ValidationError) as exc:
            services.makeup_record(actor=None, attendance=row, delivered_by="刘书记", delivered_on=date(2025, 3, 1),
                                   content="党课讲稿")
        assert "delivered_on" in exc.value.message_dict
        services.makeup_record(actor=None, attendance=row, delivered_by="刘书记", delivered_on=date(2025, 3, 6),
                               content="党课讲稿和学习笔记")
        with pytest.raises(ValidationError):
            services.makeup_record(actor=None, attendance=row, delivered_by="刘书记",
                                   delivered_on=date(2025, 3, 7), content="again")
    rate = selectors.meeting_rate(meeting)
    assert (rate.rate, rate.with_makeup, rate.on_leave) == (0, 1, 1)


def test_a_planned_meeting_expects_nobody_until_held_and_tells_the_members(world):
    from jinqiu.notifications.models import Message

    with time_machine.travel(date(2025, 3, 1), tick=False):
        meeting = services.meeting_create(actor=None, org=world.branch, held=False, fields={
            "meeting_type": mtype("zhuti-dangri"), "starts_at": at(date(2025, 3, 8)), "place": "活动室"})
        assert meeting.status == MeetingStatus.PLANNED and not meeting.attendances.exists()
        assert Message.objects.filter(recipient=world.users["member"]).count() == 1
    with time_machine.travel(date(2025, 3, 9), tick=False):
        services.meeting_hold(actor=None, meeting=meeting, fields={"minutes": "学习了文件"})
    assert meeting.attendances.count() == 1
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=None, meeting=meeting)


def test_a_held_meeting_cannot_be_in_the_future_and_a_lesson_names_its_lecturer(world):
    with time_machine.travel(date(2025, 3, 1), tick=False):
        with pytest.raises(ValidationError) as exc:
            hold(world.branch, "zhuti-dangri", date(2025, 3, 8))
        assert "starts_at" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            hold(world.branch, "dangke", date(2025, 2, 8), lecturer="", topic="")
        assert {"lecturer", "topic"} <= set(exc.value.message_dict)
    assert not Attendance.objects.exists()


def test_subtree_and_org_rates(world):
    m1 = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    services.attendance_all_present(actor=None, meeting=m1)
    hold(world.neighbor_branch, "zhuti-dangri", date(2025, 3, 4))
    orgs = world.branch.__class__.objects.filter(path__startswith=world.street_org.path)
    rate = selectors.subtree_rate(orgs, date(2025, 1, 1), date(2025, 12, 31))
    assert (rate.expected, rate.attended) == (2, 1)
    assert selectors.org_rate(world.branch, date(2025, 1, 1), date(2025, 12, 31)).rate == 1


def test_a_committee_meeting_expects_the_officers_only(world):
    qian = make_person("钱七", region=world.community, org=world.branch, birth=date(1945, 2, 2))
    people_services.officer_appoint(actor=None, org=world.branch, role="secretary", started_on=date(2024, 1, 1),
                                    person=qian)
    meeting = hold(world.branch, "zhiweihui", date(2025, 3, 4))
    assert set(_statuses(meeting)) == {"钱七"}
    assert set(_statuses(hold(world.branch, "zhuti-dangri", date(2025, 3, 5)))) == {"张三", "钱七"}


def test_the_tallies_follow_every_change(world):
    people_services.membership_join(actor=None, person=world.li, org=world.functional, on=date(2024, 1, 1))
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4), joint=[world.functional])
    year = (date(2025, 1, 1), date(2025, 12, 31))
    assert selectors.org_rate(world.functional, *year).expected == 1  # 李四, through the functional branch
    services.attendance_all_present(actor=None, meeting=meeting)
    assert selectors.org_rate(world.branch, *year).attended == 1
    services.meeting_update(actor=None, meeting=meeting, fields={}, joint_orgs=[])
    assert selectors.org_rate(world.functional, *year).expected == 0
    assert selectors.subtree_rate(world.branch.__class__.objects.all(), *year).expected == 1


def test_a_membership_ended_after_the_fact_leaves_the_meetings_since(world):
    qian = make_person("钱七", region=world.community, org=world.branch, birth=date(1930, 2, 2))
    before = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    after = hold(world.branch, "zhuti-dangri", date(2025, 4, 25), joint=[world.functional])
    services.attendance_all_present(actor=None, meeting=after)
    year = (date(2025, 1, 1), date(2025, 12, 31))
    assert (selectors.org_rate(world.branch, *year).expected, selectors.org_rate(world.branch, *year).attended) == (4, 2)
    with time_machine.travel(date(2025, 6, 1), tick=False):
        people_services.person_record_death(actor=None, person=qian, died_on=date(2025, 4, 20))
    assert set(_statuses(before)) == {"张三", "钱七"}  # still a member then
    assert _statuses(after) == {"张三": AttendanceStatus.PRESENT}  # the mark of who stays is kept
    rate = selectors.org_rate(world.branch, *year)
    assert (rate.expected, rate.attended) == (3, 1)
    assert selectors.subtree_rate(world.branch.__class__.objects.all(), *year).expected == 3
