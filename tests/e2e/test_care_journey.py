"""Issue 9's proof, on a phone: 张三 is in hospital, so a 六必访 task (生病住院) is open and he is a target of the
running Spring Festival campaign. His pair contact finds the task, records the visit with a need found; the
task is done, a request is raised, and the street worker sees the campaign's coverage go up by one.
axe runs on every page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.e2e.test_reveal_journey import login
from tests.factories import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def figure(page, label: str) -> str:
    """The number of one figure of the campaign page, found by its label."""
    box = page.locator(".figure").filter(has=page.locator(".l", has_text=re.compile(f"^{label}$")))
    return box.locator(".n").inner_text().strip()


def test_pair_contact_visits_a_patient_on_a_phone_and_the_campaign_coverage_goes_up(live_server, browser, a11y):
    from jinqiu.care import services
    from jinqiu.care.models import CampaignTarget, Request, RuleKind, TaskStatus, VisitTask

    world = build_world()
    street = world.users["street"]
    today = timezone.localdate()
    services.hospitalisation_record(actor=street, person=world.zhang,
                                    fields={"admitted_on": today, "hospital": "市第一人民医院"})
    task = VisitTask.objects.get(person=world.zhang, kind=RuleKind.ILLNESS)
    assert task.status == TaskStatus.OPEN
    campaign = services.campaign_create(actor=street, fields={
        "name": "春节走访慰问", "kind": "spring", "starts_on": today - timedelta(days=5),
        "ends_on": today + timedelta(days=20), "root_region": world.street})
    total = CampaignTarget.objects.filter(campaign=campaign, withdrawn_on__isnull=True).count()
    assert CampaignTarget.objects.filter(campaign=campaign, person=world.zhang, reached_on__isnull=True).exists()
    base = live_server.url

    # The street worker reads the coverage: nobody reached yet.
    context = phone(browser)
    page = context.new_page()
    login(page, base, "street", a11y)
    page.goto(base + reverse("care:campaign", kwargs={"pk": campaign.pk}))
    page.get_by_role("heading", level=1, name=re.compile("春节走访慰问")).wait_for()
    a11y.check(page)
    assert figure(page, "已走访") == f"0 / {total}"
    assert figure(page, "尚未走访") == str(total)
    targets = page.locator("#targets").locator("xpath=ancestor::section")
    assert "张三" in targets.inner_text()  # among those not yet reached
    assert figure(page, "覆盖率") == "0.0%"

    # The pair contact, on their own phone, finds the task on the care landing page.
    contact = phone(browser)
    mobile = contact.new_page()
    login(mobile, base, "pair", a11y)
    mobile.goto(base + reverse("care:tasks"))  # the care landing page, /care/
    mobile.get_by_role("heading", level=1, name="六必访任务").wait_for()
    a11y.check(mobile)
    row = mobile.get_by_role("row").filter(has=mobile.get_by_role("link", name="张三", exact=True))
    assert row.count() == 1
    row.get_by_role("link", name="住院探望").wait_for()  # the 生病住院 task
    row.get_by_role("link", name="记录走访").tap()
    mobile.wait_for_url(re.compile(rf".*/care/persons/{world.zhang.pk}/visit/$"))
    mobile.get_by_role("heading", level=1, name="记录对 张三 的走访").wait_for()
    a11y.check(mobile)

    # The open task is ticked already; the visit is a hospital visit with a need found.
    answered = mobile.get_by_role("checkbox", name=re.compile(r"^住院探望，应于"))
    assert answered.is_checked()
    mobile.get_by_label(re.compile(r"^类型")).select_option(label="医院探望")
    mobile.get_by_label("地点", exact=True).fill("市第一人民医院")
    mobile.get_by_label("走访发现", exact=True).fill("术后恢复良好，精神不错，家属陪护。")
    mobile.get_by_label("发现的诉求：类别").select_option(label="医疗")
    mobile.get_by_label("发现的诉求：具体内容").fill("出院后需要社区医生上门复查")
    mobile.get_by_role("button", name="保存走访").tap()
    mobile.wait_for_url(re.compile(r".*/care/visits/\d+/$"))
    mobile.get_by_role("status").filter(has_text="走访已记录。").wait_for()
    a11y.check(mobile)

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.visit is not None and task.visit.kind == "hospital"
    need = Request.objects.get(person=world.zhang)
    assert need.summary == "出院后需要社区医生上门复查"
    assert need.category == "medical" and need.visit_id == task.visit_id
    contact.close()

    # The street worker reloads the campaign page: 张三 is reached, the coverage went up by one.
    page.reload()
    page.get_by_role("heading", level=1, name=re.compile("春节走访慰问")).wait_for()
    a11y.check(page)
    assert figure(page, "已走访") == f"1 / {total}"
    assert figure(page, "尚未走访") == str(total - 1)
    assert figure(page, "覆盖率") == f"{100 / total:.1f}%"
    assert "张三" not in page.locator("#targets").locator("xpath=ancestor::section").inner_text()
    assert CampaignTarget.objects.get(campaign=campaign, person=world.zhang).reached_on == task.visit.visited_on
    context.close()
    assert a11y.pages >= 7
