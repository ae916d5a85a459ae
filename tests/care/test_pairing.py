"""结对联系: who is late for a call or a visit under the contact rules, and who sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jinqiu.care import selectors, services
from jinqiu.care.models import ContactKind

pytestmark = pytest.mark.django_db


def visit(world, person, kind, days_ago):
    return services.visit_record(actor=world.users["pair"], person=person, fields={
        "visited_at": timezone.now() - timedelta(days=days_ago), "kind": kind})


def test_never_contacted_is_late_and_a_call_and_a_visit_put_it_right(world):
    person = world.zhang
    world.zhang.living = "alone"
    world.zhang.save()
    user = world.users["pair"]
    assert list(selectors.paired_special(user, state="overdue")) == [person]
    visit(world, person, "phone", 3)
    assert list(selectors.paired_special(user, state="call_overdue")) == []
    assert list(selectors.paired_special(user, state="visit_overdue")) == [person]
    visit(world, person, "home", 100)  # a visit longer ago than the quarterly rule
    assert list(selectors.paired_special(user, state="visit_overdue")) == [person]
    visit(world, person, "home", 10)
    assert list(selectors.paired_special(user, state="overdue")) == []


def test_a_rule_made_stricter_makes_the_call_late(world):
    world.zhang.living = "alone"
    world.zhang.save()
    visit(world, world.zhang, "phone", 20)
    assert not selectors.paired_special(world.users["pair"], state="call_overdue").exists()
    rule = services.ensure_contact_rules()[ContactKind.CALL]
    services.contact_rule_update(actor=world.users["bureau"], rule=rule, every_days=14, is_active=True)
    assert selectors.paired_special(world.users["pair"], state="call_overdue").exists()


def test_not_in_a_special_group_is_not_listed(world):
    assert not selectors.paired_special(world.users["bureau"]).exists()  # 张三 lives with nobody recorded


def test_page_lists_the_pair_contacts_persons_only(client_for, world):
    world.zhang.living = "alone"
    world.zhang.save()
    world.wang.living = "alone"
    world.wang.save()
    page = client_for("pair").get(reverse("care:pairing"))
    text = page.content.decode()
    assert page.status_code == 200 and "张三" in text and "王五" not in text
    bureau = client_for("bureau").get(reverse("care:pairing")).content.decode()
    assert "张三" in bureau and "王五" not in bureau  # 王五 has no pair contact: on the unpaired list instead


def test_export_is_logged(client_for, world):
    from jinqiu.accounts.models import AccessLog

    world.zhang.living = "alone"
    world.zhang.save()
    answer = client_for("street").get(reverse("care:pairing_export"))
    assert answer.status_code == 200
    assert AccessLog.objects.filter(user=world.users["street"], action="export").count() == 1
