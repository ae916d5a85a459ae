"""A street worker uploads a messy roster, maps the column the importer did not know, commits, and
downloads the rejected rows; axe on every page, the preview also at phone width."""

import re
from datetime import date

import openpyxl
import pytest

from jinqiu.people.models import Person
from tests.e2e.test_reveal_journey import login
from tests.factories import build_world
from tests.rosters.files import pid, row, xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_fix_mapping_commit_download(live_server, browser, a11y, tmp_path):
    world = build_world()
    headers = ["序号", "姓名", "性别", "证件号码", "离/退休", "所在党组织", "联系电话"]
    good = {**row("孙七", pid(date(1949, 6, 1), seq=71), org=world.branch.name, joined="1975", phone="138 1234 0000")}
    good["证件号码"] = good.pop("身份证号")
    bad = {**row("周八", "320706195003120112", org=world.branch.name)}
    bad["证件号码"] = bad.pop("身份证号")
    path = xlsx(tmp_path / "新浦街道花名册.xlsx", [good, bad], headers=headers)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    base = live_server.url
    login(page, base, "street", a11y)
    page.get_by_role("link", name="花名册导入").click()
    a11y.check(page)
    page.get_by_label(re.compile("花名册文件")).set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r".*/rosters/\d+/$"))
    a11y.check(page)
    assert "没有列对应到 身份证号" in page.content()

    page.get_by_label("证件号码").select_option("id_number")
    page.get_by_role("button", name="按此对应关系重新检查").click()
    page.wait_for_selector("#count-new")
    assert page.locator("#count-new").inner_text() == "1"
    assert page.locator("#count-rejected").inner_text() == "1"
    assert "校验码" in page.locator("#errors").inner_text()
    a11y.check(page)
    page.set_viewport_size({"width": 390, "height": 844})
    a11y.check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name=re.compile("导入通过校验的 1 行")).click()
    page.wait_for_selector("text=通过校验的行已写入")
    a11y.check(page)
    assert Person.objects.filter(name="孙七").exists() and not Person.objects.filter(name="周八").exists()

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载未通过的行")).click()
    with open(info.value.path(), "rb") as handle:
        report = openpyxl.load_workbook(handle).active
    rows = list(report.values)
    assert rows[0][:4] == ("序号", "姓名", "性别", "证件号码")
    assert rows[1][1] == "周八" and "校验码" in rows[1][-1]
    context.close()
    assert a11y.pages >= 5
