"""Joint meetings (联合主题党日, 共建): each organisation's people see and mark their own members, counts for the rest.

Every page, partial, API answer and export of a joint meeting is read by a persona with a neighbour's member
planted in it (李四, on leave 住院治疗): the name and the reason never appear, and writes to that row are 404.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from jinqiu.accounts.models import AccessAction, AccessLog
from jinqiu.orglife import services
from jinqiu.orglife.models import AttendanceStatus

from .helpers import hold

pytestmark = pytest.mark.django_db

SECRET = "住院治疗"


@pytest.fixture
def joint(world):
    """A joint 主题党日 of the branch (host) and the neighbouring branch, 李四 on leave for a health reason."""
    meeting = hold(world.branch, "zhuti-dangri", timezone.localdate() - timedelta(days=3),
                   joint=[world.neighbor_branch])
    li = meeting.attendances.get(person=world.li)
    services.attendance_set(actor=None, attendance=li, status=AttendanceStatus.LEAVE, reason=SECRET)
    return meeting


def _rows(meeting, world):
    return meeting.attendances.get(person=world.zhang), meeting.attendances.get(person=world.li)


def _put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def test_the_page_shows_own_members_and_counts_for_the_partner(world, client_for, joint):
    response = client_for("secretary").get(reverse("orglife:meeting", kwargs={"pk": joint.pk}))
    page = response.content.decode()
    assert "张三" in page
    assert "李四" not in page and SECRET not in page
    others = response.context["others"]
    assert [(o.name, o.expected, o.on_leave, o.present, o.absent) for o in others] == [
        (world.neighbor_branch.name, 1, 1, 0, 0)]
    assert world.neighbor_branch.name in page


def test_the_partners_people_open_the_meeting_and_see_only_theirs(world, client_for, joint):
    client = client_for("neighbor")
    response = client.get(reverse("orglife:meeting", kwargs={"pk": joint.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "李四" in page and SECRET in page and "张三" not in page
    assert not response.context["can_change"]  # the meeting itself is the host's
    assert client.get(reverse("orglife:meeting_edit", kwargs={"pk": joint.pk})).status_code == 403
    assert client.post(reverse("orglife:meeting_reopen", kwargs={"pk": joint.pk}), {"reason": "x"}).status_code == 403
    zhang, li = _rows(joint, world)
    assert client.post(reverse("orglife:attendance_set", kwargs={"pk": li.pk}), {"status": "present"}).status_code == 302
    assert client.post(reverse("orglife:attendance_set", kwargs={"pk": zhang.pk}),
                       {"status": "absent"}).status_code == 404
    li.refresh_from_db()
    zhang.refresh_from_db()
    assert li.status == AttendanceStatus.PRESENT and zhang.status == AttendanceStatus.UNRECORDED


def test_an_invisible_row_cannot_be_written_on_any_path(world, client_for, joint):
    client = client_for("secretary")
    zhang, li = _rows(joint, world)
    assert _put(client, f"/api/orglife/attendance/{li.pk}", {"status": "absent"}).status_code == 404
    assert client.post(f"/api/orglife/attendance/{li.pk}/makeup", json.dumps({
        "delivered_by": "刘书记", "delivered_on": str(timezone.localdate()), "content": "材料"}),
        content_type="application/json").status_code == 404
    assert client.post(reverse("orglife:attendance_set", kwargs={"pk": li.pk}),
                       {"status": "absent"}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("orglife:makeup_create", kwargs={"pk": li.pk})).status_code == 404
    # The attendance form and 全部出席 change the secretary's own members only.
    client.post(reverse("orglife:meeting", kwargs={"pk": joint.pk}),
                {f"s-{zhang.pk}": "online", f"s-{li.pk}": "absent"})
    client.post(reverse("orglife:attendance_all", kwargs={"pk": joint.pk}))
    _post = client.post(f"/api/orglife/meetings/{joint.pk}/all-present", "{}", content_type="application/json")
    assert SECRET not in _post.content.decode() and "李四" not in _post.content.decode()
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert zhang.status == AttendanceStatus.PRESENT
    assert (li.status, li.reason) == (AttendanceStatus.LEAVE, SECRET)


def test_the_api_answers_own_rows_and_counts(world, client_for, joint):
    body = client_for("secretary").get(f"/api/orglife/meetings/{joint.pk}").json()
    assert [a["person_name"] for a in body["attendance"]] == ["张三"]
    assert SECRET not in json.dumps(body, ensure_ascii=False) and "李四" not in json.dumps(body, ensure_ascii=False)
    assert body["others"] == [{"org_id": world.neighbor_branch.pk, "name": world.neighbor_branch.name,
                               "expected": 1, "present": 0, "on_leave": 1, "absent": 0, "unrecorded": 0}]
    # The street sees both branches: every row, no counts-only part.
    street = client_for("street").get(f"/api/orglife/meetings/{joint.pk}").json()
    assert sorted(a["person_name"] for a in street["attendance"]) == ["张三", "李四"] and street["others"] == []


def test_an_edit_by_the_host_keeps_the_partner_it_cannot_see(world, client_for, joint):
    client = client_for("secretary")
    form = client.get(reverse("orglife:meeting_edit", kwargs={"pk": joint.pk})).context["form"]
    data = {k: v for k, v in form.initial.items() if k in form.fields and k != "joint" and v is not None}
    data["starts_at"] = timezone.localtime(joint.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["meeting_type"] = joint.meeting_type_id
    data["place"] = "新活动室"
    assert client.post(reverse("orglife:meeting_edit", kwargs={"pk": joint.pk}), data).status_code == 302
    assert set(joint.counts_for.values_list("pk", flat=True)) == {world.branch.pk, world.neighbor_branch.pk}
    response = _put(client, f"/api/orglife/meetings/{joint.pk}", {})  # PUT is not an operation: no change
    assert response.status_code == 405
    client.patch(f"/api/orglife/meetings/{joint.pk}", json.dumps({"joint": []}), content_type="application/json")
    assert set(joint.counts_for.values_list("pk", flat=True)) == {world.branch.pk, world.neighbor_branch.pk}


@pytest.mark.parametrize("name", ["book_xlsx", "book_docx"])
def test_record_books_name_only_the_books_visible_members_and_are_logged(world, client_for, joint, name):
    year = joint.held_on.year
    for persona in ("secretary", "street"):
        response = client_for(persona).get(reverse(f"orglife:{name}", kwargs={"pk": world.branch.pk}),
                                           {"year": year})
        assert response.status_code == 200
        if name == "book_xlsx":
            text = str(list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)))
        else:
            doc = Document(io.BytesIO(response.content))
            text = "\n".join([p.text for p in doc.paragraphs]
                             + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        assert "主题党日" in text
        assert "李四" not in text and SECRET not in text, persona
    logs = AccessLog.objects.filter(action=AccessAction.EXPORT).order_by("id")
    assert [log.user.username for log in logs] == ["secretary", "street"]
    assert all(world.branch.name in log.detail and str(year) in log.detail for log in logs)
    assert all(not any(c.isascii() and c.isalpha() for c in log.detail) for log in logs)  # words, not codes


def test_the_neighbours_own_book_names_its_absentee(world, client_for, joint):
    response = client_for("neighbor").get(reverse("orglife:book_xlsx", kwargs={"pk": world.neighbor_branch.pk}),
                                          {"year": joint.held_on.year})
    text = str(list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)))
    assert "李四" in text and SECRET in text and "张三" not in text


def test_the_overview_export_is_logged(world, client_for):
    assert client_for("street").get(reverse("orglife:overview_export")).status_code == 200
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.user == world.users["street"] and log.detail
