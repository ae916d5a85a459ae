"""On a phone, the branch secretary records a 主题党日 with one tap per member and a 送学上门;
the street worker sees the compliance rate change. axe runs on every page."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

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
    for i in range(58):  # a branch of 60 members
        make_person(f"党员{i:02d}", region=world.community, org=world.branch, birth=date(1940, 1, 1))
    today = timezone.localdate()
    # A day of last month: a period that has ended, so the compliance rate moves.
    held = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
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
    menu = page.locator("details.menu > summary")  # on a phone the main menu sits behind a menu button
    if menu.count() and menu.first.is_visible():
        menu.first.click()
    page.locator("a:visible", has_text="组织生活").first.click()
    a11y.check(page)
    page.goto(f"{base}/orglife/orgs/{world.branch.pk}/")
    a11y.check(page)
    page.get_by_role("link", name="登记会议").first.click()
    a11y.check(page)
    page.get_by_label("会议类型").select_option(label="主题党日")
    page.get_by_label("日期时间").fill(f"{held:%Y-%m-%d}T09:30")
    page.get_by_label("地点").fill("新东社区党群服务中心")
    page.get_by_label("主持人").fill("刘书记")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/orglife/meetings/\d+/$"))
    a11y.check(page)
    meeting = Meeting.objects.get()

    # 60 members in a few screens, one line each.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 4 * PHONE["height"], height  # under 4 screens (66 members took 12,909 px)
    line = page.locator(f"#att-{Attendance.objects.get(meeting=meeting, person=world.zhang).pk}").bounding_box()
    assert line["height"] <= 50, line  # one line per member

    zhang = Attendance.objects.get(meeting=meeting, person=world.zhang)
    row = page.locator(f"#att-{zhang.pk}")
    row.get_by_role("radio", name="出席").tap()
    live = page.locator(".att-live")
    live.filter(has_text="张三：出席，已保存。").wait_for()
    # Focus stays on the control just used.
    assert page.evaluate("document.activeElement.name") == f"s-{zhang.pk}"
    assert Attendance.objects.get(pk=zhang.pk).status == "present"

    absent = Attendance.objects.get(meeting=meeting, person=qian)
    row = page.locator(f"#att-{absent.pk}")
    assert not row.get_by_label("请假事由").is_visible()  # the reason only when 请假 is chosen
    row.get_by_role("radio", name="请假").tap()
    row.get_by_label("请假事由").fill("行动不便")
    row.get_by_label("请假事由").press("Tab")
    live.filter(has_text="钱七：请假，已保存。").wait_for()
    a11y.check(page)
    # The choices are big enough for an old finger, and the bar stays on screen.
    box = row.get_by_role("radio", name="出席").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    bar = page.locator(".att-bar").bounding_box()
    assert bar["y"] + bar["height"] <= PHONE["height"] + 1
    page.reload()
    page.locator(f"#att-{absent.pk}").get_by_role("link", name="送学上门").wait_for()

    page.locator(f"#att-{absent.pk}").get_by_role("link", name="送学上门").click()
    a11y.check(page)
    page.get_by_label("送学人").fill("刘书记")
    page.get_by_label("送学日期").fill(f"{today:%Y-%m-%d}")
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
