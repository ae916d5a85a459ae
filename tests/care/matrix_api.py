"""Care API operations in the scope matrix (tests/api/test_api_matrix.py).

Objects are about 张三 (in scope: his street, branch and pair contact see him) and 王五 (the other street,
seen by the bureau and the leader only). Bodies are valid, so that a refused write would have written.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.matrix import BUREAU_READ, SEES_BRANCH, SEES_OTHER_BRANCH, SEES_WANG, SEES_ZHANG, STAFF, Op

MANAGERS = {"bureau", "street"}
# Record visits, hospital stays and requests: the neighbouring branch's secretary too (role), who sees
# neither 张三 nor 王五 (scope).
VISITORS = {"bureau", "street", "secretary", "pair", "neighbor"}
READERS_OF_ZHANG = {"bureau", "street", "secretary", "pair", "leader"}


def _person(w, side):
    return w.zhang if side == "in" else w.wang


def _task(w, person):
    from jinqiu.care import services

    return services.task_for_event(actor=None, person=person, kind="illness", key="matrix",
                                   event_on=timezone.localdate())


def _visit(w, person):
    from jinqiu.care import services
    from jinqiu.care.models import Visit

    return Visit.objects.filter(person=person).first() or services.visit_record(
        actor=w.users["bureau"], person=person, task_ids=[],
        fields={"visited_at": timezone.now() - timedelta(days=1), "kind": "home"})


def _campaign(w, org):
    from jinqiu.care import services
    from jinqiu.care.models import Campaign

    today = timezone.localdate()
    return Campaign.objects.filter(root_org=org).first() or services.campaign_create(
        actor=w.users["bureau"], fields={"name": f"走访 {org.name}", "kind": "spring", "root_org": org,
                                         "starts_on": today - timedelta(days=3), "ends_on": today + timedelta(days=20)})


def _request(w, person):
    from jinqiu.care import services
    from jinqiu.care.models import Request

    return Request.objects.filter(person=person).first() or services.request_create(
        actor=w.users["bureau"], person=person, fields={"source": "phone", "category": "housing",
                                                          "summary": "楼道灯坏了"})


def _device(w, person):
    from jinqiu.care import services
    from jinqiu.care.models import Device

    return Device.objects.filter(person=person).first() or services.device_register(
        actor=w.users["bureau"], person=person, name="客厅呼叫器")[0]


def _on_zhang(allowed, inside, outside, allowed_out=frozenset({"bureau"}), **kw) -> Op:
    return Op(set(allowed), set(allowed_out), lambda w: inside(w, w.zhang), lambda w: outside(w, w.wang),
              sees_in=SEES_ZHANG, sees_out=SEES_WANG, **kw)


def _ids(name, make, **extra):
    def kwargs(w, person):
        return {name: make(w, person).pk, **extra}
    return kwargs


def _campaign_ids(w, person):
    return {"campaign_id": _campaign(w, w.branch if person == w.zhang else w.other_branch).pk}


def _new_visit(w, side):
    return {"person": _person(w, side).pk, "visited_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "kind": "home", "gifts": "米和油"}


def _new_campaign(w, side):
    today = timezone.localdate()
    return {"name": "高温慰问", "kind": "summer", "root_org": (w.branch if side == "in" else w.other_branch).pk,
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat()}


def _new_request(w, side):
    return {"person": _person(w, side).pk, "source": "phone", "category": "policy", "summary": "咨询政策"}


def _new_device(w, side):
    return {"person": _person(w, side).pk, "name": "卧室呼叫器"}


def _to_bureau(w, side):
    return {"assignee": w.users["bureau"].pk}


OPERATIONS: dict[str, Op] = {
    "GET /api/care/tasks": Op(STAFF),
    "GET /api/care/tasks/{task_id}": _on_zhang(READERS_OF_ZHANG, _ids("task_id", _task), _ids("task_id", _task),
                                               BUREAU_READ),
    "POST /api/care/tasks/{task_id}/exempt": _on_zhang(MANAGERS, _ids("task_id", _task), _ids("task_id", _task),
                                                       body={"reason": "已由单位看望"}),
    "POST /api/care/tasks/{task_id}/assign": _on_zhang(MANAGERS, _ids("task_id", _task), _ids("task_id", _task),
                                                       body=_to_bureau),
    "GET /api/care/visits": Op(STAFF),
    "GET /api/care/visits/{visit_id}": _on_zhang(READERS_OF_ZHANG, _ids("visit_id", _visit),
                                                 _ids("visit_id", _visit), BUREAU_READ),
    "POST /api/care/visits": Op(VISITORS, body=_new_visit, refs=(SEES_ZHANG, SEES_WANG)),
    "POST /api/care/persons/{person_id}/hospitalisations": _on_zhang(
        VISITORS - {"neighbor"}, lambda w, p: {"person_id": p.pk}, lambda w, p: {"person_id": p.pk},
        body=lambda w, side: {"admitted_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
                              "hospital": "市第一人民医院", "ward": "3床", "condition": "肺炎"}),
    "GET /api/care/campaigns": Op(STAFF),
    "GET /api/care/campaigns/{campaign_id}": _on_zhang(READERS_OF_ZHANG, _campaign_ids, _campaign_ids, BUREAU_READ),
    "POST /api/care/campaigns": Op(MANAGERS, body=_new_campaign, refs=(SEES_BRANCH, SEES_OTHER_BRANCH)),
    "POST /api/care/campaigns/{campaign_id}/assign": _on_zhang(MANAGERS, _campaign_ids, _campaign_ids,
                                                               body=_to_bureau),
    "POST /api/care/campaigns/{campaign_id}/refresh": _on_zhang(MANAGERS, _campaign_ids, _campaign_ids),
    "GET /api/care/requests": Op(STAFF),
    "GET /api/care/requests/{request_id}": _on_zhang(READERS_OF_ZHANG, _ids("request_id", _request),
                                                     _ids("request_id", _request), BUREAU_READ),
    "POST /api/care/requests": Op(VISITORS, body=_new_request, refs=(SEES_ZHANG, SEES_WANG)),
    "POST /api/care/requests/{request_id}/{action}": _on_zhang(
        MANAGERS, _ids("request_id", _request, action="start"), _ids("request_id", _request, action="start")),
    "GET /api/care/devices": Op(MANAGERS),
    "POST /api/care/devices": Op(MANAGERS, body=_new_device, refs=(SEES_ZHANG, SEES_WANG)),
    "POST /api/care/devices/{device_id}/revoke": _on_zhang(MANAGERS, _ids("device_id", _device),
                                                           _ids("device_id", _device)),
    # Only a terminal's device token raises an alarm: every user, whatever the role, is refused.
    "POST /api/care/alarm": Op(set()),
}
