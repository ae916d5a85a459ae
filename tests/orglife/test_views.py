"""Pages: record on a phone with one tap per person, 送学上门, uploads, the overview and the exports."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from jinqiu.orglife.models import AttendanceStatus, FrequencyRule, Meeting, MeetingStatus
from tests.factories import make_person

from .helpers import hold, mtype

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_the_secretary_records_a_meeting_and_taps_attendance(world, client_for):
    client = client_for("secretary")
    make_person("钱七", region=world.community, org=world.branch, birth=date(1938, 2, 2))
    url = reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk})
    response = client.post(url, {"meeting_type": mtype("zhuti-dangri").pk, "starts_at": "2025-03-04T09:30",
                                 "place": "社区党群服务中心", "mode": "offline", "host": "刘书记"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.status == MeetingStatus.HELD
    assert meeting.held_on == date(2025, 3, 4)
    page = client.get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).content.decode()
    assert "钱七" in page and "张三" in page
    zhang = meeting.attendances.get(person=world.zhang)
    response = client.post(reverse("orglife:attendance_set", kwargs={"pk": zhang.pk}), {"status": "present"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'value="present" checked' in response.content.decode()
    qian = meeting.attendances.exclude(pk=zhang.pk).get()
    response = client.post(reverse("orglife:attendance_set", kwargs={"pk": qian.pk}), {"status": "leave"},
                           HTTP_HX_REQUEST="true")
    assert '<ul class="errorlist" role="alert"><li>请填写请假事由' in response.content.decode()
    qian.refresh_from_db()
    assert qian.status == AttendanceStatus.UNRECORDED  # refused without a reason: nothing written
    client.post(reverse("orglife:attendance_set", kwargs={"pk": qian.pk}), {"status": "leave", "reason": "住院"})
    response = client.post(reverse("orglife:makeup_create", kwargs={"pk": qian.pk}), {
        "delivered_by": "刘书记", "delivered_on": "2025-03-06", "content": "主题党日学习材料"})
    assert response.status_code == 302
    qian.refresh_from_db()
    assert qian.makeup.delivered_by == "刘书记"


def test_all_present_in_one_tap(world, client_for):
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    client_for("secretary").post(reverse("orglife:attendance_all", kwargs={"pk": meeting.pk}))
    assert set(meeting.attendances.values_list("status", flat=True)) == {"present"}


def test_a_lesson_without_lecturer_is_refused_on_the_field(world, client_for):
    client = client_for("secretary")
    response = client.post(reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk}), {
        "meeting_type": mtype("dangke").pk, "starts_at": "2025-03-04T09:30", "mode": "offline"})
    assert response.status_code == 200
    assert response.context["form"].errors["lecturer"]
    assert not Meeting.objects.exists()


def test_photos_must_be_images_and_files_are_size_limited(world, client_for, settings):
    settings.MEDIA_ROOT = str(settings.DATA_DIR / "media-test")
    settings.JINQIU_UPLOAD_MAX_MB = 1
    meeting = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    client = client_for("secretary")
    url = reverse("orglife:file_add", kwargs={"pk": meeting.pk})
    response = client.post(url, {"kind": "photo", "file": SimpleUploadedFile("a.jpg", b"not an image")})
    assert response.context["form"].errors["file"]
    response = client.post(url, {"kind": "file", "file": SimpleUploadedFile("big.pdf", b"x" * (1024 * 1024 + 1))})
    assert "1 MB" in response.context["form"].errors["file"][0]
    assert not meeting.files.exists()
    assert client.post(url, {"kind": "photo", "file": SimpleUploadedFile("p.png", PNG)}).status_code == 302
    download = client.get(reverse("orglife:file_download", kwargs={"pk": meeting.pk,
                                                                   "file_pk": meeting.files.get().pk}))
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == PNG


def test_overview_lists_the_branch_behind_first_and_exports(world, client_for, django_assert_max_num_queries):
    with time_machine.travel(date(2026, 1, 5), tick=False):
        for month in range(1, 13):
            hold(world.branch, "zhuti-dangri", date(2025, month, 8))
        client = client_for("street")
        with django_assert_max_num_queries(14):
            response = client.get(reverse("orglife:overview"))
        page = response.content.decode()
        assert page.index(world.neighbor_branch.name) < page.index(world.branch.name)
        assert world.other_branch.name not in page  # another street's branch
        export = client.get(reverse("orglife:overview_export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == f"{world.street_org.name} › {world.neighbor_branch.name}"  # with its parents
    assert world.other_branch.name not in str(rows)


def test_calendar_and_meeting_pages_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    for i in range(8):
        make_person(f"党员{i}", region=world.community, org=world.branch, birth=date(1940, 1, 1 + i))
    for month in range(1, 7):
        hold(world.branch, "zhuti-dangri", date(2025, month, 8))
    meeting = Meeting.objects.first()
    client = client_for("secretary")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("orglife:calendar", kwargs={"pk": world.branch.pk}) + "?year=2025").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("orglife:meeting", kwargs={"pk": meeting.pk})).status_code == 200


def test_record_books_in_word_and_excel(world, client_for):
    meeting = hold(world.branch, "dangke", date(2025, 3, 4), lecturer="王教授", topic="=党史学习")
    client = client_for("secretary")
    docx = client.get(reverse("orglife:book_docx", kwargs={"pk": world.branch.pk}) + "?year=2025")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "王教授" in text and world.branch.name in text and "2025" in text
    xlsx = client.get(reverse("orglife:book_xlsx", kwargs={"pk": world.branch.pk}) + "?year=2025")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    assert [r[0] for r in rows if r[1] == "党课"] == [when]  # the meeting, once, on its own date and time
    assert any(r[1] == "党课" and r[5] == "王教授 · =党史学习" for r in rows)


def test_only_the_bureau_edits_rules(world, client_for):
    rule = FrequencyRule.objects.get(org_kind="zhibu", establishment="formal", meeting_type__code="zhiweihui")
    url = reverse("orglife:rule_edit", kwargs={"pk": rule.pk})
    assert client_for("street").post(url, {"period": "quarter", "is_active": "on"}).status_code == 403
    assert client_for("bureau").post(url, {"period": "quarter", "is_active": "on"}).status_code == 302
    rule.refresh_from_db()
    assert rule.period == "quarter"


def test_home_and_org_page_show_compliance_and_attendance(world, client_for):
    with time_machine.travel(date(2026, 1, 5), tick=False):
        services_meeting = hold(world.branch, "zhuti-dangri", date(2025, 12, 8))
        from jinqiu.orglife.services import attendance_all_present

        attendance_all_present(actor=None, meeting=services_meeting)
        home = client_for("street").get(reverse("home")).content.decode()
        assert reverse("orglife:overview") in home and "100.0%" in home  # 张三 attended the only meeting
        detail = client_for("secretary").get(reverse("organizations:detail", kwargs={"pk": world.branch.pk}))
    page = detail.content.decode()
    assert reverse("orglife:calendar", kwargs={"pk": world.branch.pk}) in page
    assert reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk}) in page


def test_the_overview_pages_through_the_organisations_behind(world, client_for):
    from tests.factories import make_org

    for i in range(51):
        make_org(f"新东社区第{i:02d}党小组支部", "zhibu", world.street_org, region=world.community)
    with time_machine.travel(date(2026, 1, 5), tick=False):
        hold(world.branch, "zhuti-dangri", date(2025, 12, 8))
        client = client_for("street")
        first = client.get(reverse("orglife:overview")).content.decode()
        second = client.get(reverse("orglife:overview") + "?page=2").content.decode()
    assert ">53<" in first  # organisations behind: the two branches and the 51 new ones
    names = [f"新东社区第{i:02d}党小组支部" for i in range(51)] + [world.branch.name, world.neighbor_branch.name]
    on_first = [n for n in names if n in first]
    on_second = [n for n in names if n in second]
    assert len(on_first) == 50 and len(on_second) == 3 and not set(on_first) & set(on_second)
    assert "1 / 2" in first and "?page=2" in first and "2 / 2" in second
