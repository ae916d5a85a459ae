"""The pages a phone user meets first: the home page's to-do and the person list."""

from __future__ import annotations

import re

import pytest

from tests.ui.measure import fresh_world, login, phone_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, browser):
    world = fresh_world()
    context = phone_context(browser)
    page = context.new_page()
    yield world, page, live_server.url
    context.close()


def _above(page, first: str, then: str) -> bool:
    return page.locator(first).first.bounding_box()["y"] < page.locator(then).first.bounding_box()["y"]


def test_person_list_is_two_lines_per_person_name_first(site, a11y):
    world, page, base = site
    login(page, base, "street")
    page.goto(f"{base}/persons/")
    rows = page.locator("#rows tbody tr")
    assert rows.count() >= 2
    lines = page.evaluate("""() => [...document.querySelectorAll('#rows tbody tr')].map(tr => {
      const cells = [...tr.cells].filter(td => td.getBoundingClientRect().height > 0);
      return {cells: cells.length, tallest: Math.max(...cells.map(td => td.getBoundingClientRect().height)),
              first: cells[0].innerText.trim(), text: tr.innerText};
    })""")
    names = {world.zhang.name, world.li.name}
    for row in lines:
        assert row["cells"] == 2 and row["tallest"] <= 52, row  # a line: a 44 px name link, or text
        assert "特殊情况" not in row["text"] and "：" not in row["text"], row
    assert names <= {row["first"].split()[0] for row in lines}, lines
    a11y.check(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("#rows thead th").first.inner_text() == "姓名"


def test_secretary_home_starts_with_the_meetings_due(site, a11y):
    world, page, base = site
    login(page, base, "secretary")
    page.goto(f"{base}/")
    assert page.locator("main h1").first.inner_text() == "本期待开的会议"
    record = page.locator(".todo li", has_text=world.branch.name).get_by_role("link", name="登记会议")
    assert record.get_attribute("href") == f"/orglife/orgs/{world.branch.pk}/new/"
    assert _above(page, ".todo", "text=管理范围概况")
    a11y.check(page)
    record.click()
    page.wait_for_url(re.compile(rf".*/orglife/orgs/{world.branch.pk}/new/$"))


def test_street_home_starts_with_the_organisations_behind(site, a11y):
    world, page, base = site
    login(page, base, "street")
    page.goto(f"{base}/")
    assert page.locator("main h1").first.inner_text() == "未达标组织"
    behind = page.locator(".todo li a", has_text=world.branch.name)
    assert behind.get_attribute("href") == f"/orglife/orgs/{world.branch.pk}/"
    assert world.other_branch.name not in page.locator(".todo").inner_text()
    assert _above(page, ".todo", "text=管理范围概况")
    a11y.check(page)
