"""The street worker finds a person by initials, reveals the ID with a reason; the auditor sees it."""

import re

import pytest

from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, base, username, a11y):
    page.goto(f"{base}/accounts/login/")
    a11y.check(page)
    page.get_by_label(re.compile("用户名|User name|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_url(re.compile(r".*/($|accounts/access-log/)"))


def test_street_worker_reveals_id_and_auditor_sees_it(live_server, browser, a11y):
    world = build_world()
    full_id = world.zhang.id_number
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server.url

    login(page, base, "street", a11y)
    a11y.check(page)
    page.get_by_role("link", name="人员").first.click()
    a11y.check(page)
    search = page.get_by_role("searchbox")
    search.fill("zs")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    row = page.get_by_role("link", name="张三")
    row.click()
    page.wait_for_url(re.compile(r".*/persons/\d+/$"))
    a11y.check(page)

    masked = page.locator("#reveal-id_number")
    assert "********" in masked.inner_text()
    assert full_id not in page.content()

    page.locator("details.reveal").first.locator("summary").click()
    page.locator("#reason-id_number").fill("核对离休待遇")
    page.locator("details.reveal").first.locator("button[type=submit]").click()
    page.wait_for_selector("code[data-revealed=id_number]")
    assert page.locator("code[data-revealed=id_number]").inner_text() == full_id
    a11y.check(page)

    page.get_by_role("button", name="退出").click()
    login(page, base, "auditor", a11y)
    page.goto(f"{base}/accounts/access-log/")
    a11y.check(page)
    body = page.locator("main").inner_text()
    assert "street" in body and "核对离休待遇" in body and "身份证号" in body
    context.close()
    assert a11y.pages >= 5
