"""The attendance page on a phone: one compact line per member, saved without losing focus, no inline script."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from jinqiu.orglife.models import AttendanceStatus
from tests.factories import make_person

from .helpers import hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    for i in range(65):
        make_person(f"党员{i:02d}", region=world.community, org=world.branch, birth=date(1940, 1, 1))
    return hold(world.branch, "zhuti-dangri", timezone.localdate() - timedelta(days=1))


def test_one_compact_line_per_member_with_a_sticky_bar(world, client_for, meeting, django_assert_max_num_queries):
    client = client_for("secretary")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    rows = re.findall(r'<li class="att[^"]*" id="att-\d+">(.*?)</li>', page, re.S)
    assert len(rows) == 66
    for row in rows:  # the four choices as one radio group, the reason field, and nothing else
        assert len(re.findall(r'type="radio"', row)) == 4
        assert len(re.findall(r"<input", row)) == 5 and "<button" not in row
    assert 'class="att-bar"' in page and 'aria-live="polite"' in page
    assert 'href="#att-bar"' in page  # the skip link over the list
    assert "css/orglife.css" in page and "js/orglife-attendance.js" in page
    assert not re.search(r"\son[a-z]+=", page)  # no inline handlers (Content-Security-Policy)
    with open(finders.find("css/orglife.css"), encoding="utf-8") as handle:
        css = handle.read()
    assert "position: sticky" in css and ".att-reason { display: none" in css
    assert "max(1rem, 16px)" in css  # reason and date-time inputs at the size of the text


def test_the_reason_field_is_open_only_on_leave(world, client_for, meeting):
    zhang = meeting.attendances.get(person=world.zhang)
    client = client_for("secretary")
    client.post(reverse("orglife:attendance_set", kwargs={"pk": zhang.pk}), {"status": "leave", "reason": "看病"})
    page = client.get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    assert len(re.findall(r'<li class="att is-leave"', page)) == 1
    assert f'<li class="att is-leave" id="att-{zhang.pk}">' in page


def test_a_tap_answers_the_status_line_in_words(world, client_for, meeting):
    zhang = meeting.attendances.get(person=world.zhang)
    client = client_for("secretary")
    url = reverse("orglife:attendance_set", kwargs={"pk": zhang.pk})
    ok = client.post(url, {"status": "online"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json() == {"ok": True, "message": "张三：线上，已保存。"}
    refused = client.post(url, {"status": "leave"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 422 and refused.json()["message"].startswith("张三：")
    zhang.refresh_from_db()
    assert zhang.status == AttendanceStatus.ONLINE


def test_save_sends_the_whole_list_at_once_all_or_nothing(world, client_for, meeting):
    rows = list(meeting.attendances.order_by("pk")[:3])
    url = reverse("orglife:meeting", kwargs={"pk": meeting.pk})
    client = client_for("secretary")
    refused = client.post(url, {f"s-{rows[0].pk}": "present", f"s-{rows[1].pk}": "leave"})
    assert refused.status_code == 422 and "请填写请假事由" in refused.content.decode()
    assert not meeting.attendances.exclude(status="").exists()
    done = client.post(url, {f"s-{rows[0].pk}": "present", f"s-{rows[1].pk}": "leave", f"r-{rows[1].pk}": "住院",
                             f"s-{rows[2].pk}": "absent"})
    assert done.status_code == 302
    assert dict(meeting.attendances.exclude(status="").values_list("pk", "status")) == {
        rows[0].pk: "present", rows[1].pk: "leave", rows[2].pk: "absent"}
    assert client_for("leader").post(url, {f"s-{rows[0].pk}": "absent"}).status_code == 403


def test_reopening_is_away_from_edit_behind_a_confirmation(world, client_for, meeting):
    page = client_for("secretary").get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    reopen = reverse("orglife:meeting_reopen", kwargs={"pk": meeting.pk})
    actions = page[page.index('<div class="actions">'):page.index("</div>", page.index('<div class="actions">'))]
    assert reverse("orglife:meeting_edit", kwargs={"pk": meeting.pk}) in actions and reopen not in actions
    assert page.index(reopen) > page.index('class="att-bar"')  # at the end, in a closed 登记错了？ section
    assert re.search(r"<details[^>]*>\s*<summary>[^<]+</summary>.*" + re.escape(reopen), page, re.S)


def test_the_calendar_year_choice_has_no_inline_script(world, client_for):
    page = client_for("secretary").get(reverse("orglife:calendar", kwargs={"pk": world.branch.pk})).content.decode()
    form = page[page.index('<form class="filters"'):page.index("</form>", page.index('<form class="filters"'))]
    assert "onchange" not in form and 'type="submit"' in form and "<noscript>" not in form
