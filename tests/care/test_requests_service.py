"""诉求 through every status, 信访 deadlines with their one extension, refused moves, and terminal alarms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jinqiu.care import services
from jinqiu.care.models import Request, RequestStatus, RuleKind, VisitTask
from jinqiu.care.selectors import request_overdue_q
from jinqiu.notifications.models import Message

pytestmark = pytest.mark.django_db


def petition(world, on=date(2026, 4, 1)) -> Request:
    with time_machine.travel(on, tick=False):
        return services.request_create(actor=world.users["street"], person=world.zhang, fields={
            "source": "petition", "category": "pension", "summary": "离休费补发"})


def test_petition_moves_through_every_status_with_its_deadlines(world):
    street = world.users["street"]
    request = petition(world)
    assert (request.status, request.accept_by, request.deadline) == (RequestStatus.RECEIVED, date(2026, 4, 16), None)
    with time_machine.travel(date(2026, 4, 10), tick=False):
        request = services.request_accept(actor=street, request=request)
    assert (request.status, request.accepted_on, request.deadline) == (RequestStatus.ACCEPTED, date(2026, 4, 10),
                                                                      date(2026, 6, 9))
    request = services.request_assign(actor=street, request=request, assignee=world.users["pair"])
    assert (request.status, request.assignee) == (RequestStatus.IN_PROGRESS, world.users["pair"])
    request = services.request_extend(actor=street, request=request, reason="需协调原单位核实")
    assert (request.deadline, request.extended) == (date(2026, 7, 9), True)
    with pytest.raises(ValidationError, match="一次"):
        services.request_extend(actor=street, request=request, reason="再延")
    with pytest.raises(ValidationError):
        services.request_conclude(actor=street, request=request, outcome=" ")
    request = services.request_conclude(actor=street, request=request, outcome="已补发")
    request = services.request_follow_up(actor=street, request=request, satisfaction="satisfied")
    assert request.status == RequestStatus.FOLLOWED_UP and request.satisfaction == "satisfied"


def test_refused_moves_say_why(world):
    request = petition(world)
    with pytest.raises(ValidationError) as refused:
        services.request_conclude(actor=world.users["street"], request=request, outcome="办完")
    assert "cannot be" in str(refused.value) or "不能" in str(refused.value)
    with pytest.raises(ValidationError):
        services.request_follow_up(actor=world.users["street"], request=request, satisfaction="satisfied")
    with pytest.raises(ValidationError):  # the pair contact records, the street handles
        services.request_accept(actor=world.users["pair"], request=request)
    services.request_reject(actor=world.users["street"], request=request, reason="不属于受理范围")
    request.refresh_from_db()
    with pytest.raises(ValidationError):
        services.request_accept(actor=world.users["street"], request=request)


def test_petition_overdue_when_not_accepted_in_fifteen_days(world):
    request = petition(world)
    with time_machine.travel(date(2026, 4, 16), tick=False):
        assert not Request.objects.filter(request_overdue_q(date(2026, 4, 16))).exists()
    assert Request.objects.filter(request_overdue_q(date(2026, 4, 17))).get() == request


def test_other_requests_are_accepted_at_once_and_a_dispute_calls_for_a_visit(world):
    with time_machine.travel(date(2026, 4, 1), tick=False):
        request = services.request_create(actor=world.users["pair"], person=world.zhang, fields={
            "source": "home_visit", "category": "dispute", "summary": "邻里纠纷"})
    assert (request.status, request.deadline) == (RequestStatus.ACCEPTED, date(2026, 4, 16))
    task = VisitTask.objects.get(person=world.zhang, kind=RuleKind.DISPUTE)
    assert task.event_key == f"request:{request.pk}"


def test_alarm_from_a_terminal(world):
    device, token = services.device_register(actor=world.users["street"], person=world.zhang, name="客厅呼叫器")
    assert services.device_for_token(token) == device
    assert services.device_for_token("wrong" + token) is None
    assert services.device_for_token("") is None
    request, created = services.alarm_raise(device=device)
    assert created and request.urgent and request.source == "terminal" and request.status == RequestStatus.ACCEPTED
    again, created_again = services.alarm_raise(device=device)  # a second press joins the first
    assert (again, created_again) == (request, False)
    recipients = set(Message.objects.values_list("recipient__username", flat=True))
    assert {"pair", "street"} <= recipients and "bureau" not in recipients
    device.refresh_from_db()
    assert device.last_used_at is not None
    services.device_revoke(actor=world.users["street"], device=device)
    assert services.device_for_token(token) is None


def test_alarm_later_makes_a_new_request(world):
    device, _token = services.device_register(actor=world.users["street"], person=world.zhang, name="床头")
    first, _c = services.alarm_raise(device=device)
    Request.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(hours=1))
    second, created = services.alarm_raise(device=device)
    assert created and second != first
