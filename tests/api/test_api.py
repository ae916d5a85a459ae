"""The REST API: auth, scope, roles, services and error shapes, on the shared world (tests/conftest.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from jinqiu.accounts import services as account_services
from jinqiu.accounts.models import AccessLog, User
from jinqiu.core import idnumber
from jinqiu.people import services as people_services
from jinqiu.people.models import Membership, Person, PersonStatus
from jinqiu.regions import services as region_services

BACKEND = "django.contrib.auth.backends.ModelBackend"
NEW_ID = idnumber.generate(region_code="320706", birth_date=date(1955, 8, 8), sequence=33, gender="M")


@pytest.fixture
def w(world):
    """The shared world (tests/factories.py), its personas as attributes: zhang is in the street's scope, wang
    (the other street) is not."""
    world.bureau, world.worker, world.secretary = (world.users[k] for k in ("bureau", "street", "secretary"))
    return world


def login(user: User, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user, backend=BACKEND)
    return client


def post(client: Client, url: str, data: dict, **kwargs):
    return client.post(url, json.dumps(data, default=str), content_type="application/json", **kwargs)


def patch(client: Client, url: str, data: dict):
    return client.patch(url, json.dumps(data, default=str), content_type="application/json")


def fields_of(response) -> set:
    return {e["field"] for e in response.json()["detail"]}


# --- auth ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_operation_needs_a_user(w):
    client = Client()
    assert client.get("/api/persons").status_code == 401
    assert client.get(f"/api/orgs/{w.branch.pk}").status_code == 401
    assert post(client, "/api/regions", {"name": "x", "level": "district"}).status_code == 401
    assert client.get("/api/persons", HTTP_AUTHORIZATION="Bearer jq_not-a-key").status_code == 401
    assert client.get("/api/persons").json()["detail"]


@pytest.mark.django_db
def test_bearer_token_acts_as_its_user_without_csrf(w):
    _, key = account_services.token_create(actor=None, user=w.bureau, name="人社局对接")
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/persons", **auth).json()["count"] == 4
    response = post(client, f"/api/persons/{w.zhang.pk}/reveal", {"field": "mobile", "reason": "电话回访"}, **auth)
    assert response.status_code == 200
    assert response.json() == {"value": "13812345678"}
    assert AccessLog.objects.get().user == w.bureau


@pytest.mark.django_db
def test_revoked_token_is_refused(w):
    token, key = account_services.token_create(actor=None, user=w.bureau, name="对接")
    token.revoked = True
    token.save()
    assert Client().get("/api/persons", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.django_db
def test_unauthenticated_writes_answer_401_not_a_csrf_failure(w):
    token, key = account_services.token_create(actor=None, user=w.bureau, name="对接")
    token.revoked = True
    token.save()
    client = Client(enforce_csrf_checks=True)
    response = patch(client, f"/api/persons/{w.zhang.pk}", {"skills": "书法"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    revoked = post(client, "/api/regions", {"name": "x", "level": "district"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert revoked.status_code == 401


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(w):
    client = login(w.bureau, enforce_csrf_checks=True)
    assert client.get("/api/persons").status_code == 200
    response = patch(client, f"/api/persons/{w.zhang.pk}", {"skills": "书法"})
    assert response.status_code == 403
    Person.objects.get(pk=w.zhang.pk, skills="")


@pytest.mark.django_db
def test_admin_roles_see_no_personal_data(w):
    client = login(w.users["sysadmin"])
    assert client.get("/api/persons").status_code == 403
    assert client.get("/api/units").status_code == 403


# --- persons -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_list_is_cut_to_scope_and_masked(w):
    body = login(w.bureau).get("/api/persons").json()
    assert body["count"] == 4
    assert sorted(p["name"] for p in body["items"]) == sorted(["张三", "李四", "王五", "赵六"])
    raw = json.dumps(body, ensure_ascii=False)
    assert w.zhang.id_number not in raw and "13812345678" not in raw
    zhang = next(p for p in body["items"] if p["id"] == w.zhang.pk)
    assert zhang["id_number_masked"] == idnumber.mask(w.zhang.id_number)
    assert zhang["mobile_masked"] == "138****5678"
    assert zhang["memberships"][0]["org_id"] == w.branch.pk
    assert zhang["memberships"][0]["org_kind"] == "zhibu"

    body = login(w.secretary).get("/api/persons").json()
    assert body["count"] == 1
    assert [p["id"] for p in body["items"]] == [w.zhang.pk]


@pytest.mark.django_db
def test_person_list_filters(w):
    client = login(w.bureau)

    def ids(query: str) -> list[int]:
        response = client.get("/api/persons?" + query)
        assert response.status_code == 200, response.content
        return sorted(p["id"] for p in response.json()["items"])

    assert ids(f"org={w.branch.pk}") == [w.zhang.pk]
    people_services.person_update(actor=None, person=w.li, fields={"retirement_type": "lixiu"})
    assert ids(f"region={w.community2.pk}") == [w.li.pk]
    assert ids(f"unit={w.unit.pk}") == [w.zhang.pk]
    assert ids("retirement_type=lixiu") == [w.li.pk]
    assert ids("situation=alone") == [w.zhao.pk]
    assert ids("situation=alone&situation=hardship") == []
    assert ids("q=zs") == [w.zhang.pk]
    assert ids("party=no") == [w.zhao.pk]
    assert ids("pending=true") == []
    band = str(min(w.zhang.age() // 10 * 10, 90))
    assert w.zhang.pk in ids(f"age_band={band}")
    assert w.zhang.pk not in ids("age_band=60" if band != "60" else "age_band=90")
    assert len(ids("limit=1")) == 1
    assert ids("limit=1") + ids("limit=1&offset=1") != ids("limit=1&offset=1") + ids("limit=1")
    people_services.person_move_away(actor=None, person=w.li, on=date(2024, 1, 1), moved_to="南京")
    assert w.li.pk not in ids("")
    assert ids("status=moved") == [w.li.pk]
    assert ids("status=all") == sorted(p.pk for p in (w.zhang, w.li, w.wang, w.zhao))
    bad = client.get("/api/persons?status=gone")
    assert bad.status_code == 422 and fields_of(bad) == {"status"}


@pytest.mark.django_db
def test_person_list_filter_by_an_org_outside_scope_is_refused(w):
    response = login(w.worker).get(f"/api/persons?org={w.other_branch.pk}")
    assert response.status_code == 422
    assert fields_of(response) == {"org"}


@pytest.mark.django_db
def test_person_list_queries_do_not_grow_with_rows(w, django_assert_max_num_queries):
    client = login(w.bureau)
    for n in range(5):
        people_services.person_create(
            actor=None, org=w.branch, relation_since=date(2016, 1, 1),
            id_number=idnumber.generate(region_code="320706", birth_date=date(1952, 1, 1), sequence=101 + 2 * n,
                                        gender="M"),
            fields={"name": f"王{n}", "retirement_type": "tuixiu", "region": w.community, "is_party_member": True})
    with django_assert_max_num_queries(12):
        assert client.get("/api/persons").json()["count"] == 9


@pytest.mark.django_db
def test_person_detail_and_out_of_scope_404(w):
    client = login(w.worker)
    response = client.get(f"/api/persons/{w.zhang.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "张三" and body["region_name"] == "新东社区"
    assert body["birth_date"] == "1950-05-01" and body["gender"] == "M"
    assert "id_number" not in body and "mobile" not in body
    assert w.zhang.id_number not in response.content.decode()

    hidden = client.get(f"/api/persons/{w.wang.pk}")
    assert hidden.status_code == 404
    assert hidden.json()["detail"]
    assert client.get("/api/persons/999999").status_code == 404
    assert patch(client, f"/api/persons/{w.wang.pk}", {"skills": "书法"}).status_code == 404
    assert post(client, f"/api/persons/{w.wang.pk}/reveal", {"field": "id_number", "reason": "核对"}).status_code == 404


@pytest.mark.django_db
def test_create_person_with_membership_relation(w):
    client = login(w.bureau)
    response = post(client, "/api/persons", {
        "id_number": NEW_ID, "name": "王五", "retirement_type": "tuixiu", "region": w.community.pk,
        "is_party_member": True, "joined_party_on": "1978-07-01", "mobile": "139 1234 5678",
        "org": w.branch.pk, "relation_since": "2020-01-01",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["birth_date"] == "1955-08-08"
    assert body["mobile_masked"] == "139****5678"
    assert [(m["org_id"], m["kind"]) for m in body["memberships"]] == [(w.branch.pk, "primary")]
    person = Person.objects.get(pk=body["id"])
    assert person.id_number == NEW_ID and person.mobile == "13912345678"


@pytest.mark.django_db
def test_create_person_with_bad_id_number_answers_422_on_the_field(w):
    response = post(login(w.bureau), "/api/persons", {
        "id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"), "name": "王五", "retirement_type": "tuixiu",
    })
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [e["field"] for e in detail] == ["id_number"]
    assert detail[0]["message"]
    assert Person.objects.count() == 4


@pytest.mark.django_db
def test_create_person_with_a_taken_id_number(w):
    response = post(login(w.bureau), "/api/persons", {"id_number": w.wang.id_number, "name": "重复", "retirement_type": "tuixiu"})
    assert response.status_code == 422
    assert fields_of(response) == {"id_number"}


@pytest.mark.django_db
def test_create_person_missing_fields_use_the_same_error_shape(w):
    response = post(login(w.bureau), "/api/persons", {"name": "王五"})
    assert response.status_code == 422
    assert {"id_number", "retirement_type"} <= fields_of(response)


@pytest.mark.django_db
def test_secretary_reads_but_may_not_write_persons(w):
    client = login(w.secretary)
    assert client.get(f"/api/persons/{w.zhang.pk}").status_code == 200
    response = post(client, "/api/persons", {"id_number": NEW_ID, "name": "王五", "retirement_type": "tuixiu"})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert patch(client, f"/api/persons/{w.zhang.pk}", {"skills": "书法"}).status_code == 403
    reveal = post(client, f"/api/persons/{w.zhang.pk}/reveal", {"field": "id_number", "reason": "核对"})
    assert reveal.status_code == 403
    assert not AccessLog.objects.exists()
    assert Person.objects.count() == 4


@pytest.mark.django_db
def test_update_person(w):
    client = login(w.worker)
    response = patch(client, f"/api/persons/{w.zhang.pk}", {"skills": "书法、宣讲", "health": "fair",
                                                         "phone": None})
    assert response.status_code == 200, response.content
    assert response.json()["skills"] == "书法、宣讲"
    w.zhang.refresh_from_db()
    assert (w.zhang.skills, w.zhang.health, w.zhang.name) == ("书法、宣讲", "fair", "张三")

    wrong_birth = patch(client, f"/api/persons/{w.zhang.pk}", {"birth_date": "1951-01-01"})
    assert wrong_birth.status_code == 422
    assert fields_of(wrong_birth) == {"birth_date"}
    not_a_community = patch(client, f"/api/persons/{w.zhang.pk}", {"region": w.street.pk})
    assert not_a_community.status_code == 422 and fields_of(not_a_community) == {"region"}


@pytest.mark.django_db
def test_transfer_rules(w):
    client = login(w.bureau)
    functional = post(client, f"/api/persons/{w.zhang.pk}/transfer", {"org": w.functional.pk, "on": "2024-03-01"})
    assert functional.status_code == 422
    assert fields_of(functional) == {"org"}
    both = post(client, f"/api/persons/{w.zhang.pk}/transfer",
                {"org": w.other_branch.pk, "outside_org_name": "原单位", "on": "2024-03-01"})
    assert both.status_code == 422

    moved = post(client, f"/api/persons/{w.zhang.pk}/transfer", {"org": w.other_branch.pk, "on": "2024-03-01"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["org_id"] == w.other_branch.pk and moved.json()["kind"] == "primary"
    history = Membership.objects.filter(person=w.zhang).order_by("started_on")
    assert [(m.org_id, m.ended_on) for m in history] == [(w.branch.pk, date(2024, 3, 1)),
                                                        (w.other_branch.pk, None)]

    outside = post(client, f"/api/persons/{w.zhang.pk}/transfer", {"outside_org_name": "组织关系在原单位",
                                                                "on": "2024-04-01"})
    assert outside.status_code == 200
    assert outside.json()["org_id"] is None and outside.json()["outside_org_name"] == "组织关系在原单位"


@pytest.mark.django_db
def test_transfer_out_of_scope_target_is_refused(w):
    response = post(login(w.worker), f"/api/persons/{w.zhang.pk}/transfer", {"org": w.other_branch.pk,
                                                                          "on": "2024-03-01"})
    assert response.status_code == 422
    assert fields_of(response) == {"org"}


@pytest.mark.django_db
def test_join_and_end_participation(w):
    client = login(w.bureau)
    formal = post(client, f"/api/persons/{w.zhang.pk}/join", {"org": w.other_branch.pk, "on": "2024-01-01"})
    assert formal.status_code == 422 and fields_of(formal) == {"org"}

    joined = post(client, f"/api/persons/{w.zhang.pk}/join", {"org": w.functional.pk, "on": "2024-01-01"})
    assert joined.status_code == 200, joined.content
    assert joined.json()["kind"] == "participating"
    detail = client.get(f"/api/persons/{w.zhang.pk}").json()
    assert {m["org_id"] for m in detail["memberships"]} == {w.branch.pk, w.functional.pk}

    mid = joined.json()["id"]
    ended = post(client, f"/api/persons/{w.zhang.pk}/memberships/{mid}/end", {"on": "2024-06-30", "reason": "身体原因"})
    assert ended.status_code == 200
    assert ended.json()["ended_on"] == "2024-06-30"
    assert (ended.json()["end_reason"], ended.json()["end_note"]) == ("退出", "身体原因")

    primary = Membership.objects.get(person=w.zhang, kind="primary")
    refused = post(client, f"/api/persons/{w.zhang.pk}/memberships/{primary.pk}/end", {"on": "2024-06-30"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] is None
    other = Membership.objects.get(person=w.wang)
    assert post(client, f"/api/persons/{w.zhang.pk}/memberships/{other.pk}/end",
                {"on": "2024-06-30"}).status_code == 404


@pytest.mark.django_db
def test_death_then_survivors(w):
    client = login(w.bureau)
    early = post(client, f"/api/persons/{w.zhang.pk}/survivors", {"name": "王芳", "relation": "配偶"})
    assert early.status_code == 422

    died = post(client, f"/api/persons/{w.zhang.pk}/death", {"died_on": "2024-02-10"})
    assert died.status_code == 200, died.content
    assert died.json()["status"] == PersonStatus.DECEASED
    assert died.json()["memberships"] == []

    survivor = post(client, f"/api/persons/{w.zhang.pk}/survivors",
                    {"name": "王芳", "relation": "配偶", "phone": "13700001111"})
    assert survivor.status_code == 201, survivor.content
    assert survivor.json()["phone_masked"] == "137****1111"
    assert "13700001111" not in client.get(f"/api/persons/{w.zhang.pk}?status=all").content.decode()
    assert client.get(f"/api/persons/{w.zhang.pk}").json()["survivors"][0]["name"] == "王芳"


@pytest.mark.django_db
def test_move_away(w):
    client = login(w.bureau)
    future = post(client, f"/api/persons/{w.wang.pk}/move-away", {"on": "2999-01-01", "moved_to": "南京"})
    assert future.status_code == 422 and fields_of(future) == {"on"}
    moved = post(client, f"/api/persons/{w.wang.pk}/move-away", {"on": "2024-05-01", "moved_to": "南京市鼓楼区"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "moved" and moved.json()["moved_to"] == "南京市鼓楼区"


@pytest.mark.django_db
def test_reveal_is_logged(w):
    client = login(w.worker)
    response = post(client, f"/api/persons/{w.zhang.pk}/reveal", {"field": "id_number", "reason": "办理体检"})
    assert response.status_code == 200
    assert response.json() == {"value": w.zhang.id_number}
    assert response["Cache-Control"] == "no-store"
    entry = AccessLog.objects.get()
    assert (entry.user, entry.person, entry.field, entry.reason) == (w.worker, w.zhang, "id_number", "办理体检")

    no_reason = post(client, f"/api/persons/{w.zhang.pk}/reveal", {"field": "id_number", "reason": " "})
    assert no_reason.status_code == 422 and fields_of(no_reason) == {"reason"}
    assert AccessLog.objects.count() == 1


# --- organisations -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_org_list_and_filters(w):
    client = login(w.bureau)
    body = client.get("/api/orgs").json()
    assert body["count"] == 7
    by_name = {o["name"]: o for o in body["items"]}
    assert by_name[w.branch.name]["parent_id"] == w.street_org.pk
    assert by_name[w.root.name]["parent_id"] is None

    def names(query):
        response = client.get("/api/orgs?" + query)
        assert response.status_code == 200, response.content
        return {o["name"] for o in response.json()["items"]}

    assert names("establishment=informal") == {w.functional.name}
    assert names("kind=gongwei") == {w.root.name}
    assert names("location_type=senior_univ") == {w.functional.name}
    assert names("q=河东") == {w.other_branch.name}
    assert names("active=no") == set()

    worker = login(w.secretary).get("/api/orgs").json()
    assert worker["count"] == 1
    # The parent lies outside the worker's scope: its id is not given away.
    assert worker["items"][0]["parent_id"] is None


@pytest.mark.django_db
def test_org_detail_totals_members_and_404(w):
    client = login(w.bureau)
    response = client.get(f"/api/orgs/{w.root.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["totals"]["primary"] == 3
    assert {c["id"] for c in body["children"]} == {w.street_org.pk, w.other_street_org.pk, w.functional.pk}
    assert sum(k["n"] for k in body["totals"]["orgs"]) == 6
    branch = client.get(f"/api/orgs/{w.branch.pk}").json()
    assert branch["parent_id"] == w.street_org.pk and branch["region_name"] == "新东社区"

    members = client.get(f"/api/orgs/{w.branch.pk}/members").json()
    assert members["count"] == 1
    assert members["items"][0]["person"]["id_number_masked"] == idnumber.mask(w.zhang.id_number)

    worker = login(w.worker)
    assert worker.get(f"/api/orgs/{w.other_branch.pk}").status_code == 404
    assert worker.get(f"/api/orgs/{w.other_branch.pk}/members").status_code == 404
    assert patch(worker, f"/api/orgs/{w.other_branch.pk}", {"brand": "x"}).status_code == 404
    assert post(worker, f"/api/orgs/{w.other_branch.pk}/dissolve", {"on": "2024-01-01",
                                                                      "reason": "x"}).status_code == 404


@pytest.mark.django_db
def test_org_create_update_move_dissolve(w):
    client = login(w.bureau)
    created = post(client, "/api/orgs", {"parent": w.root.pk, "name": "海州区老干部党总支", "kind": "zongzhi",
                                         "location_type": "agency", "brand": "夕阳红"})
    assert created.status_code == 201, created.content
    zongzhi = created.json()
    assert zongzhi["parent_id"] == w.root.pk and zongzhi["collects_dues"] is True

    functional = post(client, "/api/orgs", {"parent": w.root.pk, "name": "书画院临时党支部", "kind": "zhibu",
                                            "establishment": "temporary", "formation": "joint",
                                            "location_type": "senior_org"})
    assert functional.status_code == 201, functional.content
    assert functional.json()["collects_dues"] is False

    too_high = post(client, "/api/orgs", {"parent": w.branch.pk, "name": "错位党委", "kind": "dangwei",
                                          "location_type": "agency"})
    assert too_high.status_code == 422 and fields_of(too_high) == {"kind"}
    bad_kind = post(client, "/api/orgs", {"parent": w.root.pk, "name": "x", "kind": "nonsense",
                                          "location_type": "agency"})
    assert bad_kind.status_code == 422 and fields_of(bad_kind) == {"kind"}

    updated = patch(client, f"/api/orgs/{w.branch.pk}", {"brand": "红色管家", "unit": w.unit.pk})
    assert updated.status_code == 200, updated.content
    assert updated.json()["brand"] == "红色管家" and updated.json()["unit_name"] == "区教育局"

    moved = post(client, f"/api/orgs/{w.branch.pk}/move", {"parent": zongzhi["id"]})
    assert moved.status_code == 200, moved.content
    assert moved.json()["parent_id"] == zongzhi["id"]
    under_itself = post(client, f"/api/orgs/{zongzhi['id']}/move", {"parent": w.branch.pk})
    assert under_itself.status_code == 422

    with_members = post(client, f"/api/orgs/{w.branch.pk}/dissolve", {"on": "2024-12-31", "reason": "合并"})
    assert with_members.status_code == 422
    dissolved = post(client, f"/api/orgs/{functional.json()['id']}/dissolve",
                     {"on": "2024-12-31", "reason": "活动结束"})
    assert dissolved.status_code == 200, dissolved.content
    assert dissolved.json()["dissolved_on"] == "2024-12-31"


@pytest.mark.django_db
def test_org_writes_need_an_editor_and_a_top_org_needs_the_bureau(w):
    secretary = login(w.secretary)
    assert secretary.get(f"/api/orgs/{w.branch.pk}").status_code == 200
    assert patch(secretary, f"/api/orgs/{w.branch.pk}", {"brand": "x"}).status_code == 403
    top = post(login(w.worker), "/api/orgs", {"name": "新党委", "kind": "dangwei", "location_type": "agency"})
    assert top.status_code == 422 and fields_of(top) == {"parent"}


# --- regions and units ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_regions(w):
    client = login(w.bureau)
    roots = client.get("/api/regions").json()
    assert [r["name"] for r in roots["items"]] == ["金秋区"]
    children = client.get(f"/api/regions?parent={w.street.pk}").json()
    assert {r["name"] for r in children["items"]} == {"新东社区", "新西社区"}
    assert {r["parent_id"] for r in children["items"]} == {w.street.pk}
    assert client.get(f"/api/regions/{w.community.pk}").json()["level"] == "community"
    assert client.get("/api/regions/999999").status_code == 404

    created = post(client, "/api/regions", {"parent": w.street.pk, "name": "西盐河社区", "level": "community",
                                            "code": "320706001"})
    assert created.status_code == 201, created.content
    region = created.json()
    renamed = patch(client, f"/api/regions/{region['id']}", {"name": "西盐河社区居委会"})
    assert renamed.status_code == 200 and renamed.json()["code"] == "320706001"
    wrong_level = post(client, "/api/regions", {"parent": w.community.pk, "name": "x", "level": "street"})
    assert wrong_level.status_code == 422 and fields_of(wrong_level) == {"level"}

    street2 = region_services.region_create(actor=None, parent=w.district, name="海宁街道", level="street")
    moved = post(client, f"/api/regions/{region['id']}/move", {"parent": street2.pk})
    assert moved.status_code == 200 and moved.json()["parent_id"] == street2.pk
    assert post(client, f"/api/regions/{w.street.pk}/move", {"parent": w.community.pk}).status_code == 422

    worker = login(w.worker)
    assert worker.get("/api/regions").status_code == 200
    assert post(worker, "/api/regions", {"name": "x", "level": "district"}).status_code == 403
    assert patch(worker, f"/api/regions/{w.street.pk}", {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_units(w):
    client = login(w.bureau)
    body = client.get("/api/units").json()
    assert body["count"] == 1
    unit = body["items"][0]
    assert (unit["name"], unit["retirees"], unit["has_party_org"]) == ("区教育局", 1, False)

    created = post(client, "/api/units", {"name": "区财政局", "kind": "agency", "region": w.district.pk})
    assert created.status_code == 201, created.content
    assert created.json()["retirees"] == 0
    duplicate = post(client, "/api/units", {"name": "区财政局", "kind": "agency"})
    assert duplicate.status_code == 422 and fields_of(duplicate) == {"name"}

    updated = patch(client, f"/api/units/{created.json()['id']}", {"parent": w.unit.pk, "note": "合署办公"})
    assert updated.status_code == 200, updated.content
    assert updated.json()["parent_name"] == "区教育局"
    assert patch(client, f"/api/units/{w.unit.pk}", {"parent": created.json()["id"]}).status_code == 422

    assert {u["name"] for u in client.get("/api/units?q=财政").json()["items"]} == {"区财政局"}
    assert client.get("/api/units?has_org=yes").json()["count"] == 0
    assert client.get(f"/api/units?region={w.district.pk}").json()["count"] == 2
    assert client.get(f"/api/units/{w.unit.pk}").json()["retirees"] == 1

    # Retirees outside the user's scope are not counted.
    people_services.person_update(actor=None, person=w.wang, fields={"original_unit": w.unit})
    assert client.get(f"/api/units/{w.unit.pk}").json()["retirees"] == 2
    assert login(w.worker).get(f"/api/units/{w.unit.pk}").json()["retirees"] == 1

    secretary = login(w.secretary)
    assert secretary.get("/api/units").status_code == 200
    assert post(secretary, "/api/units", {"name": "x", "kind": "agency"}).status_code == 403
    assert patch(secretary, f"/api/units/{w.unit.pk}", {"note": "x"}).status_code == 403


# --- schema --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_lists_the_operations():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "金秋 API" and schema["info"]["version"] == "1"
    paths = schema["paths"]
    for path in ("/api/persons", "/api/persons/{person_id}", "/api/persons/{person_id}/transfer",
                 "/api/persons/{person_id}/memberships/{membership_id}/end", "/api/persons/{person_id}/reveal",
                 "/api/orgs", "/api/orgs/{org_id}/dissolve", "/api/orgs/{org_id}/members", "/api/units/{unit_id}",
                 "/api/regions", "/api/regions/{region_id}/move"):
        assert path in paths, path
    assert set(paths["/api/persons"]) == {"get", "post"}
    assert "BearerToken" in schema["components"]["securitySchemes"]
    person = schema["components"]["schemas"]["PersonDetailOut"]["properties"]
    assert "id_number_masked" in person and "id_number" not in person and "mobile" not in person
