"""Reminders: due this period and overdue from the last, once per meeting and period, to the secretary."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from jinqiu.notifications import backends
from jinqiu.notifications.models import Message, Reminder
from jinqiu.orglife import services
from jinqiu.orglife.models import FrequencyRule
from jinqiu.orglife.reminders import send_reminders
from jinqiu.orglife.tasks import remind_secretaries

from .helpers import at, hold, mtype

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_theme_day(world):
    FrequencyRule.objects.exclude(meeting_type__code="zhuti-dangri").update(is_active=False)
    FrequencyRule.objects.filter(establishment="informal").update(is_active=False)


def _titles(user):
    return sorted(Message.objects.filter(recipient=user).values_list("title", flat=True))


def test_due_and_overdue_reminders_go_once_to_the_branch_secretary(world, only_theme_day, capsys,
                                                                   django_capture_on_commit_callbacks):
    hold(world.branch, "zhuti-dangri", date(2026, 2, 10))
    with time_machine.travel(date(2026, 3, 5), tick=False):
        # Early in March: nothing is due yet; February was held by the branch, missed by the neighbour.
        send_reminders()
    secretary, neighbor = world.users["secretary"], world.users["neighbor"]
    assert _titles(secretary) == []
    assert len(_titles(neighbor)) == 1 and world.neighbor_branch.name in _titles(neighbor)[0]
    with time_machine.travel(date(2026, 3, 25), tick=False), django_capture_on_commit_callbacks(execute=True):
        first = send_reminders()
        again = remind_secretaries.call_local()
    assert first == 2 and again == 0  # March due for both branches; nothing twice
    assert len(_titles(secretary)) == 1 and len(_titles(neighbor)) == 2
    assert Reminder.objects.count() == 3
    assert "[notify] secretary" in capsys.readouterr().out  # the console backend in development


def test_a_planned_meeting_silences_the_due_reminder(world, only_theme_day):
    with time_machine.travel(date(2026, 3, 20), tick=False):
        services.meeting_create(actor=None, org=world.branch, held=False, fields={
            "meeting_type": mtype("zhuti-dangri"), "starts_at": at(date(2026, 3, 28))})
        hold(world.branch, "zhuti-dangri", date(2026, 2, 10))
        send_reminders()
    assert not [t for t in _titles(world.users["secretary"]) if "2026-03-31" in t]


def test_http_backends_post_json_to_the_configured_gateway(settings):
    settings.JINQIU_NOTIFY_BACKEND = "sms"
    settings.JINQIU_SMS_URL = "ftp://gateway"
    with pytest.raises(ImproperlyConfigured):
        backends.get_backend()
    sms = backends.SmsBackend("https://sms.example.gov.cn/send", "t")
    message = backends.Outgoing("u", "13812345678", "标题", "正文")
    assert sms.payload(message) == {"to": "13812345678", "title": "标题", "body": "正文"}
    wechat = backends.WeChatBackend("https://wx.example.gov.cn/tpl", "t")
    assert wechat.payload(message)["touser_mobile"] == "13812345678"
    assert sms.send(backends.Outgoing("u", "", "t", "b")) is False  # no mobile: nothing is posted
    out = io.StringIO()
    backends.ConsoleBackend(out).send(message)
    assert "标题" in out.getvalue()
