"""Demo units and party organisations: the 区直机关 and street units, the 党工委 → 党总支 → 党支部 → 党小组 tree with
functional branches, and their officers."""

from __future__ import annotations

from datetime import date, timedelta

from jinqiu.demo.base import (
    AGENCY_TEMPLATES,
    BRANCH_AGENCIES,
    BRANDS,
    BUREAU_TEMPLATE,
    GROUP_NAMES,
    INSTITUTION_TEMPLATES,
    OLD_UNIT_TEMPLATES,
    SOE_TEMPLATES,
    District,
    Node,
    _root_org_name,
    _save_tree,
)
from jinqiu.organizations.models import (
    Establishment,
    Formation,
    LocationType,
    OrgKind,
    PartyOrg,
    Unit,
    UnitKind,
)
from jinqiu.people.models import (
    Gender,
    OfficerRole,
    OfficerTerm,
)
from jinqiu.regions.models import Region, RegionLevel


class OrganizationsDemo:
    """Mixed into the demo builder; shares its state (`self.draw`, `self.count`, `self.scale`, ...)."""

    def _units(self, d: District) -> None:
        rng = self.draw.rng
        units: list[Unit] = []

        def unit(name: str, kind: str, region: Region, **extra) -> Unit:
            u = Unit(name=name, kind=kind, region=region, **extra)
            units.append(u)
            return u

        for template in AGENCY_TEMPLATES:
            u = unit(template.format(d=d.name), UnitKind.AGENCY, d.region)
            d.agencies.append(u)
            if template == BUREAU_TEMPLATE:
                d.bureau = u
        for template in INSTITUTION_TEMPLATES:
            d.institutions.append(unit(template.format(d=d.name), UnitKind.INSTITUTION, d.region))
        for template in SOE_TEMPLATES[: 3 + rng.randrange(2)]:
            d.soes.append(unit(template.format(d=d.name), UnitKind.STATE_ENTERPRISE, d.region))
        for template, note in OLD_UNIT_TEMPLATES:
            d.old_units.append(unit(template.format(d=d.name), UnitKind.AGENCY, d.region, is_active=False,
                                    note=note))
        for street in d.streets:
            suffix = "办事处" if street.level == RegionLevel.STREET else "人民政府"
            d.street_units.append(unit(f"{d.name}{street.name}{suffix}", UnitKind.TOWN, street))
        Unit.objects.bulk_create(units)
        seniors = [
            Unit(name=f"{d.name}老年大学", kind=UnitKind.SENIOR_UNIVERSITY, region=d.region, parent=d.bureau),
            Unit(name=f"{d.name}老年协会", kind=UnitKind.SENIOR_ORG, region=d.region),
            Unit(name=f"{d.name}关心下一代工作委员会", kind=UnitKind.SENIOR_ORG, region=d.region, parent=d.bureau),
        ]
        Unit.objects.bulk_create(seniors)
        d.senior_units = seniors

    def _orgs(self, d: District) -> None:
        draw, rng = self.draw, self.draw.rng
        as_of = self.as_of

        def org(name, kind, location, *, unit=None, region=None, establishment=Establishment.FORMAL,
                formation="", founded=None, brand="", features=""):
            return PartyOrg(
                name=name, kind=kind, establishment=establishment, formation=formation, location_type=location,
                unit=unit, region=region, collects_dues=establishment == Establishment.FORMAL, brand=brand,
                features=features,
                founded_on=founded or draw.day_between(date(2006, 1, 1), date(2016, 12, 31)),
            )

        root = Node(org(_root_org_name(d.name), OrgKind.WORKING_COMMITTEE, LocationType.AGENCY,
                        unit=d.bureau, region=d.region, founded=date(2004, 7, 1)))
        street_nodes = []
        for i, street in enumerate(d.streets):
            street_nodes.append(root.add(org(
                f"{street.name}离退休干部党总支", OrgKind.GENERAL_BRANCH, LocationType.TOWN,
                unit=d.street_units[i], region=street, founded=draw.day_between(date(2005, 1, 1), date(2010, 12, 31)),
            )))
        branch_nodes = []
        group_nodes: list[tuple[int, Node]] = []
        for ci, community in enumerate(d.communities):
            brand, features = BRANDS.get(community.region.name, ("", ""))
            bnode = street_nodes[community.street_index].add(org(
                f"{community.region.name}离退休干部党支部", OrgKind.BRANCH, LocationType.COMMUNITY,
                unit=d.street_units[community.street_index], region=community.region, brand=brand,
                features=features,
            ))
            branch_nodes.append(bnode)
            if rng.random() < 0.4:
                for group_name in GROUP_NAMES[: rng.randint(2, 3)]:
                    group_nodes.append((ci, bnode.add(org(
                        group_name, OrgKind.GROUP, LocationType.COMMUNITY, unit=bnode.obj.unit,
                        region=community.region, founded=bnode.obj.founded_on,
                    ))))
        agency_nodes = []
        for agency in d.agencies[:BRANCH_AGENCIES]:
            agency_nodes.append((agency, root.add(org(
                f"{agency.name}离退休干部党支部", OrgKind.BRANCH, LocationType.AGENCY, unit=agency, region=d.region,
                founded=draw.day_between(date(2017, 1, 1), date(2021, 12, 31)),
            ))))
        univ, assoc, guangong = d.senior_units
        functional_specs = [
            (f"{d.name}老年大学功能型党支部", Formation.STANDALONE, LocationType.SENIOR_UNIVERSITY, univ, 35),
            (f"{d.name}老年协会功能型党支部", Formation.ATTACHED, LocationType.SENIOR_ORG, assoc, 20),
            (f"{d.name}关工委五老宣讲团功能型党支部", Formation.JOINT, LocationType.SENIOR_ORG, guangong, 15),
            (f"{d.name}老干部书画院功能型党支部", Formation.ATTACHED, LocationType.SENIOR_ORG, assoc, 10),
        ]
        functional_nodes = []
        for name, formation, location, unit, weight in functional_specs:
            functional_nodes.append((weight, root.add(org(
                name, OrgKind.BRANCH, location, unit=unit, region=d.region, establishment=Establishment.FUNCTIONAL,
                formation=formation, founded=draw.day_between(date(2017, 1, 1), date(2022, 12, 31)),
            ))))
        univ_node = functional_nodes[0][1]
        fgroup_nodes = [univ_node.add(org(
            name, OrgKind.GROUP, LocationType.SENIOR_UNIVERSITY, unit=univ, region=d.region,
            establishment=Establishment.FUNCTIONAL, formation=Formation.ATTACHED, founded=univ_node.obj.founded_on,
        )) for name in ("书画班功能型党小组", "太极拳班功能型党小组")]
        street_functional_nodes = []
        for i in (0, 5):
            if i >= len(d.streets):
                continue
            street = d.streets[i]
            name = "洪门社区老干部说唱团功能型党支部" if street.name == "洪门街道" else f"{street.name}门球队功能型党支部"
            street_functional_nodes.append((i, street_nodes[i].add(org(
                name, OrgKind.BRANCH, LocationType.TOWN, unit=d.street_units[i], region=street,
                establishment=Establishment.FUNCTIONAL, formation=Formation.JOINT,
                founded=draw.day_between(date(2018, 1, 1), date(2023, 12, 31)),
            ))))
        temporary_node = root.add(org(
            f"{d.name}离退休干部赴沂蒙老区参观考察临时党支部", OrgKind.BRANCH, LocationType.SENIOR_ORG,
            unit=d.bureau, region=d.region, establishment=Establishment.TEMPORARY, formation=Formation.STANDALONE,
            founded=as_of - timedelta(days=60 + rng.randrange(90)),
        ))
        _save_tree(PartyOrg, [root], first_root_position=self.org_root_positions[root.obj.name])
        d.root_org = root.obj
        self.district_roots.append(root.obj)
        d.street_orgs = [n.obj for n in street_nodes]
        for community, bnode in zip(d.communities, branch_nodes, strict=True):
            community.branch = bnode.obj
        for ci, gnode in group_nodes:
            d.groups.setdefault(d.communities[ci].branch.pk, []).append(gnode.obj)
        d.agency_branches = {agency.pk: n.obj for agency, n in agency_nodes}
        d.functional = [n.obj for _w, n in functional_nodes]
        d.functional_weights = [float(w) for w, _n in functional_nodes]
        d.functional_groups = [n.obj for n in fgroup_nodes]
        d.street_functional = {i: n.obj for i, n in street_functional_nodes}
        d.temporary = temporary_node.obj

    def _nonformal(self, d: District, street_functional: PartyOrg | None) -> list[PartyOrg]:
        orgs = [*d.functional, *d.functional_groups, d.temporary]
        if street_functional is not None:
            orgs.append(street_functional)
        return orgs

    def _officers(self, d: District) -> None:
        draw, rng, as_of = self.draw, self.draw.rng, self.as_of
        terms: list[OfficerTerm] = []

        def term(org, role, *, person=None, name="", in_service=False, start=None, end=None):
            start = start or draw.day_between(as_of - timedelta(days=5 * 365), as_of - timedelta(days=30))
            if org.founded_on:
                start = max(start, org.founded_on)
            terms.append(OfficerTerm(org=org, role=role, person=person, name="" if person else name,
                                     in_service=in_service, started_on=start, ended_on=end))
            return start

        # 党工委: the bureau's own cadres, in service.
        term(d.root_org, OfficerRole.SECRETARY, name=draw.other_name(Gender.MALE), in_service=True)
        term(d.root_org, OfficerRole.DEPUTY, name=draw.other_name(), in_service=True)
        branch_orgs: list[PartyOrg] = [c.branch for c in d.communities]
        branch_orgs += list(d.agency_branches.values()) + list(d.functional) + list(d.street_functional.values())
        branch_orgs.append(d.temporary)
        for i, street_org in enumerate(d.street_orgs):
            pool = [p for c in d.communities if c.street_index == i for p in d.candidates.get(c.branch.pk, [])[:1]]
            if pool and rng.random() < 0.6:
                term(street_org, OfficerRole.SECRETARY, person=rng.choice(pool))
            else:
                term(street_org, OfficerRole.SECRETARY, name=draw.other_name(), in_service=True)
            if pool:
                term(street_org, OfficerRole.MEMBER, person=pool[-1])
        for org in branch_orgs:
            picks = d.candidates.get(org.pk, [])
            secretary_start = None
            if picks and rng.random() >= 0.1:
                secretary_start = term(org, OfficerRole.SECRETARY, person=picks[0])
            else:
                # 在职党员兼任: seed 002 names it as a weakness; the diagnostics find these.
                secretary_start = term(org, OfficerRole.SECRETARY, name=draw.other_name(), in_service=True)
            if rng.random() < 0.2 and org.founded_on and secretary_start - org.founded_on > timedelta(days=400):
                # The previous secretary, an in-service cadre, before a retired member took over.
                term(org, OfficerRole.SECRETARY, name=draw.other_name(), in_service=True,
                     start=org.founded_on, end=secretary_start)
            if len(picks) > 1 and rng.random() < 0.6:
                term(org, OfficerRole.DEPUTY, person=picks[1])
            if len(picks) > 2 and rng.random() < 0.7:
                term(org, OfficerRole.MEMBER, person=picks[2])
            if len(picks) > 3 and rng.random() < 0.5:
                term(org, OfficerRole.LIAISON, person=picks[3])
            for group in d.groups.get(org.pk, []):
                group_picks = d.candidates.get(group.pk, [])
                if group_picks:
                    term(group, OfficerRole.GROUP_LEADER, person=group_picks[0])
        for group in d.functional_groups:
            group_picks = d.candidates.get(group.pk, [])
            if group_picks:
                term(group, OfficerRole.GROUP_LEADER, person=group_picks[0])
        OfficerTerm.objects.bulk_create(terms, batch_size=1000)
        self.count.officer_terms += len(terms)
        if self.first is not d:
            d.candidates.clear()
