"""A small named world for tests: two streets, four branches, a functional branch, and the personas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import count

from jinqiu.accounts import services as account_services
from jinqiu.accounts.models import Role, User
from jinqiu.core import idnumber
from jinqiu.organizations import services as org_services
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.people import services as people_services
from jinqiu.people.models import Person
from jinqiu.regions import services as region_services
from jinqiu.regions.models import Region

PASSWORD = "Jinqiu#2026pass"
_sequence = count(100, 2)


def new_id(birth: date, gender: str = "M", region_code: str = "320706") -> str:
    return idnumber.generate(region_code=region_code, birth_date=birth, sequence=next(_sequence) % 1000, gender=gender)


def make_person(name: str, *, birth=date(1950, 5, 1), gender="M", region=None, party=True, org=None,
                outside="", **fields) -> Person:
    data = {"name": name, "retirement_type": "tuixiu", "region": region, "is_party_member": party,
            "joined_party_on": date(1975, 7, 1) if party else None, **fields}
    return people_services.person_create(actor=None, id_number=fields.pop("id_number", None) or new_id(birth, gender),
                                         fields=data, org=org, outside_org_name=outside,
                                         relation_since=date(2015, 1, 1) if (org or outside) else None)


def make_org(name, kind, parent=None, **fields) -> PartyOrg:
    data = {"name": name, "kind": kind, "location_type": fields.pop("location_type", "community"), **fields}
    return org_services.org_create(actor=None, parent=parent, fields=data)


def make_user(username: str, roles, scopes=(), person=None) -> User:
    return account_services.user_create(actor=None, username=username, password=PASSWORD, roles=roles,
                                        display_name=username, person=person, scopes=scopes)


@dataclass
class World:
    district: Region
    street: Region
    other_street: Region
    community: Region
    community2: Region
    other_community: Region
    root: PartyOrg
    street_org: PartyOrg
    other_street_org: PartyOrg
    branch: PartyOrg
    neighbor_branch: PartyOrg
    other_branch: PartyOrg
    functional: PartyOrg
    unit: Unit
    zhang: Person  # in the branch, the member's own record
    li: Person  # in the neighbouring branch (same street)
    wang: Person  # in the other street: out of scope for the street worker
    zhao: Person  # not a party member, lives in the branch's community
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    district = region_services.region_create(actor=None, parent=None, name="金秋区", level="district", code="320706")
    street = region_services.region_create(actor=None, parent=district, name="新浦街道", level="street")
    other_street = region_services.region_create(actor=None, parent=district, name="浦西街道", level="street")
    community = region_services.region_create(actor=None, parent=street, name="新东社区", level="community")
    community2 = region_services.region_create(actor=None, parent=street, name="新西社区", level="community")
    other_community = region_services.region_create(actor=None, parent=other_street, name="河东社区",
                                                    level="community")
    unit = org_services.unit_create(actor=None, fields={"name": "区教育局", "kind": "agency", "region": district})
    root = make_org("区委老干部局离退休干部党工委", "gongwei", location_type="agency")
    street_org = make_org("新浦街道离退休干部党总支", "zongzhi", root, location_type="town", region=street)
    other_street_org = make_org("浦西街道离退休干部党总支", "zongzhi", root, location_type="town", region=other_street)
    branch = make_org("新东社区离退休干部党支部", "zhibu", street_org, region=community)
    neighbor_branch = make_org("新西社区离退休干部党支部", "zhibu", street_org, region=community2)
    other_branch = make_org("河东社区离退休干部党支部", "zhibu", other_street_org, region=other_community)
    functional = make_org("老年大学功能型党支部", "zhibu", root, establishment="functional", formation="standalone",
                          location_type="senior_univ")
    zhang = make_person("张三", region=community, org=branch, mobile="13812345678", original_unit=unit,
                        service_unit=unit, original_unit_name="区教育局")
    li = make_person("李四", region=community2, org=neighbor_branch, gender="F", birth=date(1940, 3, 3))
    wang = make_person("王五", region=other_community, org=other_branch, birth=date(1935, 1, 9))
    zhao = make_person("赵六", region=community, party=False, living="alone")
    world = World(district, street, other_street, community, community2, other_community, root, street_org,
                  other_street_org, branch, neighbor_branch, other_branch, functional, unit, zhang, li, wang, zhao)
    world.users = {
        "bureau": make_user("bureau", [Role.BUREAU], [district, root]),
        "street": make_user("street", [Role.STREET], [street, street_org]),
        "secretary": make_user("secretary", [Role.SECRETARY], [branch]),
        "pair": make_user("pair", [Role.PAIR_CONTACT]),
        "member": make_user("member", [Role.MEMBER], person=zhang),
        "neighbor": make_user("neighbor", [Role.SECRETARY], [neighbor_branch]),
        "sysadmin": make_user("sysadmin", [Role.SYSADMIN]),
        "secadmin": make_user("secadmin", [Role.SECADMIN]),
        "auditor": make_user("auditor", [Role.AUDITOR]),
        # 区领导: reads the whole district's pages and dashboards, writes nothing; the bureau's scopes.
        "leader": make_user("leader", [Role.LEADER], [district, root]),
    }
    account_services.pairing_create(actor=None, contact=world.users["pair"], person=zhang)
    return world
