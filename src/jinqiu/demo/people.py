"""Demo persons: retired cadres with ID numbers, work history, memberships, participations and life events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from jinqiu.core import idnumber
from jinqiu.demo.base import (
    AGE_BANDS,
    BATCH_SIZE,
    ETHNICITIES,
    LIXIU_SHARE,
    MOVED_TO,
    NATIVE_PLACES,
    OLD_UNIT_TEXTS,
    OUTSIDE_ORG_NAMES,
    OUTSIDER_CODES,
    POSITIONS,
    RANKS,
    RELOCATED_TO,
    ROADS,
    SKILLS,
    Community,
    District,
    _clamp,
    _pick,
    _years_after,
)
from jinqiu.organizations.models import (
    Establishment,
    LocationType,
    OrgKind,
    PartyOrg,
    Unit,
)
from jinqiu.people.models import (
    Education,
    Gender,
    Health,
    Living,
    Membership,
    MembershipKind,
    Person,
    PersonStatus,
    RetirementType,
    Survivor,
)
from jinqiu.people.services import END_DEATH, END_MOVED, END_TRANSFER, refresh_search_text


class PeopleDemo:
    """Mixed into the demo builder; shares its state (`self.draw`, `self.count`, `self.scale`, ...)."""

    def _persons(self, d: District) -> None:
        local_used: set[int] = set()
        total = self.scale.persons
        done = 0
        for persons, memberships, survivors in self._batches(d, local_used):
            Person.objects.bulk_create(persons, batch_size=1000)
            Membership.objects.bulk_create(memberships, batch_size=2000)
            Survivor.objects.bulk_create(survivors, batch_size=1000)
            done += len(persons)
            self.say(f"{d.name}: {done}/{total} persons")

    def _batches(self, d: District, local_used: set[int]) -> Iterator[tuple[list, list, list]]:
        persons: list[Person] = []
        memberships: list[Membership] = []
        survivors: list[Survivor] = []
        for _i in range(self.scale.persons):
            person, person_memberships, person_survivors = self._person(d, local_used)
            persons.append(person)
            memberships.extend(person_memberships)
            survivors.extend(person_survivors)
            if len(persons) >= BATCH_SIZE:
                yield persons, memberships, survivors
                persons, memberships, survivors = [], [], []
        if persons:
            yield persons, memberships, survivors

    def _birth(self, lixiu: bool) -> date:
        rng, as_of = self.draw.rng, self.as_of
        if lixiu:
            # 离休: in the revolution before October 1949, so born before 1932; the oldest are about 101.
            year = rng.randint(max(1922, as_of.year - 101), 1931)
        else:
            low, high, _w = self.draw.weighted([((a, b, w), w) for a, b, w in AGE_BANDS])
            age = rng.randint(low, high)
            year = as_of.year - age - 1
        return date(year, 1, 1) + timedelta(days=rng.randrange(365))

    def _id_number(self, d: District, birth: date, gender: str, local_used: set[int]) -> idnumber.IdInfo:
        rng = self.draw.rng
        era15 = birth.year < 1940 and rng.random() < 0.2
        r = rng.random()
        if era15 or r < 0.68:
            code, used = d.code, local_used
        elif r < 0.85:
            code, used = d.abolished_code, local_used
        else:
            code, used = rng.choice(OUTSIDER_CODES), self.outsider_used
        while True:
            sequence = rng.randrange(1000)
            if era15:
                # An old 15-digit card: the number is converted to 18 characters on entry, as parse() does.
                if (sequence % 2 == 1) != (gender == Gender.MALE):
                    sequence = sequence + 1 if sequence % 2 == 0 else sequence - 1
                raw = f"{code}{birth:%y%m%d}{sequence:03d}"
                key = int(f"{code}{birth:%Y%m%d}{sequence:03d}")
            else:
                raw = idnumber.generate(region_code=code, birth_date=birth, sequence=sequence, gender=gender)
                key = int(raw[:17])
            if key not in used:
                used.add(key)
                return idnumber.parse(raw)

    def _person(self, d: District, local_used: set[int]) -> tuple[Person, list[Membership], list[Survivor]]:
        draw, rng, as_of, s = self.draw, self.draw.rng, self.as_of, self.scale
        gender = Gender.MALE if rng.random() < 0.62 else Gender.FEMALE
        lixiu = rng.random() < LIXIU_SHARE
        birth = self._birth(lixiu)
        info = self._id_number(d, birth, gender, local_used)
        surname, name = draw.person_name(info.gender)
        age = as_of.year - info.birth_date.year - 1
        community = d.communities[_pick(d.cum_weights, rng.random() * d.cum_weights[-1])]
        street_index = community.street_index

        person = Person(name=name, gender=info.gender, birth_date=info.birth_date)
        person.set_id_number(info)
        refresh_search_text(person, info.number)
        person.ethnicity = draw.weighted(ETHNICITIES)
        person.native_place = draw.weighted(NATIVE_PLACES)
        person.education = self._education(info.birth_date.year)

        # Work: original unit (linked for most, text for old units), rank, retirement.
        self._work(person, d, street_index, lixiu)
        if lixiu:
            person.retirement_type = RetirementType.LIXIU
            person.retirement_date = _clamp(
                _years_after(info.birth_date, 60 if info.gender == Gender.MALE else 55)
                + timedelta(days=rng.randrange(200)), date(1982, 1, 1), date(1995, 12, 31))
            person.treatment = rng.choice(["享受副处级待遇", "享受正处级待遇", "享受副厅级医疗待遇"])
        else:
            person.retirement_type = RetirementType.TUIXIU
            retire_age = 60 if info.gender == Gender.MALE or rng.random() < 0.3 else 55
            person.retirement_date = min(_years_after(info.birth_date, retire_age), as_of - timedelta(days=1))
            if person.rank in ("正科级", "副处级", "正处级") and rng.random() < 0.4:
                person.treatment = f"享受{person.rank}待遇"

        # Home.
        relocated = rng.random() < 0.02
        # 异地安置: settled elsewhere, still on their community's register (the community keeps their file).
        person.region = community.region
        if relocated:
            person.relocated = True
            person.relocated_place = rng.choice(RELOCATED_TO)
            person.address = f"{person.relocated_place}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        else:
            if community.village:
                person.address = f"{community.region.name}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
            else:
                person.address = (f"{rng.choice(community.roads)}{rng.randint(1, 300)}号"
                                  f"{rng.choice(community.estates)}{rng.randint(1, 30)}幢"
                                  f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室")
        if age < 90 or rng.random() < 0.6:
            person.mobile = draw.mobile()
        if rng.random() < 0.35:
            person.phone = draw.landline()
        relation = rng.choice(["儿子", "女儿", "儿子", "女儿", "配偶", "侄子"])
        contact_gender = Gender.MALE if relation in ("儿子", "侄子") else Gender.FEMALE
        if relation == "配偶":
            contact_gender = Gender.FEMALE if info.gender == Gender.MALE else Gender.MALE
        if relation in ("儿子", "女儿"):
            contact = surname + (draw.given_name(contact_gender) if s.light else
                                 (draw.fake.first_name_male() if contact_gender == Gender.MALE
                                  else draw.fake.first_name_female()))
        else:
            contact = draw.other_name(contact_gender) if not s.light else surname + draw.given_name(contact_gender)
        person.emergency_contact = f"{contact}({relation})"
        person.emergency_phone = draw.mobile()

        # Life: living, health, hardship, skills.
        old = age >= 80
        person.living = draw.weighted([
            (Living.ALONE, 12 if old else 6), (Living.EMPTY_NEST, 22), (Living.WITH_SPOUSE, 30 if old else 40),
            (Living.WITH_CHILDREN, 28 if old else 27), (Living.CARE_HOME, 8 if old else 2),
        ])
        person.health = draw.weighted([
            (Health.GOOD, 20 if old else 42), (Health.FAIR, 40), (Health.POOR, 25 if old else 13),
            (Health.BEDRIDDEN, 8 if old else 2), (Health.DISABLED, 7 if old else 1),
        ])
        person.hardship = rng.random() < 0.01
        if rng.random() < 0.45:
            person.skills = "、".join(rng.sample(SKILLS, rng.choice([1, 1, 2, 2, 3])))

        # Party.
        party = lixiu and rng.random() < 0.97 or (not lixiu and rng.random() < 0.69)
        if party:
            person.is_party_member = True
            if lixiu:
                low = max(_years_after(info.birth_date, 15), date(1937, 7, 7))
                person.joined_party_on = draw.day_between(low, max(low, date(1949, 9, 30)))
            else:
                low = _years_after(info.birth_date, 18)
                high = min(_years_after(info.birth_date, 45), person.retirement_date)
                person.joined_party_on = draw.day_between(low, max(low, high))
            person.full_member_on = _years_after(person.joined_party_on, 1)

        # Life events.
        end_cap = as_of
        p_death = 0.012 + (0.05 if age >= 85 else 0) + (0.08 if age >= 95 else 0)
        if rng.random() < p_death:
            person.status = PersonStatus.DECEASED
            person.died_on = draw.day_between(as_of - timedelta(days=3 * 365), as_of - timedelta(days=1))
            end_cap = person.died_on
        elif rng.random() < 0.01:
            person.status = PersonStatus.MOVED
            person.moved_on = draw.day_between(as_of - timedelta(days=4 * 365), as_of - timedelta(days=1))
            person.moved_to = rng.choice(MOVED_TO)
            end_cap = person.moved_on
        if person.retirement_date and person.retirement_date > end_cap:
            person.retirement_date = end_cap

        memberships = self._memberships(d, person, community, end_cap) if party else []
        survivors = []
        if person.status == PersonStatus.DECEASED and rng.random() < 0.6:
            spouse = rng.random() < 0.6
            survivor_gender = (Gender.FEMALE if info.gender == Gender.MALE else Gender.MALE) if spouse else None
            survivors.append(Survivor(
                person=person, name=draw.other_name(survivor_gender), relation="配偶" if spouse else "子女",
                phone=draw.mobile(), address=person.address if spouse else "",
            ))
        self._tally(person, memberships, survivors)
        self._remember(d, person, community, memberships, age)
        return person, memberships, survivors

    def _education(self, year: int) -> str:
        if year < 1940:
            pairs = [(Education.PRIMARY, 25), (Education.JUNIOR, 30), (Education.SENIOR, 20),
                     (Education.SECONDARY, 15), (Education.COLLEGE, 7), (Education.BACHELOR, 3)]
        elif year < 1955:
            pairs = [(Education.JUNIOR, 20), (Education.SENIOR, 30), (Education.SECONDARY, 20),
                     (Education.COLLEGE, 18), (Education.BACHELOR, 12)]
        else:
            pairs = [(Education.SENIOR, 15), (Education.SECONDARY, 15), (Education.COLLEGE, 30),
                     (Education.BACHELOR, 35), (Education.POSTGRAD, 5)]
        return self.draw.weighted(pairs)

    def _work(self, person: Person, d: District, street_index: int, lixiu: bool) -> None:
        draw, rng = self.draw, self.draw.rng
        kind = draw.weighted([("agency", 45), ("institution", 14), ("soe", 8), ("town", 15), ("old", 5),
                              ("text", 9), ("senior", 1), ("city", 3)])
        linked: Unit | None = None
        if kind == "agency":
            linked = rng.choice(d.agencies)
        elif kind == "institution":
            linked = rng.choice(d.institutions)
        elif kind == "soe":
            linked = rng.choice(d.soes)
        elif kind == "town":
            linked = d.street_units[street_index] if rng.random() < 0.7 else rng.choice(d.street_units)
        elif kind == "old":
            linked = rng.choice(d.old_units)
        elif kind == "senior":
            linked = d.senior_units[0]
        if linked is not None:
            person.original_unit = linked
            person.original_unit_name = linked.name
        elif kind == "text":
            person.original_unit_name = rng.choice(OLD_UNIT_TEXTS)
        else:
            person.original_unit_name = rng.choice(["连云港市财政局", "连云港市教育局", "连云港市供电公司",
                                                    "连云港市第一人民医院", "连云港市交通运输局"])
        # 管理服务单位: the original unit while it exists; otherwise the bureau.
        person.service_unit = linked if linked is not None and linked.is_active else d.bureau
        rank = draw.weighted(RANKS)
        if lixiu and rank in ("办事员", "科员"):
            rank = "副科级"
        person.rank = rank
        positions = POSITIONS.get(kind if kind in POSITIONS else "agency", POSITIONS["agency"])
        person.original_position = rng.choice(positions[rank])

    def _memberships(self, d: District, person: Person, community: Community, end_cap: date) -> list[Membership]:
        draw, rng, s = self.draw, self.draw.rng, self.scale
        ended = person.status != PersonStatus.ACTIVE
        reason = END_DEATH if person.status == PersonStatus.DECEASED else END_MOVED
        joined = person.full_member_on or person.joined_party_on
        result: list[Membership] = []
        r = rng.random()
        agency_branch = d.agency_branches.get(person.original_unit.pk) if person.original_unit else None
        org: PartyOrg | None = None
        outside = ""
        if r < s.pending:
            pass  # 待落实: a party member whose membership relation is not yet known
        elif r < s.pending + s.outside or (person.relocated and rng.random() < 0.6):
            outside = rng.choice(OUTSIDE_ORG_NAMES)
        elif agency_branch is not None and (person.relocated or rng.random() < 0.45):
            org = agency_branch
        elif not person.relocated:
            org = community.branch
            groups = d.groups.get(org.pk)
            if groups and rng.random() < 0.85:
                org = rng.choice(groups)
        else:
            outside = rng.choice(OUTSIDE_ORG_NAMES)
        if org is None and not outside:
            return result
        if org is not None:
            low = max(org.founded_on or joined, joined)
            start = draw.day_between(max(low, person.retirement_date or low), max(low, end_cap - timedelta(days=30)))
        else:
            start = draw.day_between(joined, max(joined, person.retirement_date or joined))
        start = min(start, end_cap)
        if org is not None and org.location_type == LocationType.COMMUNITY and rng.random() < 0.35 and start > joined:
            # History: the relation was at the original unit until it moved to the community (组织关系转接).
            previous = (f"{person.original_unit_name}党支部" if person.original_unit_name
                        else rng.choice(OUTSIDE_ORG_NAMES))
            result.append(Membership(person=person, kind=MembershipKind.PRIMARY, outside_org_name=previous[:120],
                                     started_on=joined, ended_on=start, end_reason=END_TRANSFER))
        result.append(Membership(
            person=person, kind=MembershipKind.PRIMARY, org=org, outside_org_name=outside, started_on=start,
            ended_on=max(end_cap, start) if ended else None, end_reason=reason if ended else "",
        ))
        # 三不转: taking part in a functional branch keeps the relation where it is.
        for target in self._participations(d, person, community):
            low = max(target.founded_on, start)
            on = draw.day_between(low, max(low, end_cap - timedelta(days=1)))
            result.append(Membership(
                person=person, kind=MembershipKind.PARTICIPATING, org=target, started_on=on,
                ended_on=max(end_cap, on) if ended else None, end_reason=reason if ended else "",
            ))
        return result

    def _participations(self, d: District, person: Person, community: Community) -> list[PartyOrg]:
        rng, s = self.draw.rng, self.scale
        if person.relocated:
            return []
        targets: list[PartyOrg] = []
        street_functional = d.street_functional.get(community.street_index)
        if person.status == PersonStatus.ACTIVE:
            # Every non-formal organisation first gets a couple of participants; then by chance.
            starving = [o for o in self._nonformal(d, street_functional) if d.participants.get(o.pk, 0) < 2]
            if starving:
                targets.append(starving[0])
            elif rng.random() < s.participation:
                pool = list(d.functional)
                weights = list(d.functional_weights)
                if street_functional is not None:
                    pool.append(street_functional)
                    weights.append(25.0)
                targets.append(rng.choices(pool, weights=weights)[0])
                if targets[0] == d.functional[0] and rng.random() < 0.5:
                    targets.append(rng.choice(d.functional_groups))
            if d.temporary not in targets and rng.random() < 0.003:
                targets.append(d.temporary)
        elif rng.random() < s.participation / 2:
            targets.append(rng.choice(d.functional))
        if person.status == PersonStatus.ACTIVE:
            for target in targets:
                d.participants[target.pk] = d.participants.get(target.pk, 0) + 1
        return targets

    def _tally(self, person: Person, memberships: list[Membership], survivors: list[Survivor]) -> None:
        c = self.count
        c.persons += 1
        c.party_members += person.is_party_member
        c.memberships += len(memberships)
        c.participating += sum(m.kind == MembershipKind.PARTICIPATING for m in memberships)
        c.survivors += len(survivors)
        if person.status == PersonStatus.DECEASED:
            c.deceased += 1
        elif person.status == PersonStatus.MOVED:
            c.moved += 1
        elif person.is_party_member and not any(
            m.kind == MembershipKind.PRIMARY and m.ended_on is None for m in memberships
        ):
            c.pending += 1

    def _remember(self, d: District, person: Person, community: Community, memberships: list[Membership],
                  age: int) -> None:
        """Keep a few persons per organisation for officers and personas; memory stays bounded."""
        if person.status != PersonStatus.ACTIVE:
            return
        fit = age <= 82 and person.health in (Health.GOOD, Health.FAIR)
        for m in memberships:
            if m.ended_on is None and m.org is not None and fit:
                picks = d.candidates.setdefault(m.org.pk, [])
                if len(picks) < 6:
                    picks.append(person)
                if m.org.kind == OrgKind.GROUP and m.org.establishment == Establishment.FORMAL:
                    # A group's members belong to the branch too (officers of the branch come from them).
                    branch_picks = d.candidates.setdefault(community.branch.pk, [])
                    if len(branch_picks) < 6:
                        branch_picks.append(person)
        if (self.first is d and community.street_index == 0 and not person.relocated
                and person.living in (Living.ALONE, Living.EMPTY_NEST) and len(d.pair_candidates) < 5):
            d.pair_candidates.append(person)
