"""API operations of persons, organisations, units and regions in the scope matrix (tests/api/test_api_matrix.py).

Keys are "METHOD /api/path" as in the OpenAPI schema. Bodies are valid: an allowed persona's write goes
through, so a refused one would have written if the check were missing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tests.factories import World, make_org, make_person, new_id
from tests.matrix import (
    BUREAU_READ,
    EDITORS,
    SEES_BRANCH,
    SEES_OTHER_BRANCH,
    SEES_OTHER_STREET_ORG,
    SEES_STREET_ORG,
    SEES_STRUCTURE,
    SEES_WANG,
    SEES_ZHANG,
    STAFF,
    Op,
)

READERS_OF_ZHANG = {"bureau", "street", "secretary", "pair", "leader"}
ORG_READERS = {"bureau", "street", "secretary", "leader"}
# A small group (党小组) with no members under each branch: what can be moved and dissolved.
SEES_GROUP = SEES_BRANCH
SEES_OTHER_GROUP = SEES_OTHER_BRANCH
# A deceased member of each branch: survivors (遗属) are added to the dead. The pair contact and the
# member do not see them.
SEES_DEAD = {"bureau", "street", "secretary", "leader"}


def days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def _p(key):
    return lambda w: {"person_id": getattr(w, key).pk}


def group(w: World, branch: str) -> int:
    """An empty 党小组 under the branch (made once per test)."""
    from jinqiu.organizations.models import PartyOrg

    parent = getattr(w, branch)
    found = PartyOrg.objects.filter(name=f"{parent.name}矩阵党小组").first()
    return (found or make_org(f"{parent.name}矩阵党小组", "xiaozu", parent, region=parent.region)).pk


def functional_in_street(w: World) -> int:
    """A functional branch the street worker sees (the world's own hangs under the 党工委)."""
    from jinqiu.organizations.models import PartyOrg

    found = PartyOrg.objects.filter(name="新浦街道银发宣讲团功能型党支部").first()
    return (found or make_org("新浦街道银发宣讲团功能型党支部", "zhibu", w.street_org, establishment="functional",
                              formation="standalone", location_type="senior_org", region=w.street)).pk


def participation(key: str):
    """A participating membership (which can be ended) of 张三 or 王五 in a functional branch."""

    def kwargs(w: World):
        from jinqiu.organizations.models import PartyOrg
        from jinqiu.people import services
        from jinqiu.people.models import Membership

        p = getattr(w, key)
        m = Membership.objects.filter(person=p, kind="participating", ended_on__isnull=True).first()
        if m is None:
            org = PartyOrg.objects.get(pk=functional_in_street(w)) if key == "zhang" else w.functional
            m = services.membership_join(actor=None, person=p, org=org, on=date(2020, 1, 1))
        return {"person_id": p.pk, "membership_id": m.pk}

    return kwargs


def deceased(branch: str):
    def kwargs(w: World):
        from jinqiu.people import services
        from jinqiu.people.models import Person

        org = getattr(w, branch)
        name = "钱七" if branch == "branch" else "孙八"
        p = Person.objects.filter(name=name).first()
        if p is None:
            p = make_person(name, region=org.region, org=org, birth=date(1930, 2, 2))
            services.person_record_death(actor=None, person=p, died_on=date(2024, 1, 5))
        return {"person_id": p.pk}

    return kwargs


def new_person(w: World, side: str) -> dict:
    org, region = (w.branch, w.community) if side == "in" else (w.other_branch, w.other_community)
    return {"id_number": new_id(date(1953, 4, 4)), "name": "矩阵新人", "retirement_type": "tuixiu",
            "region": region.pk, "is_party_member": True, "joined_party_on": "1978-07-01", "org": org.pk,
            "relation_since": days_ago(400)}


def new_org(w: World, side: str) -> dict:
    parent = w.street_org if side == "in" else w.other_street_org
    return {"parent": parent.pk, "name": "矩阵新党支部", "kind": "zhibu", "location_type": "community"}


def _org_query(w: World, side: str) -> dict:
    return {"org": (w.branch if side == "in" else w.other_branch).pk}


OPERATIONS: dict[str, Op] = {
    # --- persons ---
    "GET /api/persons": Op(STAFF, query=_org_query, refs=(SEES_BRANCH, SEES_OTHER_BRANCH)),
    "POST /api/persons": Op(EDITORS, body=new_person, refs=(SEES_BRANCH, SEES_OTHER_BRANCH)),
    "GET /api/persons/{person_id}": Op(READERS_OF_ZHANG, BUREAU_READ, _p("zhang"), _p("wang"),
                                       sees_in=SEES_ZHANG, sees_out=SEES_WANG),
    "PATCH /api/persons/{person_id}": Op(EDITORS, {"bureau"}, _p("zhang"), _p("wang"), body={"skills": "书法"},
                                         sees_in=SEES_ZHANG, sees_out=SEES_WANG),
    "POST /api/persons/{person_id}/transfer": Op(
        EDITORS, {"bureau"}, _p("zhang"), _p("wang"), sees_in=SEES_ZHANG, sees_out=SEES_WANG,
        body=lambda w, side: {"org": w.neighbor_branch.pk, "on": days_ago(30)}),
    "POST /api/persons/{person_id}/join": Op(
        EDITORS, {"bureau"}, _p("zhang"), _p("wang"), sees_in=SEES_ZHANG, sees_out=SEES_WANG,
        body=lambda w, side: {"org": functional_in_street(w), "on": days_ago(30)}),
    "POST /api/persons/{person_id}/memberships/{membership_id}/end": Op(
        EDITORS, {"bureau"}, participation("zhang"), participation("wang"), sees_in=SEES_ZHANG, sees_out=SEES_WANG,
        body=lambda w, side: {"on": days_ago(10), "reason": "身体原因"}),
    "POST /api/persons/{person_id}/death": Op(EDITORS, {"bureau"}, _p("zhang"), _p("wang"), sees_in=SEES_ZHANG,
                                              sees_out=SEES_WANG, body=lambda w, side: {"died_on": days_ago(3)}),
    "POST /api/persons/{person_id}/move-away": Op(
        EDITORS, {"bureau"}, _p("zhang"), _p("wang"), sees_in=SEES_ZHANG, sees_out=SEES_WANG,
        body=lambda w, side: {"on": days_ago(3), "moved_to": "南京市鼓楼区"}),
    "POST /api/persons/{person_id}/survivors": Op(
        EDITORS, {"bureau"}, deceased("branch"), deceased("other_branch"), sees_in=SEES_DEAD, sees_out=SEES_WANG,
        body={"name": "王芳", "relation": "配偶", "phone": "13700001111"}),
    "POST /api/persons/{person_id}/reveal": Op(EDITORS, {"bureau"}, _p("zhang"), _p("wang"), sees_in=SEES_ZHANG,
                                               sees_out=SEES_WANG, body={"field": "mobile", "reason": "电话回访"}),
    # --- party organisations ---
    "GET /api/orgs": Op(STAFF),
    "POST /api/orgs": Op(EDITORS, body=new_org, refs=(SEES_STREET_ORG, SEES_OTHER_STREET_ORG)),
    "GET /api/orgs/{org_id}": Op(ORG_READERS, BUREAU_READ, lambda w: {"org_id": w.branch.pk},
                                 lambda w: {"org_id": w.other_branch.pk}, sees_in=SEES_BRANCH,
                                 sees_out=SEES_OTHER_BRANCH),
    "PATCH /api/orgs/{org_id}": Op(EDITORS, {"bureau"}, lambda w: {"org_id": w.branch.pk},
                                   lambda w: {"org_id": w.other_branch.pk}, body={"brand": "红色管家"},
                                   sees_in=SEES_BRANCH, sees_out=SEES_OTHER_BRANCH),
    "POST /api/orgs/{org_id}/move": Op(EDITORS, {"bureau"}, lambda w: {"org_id": group(w, "branch")},
                                       lambda w: {"org_id": group(w, "other_branch")},
                                       body=lambda w, side: {"parent": w.neighbor_branch.pk},
                                       sees_in=SEES_GROUP, sees_out=SEES_OTHER_GROUP),
    "POST /api/orgs/{org_id}/dissolve": Op(EDITORS, {"bureau"}, lambda w: {"org_id": group(w, "branch")},
                                           lambda w: {"org_id": group(w, "other_branch")},
                                           body=lambda w, side: {"on": days_ago(2), "reason": "合并"},
                                           sees_in=SEES_GROUP, sees_out=SEES_OTHER_GROUP),
    "GET /api/orgs/{org_id}/members": Op(ORG_READERS, BUREAU_READ, lambda w: {"org_id": w.branch.pk},
                                         lambda w: {"org_id": w.other_branch.pk}, sees_in=SEES_BRANCH,
                                         sees_out=SEES_OTHER_BRANCH),
    # --- units: reference data, one unit for both sides ---
    "GET /api/units": Op(STAFF),
    "POST /api/units": Op({"bureau"}, body={"name": "矩阵单位", "kind": "agency"}),
    "GET /api/units/{unit_id}": Op(STAFF, STAFF, lambda w: {"unit_id": w.unit.pk}, lambda w: {"unit_id": w.unit.pk},
                                   sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "PATCH /api/units/{unit_id}": Op({"bureau"}, {"bureau"}, lambda w: {"unit_id": w.unit.pk},
                                     lambda w: {"unit_id": w.unit.pk}, body={"note": "合署办公"},
                                     sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    # --- regions: reference data ---
    "GET /api/regions": Op(STAFF),
    "POST /api/regions": Op({"bureau"}, body=lambda w, side: {"parent": w.street.pk, "name": "矩阵社区",
                                                              "level": "community"}),
    "GET /api/regions/{region_id}": Op(STAFF, STAFF, lambda w: {"region_id": w.community.pk},
                                       lambda w: {"region_id": w.other_community.pk},
                                       sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "PATCH /api/regions/{region_id}": Op({"bureau"}, {"bureau"}, lambda w: {"region_id": w.community.pk},
                                         lambda w: {"region_id": w.other_community.pk}, body={"name": "矩阵改名社区"},
                                         sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "POST /api/regions/{region_id}/move": Op({"bureau"}, {"bureau"}, lambda w: {"region_id": w.community.pk},
                                             lambda w: {"region_id": w.other_community.pk},
                                             body=lambda w, side: {"parent": w.other_street.pk if side == "in"
                                                                   else w.street.pk},
                                             sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
}
