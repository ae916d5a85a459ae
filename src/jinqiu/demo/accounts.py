"""Demo accounts: one per persona, all with DEMO_PASSWORD."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from jinqiu.accounts import services as account_services
from jinqiu.accounts.models import Role, User, UserRole
from jinqiu.demo.base import (
    DEMO_PASSWORD,
    DemoError,
    District,
)
from jinqiu.organizations.models import (
    PartyOrg,
)
from jinqiu.people.models import (
    MembershipKind,
    OfficerTerm,
    Person,
    PersonStatus,
)

ACCOUNTS = [
    ("bureau", Role.BUREAU), ("street", Role.STREET), ("secretary", Role.SECRETARY), ("neighbor", Role.SECRETARY),
    ("pair", Role.PAIR_CONTACT), ("member", Role.MEMBER), ("leader", Role.LEADER), ("sysadmin", Role.SYSADMIN),
    ("secadmin", Role.SECADMIN), ("auditor", Role.AUDITOR),
]

class AccountsDemo:
    """Mixed into the demo builder; shares its state (`self.draw`, `self.count`, `self.scale`, ...)."""

    def _accounts(self) -> None:
        d = self.first
        assert d is not None
        self.say("demo accounts")
        hashed = make_password(DEMO_PASSWORD)
        street = d.streets[0]
        street_org = d.street_orgs[0]
        branches = [c.branch for c in d.communities if c.street_index == 0]
        own_branch, other_branch = branches[0], branches[1]
        region_roots = self.city_roots or [d.region]
        party_roots = self.district_roots
        whole = "、".join(r.name for r in region_roots)
        member_person = self._member_person(d, own_branch)

        def create(username, role, display, scopes=(), person=None):
            account_services.check_roles([role])
            user = User(username=username, display_name=display, person=person)
            validate_password(DEMO_PASSWORD, user)
            user.password = hashed  # one hash for all: PBKDF2 ten times over would only slow the build
            user.full_clean(exclude=["password"])
            user.save()
            UserRole.objects.create(user=user, role=role)
            for node in scopes:
                account_services.scope_add(actor=None, user=user, node=node)
            return user

        roots_label = "、".join(o.name for o in party_roots[:2]) + ("等" if len(party_roots) > 2 else "")
        create("bureau", Role.BUREAU, "局机关 王科长", [*region_roots, *party_roots])
        self.accounts.append(("bureau", str(Role.BUREAU.label), f"全部:{whole} 行政区划 + {roots_label}"))
        create("street", Role.STREET, f"{street.name} 李干事", [street, street_org])
        self.accounts.append(("street", str(Role.STREET.label), f"{street.name}的居民 + {street_org.name}"))
        create("secretary", Role.SECRETARY, f"{own_branch.name}书记", [own_branch])
        with_groups = "(含党小组)" if d.groups.get(own_branch.pk) else ""
        self.accounts.append(("secretary", str(Role.SECRETARY.label), f"{own_branch.name}{with_groups}的党员"))
        create("neighbor", Role.SECRETARY, f"{other_branch.name}书记", [other_branch])
        self.accounts.append(("neighbor", str(Role.SECRETARY.label),
                              f"{other_branch.name}:看不到{own_branch.name}的人"))
        pair = create("pair", Role.PAIR_CONTACT, "结对联系人 赵大姐")
        for person in d.pair_candidates[:5]:
            account_services.pairing_create(actor=None, contact=pair, person=person,
                                            started_on=self.as_of - timedelta(days=90))
        self.accounts.append(("pair", str(Role.PAIR_CONTACT.label),
                              f"结对的{len(d.pair_candidates[:5])}位独居/空巢老同志({street.name})"))
        create("member", Role.MEMBER, member_person.name, person=member_person)
        self.accounts.append(("member", str(Role.MEMBER.label), f"只看自己:{member_person.name}({own_branch.name})"))
        create("leader", Role.LEADER, "分管领导 陈主任", list(region_roots))
        self.accounts.append(("leader", str(Role.LEADER.label), f"{whole}全域,只读"))
        for username, role, display in (("sysadmin", Role.SYSADMIN, "系统管理员"),
                                        ("secadmin", Role.SECADMIN, "安全管理员"),
                                        ("auditor", Role.AUDITOR, "审计管理员")):
            create(username, role, display)
            self.accounts.append((username, str(role.label), "无个人数据(三权分立)"))

    def _member_person(self, d: District, branch: PartyOrg) -> Person:
        officers = set(OfficerTerm.objects.filter(person__isnull=False).values_list("person_id", flat=True))
        branch_orgs = [branch, *d.groups.get(branch.pk, [])]
        picks = [p for o in branch_orgs for p in d.candidates.get(o.pk, [])]
        for person in picks:
            if person.pk not in officers:
                return person
        person = (Person.objects.filter(
            status=PersonStatus.ACTIVE, is_party_member=True, memberships__kind=MembershipKind.PRIMARY,
            memberships__ended_on__isnull=True, memberships__org__in=branch_orgs,
        ).exclude(pk__in=officers).order_by("pk").first())
        if person is None:
            raise DemoError(f"No party member on the register in {branch.name} for the member account.")
        return person
