"""The street worker transfers a member, finding the new branch by typing part of its name."""

import re

import pytest

from jinqiu.people.models import Membership
from tests.e2e.test_reveal_journey import login
from tests.factories import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_long_organisation_list_narrows_as_the_worker_types(live_server, browser, a11y):
    world = build_world()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = live_server.url

    login(page, base, "street", a11y)
    page.goto(f"{base}/persons/{world.zhang.pk}/transfer/")
    a11y.check(page)
    select = page.get_by_label("转入党组织")
    assert select.locator("option").count() >= 3

    page.get_by_role("searchbox", name="缩小列表").fill("新西")
    # Organisations read with their parents (names repeat across streets).
    assert select.locator("option:not([value=''])").all_inner_texts() == [world.neighbor_branch.path_label]
    assert world.neighbor_branch.path_label == f"{world.street_org.name} › {world.neighbor_branch.name}"
    assert select.input_value() == str(world.neighbor_branch.pk)
    a11y.check(page)

    page.get_by_role("searchbox", name="缩小列表").fill("")
    assert select.locator("option").count() >= 3
    assert select.input_value() == str(world.neighbor_branch.pk)

    page.get_by_role("button", name="转接").click()
    page.wait_for_url(re.compile(rf".*/persons/{world.zhang.pk}/$"))
    assert page.get_by_text("组织关系已转接").is_visible()
    primary = Membership.objects.get(person=world.zhang, kind="primary", ended_on__isnull=True)
    assert primary.org == world.neighbor_branch
    context.close()
