"""Scope matrix entries for the care pages of campaigns, organisation visits, requests and call terminals
(care/views/campaigns.py, requests.py and devices.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.matrix import (
    BUREAU_READ,
    SEES_WANG,
    SEES_ZHANG,
    STAFF,
    Case,
    on_org,
    on_person,
)

READERS = {"bureau", "street", "secretary", "pair", "leader"}  # staff who see 张三
VISITORS = {"bureau", "street", "secretary", "pair"}  # care.permissions.VISIT_ROLES
MANAGERS = {"bureau", "street"}
# A campaign over the street's 党总支 (its members and organisations): everyone whose scope reaches one of
# its targets sees it; the neighbouring branch's secretary sees 李四 and their branch.
SEES_STREET_CAMPAIGN = {"bureau", "street", "secretary", "pair", "member", "neighbor", "leader"}
CAMPAIGN_READERS = SEES_STREET_CAMPAIGN & STAFF


def campaign_obj(w, root_attr: str):
    from jinqiu.care import services
    from jinqiu.care.models import Campaign

    root = getattr(w, root_attr)
    name = f"矩阵走访 {root.name}"
    found = Campaign.objects.filter(name=name).first()
    if found is None:
        today = timezone.localdate()
        found = services.campaign_create(actor=w.users["bureau"], fields={
            "name": name, "kind": "spring", "starts_on": today - timedelta(days=5),
            "ends_on": today + timedelta(days=20), "root_org": root, "include_orgs": True})
    return found


def _campaign(root_attr: str):
    return lambda w: {"pk": campaign_obj(w, root_attr).pk}


def _assign_data(w):
    target = campaign_obj(w, "street_org").targets.get(person=w.zhang)
    return {"targets": [str(target.pk)], "assignee": str(w.users["pair"].pk)}


def request_obj(w, person):
    """A 信访 request received two days ago: to accept or refuse."""
    from jinqiu.care import services
    from jinqiu.care.models import Request

    found = Request.objects.filter(person=person, summary="矩阵诉求").first()
    if found is None:
        found = services.request_create(actor=w.users["bureau"], person=person, fields={
            "source": "petition", "category": "housing", "summary": "矩阵诉求",
            "received_on": timezone.localdate() - timedelta(days=2)})
    return found


def _request(person_attr: str, action: str | None = None):
    def kwargs(w):
        found = request_obj(w, getattr(w, person_attr))
        return {"pk": found.pk, "action": action} if action else {"pk": found.pk}
    return kwargs


def _device(person_attr: str):
    def kwargs(w):
        from jinqiu.care import services
        from jinqiu.care.models import Device

        person = getattr(w, person_attr)
        device = Device.objects.filter(person=person).first()
        if device is None:
            device, _token = services.device_register(actor=w.users["bureau"], person=person, name="卧室呼叫器")
        return {"pk": device.pk}
    return kwargs


def _on_campaign(allowed_in, allowed_out, **kw) -> Case:
    return Case(set(allowed_in), set(allowed_out), _campaign("street_org"), _campaign("other_street_org"),
                sees_in=SEES_STREET_CAMPAIGN, sees_out=BUREAU_READ, **kw)


def _on_zhang(allowed_in, allowed_out, inside, outside, **kw) -> Case:
    return Case(set(allowed_in), set(allowed_out), inside, outside, sees_in=SEES_ZHANG, sees_out=SEES_WANG, **kw)


def _new_campaign(w):
    today = timezone.localdate()
    return {"name": "矩阵新走访", "kind": "summer", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(), "root_org": str(w.branch.pk)}


MATRIX: dict[str, Case] = {
    "care:campaigns": Case(STAFF),
    "care:campaign_create": Case(MANAGERS, data=_new_campaign),
    "care:campaign": _on_campaign(CAMPAIGN_READERS, BUREAU_READ),
    "care:campaign_edit": _on_campaign(MANAGERS, {"bureau"}, data={"name": "矩阵走访（改）"}),
    "care:campaign_refresh": _on_campaign(MANAGERS, {"bureau"}, method="post"),
    "care:campaign_assign": _on_campaign(MANAGERS, {"bureau"}, method="post", data=_assign_data),
    "care:campaign_export": _on_campaign(CAMPAIGN_READERS, BUREAU_READ),
    # The pair contact sees 张三 but no organisation: the branch is out of their scope (404).
    "care:org_visit_create": on_org(VISITORS - {"pair"}, {"bureau"}),
    "care:requests": Case(STAFF),
    "care:request_export": Case(STAFF),
    "care:request_create": on_person(VISITORS, data={"source": "phone", "category": "housing",
                                                     "summary": "屋顶漏水"}),
    "care:request": _on_zhang(READERS, BUREAU_READ, _request("zhang"), _request("wang")),
    "care:request_act": _on_zhang(MANAGERS, {"bureau"}, _request("zhang", "accept"), _request("wang", "accept"),
                                  method="post"),
    "care:devices": Case(STAFF),
    "care:device_register": on_person(MANAGERS, data={"name": "客厅呼叫器"}),
    "care:device_revoke": _on_zhang(MANAGERS, {"bureau"}, _device("zhang"), _device("wang")),
}

