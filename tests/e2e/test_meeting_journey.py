"""On a phone, the branch secretary records a 主题党日 with one tap per member and a 送学上门;
the street worker sees the compliance rate change. axe runs on every page."""

import re
from datetime import date

import pytest

from tests.factories import PASSWORD, build_world, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def login(page, base, username, a11y):
    page.goto(f"{base}/accounts/login/")
    a11y.check(page)
    page.get_by_label(re.compile("用户名|User name|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_url(re.compile(r".*/$"))


def compliance_rate(page) -> str:
    return page.locator(".figure").first.locator(".n").inner_text()


def test_secretary_records_a_meeting_on_a_phone_and_the_street_sees_it(live_server, browser, a11y):
    from jinqiu.orglife.defaults import install
    from jinqiu.orglife.models import Attendance, FrequencyRule, Meeting, MeetingType

    install(MeetingType, FrequencyRule)  # an earlier transactional test flushed the migration's rows
    world = build_world()
    qian = make_person("钱七", region=world.community, org=world.branch, birth=date(1936, 2, 2))
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()

    login(page, base, "street", a11y)
    page.goto(f"{base}/orglife/")
    a11y.check(page)
    before = compliance_rate(page)
    page.get_by_role("button", name="退出").click()

    login(page, base, "secretary", a11y)
    a11y.check(page)
    page.get_by_role("link", name="组织生活").first.click()
    a11y.check(page)
    page.goto(f"{base}/orglife/orgs/{world.branch.pk}/")
    a11y.check(page)
    page.get_by_role("link", name="登记会议").first.click()
    a11y.check(page)
    page.get_by_label("会议类型").select_option(label="主题党日")
    page.get_by_label("日期时间").fill("2026-10-10T09:30")
    page.get_by_label("地点").fill("新东社区党群服务中心")
    page.get_by_label("主持人").fill("刘书记")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/orglife/meetings/\d+/$"))
    a11y.check(page)
    meeting = Meeting.objects.get()

    zhang = Attendance.objects.get(meeting=meeting, person=world.zhang)
    row = page.locator(f"#att-{zhang.pk}")
    row.get_by_role("button", name="出席").tap()
    page.wait_for_selector(f'#att-{zhang.pk} button[value=present][aria-pressed=true]')

    absent = Attendance.objects.get(meeting=meeting, person=qian)
    row = page.locator(f"#att-{absent.pk}")
    row.get_by_label("请假事由").fill("行动不便")
    row.get_by_role("button", name="请假").tap()
    page.wait_for_selector(f'#att-{absent.pk} button[value=leave][aria-pressed=true]')
    a11y.check(page)
    # The buttons are big enough for an old finger.
    box = page.locator(f"#att-{absent.pk} button[value=present]").bounding_box()
    assert box["height"] >= 48 and box["x"] + box["width"] <= PHONE["width"]

    page.locator(f"#att-{absent.pk}").get_by_role("link", name="送学上门").click()
    a11y.check(page)
    page.get_by_label("送学人").fill("刘书记")
    page.get_by_label("送学日期").fill("2026-10-12")
    page.get_by_label("送学内容").fill("主题党日学习材料和《学习强国》文章")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/orglife/meetings/\d+/$"))
    a11y.check(page)
    assert "已送学上门" in page.locator(f"#att-{absent.pk}").inner_text()
    page.get_by_role("button", name="退出").click()

    login(page, base, "street", a11y)
    page.goto(f"{base}/orglife/")
    a11y.check(page)
    after = compliance_rate(page)
    assert after != before, (before, after)
    context.close()
    assert a11y.pages >= 10
