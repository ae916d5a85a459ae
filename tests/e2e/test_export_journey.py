"""The street worker filters the person list and downloads it; then exports a roster with full values."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.e2e.test_reveal_journey import login
from tests.factories import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sheet(download):
    return load_workbook(BytesIO(open(download.path(), "rb").read())).active


def test_street_worker_exports_the_filtered_list_and_a_full_roster(live_server, browser, a11y):
    world = build_world()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    base = live_server.url

    login(page, base, "street", a11y)
    page.goto(f"{base}/persons/")
    page.get_by_role("searchbox").fill("zs")
    page.wait_for_load_state("networkidle")
    a11y.check(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="导出Excel").click()
    rows = list(_sheet(info.value).iter_rows(values_only=True))
    assert rows[1][1] == "姓名"
    assert [r[1] for r in rows[2:-2]] == ["张三"]
    assert rows[2][4] == world.zhang.id_number_masked

    page.goto(f"{base}/orgs/{world.branch.pk}/")
    a11y.check(page)
    page.get_by_role("link", name="花名册（完整信息）").click()
    a11y.check(page)
    page.get_by_role("button", name="导出Excel").click()  # no reason: the form answers, nothing downloads
    page.wait_for_selector(".errorlist")
    a11y.check(page)
    page.get_by_label(re.compile("导出完整信息的理由")).fill("年度花名册核对")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出Excel").click()
    rows = list(_sheet(info.value).iter_rows(values_only=True))
    assert rows[0][0] == f"{world.branch.name}离退休干部花名册"
    assert world.zhang.id_number in [r[4] for r in rows]
    context.close()
