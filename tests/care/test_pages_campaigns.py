"""The pages of campaigns, organisation visits, requests and call terminals, as their users use them."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jinqiu.accounts.models import AccessLog
from jinqiu.care import services
from jinqiu.care.models import Campaign, CampaignTarget, Device, Request, Visit
from jinqiu.people import services as people_services
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def login(client, world, persona):
    client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")


def spring(world, root, **fields):
    today = timezone.localdate()
    return services.campaign_create(actor=world.users["bureau"], fields={
        "name": "春节走访慰问", "kind": "spring", "starts_on": today - timedelta(days=5),
        "ends_on": today + timedelta(days=20), "root_org": root, **fields})


def sheet_text(response) -> str:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


# Campaigns --------------------------------------------------------------------------------------------------

def test_create_a_campaign_from_the_page_once(world, client):
    login(client, world, "street")
    url = reverse("care:campaign_create")
    page = client.get(url)
    token = page.context["form"]["once"].value()
    today = timezone.localdate()
    data = {"name": "高温慰问", "kind": "summer", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=10)).isoformat(), "root_org": world.street_org.pk, "once": token}
    first = client.post(url, data)
    again = client.post(url, data)  # back and submit again
    campaign = Campaign.objects.get(name="高温慰问")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("care:campaign", kwargs={"pk": campaign.pk})
    assert Campaign.objects.filter(name="高温慰问").count() == 1
    assert sorted(campaign.targets.values_list("person__name", flat=True)) == ["张三", "李四"]


def test_a_root_outside_the_scope_is_refused(world, client):
    login(client, world, "street")
    today = timezone.localdate()
    response = client.post(reverse("care:campaign_create"), {
        "name": "越界", "kind": "summer", "starts_on": today.isoformat(), "ends_on": today.isoformat(),
        "root_org": world.other_street_org.pk})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Campaign.objects.filter(name="越界").exists()


def test_coverage_for_the_bureau_and_for_the_street(world, client):
    campaign = spring(world, world.root)
    services.visit_record(actor=world.users["bureau"], person=world.wang,
                          fields={"visited_at": timezone.now() - timedelta(hours=1)})
    url = reverse("care:campaign", kwargs={"pk": campaign.pk})

    login(client, world, "bureau")
    page = client.get(url)
    assert (page.context["whole"].total, page.context["whole"].reached) == (3, 1)
    streets = {street.name: (street.total, street.reached) for street, _c in page.context["streets"]}
    assert streets == {"新浦街道": (2, 0), "浦西街道": (1, 1)}
    assert "33.3%" in page.content.decode()

    login(client, world, "street")
    page = client.get(url)
    html = page.content.decode()
    assert (page.context["whole"].total, page.context["whole"].reached) == (2, 0)
    assert [street.name for street, _c in page.context["streets"]] == ["新浦街道"]
    communities = {c.name for _s, cs in page.context["streets"] for c in cs}
    assert communities == {"新东社区", "新西社区"}
    assert "浦西街道" not in html and "王五" not in html and "河东社区" not in html
    assert {t.person.name for t in page.context["page"]} == {"张三", "李四"}


def test_a_subtree_counts_a_person_in_two_branches_once(world, client):
    # A functional branch in the street: 张三 takes part there too (三不转), their relation stays in the branch.
    reading = make_org("新浦街道读书会功能型党支部", "zhibu", world.street_org, establishment="functional",
                       formation="standalone", location_type="senior_univ", region=world.community2)
    people_services.membership_join(actor=None, person=world.zhang, org=reading,
                                    on=timezone.localdate() - timedelta(days=30))
    campaign = spring(world, world.street_org)
    assert campaign.targets.filter(person=world.zhang).count() == 1
    login(client, world, "street")
    page = client.get(reverse("care:campaign", kwargs={"pk": campaign.pk}))
    assert page.context["whole"].total == 2
    assert [t.person.name for t in page.context["page"]].count("张三") == 1


def test_a_person_who_dies_leaves_the_target(world, client):
    campaign = spring(world, world.street_org)
    url = reverse("care:campaign", kwargs={"pk": campaign.pk})
    login(client, world, "street")
    assert client.get(url).context["whole"].total == 2
    people_services.person_record_death(actor=world.users["street"], person=world.li,
                                        died_on=timezone.localdate() - timedelta(days=1))
    client.post(reverse("care:campaign_refresh", kwargs={"pk": campaign.pk}))  # nothing more to withdraw
    page = client.get(url)
    assert (page.context["whole"].total, page.context["withdrawn"]) == (1, 1)
    assert [t.person.name for t in page.context["page"]] == ["张三"]
    target = CampaignTarget.objects.get(campaign=campaign, person=world.li)
    assert target.withdrawn_because == "died"
    text = sheet_text(client.get(reverse("care:campaign_export", kwargs={"pk": campaign.pk})))
    assert "李四" in text and "去世" in text


def test_a_visit_to_an_organisation_reaches_it(world, client):
    campaign = spring(world, world.street_org, include_orgs=True)
    login(client, world, "secretary")
    url = reverse("care:org_visit_create", kwargs={"pk": world.branch.pk})
    page = client.get(url)
    assert "money" not in page.context["form"].fields  # amounts: care duties only
    response = client.post(url, {
        "visited_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "kind": "home",
        "gifts": "慰问品", "once": page.context["form"]["once"].value()})
    visit = Visit.objects.get(org=world.branch)
    assert response.status_code == 302 and response["Location"] == reverse("care:visit", kwargs={"pk": visit.pk})
    assert CampaignTarget.objects.get(campaign=campaign, org=world.branch).reached_on == timezone.localdate()


def test_bulk_assign_and_filters(world, client):
    campaign = spring(world, world.street_org)
    zhang = campaign.targets.get(person=world.zhang)
    li = campaign.targets.get(person=world.li)
    login(client, world, "street")
    url = reverse("care:campaign", kwargs={"pk": campaign.pk})
    page = client.get(url, {"region": world.community.pk})
    assert [t.person.name for t in page.context["page"]] == ["张三"]
    response = client.post(reverse("care:campaign_assign", kwargs={"pk": campaign.pk}), {
        "targets": [zhang.pk, li.pk], "assignee": world.users["pair"].pk, "region": str(world.community.pk)})
    assert response["Location"] == f"{url}?region={world.community.pk}"
    zhang.refresh_from_db()
    li.refresh_from_db()
    # The pair contact sees 张三 only: 李四 is left unassigned, and the page says so.
    assert zhang.assignee == world.users["pair"] and li.assignee is None
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("1" in m and "看不到" in m for m in messages)
    page = client.get(url, {"assignee": "none"})
    assert [t.person.name for t in page.context["page"]] == ["李四"]
    page = client.get(url, {"assignee": str(world.users["pair"].pk)})
    assert [t.person.name for t in page.context["page"]] == ["张三"]


def test_export_is_in_the_access_log_and_holds_only_the_scope(world, client):
    campaign = spring(world, world.root)
    login(client, world, "street")
    response = client.get(reverse("care:campaign_export", kwargs={"pk": campaign.pk}))
    text = sheet_text(response)
    assert "张三" in text and "李四" in text and "王五" not in text
    log = AccessLog.objects.get(user=world.users["street"])
    assert log.action == "export" and "春节走访慰问" in log.detail


def test_campaign_scope_then_role(world, client):
    inside = spring(world, world.street_org)
    outside = spring(world, world.other_street_org)
    login(client, world, "street")
    assert client.get(reverse("care:campaign", kwargs={"pk": outside.pk})).status_code == 404
    assert client.post(reverse("care:campaign_refresh", kwargs={"pk": outside.pk})).status_code == 404
    login(client, world, "secretary")
    assert client.get(reverse("care:campaign", kwargs={"pk": inside.pk})).status_code == 200
    assert client.post(reverse("care:campaign_refresh", kwargs={"pk": inside.pk})).status_code == 403
    assert client.get(reverse("care:campaign_edit", kwargs={"pk": inside.pk})).status_code == 403
    login(client, world, "member")
    assert client.get(reverse("care:campaigns")).status_code == 403


# Requests ---------------------------------------------------------------------------------------------------

def act(client, r, action, **data):
    return client.post(reverse("care:request_act", kwargs={"pk": r.pk, "action": action}), data)


def messages_of(client, r) -> list[str]:
    return [str(m) for m in client.get(reverse("care:request", kwargs={"pk": r.pk})).context["messages"]]


def test_a_request_moves_through_every_status_by_the_pages(world, client):
    login(client, world, "street")
    url = reverse("care:request_create", kwargs={"pk": world.zhang.pk})
    page = client.get(url)
    response = client.post(url, {"source": "petition", "category": "housing", "summary": "屋顶漏水",
                                 "received_on": timezone.localdate().isoformat(),
                                 "once": page.context["form"]["once"].value()})
    r = Request.objects.get(person=world.zhang)
    assert response["Location"] == reverse("care:request", kwargs={"pk": r.pk})
    assert r.status == "received" and r.accept_by == timezone.localdate() + timedelta(days=15)

    # A refused move: a request not yet concluded cannot be followed up; the page says why, in Chinese.
    act(client, r, "follow_up", satisfaction="satisfied")
    r.refresh_from_db()
    assert r.status == "received"
    assert any("不能" in m or "无法" in m for m in messages_of(client, r)), messages_of(client, r)

    steps = [("accept", {}, "accepted"), ("assign", {"assignee": world.users["pair"].pk}, "in_progress"),
             ("extend", {"reason": "需协调住建部门"}, "in_progress"),
             ("conclude", {"outcome": "已维修"}, "concluded"), ("follow_up", {"satisfaction": "satisfied"},
                                                                  "followed_up")]
    for action, data, status in steps:
        assert act(client, r, action, **data).status_code == 302
        r.refresh_from_db()
        assert r.status == status, action
    assert r.extended and r.assignee == world.users["pair"] and r.satisfaction == "satisfied"
    page = client.get(reverse("care:request", kwargs={"pk": r.pk}))
    assert page.context["moves"] == set()
    html = page.content.decode()
    assert "需协调住建部门" in html and "已维修" in html
    assert len(page.context["history"]) >= 5  # every move is in the history

    # Extended once only.
    other = services.request_create(actor=world.users["street"], person=world.zhang, fields={
        "source": "petition", "category": "policy", "summary": "政策咨询"})
    act(client, other, "reject")
    other.refresh_from_db()
    assert other.status == "received"  # no reason: refused
    act(client, other, "reject", reason="不属于受理范围")
    other.refresh_from_db()
    assert other.status == "rejected"


def test_request_list_urgent_first_with_overdue_badge(world, client):
    bureau = world.users["bureau"]
    old = services.request_create(actor=bureau, person=world.zhang, fields={
        "source": "phone", "category": "other", "summary": "旧事",
        "received_on": timezone.localdate() - timedelta(days=40)})
    urgent = services.request_create(actor=bureau, person=world.li, fields={
        "source": "phone", "category": "medical", "summary": "急事", "urgent": True})
    services.request_create(actor=bureau, person=world.wang, fields={
        "source": "phone", "category": "other", "summary": "别处"})
    login(client, world, "street")
    page = client.get(reverse("care:requests"))
    rows = list(page.context["page"])
    assert [r.pk for r in rows] == [urgent.pk, old.pk]  # urgent first; 王五 is out of the street's scope
    assert [r.overdue for r in rows] == [False, True]
    page = client.get(reverse("care:requests"), {"state": "overdue"})
    assert [r.pk for r in page.context["page"]] == [old.pk]
    text = sheet_text(client.get(reverse("care:request_export"), {"state": "open"}))
    assert "急事" in text and "旧事" in text and "别处" not in text


def test_request_scope_then_role(world, client):
    mine = services.request_create(actor=world.users["bureau"], person=world.zhang, fields={
        "source": "petition", "category": "other", "summary": "事"})
    theirs = services.request_create(actor=world.users["bureau"], person=world.wang, fields={
        "source": "petition", "category": "other", "summary": "事"})
    login(client, world, "pair")
    assert client.get(reverse("care:request", kwargs={"pk": theirs.pk})).status_code == 404
    assert act(client, theirs, "accept").status_code == 404
    assert client.get(reverse("care:request", kwargs={"pk": mine.pk})).status_code == 200
    assert act(client, mine, "accept").status_code == 403
    login(client, world, "street")
    assert act(client, mine, "nonsense").status_code == 404
    mine.refresh_from_db()
    assert mine.status == "received"


# Terminals --------------------------------------------------------------------------------------------------

def test_the_token_is_shown_once(world, client):
    login(client, world, "street")
    url = reverse("care:device_register", kwargs={"pk": world.zhang.pk})
    response = client.post(url, {"name": "卧室呼叫器"})
    token = response.context["token"]
    device = Device.objects.get(person=world.zhang)
    assert token in response.content.decode() and response["Cache-Control"] == "no-store"
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert services.device_for_token(token) == device
    assert token not in client.get(url).content.decode()
    listing = client.get(reverse("care:devices")).content.decode()
    assert token not in listing and "卧室呼叫器" in listing and device.token_hint in listing


def test_revoke_a_terminal(world, client):
    device, token = services.device_register(actor=world.users["bureau"], person=world.zhang, name="客厅")
    other, _t = services.device_register(actor=world.users["bureau"], person=world.wang, name="客厅")
    login(client, world, "street")
    assert client.get(reverse("care:device_revoke", kwargs={"pk": other.pk})).status_code == 404
    login(client, world, "pair")
    assert client.post(reverse("care:device_revoke", kwargs={"pk": device.pk})).status_code == 403
    login(client, world, "street")
    url = reverse("care:device_revoke", kwargs={"pk": device.pk})
    assert client.get(url).status_code == 200
    assert client.post(url)["Location"] == reverse("care:devices")
    device.refresh_from_db()
    assert device.revoked_on is not None and services.device_for_token(token) is None


# Query counts: the pages do not grow with their rows ---------------------------------------------------------

def _queries(client, url, **params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_campaign_page_and_request_list_do_not_grow_with_their_rows(world, client):
    from tests.factories import make_person

    campaign = spring(world, world.street_org, include_orgs=True)
    login(client, world, "street")
    url = reverse("care:campaign", kwargs={"pk": campaign.pk})
    few = _queries(client, url)
    services.request_create(actor=world.users["street"], person=world.zhang, fields={
        "source": "phone", "category": "other", "summary": "事"})
    requests_few = _queries(client, reverse("care:requests"))
    for i in range(12):
        person = make_person(f"新人{i}", region=world.community2 if i % 2 else world.community,
                             org=world.neighbor_branch if i % 2 else world.branch)
        services.request_create(actor=world.users["street"], person=person, fields={
            "source": "phone", "category": "other", "summary": f"事{i}"})
    client.post(reverse("care:campaign_refresh", kwargs={"pk": campaign.pk}))
    assert campaign.targets.count() == 2 + 12 + 3
    assert _queries(client, url) == few
    assert _queries(client, reverse("care:requests")) == requests_few
