"""Care pages: the task list, a task (exempt, assign), the rules, the pairing gaps, a person's care page,
recording a visit on a phone, the visits and their photos, hospital stays."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jinqiu.accounts.models import AccessLog
from jinqiu.care import services
from jinqiu.care.models import CareRule, Hospitalisation, Request, TaskStatus, Visit, VisitTask

from .matrix_tasks import PNG

pytestmark = pytest.mark.django_db


def _task(person, key="t1", days_ago=1, kind="illness"):
    return services.task_for_event(actor=None, person=person, kind=kind, key=key,
                                   event_on=timezone.localdate() - timedelta(days=days_ago))


def _now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _visit_data(**extra) -> dict:
    return {"visited_at": _now_field(), "kind": "home", "place": "家中", "money": "500", "gifts": "米面油",
            "findings": "精神很好", **extra}


def _workbook_texts(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


# --- the task list ----------------------------------------------------------------------------------------

def test_task_list_shows_the_tasks_in_scope_with_overdue_badge(world, client_for):
    late = _task(world.zhang, days_ago=10)  # due 3 days after the event: overdue
    _task(world.wang)
    page = client_for("street").get(reverse("care:tasks")).content.decode()
    assert "张三" in page and "王五" not in page
    assert reverse("care:person", kwargs={"pk": world.zhang.pk}) in page
    assert reverse("care:visit_create", kwargs={"pk": world.zhang.pk}) in page
    assert "已逾期" in page and late.title in page
    # the filters: overdue only, then a search that finds nobody
    client = client_for("bureau")
    overdue = client.get(reverse("care:tasks"), {"state": "overdue"}).content.decode()
    assert "张三" in overdue and "王五" not in overdue
    assert "张三" not in client.get(reverse("care:tasks"), {"q": "wangwu"}).content.decode()
    assert "王五" in client.get(reverse("care:tasks"), {"q": "ww"}).content.decode()


def test_the_pair_contact_sees_only_their_persons_tasks(world, client_for):
    _task(world.zhang)
    _task(world.li)
    page = client_for("pair").get(reverse("care:tasks")).content.decode()
    assert "张三" in page and "李四" not in page


def test_task_export_is_xlsx_with_the_names_and_logged(world, client_for):
    _task(world.zhang)
    _task(world.wang)
    response = client_for("street").get(reverse("care:task_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    texts = _workbook_texts(response)
    assert "张三" in texts and "王五" not in texts
    assert AccessLog.objects.filter(user=world.users["street"], action="export").exists()


def test_members_and_admins_are_refused_the_task_list(world, client_for):
    assert client_for("member").get(reverse("care:tasks")).status_code == 403
    assert client_for("sysadmin").get(reverse("care:tasks")).status_code == 403


# --- a task: exempt and assign ----------------------------------------------------------------------------

def test_the_street_exempts_a_task_with_a_reason(world, client_for):
    task = _task(world.zhang)
    client = client_for("street")
    url = reverse("care:task_exempt", kwargs={"pk": task.pk})
    client.post(url, {"reason": ""})
    assert VisitTask.objects.get(pk=task.pk).status == TaskStatus.OPEN  # a reason is required
    assert client.post(url, {"reason": "已由家属陪护，电话慰问"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.EXEMPTED and task.reason == "已由家属陪护，电话慰问"


def test_exempt_refused_to_the_secretary_and_out_of_scope(world, client_for):
    task, other = _task(world.zhang), _task(world.wang)
    assert client_for("secretary").post(reverse("care:task_exempt", kwargs={"pk": task.pk}),
                                        {"reason": "不需要"}).status_code == 403
    assert client_for("street").post(reverse("care:task_exempt", kwargs={"pk": other.pk}),
                                     {"reason": "不需要"}).status_code == 404
    assert VisitTask.objects.filter(status=TaskStatus.OPEN).count() == 2


def test_assign_offers_only_users_who_see_the_person(world, client_for):
    task = _task(world.zhang)
    client = client_for("street")
    page = client.get(reverse("care:task", kwargs={"pk": task.pk})).content.decode()
    assert f'value="{world.users["pair"].pk}"' in page and f'value="{world.users["neighbor"].pk}"' not in page
    url = reverse("care:task_assign", kwargs={"pk": task.pk})
    client.post(url, {"assignee": world.users["neighbor"].pk})
    task.refresh_from_db()
    assert task.assignee_id != world.users["neighbor"].pk
    client.post(url, {"assignee": world.users["secretary"].pk})
    task.refresh_from_db()
    assert task.assignee_id == world.users["secretary"].pk


# --- rules ------------------------------------------------------------------------------------------------

def test_rules_read_by_staff_edited_by_the_bureau(world, client_for):
    services.ensure_rules()
    rule = CareRule.objects.get(kind="illness")
    page = client_for("secretary").get(reverse("care:rules")).content.decode()
    assert "生病住院" in page or str(rule.get_kind_display()) in page
    url = reverse("care:rule_edit", kwargs={"pk": rule.pk})
    assert client_for("street").get(url).status_code == 403
    assert client_for("member").get(url).status_code == 404
    client = client_for("bureau")
    response = client.post(url, {"is_active": "on", "lead_days": 0, "due_days": 5, "grace_days": 10,
                                 "visitor": "pair_contact", "leader_for_senior": "on", "street_after_days": 1,
                                 "bureau_after_days": 4})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.due_days == 5 and rule.bureau_after_days == 4


# --- pairing gaps -----------------------------------------------------------------------------------------

def test_unpaired_lists_special_groups_without_a_pair_contact(world, client_for):
    # 赵六 lives alone with no pair contact; 张三 is paired; 王五 is over 90 but in the other street.
    page = client_for("street").get(reverse("care:unpaired")).content.decode()
    assert "赵六" in page and "张三" not in page and "王五" not in page
    texts = _workbook_texts(client_for("bureau").get(reverse("care:unpaired_export")))
    assert "赵六" in texts and "王五" in texts and "张三" not in texts


# --- a person's care page and hospital stays -------------------------------------------------------------

def _stay(person):
    return Hospitalisation.objects.create(person=person, admitted_on=timezone.localdate() - timedelta(days=1),
                                          hospital="市第一人民医院", ward="心内科12床", condition="冠心病")


def test_person_care_page_hides_health_from_the_secretary(world, client_for):
    _stay(world.zhang)
    url = reverse("care:person", kwargs={"pk": world.zhang.pk})
    street = client_for("street").get(url).content.decode()
    assert "冠心病" in street and "心内科12床" in street and "市第一人民医院" in street
    secretary = client_for("secretary").get(url).content.decode()
    assert "冠心病" not in secretary and "心内科12床" not in secretary and "市第一人民医院" not in secretary
    assert client_for("neighbor").get(url).status_code == 404
    assert client_for("member").get(url).status_code == 403


def test_hospital_stay_makes_a_task_and_only_care_roles_edit_it(world, client_for):
    client = client_for("pair")
    response = client.post(reverse("care:hospital_create", kwargs={"pk": world.zhang.pk}), {
        "admitted_on": timezone.localdate().isoformat(), "hospital": "市第二人民医院", "ward": "3床",
        "condition": "肺炎"})
    assert response.status_code == 302
    stay = Hospitalisation.objects.get(person=world.zhang)
    assert stay.condition == "肺炎"
    assert VisitTask.objects.filter(person=world.zhang, kind="illness", status=TaskStatus.OPEN).exists()
    edit = reverse("care:hospital_edit", kwargs={"pk": stay.pk})
    assert client_for("secretary").get(edit).status_code == 403
    assert "肺炎" in client_for("street").get(edit).content.decode()
    # the secretary records a stay without the health details
    form = client_for("secretary").get(reverse("care:hospital_create", kwargs={"pk": world.zhang.pk}))
    assert 'name="condition"' not in form.content.decode()


# --- recording a visit ------------------------------------------------------------------------------------

def test_recording_a_visit_closes_the_task_and_raises_the_need(world, client_for):
    task = _task(world.zhang)
    client = client_for("pair")
    url = reverse("care:visit_create", kwargs={"pk": world.zhang.pk})
    form = client.get(url).content.decode()
    assert f'value="{task.pk}"' in form and "checked" in form
    response = client.post(url, _visit_data(
        tasks=[task.pk], visitors=[world.users["pair"].pk], once="tok-1", need_category="housing",
        need_summary="屋顶漏水",
        photos=[SimpleUploadedFile("a.png", PNG, content_type="image/png")]))
    visit = Visit.objects.get(person=world.zhang)
    assert response.status_code == 302 and response.url == reverse("care:visit", kwargs={"pk": visit.pk})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.visit_id == visit.pk
    assert Request.objects.get(person=world.zhang).summary == "屋顶漏水"
    assert visit.photos.count() == 1
    # the same form sent twice makes one visit
    again = client.post(url, _visit_data(visitors=[world.users["pair"].pk], once="tok-1"))
    assert again.status_code == 302 and Visit.objects.count() == 1
    # the photo is served after the scope check
    photo = visit.photos.get()
    photo_url = reverse("care:visit_photo", kwargs={"pk": visit.pk, "photo_pk": photo.pk})
    served = client.get(photo_url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    assert client_for("neighbor").get(photo_url).status_code == 404


def test_the_visit_form_refuses_a_file_that_is_not_an_image(world, client_for):
    task = _task(world.zhang)
    client = client_for("street")
    response = client.post(reverse("care:visit_create", kwargs={"pk": world.zhang.pk}), _visit_data(
        tasks=[task.pk], photos=[SimpleUploadedFile("a.png", b"%PDF-1.4 not an image", content_type="image/png")]))
    assert response.status_code == 200
    assert "JPEG" in response.content.decode()
    assert not Visit.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_visit_form_refused_to_the_leader_and_out_of_scope(world, client_for):
    url = reverse("care:visit_create", kwargs={"pk": world.zhang.pk})
    assert client_for("leader").get(url).status_code == 403
    assert client_for("leader").post(url, _visit_data()).status_code == 403
    assert client_for("street").get(reverse("care:visit_create", kwargs={"pk": world.wang.pk})).status_code == 404
    assert not Visit.objects.exists()


# --- the visits -------------------------------------------------------------------------------------------

def _visit(person, by):
    return services.visit_record(actor=by, person=person, fields={
        "visited_at": timezone.now() - timedelta(hours=2), "kind": "home", "money": 888, "findings": "腿脚不便"})


def test_visit_list_and_detail_hide_money_from_roles_without_care_duties(world, client_for):
    visit = _visit(world.zhang, world.users["street"])
    _visit(world.wang, world.users["bureau"])
    street = client_for("street").get(reverse("care:visits")).content.decode()
    assert "张三" in street and "王五" not in street and "888" in street
    secretary = client_for("secretary").get(reverse("care:visits")).content.decode()
    assert "张三" in secretary and "888" not in secretary
    detail = client_for("secretary").get(reverse("care:visit", kwargs={"pk": visit.pk})).content.decode()
    assert "888" not in detail and "腿脚不便" not in detail
    assert "888" in client_for("pair").get(reverse("care:visit", kwargs={"pk": visit.pk})).content.decode()


def test_visit_export_has_the_names_and_money_only_for_care_roles(world, client_for):
    _visit(world.zhang, world.users["street"])
    _visit(world.wang, world.users["bureau"])
    street = _workbook_texts(client_for("street").get(reverse("care:visit_export")))
    assert "张三" in street and "王五" not in street and any("888" in t for t in street)
    secretary = _workbook_texts(client_for("secretary").get(reverse("care:visit_export")))
    assert "张三" in secretary and not any("888" in t for t in secretary)
    assert AccessLog.objects.filter(user=world.users["secretary"], action="export").exists()


# --- the home page ----------------------------------------------------------------------------------------

def test_home_shows_care_figures_each_linking_to_its_list(world, client_for):
    _task(world.zhang, days_ago=10)  # overdue
    page = client_for("street").get(reverse("home")).content.decode()
    assert "关爱服务" in page
    assert f'href="{reverse("care:tasks")}?state=overdue"' in page
    assert f'href="{reverse("care:unpaired")}"' in page
    pair = client_for("pair").get(reverse("home")).content.decode()
    assert f'href="{reverse("care:tasks")}?state=overdue&amp;mine=on"' in pair
