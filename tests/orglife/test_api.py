"""The API: the same services and scopes; a scope matrix over every operation."""

from __future__ import annotations

import json
from datetime import date

import pytest

from jinqiu.orglife.models import FrequencyRule, Meeting
from tests.matrix import PERSONAS

from .helpers import hold, mtype

pytestmark = pytest.mark.django_db


def _post(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data, default=str), content_type="application/json")


def test_the_secretary_records_through_the_api(world, client_for):
    client = client_for("secretary")
    response = _post(client, "/api/orglife/meetings", {
        "org": world.branch.pk, "meeting_type": mtype("dangke").pk, "starts_at": "2025-03-04T09:00:00+08:00",
        "lecturer": "王教授", "topic": "党史", "joint": [world.branch.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["held_on"] == "2025-03-04" and [a["person_name"] for a in body["attendance"]] == ["张三"]
    row = body["attendance"][0]["id"]
    bad = _post(client, f"/api/orglife/attendance/{row}", {"status": "leave"}, "put")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "reason"
    ok = _post(client, f"/api/orglife/attendance/{row}", {"status": "leave", "reason": "住院"}, "put")
    assert ok.json()["status"] == "leave"
    made = _post(client, f"/api/orglife/attendance/{row}/makeup",
                 {"delivered_by": "刘书记", "delivered_on": "2025-03-05", "content": "讲稿"})
    assert made.status_code == 201 and made.json()["made_up_on"] == "2025-03-05"
    detail = client.get(f"/api/orglife/meetings/{body['id']}").json()
    assert detail["rate"]["with_makeup"] == 1


def test_lesson_without_lecturer_and_joint_outside_scope_answer_422(world, client_for):
    client = client_for("secretary")
    base = {"org": world.branch.pk, "meeting_type": mtype("dangke").pk, "starts_at": "2025-03-04T09:00:00+08:00"}
    assert {d["field"] for d in _post(client, "/api/orglife/meetings", base).json()["detail"]} >= {"lecturer"}
    response = _post(client, "/api/orglife/meetings", {**base, "meeting_type": mtype("zhuti-dangri").pk,
                                                       "joint": [world.other_branch.pk]})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "joint"
    assert not Meeting.objects.exists()


def test_compliance_and_person_attendance(world, client_for):
    hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    body = client_for("street").get("/api/orglife/compliance").json()
    assert {b["org_id"] for b in body["behind"]} >= {world.neighbor_branch.pk}
    assert world.other_branch.pk not in {b["org_id"] for b in body["behind"]}
    person = client_for("secretary").get(f"/api/orglife/persons/{world.zhang.pk}/attendance").json()
    assert person["total"]["expected"] == 1 and person["by_org"][0]["org_id"] == world.branch.pk


OPS = [  # (method, path template, payload, personas allowed in scope)
    ("get", "/api/orglife/meetings/{m}", None, {"bureau", "street", "secretary", "leader"}),
    ("patch", "/api/orglife/meetings/{m}", {"place": "活动室"}, {"bureau", "street", "secretary"}),
    ("post", "/api/orglife/meetings/{m}/all-present", {}, {"bureau", "street", "secretary"}),
    ("put", "/api/orglife/attendance/{a}", {"status": "present"}, {"bureau", "street", "secretary"}),
    ("get", "/api/orglife/meetings?org={o}", None, {"bureau", "street", "secretary", "leader"}),
    ("get", "/api/orglife/compliance?org={o}", None, {"bureau", "street", "secretary", "leader"}),
    ("get", "/api/orglife/persons/{p}/attendance", None, {"bureau", "street", "secretary", "pair", "leader"}),
]


@pytest.mark.parametrize("op", OPS, ids=[f"{m} {p}" for m, p, _, _ in OPS])
def test_api_scope_matrix(op, world, client):
    method, template, payload, allowed = op
    inside = hold(world.branch, "zhuti-dangri", date(2025, 3, 4))
    outside = hold(world.other_branch, "zhuti-dangri", date(2025, 3, 4))
    urls = {
        "in": template.format(m=inside.pk, a=inside.attendances.get().pk, o=world.branch.pk, p=world.zhang.pk),
        "out": template.format(m=outside.pk, a=outside.attendances.get().pk, o=world.other_branch.pk,
                               p=world.wang.pk),
    }
    for persona in PERSONAS:
        client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")
        for where, url in urls.items():
            if payload is None:
                status = client.get(url).status_code
            else:
                status = _post(client, url, payload, method).status_code
            # The 区领导 (leader) reads what the bureau reads and writes nothing.
            reads_out = {"bureau", "leader"} if payload is None else {"bureau"}
            if where == "in" and persona in allowed or where == "out" and persona in reads_out:
                assert status == 200, (persona, where, url, status)
            else:
                assert status in (403, 404), (persona, where, url, status)
                if where == "out" and persona in {"street", "secretary", "neighbor"}:
                    assert status == 404, (persona, where, url, status)


def test_only_the_bureau_changes_rules_through_the_api(world, client_for):
    rule = FrequencyRule.objects.first()
    assert _post(client_for("street"), f"/api/orglife/rules/{rule.pk}", {"period": "year"}, "patch").status_code == 403
    response = _post(client_for("bureau"), f"/api/orglife/rules/{rule.pk}", {"period": "year"}, "patch")
    assert response.status_code == 200 and response.json()["period"] == "year"
