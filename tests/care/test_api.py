"""The care API: scope and roles, health fields for care duties only, request moves, call-terminal alarms."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from jinqiu.accounts import services as account_services
from jinqiu.care import services
from jinqiu.care.models import Request, RequestStatus, TaskStatus, Visit, VisitTask
from jinqiu.notifications.models import Message

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _care_stub():
    from django.http import HttpResponse

    return ([path("requests/<int:pk>/", lambda request, pk: HttpResponse(), name="request")], "care")


# Used as ROOT_URLCONF while the care pages are not mounted yet: the alarm's message links to a request's page.
urlpatterns = [path("api/", __import__("jinqiu.api", fromlist=["api"]).api.urls), path("care/", include(_care_stub()))]


@pytest.fixture
def care_urls(settings):
    try:
        reverse("care:request", kwargs={"pk": 1})
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


@pytest.fixture
def api(client, world):
    """persona -> a function (method, path, body=None, **headers) -> response, through the browser session."""

    def call_as(persona: str):
        client.logout()
        client.force_login(world.users[persona], backend=BACKEND)

        def call(method: str, url: str, body=None, **headers):
            kwargs = {"content_type": "application/json", "data": json.dumps(body or {})} if method != "get" else {}
            return getattr(client, method)(f"/api/care{url}", **kwargs, **headers)

        return call

    return call_as


def _chinese(text: str) -> bool:
    """A message in Chinese: Han characters and no English word."""
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not re.search(r"[A-Za-z]{3,}", text)


def _task(person, key="t1", event_on=None):
    return services.task_for_event(actor=None, person=person, kind="illness", key=key,
                                   event_on=event_on or timezone.localdate())


# --- scope -------------------------------------------------------------------------------------------------


def test_the_pair_contact_sees_only_their_persons_tasks(world, api):
    zhang_task, li_task, wang_task = _task(world.zhang), _task(world.li), _task(world.wang)
    call = api("pair")
    listed = call("get", "/tasks?state=all").json()
    assert [t["id"] for t in listed["items"]] == [zhang_task.pk]
    assert listed["items"][0]["person_name"] == "张三"
    assert call("get", f"/tasks/{zhang_task.pk}").status_code == 200
    assert call("get", f"/tasks/{li_task.pk}").status_code == 404
    assert call("get", f"/tasks/{wang_task.pk}").status_code == 404
    # the street sees its two persons, not the other street's
    street = api("street")("get", "/tasks?state=all").json()
    assert {t["id"] for t in street["items"]} == {zhang_task.pk, li_task.pk}


def test_overdue_tasks_are_filtered_as_in_the_web_list(world, api):
    late = _task(world.zhang, "late", timezone.localdate() - timedelta(days=10))
    _task(world.zhang, "fresh")
    found = api("bureau")("get", "/tasks?state=overdue").json()["items"]
    assert [(t["id"], t["overdue"]) for t in found] == [(late.pk, True)]


def test_out_of_scope_answers_404_before_the_role_403(world, api):
    task = _task(world.wang)
    assert api("secretary")("post", f"/tasks/{task.pk}/exempt", {"reason": "不需要"}).status_code == 404
    mine = _task(world.zhang)
    response = api("secretary")("post", f"/tasks/{mine.pk}/exempt", {"reason": "不需要"})
    assert response.status_code == 403
    VisitTask.objects.get(pk=mine.pk, status=TaskStatus.OPEN)


def test_exempting_a_closed_task_is_a_conflict(world, api):
    task = _task(world.zhang)
    call = api("street")
    assert call("post", f"/tasks/{task.pk}/exempt", {"reason": "单位已看望"}).json()["status"] == "exempted"
    again = call("post", f"/tasks/{task.pk}/exempt", {"reason": "单位已看望"})
    assert again.status_code == 409
    assert _chinese(again.json()["detail"])


# --- health fields and money: care duties only -------------------------------------------------------------


HEALTH = {"hospital", "ward", "condition"}


def _stay_body():
    return {"admitted_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "hospital": "市第一人民医院",
            "ward": "心内科 3 床", "condition": "心衰"}


def test_health_fields_are_absent_for_the_secretary(world, api):
    response = api("secretary")("post", f"/persons/{world.zhang.pk}/hospitalisations", _stay_body())
    assert response.status_code == 201, response.content
    answer = response.json()
    assert not HEALTH & set(answer), answer
    assert "心衰" not in response.content.decode()
    # the stay was recorded in full, with its 生病住院 task
    task = VisitTask.objects.get(pk=answer["task_id"])
    assert task.kind == "illness" and task.person == world.zhang


@pytest.mark.parametrize("persona", ["street", "pair"])
def test_health_fields_are_there_for_care_duties(world, api, persona):
    answer = api(persona)("post", f"/persons/{world.zhang.pk}/hospitalisations", _stay_body()).json()
    assert {k: answer[k] for k in HEALTH} == {"hospital": "市第一人民医院", "ward": "心内科 3 床", "condition": "心衰"}


def test_visit_money_only_for_care_duties(world, api):
    visit = services.visit_record(actor=world.users["pair"], person=world.zhang, fields={
        "visited_at": timezone.now() - timedelta(hours=3), "money": "500.00", "gifts": "米和油"})
    for persona, sees_money in [("bureau", True), ("pair", True), ("secretary", False), ("leader", False)]:
        call = api(persona)
        detail = call("get", f"/visits/{visit.pk}").json()
        listed = call("get", "/visits").json()["items"][0]
        for answer in (detail, listed):
            assert ("money" in answer) is sees_money, (persona, answer)
            assert answer["gifts"] == "米和油"
        if sees_money:
            assert detail["money"] == "500.00"


# --- visits ------------------------------------------------------------------------------------------------


def test_a_visit_closes_the_task_and_raises_the_need_once(world, api):
    task = _task(world.zhang)
    call = api("pair")
    body = {"person": world.zhang.pk, "visited_at": timezone.now().isoformat(), "kind": "hospital",
            "tasks": [task.pk], "need": {"category": "medical", "summary": "需要协调陪护"}}
    first = call("post", "/visits", body, HTTP_IDEMPOTENCY_KEY="visit-1")
    assert first.status_code == 201, first.content
    again = call("post", "/visits", body, HTTP_IDEMPOTENCY_KEY="visit-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Visit.objects.filter(person=world.zhang).count() == 1
    assert first.json()["task_ids"] == [task.pk]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert Request.objects.get(visit_id=first.json()["id"]).summary == "需要协调陪护"
    other = call("post", "/visits", {**body, "kind": "phone"}, HTTP_IDEMPOTENCY_KEY="visit-1")
    assert other.status_code == 422


def test_a_visit_to_someone_out_of_scope_is_refused(world, api):
    body = {"person": world.wang.pk, "visited_at": timezone.now().isoformat()}
    response = api("pair")("post", "/visits", body)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "person", "message": "请选择您管辖范围内的人员。"}]
    assert not Visit.objects.exists()


# --- campaigns ---------------------------------------------------------------------------------------------


def test_campaign_coverage_per_street_and_community(world, api):
    call = api("bureau")
    today = timezone.localdate()
    created = call("post", "/campaigns", {"name": "春节走访", "kind": "spring", "root_region": world.district.pk,
                                          "starts_on": today.isoformat(),
                                          "ends_on": (today + timedelta(days=20)).isoformat()})
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert campaign["coverage"]["total"] == 4 and campaign["coverage"]["reached"] == 0
    services.visit_record(actor=world.users["street"], person=world.zhang,
                          fields={"visited_at": timezone.now()}, task_ids=[])
    detail = call("get", f"/campaigns/{campaign['id']}").json()
    assert (detail["coverage"]["total"], detail["coverage"]["reached"]) == (4, 1)
    streets = {s["name"]: s for s in detail["streets"]}
    assert (streets["新浦街道"]["total"], streets["新浦街道"]["reached"]) == (3, 1)
    communities = {c["name"]: (c["total"], c["reached"]) for c in streets["新浦街道"]["communities"]}
    assert communities == {"新东社区": (2, 1), "新西社区": (1, 0)}
    # the street sees the campaign over its own persons only
    assert api("street")("get", f"/campaigns/{campaign['id']}").json()["coverage"]["total"] == 3
    # the targets not yet reached: 李四 and 赵六; the pair contact sees neither, the street sees both
    to_pair = api("street")("post", f"/campaigns/{campaign['id']}/assign", {"assignee": world.users["pair"].pk})
    assert to_pair.json() == {"assigned": 0}
    to_street = api("street")("post", f"/campaigns/{campaign['id']}/assign", {"assignee": world.users["street"].pk})
    assert to_street.json() == {"assigned": 2}


# --- requests ----------------------------------------------------------------------------------------------


def test_a_petition_through_every_status(world, api):
    call = api("street")
    created = call("post", "/requests", {"person": world.zhang.pk, "source": "petition", "category": "housing",
                                         "summary": "住房维修"}, HTTP_IDEMPOTENCY_KEY="req-1")
    assert created.status_code == 201, created.content
    request = created.json()
    assert request["status"] == "received" and request["accept_by"]
    rid = request["id"]
    moves = [("accept", {}, "accepted"), ("assign", {"assignee": world.users["street"].pk}, "in_progress"),
             ("extend", {"reason": "需多部门协调"}, "in_progress"), ("conclude", {"outcome": "已修好"}, "concluded"),
             ("follow_up", {"satisfaction": "satisfied"}, "followed_up")]
    for action, body, status in moves:
        response = call("post", f"/requests/{rid}/{action}", body)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status
    final = call("get", f"/requests/{rid}").json()
    assert final["extended"] is True and final["satisfaction"] == "satisfied" and final["outcome"] == "已修好"


def test_refused_moves_answer_a_clear_error(world, api):
    call = api("street")
    rid = call("post", "/requests", {"person": world.zhang.pk, "source": "phone", "category": "policy",
                                     "summary": "咨询"}).json()["id"]
    conflict = call("post", f"/requests/{rid}/follow_up", {"satisfaction": "satisfied"})
    assert conflict.status_code == 409
    detail = conflict.json()["detail"]
    assert _chinese(detail) and "“已受理”" in detail, detail  # says the status it is in
    not_petition = call("post", f"/requests/{rid}/extend", {"reason": "太忙"})
    assert not_petition.status_code == 409 and _chinese(not_petition.json()["detail"])
    no_outcome = call("post", f"/requests/{rid}/conclude", {})
    assert no_outcome.status_code == 422
    [error] = no_outcome.json()["detail"]
    assert error["field"] == "outcome" and _chinese(error["message"])
    unknown = call("post", f"/requests/{rid}/reopen", {})
    assert unknown.status_code == 422
    assert Request.objects.get(pk=rid).status == RequestStatus.ACCEPTED
    # a pair contact may raise a request but not move one
    assert api("pair")("post", f"/requests/{rid}/start", {}).status_code == 403


# --- 一键呼叫 terminals ------------------------------------------------------------------------------------


def _alarm(client, token: str | None, scheme: str = "Device"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {token}"} if token is not None else {}
    return client.post("/api/care/alarm", **headers)


@pytest.fixture
def device(world, api):
    answer = api("street")("post", "/devices", {"person": world.zhang.pk, "name": "客厅呼叫器"})
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_registering_shows_the_token_once(world, api, device):
    assert len(device["token"]) > 20 and device["token_hint"] == device["token"][-4:]
    listed = api("street")("get", "/devices").json()["items"]
    assert [d["id"] for d in listed] == [device["id"]]
    assert "token" not in listed[0] and device["token"] not in json.dumps(listed)
    assert api("pair")("get", "/devices").status_code == 403


def test_an_alarm_with_a_valid_token_raises_an_urgent_request(world, client, device, care_urls):
    client.logout()
    response = _alarm(client, device["token"])
    assert response.status_code == 201, response.content
    request = Request.objects.get(pk=response.json()["request_id"])
    assert (request.person, request.urgent, request.source, request.category) == (
        world.zhang, True, "terminal", "emergency")
    assert request.device_id == device["id"]
    told = set(Message.objects.filter(link__endswith=f"/{request.pk}/").values_list("recipient__username", flat=True))
    assert "pair" in told and "street" in told
    # a second press within minutes joins the same request
    again = _alarm(client, device["token"])
    assert again.status_code == 201 and again.json() == {"request_id": request.pk, "created": False}
    assert Request.objects.filter(device_id=device["id"]).count() == 1


def test_an_alarm_with_a_revoked_token_is_refused(world, api, client, device, care_urls):
    assert api("street")("post", f"/devices/{device['id']}/revoke").json()["revoked_on"]
    client.logout()
    response = _alarm(client, device["token"])
    assert response.status_code == 401
    assert response.json() == {"detail": "该呼叫终端未登记或已被停用。"}
    assert not Request.objects.exists()


def test_an_alarm_with_a_wrong_token_is_refused(world, client, device, care_urls):
    client.logout()
    for token in ("not-a-token", device["token"][:-1], ""):
        response = _alarm(client, token)
        assert response.status_code == 401, token
        assert "detail" in response.json()
    assert _alarm(client, None).status_code == 401
    assert not Request.objects.exists()


def test_an_alarm_refuses_users(world, client, device, care_urls):
    """A user's bearer token or session is not a terminal's: refused, whatever the role."""
    _, key = account_services.token_create(actor=None, user=world.users["bureau"], name="集成")
    client.logout()
    assert _alarm(client, key, scheme="Bearer").status_code == 403
    client.force_login(world.users["street"], backend=BACKEND)
    refused = _alarm(client, None)
    assert refused.status_code == 403 and refused.json()["detail"] == "只有已登记的呼叫终端才能发出呼叫。"
    assert not Request.objects.exists()
