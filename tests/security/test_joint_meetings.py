"""A joint meeting seen by one branch: its own members by name, the other organisations as counts; the other
organisations' attendance rows can be neither read nor written, on the pages or through the API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jinqiu.orglife.models import Attendance
from tests.security.planted import body_text, leaks, plant

pytestmark = pytest.mark.django_db


def _state(rows):
    return sorted(Attendance.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "status", "reason"))


def _others(s, persona):
    """Attendance rows of the joint meetings whose person this persona may not see."""
    from jinqiu.accounts.scoping import visible_persons

    seen = visible_persons(s.world.users[persona])
    return list(Attendance.objects.filter(meeting__in=[s.joint, s.joint_theirs]).exclude(person__in=seen)
                .select_related("person"))


@pytest.mark.parametrize("persona", ["secretary", "neighbor", "street"])
def test_a_joint_meeting_shows_only_the_users_own_members(world, client, persona):
    s = plant(world)
    user = world.users[persona]
    others = _others(s, persona)
    assert others, "the joint meetings have no attendee out of scope"
    needles = [n for p in s.hidden_from(user) for n in p.needles()] + [r.person.name for r in others]
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    failures = []
    for meeting in (s.joint, s.joint_theirs):
        for url in (reverse("orglife:meeting", args=[meeting.pk]), f"/api/orglife/meetings/{meeting.pk}",
                    "/api/orglife/meetings?limit=1000", reverse("orglife:calendar", args=[world.branch.pk])):
            response = client.get(url)
            found = leaks(body_text(response), needles)
            if found:
                failures.append(f"{persona} GET {url}: {found[:4]}")
            if url.startswith("/api/orglife/meetings/") and response.status_code == 200:
                ids = {a.get("person_id") for a in response.json().get("attendance", [])}
                if ids & {r.person_id for r in others}:
                    failures.append(f"{persona} GET {url}: attendance rows of persons out of scope")
    before = _state(others)
    for row in others:
        put = client.put(f"/api/orglife/attendance/{row.pk}", json.dumps({"status": "absent"}),
                         content_type="application/json")
        if put.status_code != 404:
            failures.append(f"{persona} PUT /api/orglife/attendance/{row.pk} ({row.person.name}): {put.status_code}")
        makeup = client.post(f"/api/orglife/attendance/{row.pk}/makeup", json.dumps(
            {"delivered_by": "某书记", "delivered_on": s.held_on.isoformat(), "content": "讲稿"}),
            content_type="application/json")
        if makeup.status_code != 404:
            failures.append(f"{persona} POST /api/orglife/attendance/{row.pk}/makeup: {makeup.status_code}")
        web = client.post(reverse("orglife:attendance_set", args=[row.pk]), {"status": "absent"})
        if web.status_code != 404:
            failures.append(f"{persona} POST {reverse('orglife:attendance_set', args=[row.pk])}: {web.status_code}")
        if client.get(reverse("orglife:makeup_create", args=[row.pk])).status_code != 404:
            failures.append(f"{persona} GET {reverse('orglife:makeup_create', args=[row.pk])}: not 404")
    # 全部出席 marks the user's own members only.
    for meeting in (s.joint, s.joint_theirs):
        client.post(reverse("orglife:attendance_all", args=[meeting.pk]))
        client.post(f"/api/orglife/meetings/{meeting.pk}/all-present")
    if _state(others) != before:
        failures.append(f"{persona} changed the attendance of persons out of scope")
    assert not failures, "\n".join(failures)


def test_the_own_members_are_still_shown_by_name(world, client):
    """The sweep cannot pass by showing nobody: the secretary sees 张三 in the joint meeting and may mark them."""
    s = plant(world)
    client.force_login(world.users["secretary"], backend="django.contrib.auth.backends.ModelBackend")
    page = body_text(client.get(reverse("orglife:meeting", args=[s.joint.pk])))
    assert world.zhang.name in page
    # The other organisations are counted, not named person by person.
    assert world.neighbor_branch.name in page and world.other_branch.name in page
    own = Attendance.objects.get(meeting=s.joint, person=world.zhang)
    response = client.put(f"/api/orglife/attendance/{own.pk}", json.dumps({"status": "absent"}),
                          content_type="application/json")
    assert response.status_code == 200 and Attendance.objects.get(pk=own.pk).status == "absent"
