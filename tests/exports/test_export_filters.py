"""An invalid filter exports nothing; every people export is scoped and logged in Chinese words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jinqiu.accounts.models import AccessAction, AccessLog
from tests.exports.test_exports import persons_in, sheet_of


@pytest.mark.parametrize("url", ["people:export", "people:pending_export"])
@pytest.mark.parametrize("params, label", [
    (lambda w: {"org": w.other_branch.pk}, "党组织"),
    (lambda w: {"org": "999999"}, "党组织"),
    (lambda w: {"region": "999999"}, "行政区划"),
    (lambda w: {"unit": "x"}, "单位"),
    (lambda w: {"age_band": "200"}, "年龄"),
    (lambda w: {"situation": "rich"}, "特殊情况"),
])
def test_an_invalid_filter_exports_nothing_and_names_the_filter(world, client_for, url, params, label):
    response = client_for("street").get(reverse(url), params(world))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f"{label}：" in page and "未导出" in page
    for person in (world.zhang, world.li, world.wang):
        assert person.name not in page
    assert AccessLog.objects.count() == 0


def test_an_invalid_filter_in_a_full_export_exports_nothing(world, client_for):
    response = client_for("street").post(reverse("people:export_full"),
                                         {"reason": "核对", "query": f"org={world.other_branch.pk}"})
    assert response.status_code == 400 and "党组织：" in response.content.decode()
    assert AccessLog.objects.count() == 0
    asked = client_for("street").get(reverse("people:export_full"), {"org": world.other_branch.pk})
    assert asked.status_code == 400 and "党组织：" in asked.content.decode()


def test_an_invalid_unit_filter_exports_nothing(world, client_for):
    response = client_for("street").get(reverse("organizations:units_export"), {"kind": "spaceship"})
    assert response.status_code == 400 and AccessLog.objects.count() == 0


def test_the_access_log_reads_filters_in_chinese_with_object_names(world, client_for):
    client = client_for("bureau")
    sheet_of(client.get(reverse("people:export"), {
        "org": world.branch.pk, "region": world.community.pk, "unit": world.unit.pk, "retirement_type": "tuixiu",
        "situation": ["alone"], "status": "all", "party": "yes", "pending": "on", "q": "张"}))
    detail = AccessLog.objects.get().detail
    assert world.branch.name in detail and world.community.name in detail and world.unit.name in detail
    assert "待落实组织关系" in detail and "是否党员：党员" in detail
    # No code, key or English word: no "=", no ASCII letters at all.
    assert "=" not in detail and not re.search(r"[A-Za-z]", detail), detail


def test_the_access_log_is_chinese_whatever_the_users_language(world, client_for):
    client = client_for("street")
    client.cookies["django_language"] = "en"
    sheet_of(client.get(reverse("people:pending_export"), HTTP_ACCEPT_LANGUAGE="en"))
    detail = AccessLog.objects.get().detail
    assert detail.startswith("待落实组织关系，脱敏，") and not re.search(r"[A-Za-z]", detail), detail


@pytest.mark.parametrize("persona, expected", [("street", {"张三", "李四", "赵六"}), ("secretary", {"张三"}),
                                               ("pair", {"张三"}), ("neighbor", {"李四"})])
def test_every_people_export_holds_only_the_scope_and_is_logged(world, client_for, persona, expected):
    client = client_for(persona)
    assert set(persons_in(sheet_of(client.get(reverse("people:export"))))) == expected
    client.get(reverse("people:pending_export"))
    exports = AccessLog.objects.filter(user=world.users[persona], action=AccessAction.EXPORT)
    assert exports.count() == 2
    rosters = 0
    for org in (world.root, world.street_org, world.branch, world.neighbor_branch, world.other_branch):
        response = client.get(reverse("organizations:roster_export", args=[org.pk]))
        if response.status_code == 200:
            assert set(persons_in(sheet_of(response))) <= expected
            rosters += 1
        else:
            assert response.status_code == 404
    assert AccessLog.objects.filter(field="roster", user=world.users[persona]).count() == rosters
