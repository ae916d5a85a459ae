"""Reopening a held meeting: who may, what it undoes (attendance, tallies), what it refuses, the record it leaves."""

from __future__ import annotations

import json
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from jinqiu.orglife import compliance, selectors, services
from jinqiu.orglife.models import Attendance, Meeting, MeetingOrg, MeetingStatus, Reopening
from jinqiu.people import services as people_services
from tests.matrix import PERSONAS

from .helpers import hold

pytestmark = pytest.mark.django_db

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def test_reopening_removes_the_attendance_and_the_meeting_stops_counting(world):
    people_services.membership_join(actor=None, person=world.li, org=world.functional, on=date(2024, 1, 1))
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4), joint=[world.functional])
    services.attendance_all_present(actor=world.users["secretary"], meeting=meeting)
    assert selectors.org_rate(world.branch, *YEAR).attended == 1
    assert selectors.org_rate(world.functional, *YEAR).attended == 1

    services.meeting_reopen(actor=world.users["secretary"], meeting=meeting, reason="误录:活动改期")

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert not Attendance.objects.filter(meeting=meeting).exists()
    for org in (world.branch, world.functional):  # a joint meeting stops counting for each organisation
        assert selectors.org_rate(org, *YEAR).expected == 0
        row = compliance.org_calendar(org, 2025, today=date(2026, 1, 5))
        assert all(c.count == 0 for r in row for c in r.cells)
    assert set(MeetingOrg.objects.filter(meeting=meeting).values_list("held", flat=True)) == {False}
    record = Reopening.objects.get(meeting=meeting)
    assert (record.reason, record.was_held_on, record.marks_removed) == ("误录:活动改期", date(2025, 3, 4), 2)
    assert record.reopened_by == world.users["secretary"]
    # The change history keeps the removed marks and names who reopened it.
    removed = LogEntry.objects.filter(content_type__model="attendance", action=LogEntry.Action.DELETE)
    assert removed.count() == 2 and {e.actor for e in removed} == {world.users["secretary"]}
    assert LogEntry.objects.filter(content_type__model="reopening", actor=world.users["secretary"]).exists()


def test_held_again_draws_up_the_expected_list_anew(world):
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    services.attendance_all_present(actor=None, meeting=meeting)
    services.meeting_reopen(actor=None, meeting=meeting, reason="录错了")
    services.meeting_hold(actor=None, meeting=meeting)
    rows = list(Attendance.objects.filter(meeting=meeting))
    assert [(r.person_id, r.status) for r in rows] == [(world.zhang.pk, "")]  # expected again, not yet marked
    assert selectors.org_rate(world.branch, *YEAR).expected == 1


def test_reopening_needs_a_held_meeting_a_reason_and_no_delivery_at_home(world):
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    with pytest.raises(ValidationError) as blank:
        services.meeting_reopen(actor=None, meeting=meeting, reason="  ")
    assert "reason" in blank.value.message_dict
    row = meeting.attendances.get()
    services.attendance_set(actor=None, attendance=row, status="leave", reason="住院")
    services.makeup_record(actor=None, attendance=row, delivered_by="刘书记", delivered_on=date(2025, 3, 6),
                           content="学习材料")
    with pytest.raises(ValidationError, match="delivered at home|送学上门"):
        services.meeting_reopen(actor=None, meeting=meeting, reason="录错了")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD
    assert selectors.org_rate(world.branch, *YEAR).made_up == 1
    planned = services.meeting_create(actor=None, org=world.branch, held=False, fields={
        "meeting_type": meeting.meeting_type, "starts_at": meeting.starts_at.replace(year=2099)})
    with pytest.raises(ValidationError):
        services.meeting_reopen(actor=None, meeting=planned, reason="录错了")
    assert not Reopening.objects.exists()


def test_the_meeting_page_offers_reopening_behind_a_confirmation(world, client_for):
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    url = reverse("orglife:meeting_reopen", kwargs={"pk": meeting.pk})
    secretary = client_for("secretary")
    assert url in secretary.get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    confirm = secretary.get(url)
    assert confirm.status_code == 200 and Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD
    refused = secretary.post(url, {"reason": ""})
    assert refused.status_code == 200 and Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD
    assert secretary.post(url, {"reason": "记录错了"}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED
    page = secretary.get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    assert "记录错了" in page and url not in page
    assert client_for("member").post(url, {"reason": "x"}).status_code in (403, 404)


def _reopen(client, meeting, reason="录错了"):
    return client.post(f"/api/orglife/meetings/{meeting.pk}/reopen", json.dumps({"reason": reason}),
                       content_type="application/json")


def test_the_api_reopens_within_scope_only(world, client):
    recorders = {"bureau", "street", "secretary"}
    for persona in PERSONAS:
        inside = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
        outside = hold(world.other_branch, "zhuti-dangri", date(2025, 3, 4))
        client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")
        answer = _reopen(client, inside)
        if persona in recorders:
            assert answer.status_code == 200, (persona, answer.content)
            assert answer.json()["status"] == "planned" and answer.json()["attendance"] == []
        else:
            assert answer.status_code in (403, 404), persona
        answer = _reopen(client, outside)
        if persona == "bureau":
            assert answer.status_code == 200
        elif persona in recorders:
            assert answer.status_code == 404, persona  # another street's meeting does not exist for them
        else:
            assert answer.status_code in (403, 404), persona
    inside = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    client.force_login(world.users["secretary"], backend="django.contrib.auth.backends.ModelBackend")
    blank = _reopen(client, inside, reason="")
    assert blank.status_code == 422 and blank.json()["detail"][0]["field"] == "reason"
