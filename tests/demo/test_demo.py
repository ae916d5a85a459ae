"""The demo builder: deterministic, consistent with the services' rules, and every persona can log in."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from auditlog.context import disable_auditlog
from django.core.management import call_command
from django.db.models import Count, Q
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from jinqiu.accounts.models import ADMIN_ROLES, Pairing, Role, User
from jinqiu.care.models import Campaign
from jinqiu.core import crypto, idnumber, text
from jinqiu.demo.builder import ACCOUNTS, DEMO_PASSWORD, DemoError, build
from jinqiu.organizations.models import ORG_KIND_RANK, Establishment, OrgKind, PartyOrg, Unit
from jinqiu.orglife.models import Meeting
from jinqiu.people.models import (
    Membership,
    MembershipKind,
    OfficerTerm,
    Person,
    PersonStatus,
    RetirementType,
)
from jinqiu.people.services import END_TRANSFER
from jinqiu.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(fast_hasher):
    return build(scale="tiny", seed=1)


def _snapshot() -> dict:
    persons = list(Person.objects.order_by("pk").select_related("region"))
    return {
        "persons": [(p.name, p.id_number, p.id_number_masked, p.birth_date, p.gender, p.region.name if p.region else "",
                     p.is_party_member, p.status, p.mobile, p.address, p.original_unit_name, p.search_text)
                    for p in persons],
        "orgs": list(PartyOrg.objects.order_by("path").values_list("path", "name", "kind", "establishment")),
        "regions": list(Region.objects.order_by("path").values_list("path", "name", "code")),
        "memberships": list(Membership.objects.order_by("pk").values_list(
            "person__name", "kind", "org__name", "outside_org_name", "started_on", "ended_on")),
        "officers": list(OfficerTerm.objects.order_by("pk").values_list(
            "org__name", "role", "person__name", "name", "in_service", "started_on")),
    }


def _wipe() -> None:
    with disable_auditlog():
        Meeting.objects.all().delete()  # organisational life protects the persons and organisations it names
        Campaign.objects.all().delete()  # care campaigns protect the regions they cover
        User.objects.all().delete()
        OfficerTerm.objects.all().delete()
        Membership.objects.all().delete()
        Person.objects.all().delete()
        PartyOrg.objects.all().delete()
        Unit.objects.filter(parent__isnull=False).delete()
        Unit.objects.all().delete()
        Region.objects.all().delete()


def test_same_seed_gives_the_same_data(fast_hasher):
    first = build(scale="tiny", seed=7)
    before = _snapshot()
    assert len(before["persons"]) == 200
    _wipe()
    second = build(scale="tiny", seed=7)
    after = _snapshot()
    assert after["persons"][:50] == before["persons"][:50]
    assert after == before
    assert first["accounts"] == second["accounts"]
    assert first["counts"] == second["counts"]


def test_another_seed_gives_other_people(fast_hasher):
    build(scale="tiny", seed=1)
    one = [p[:2] for p in _snapshot()["persons"][:50]]
    _wipe()
    build(scale="tiny", seed=2)
    two = [p[:2] for p in _snapshot()["persons"][:50]]
    assert one != two


def test_refuses_a_database_with_persons(demo):
    with pytest.raises(DemoError, match="persons"):
        build(scale="tiny", seed=1)


def test_every_id_number_parses_and_agrees(demo):
    today = timezone.localdate()
    for person in Person.objects.all():
        info = idnumber.parse(person.id_number)
        assert info.number == person.id_number and len(person.id_number) == 18
        assert info.birth_date == person.birth_date
        assert info.gender == person.gender
        assert person.id_number_masked == idnumber.mask(info.number)
        assert person.id_number_index == crypto.blind_index(info.number)
        assert person.search_text == text.search_text(person.name, [info.number[-4:]])
        assert 60 <= person.age(today) <= 102
    assert Person.objects.values("id_number_index").distinct().count() == Person.objects.count()


def test_persons_pass_model_validation(demo):
    for person in Person.objects.all():
        person.full_clean(exclude=["id_number_enc", "id_number_index", "id_number_masked", "search_text"])
    for membership in Membership.objects.all():
        membership.full_clean()
    for term in OfficerTerm.objects.all():
        term.full_clean()


def test_about_seventy_percent_are_party_members(demo):
    share = Person.objects.filter(is_party_member=True).count() / Person.objects.count()
    assert 0.6 <= share <= 0.8


def test_lixiu_cadres_are_all_over_ninety(demo):
    today = timezone.localdate()
    lixiu = list(Person.objects.filter(retirement_type=RetirementType.LIXIU))
    assert lixiu
    assert all(p.age(today) > 90 and p.birth_date < date(1932, 1, 1) for p in lixiu)


def test_membership_rules_hold(demo):
    active_primary = Membership.objects.filter(kind=MembershipKind.PRIMARY, ended_on__isnull=True)
    doubled = active_primary.values("person").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubled.exists()
    assert not active_primary.filter(org__isnull=False).exclude(org__establishment=Establishment.FORMAL).exists()
    assert not Membership.objects.filter(kind=MembershipKind.PARTICIPATING,
                                         org__establishment=Establishment.FORMAL).exists()
    # Only party members have memberships; those off the register have none active.
    assert not Membership.objects.filter(person__is_party_member=False).exists()
    assert not Membership.objects.filter(ended_on__isnull=True).exclude(person__status=PersonStatus.ACTIVE).exists()
    assert Person.objects.filter(status=PersonStatus.DECEASED, died_on__isnull=False).exists()
    # 待落实: active party members without an active primary membership.
    pending = Person.objects.filter(status=PersonStatus.ACTIVE, is_party_member=True).exclude(
        pk__in=active_primary.values("person_id"))
    assert pending.exists()
    assert active_primary.exclude(outside_org_name="").exists()
    assert Membership.objects.filter(kind=MembershipKind.PRIMARY, end_reason=END_TRANSFER).exists()


def test_most_members_hold_their_relation_in_their_community(demo):
    active_primary = Membership.objects.filter(kind=MembershipKind.PRIMARY, ended_on__isnull=True)
    in_community = active_primary.filter(org__location_type="community").count()
    assert in_community / active_primary.count() > 0.8


def test_functional_branches_have_participants_and_collect_no_dues(demo):
    nonformal = PartyOrg.objects.exclude(establishment=Establishment.FORMAL)
    assert nonformal.filter(establishment=Establishment.FUNCTIONAL, kind=OrgKind.BRANCH).count() >= 4
    assert nonformal.filter(establishment=Establishment.TEMPORARY).exists()
    for org in nonformal:
        assert org.collects_dues is False and org.formation, org.name
        assert Membership.objects.filter(org=org, kind=MembershipKind.PARTICIPATING,
                                         ended_on__isnull=True).exists(), org.name
    for org in PartyOrg.objects.all():
        org.full_clean()
    # 三不转: participants keep their relation elsewhere.
    participants = Membership.objects.filter(kind=MembershipKind.PARTICIPATING, ended_on__isnull=True)
    assert not Membership.objects.filter(person__in=participants.values("person_id"), org__in=nonformal,
                                         kind=MembershipKind.PRIMARY).exists()


def test_trees_are_sound(demo):
    for model in (Region, PartyOrg):
        problems = model.objects.find_problems()
        assert all(not p for p in problems), (model.__name__, problems)
    for org in PartyOrg.objects.all():
        parent = PartyOrg.objects.get_parent(org)
        if parent is not None:
            assert ORG_KIND_RANK[org.kind] > ORG_KIND_RANK[parent.kind], org.name
    assert PartyOrg.objects.filter(depth=1).count() == 1
    assert Region.objects.filter(depth=1).count() == 1
    # Only five agencies have a branch (seed 002), and some units have been abolished.
    assert PartyOrg.objects.filter(location_type="agency", kind=OrgKind.BRANCH).count() == 5
    assert Unit.objects.filter(kind="agency").count() >= 50
    assert Unit.objects.filter(is_active=False).exists()


def test_officers_include_in_service_secretaries(demo):
    secretaries = OfficerTerm.objects.filter(role="secretary", ended_on__isnull=True)
    assert secretaries.filter(in_service=True).exclude(name="").exists()
    assert secretaries.filter(person__isnull=False).count() > secretaries.filter(in_service=True).count()


def test_every_demo_account_logs_in_with_the_shared_password(demo):
    usernames = [u for u, _label, _scope in demo["accounts"]]
    assert usernames == [u for u, _role in ACCOUNTS]
    for username in usernames:
        client = Client()
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), username


def test_admin_roles_are_held_alone_and_personas_are_set_up(demo):
    for user in User.objects.filter(roles__role__in=ADMIN_ROLES):
        assert user.roles.count() == 1, user.username
        assert not user.scopes.exists()
    member = User.objects.get(username="member")
    secretary = User.objects.get(username="secretary")
    branch = secretary.scopes.get().org
    person = member.person
    assert person.is_party_member and person.status == PersonStatus.ACTIVE
    assert Membership.objects.filter(
        Q(org=branch) | Q(org__path__startswith=branch.path), person=person, kind=MembershipKind.PRIMARY,
        ended_on__isnull=True).exists()
    assert secretary.person_id is None
    neighbor = User.objects.get(username="neighbor").scopes.get().org
    assert neighbor != branch
    assert PartyOrg.objects.get_parent(neighbor) == PartyOrg.objects.get_parent(branch)
    pairings = Pairing.objects.filter(contact__username="pair", ended_on__isnull=True)
    assert pairings.count() == 5
    assert all(p.person.living in ("alone", "empty_nest") for p in pairings)
    assert User.objects.get(username="bureau").has_role(Role.BUREAU)
    assert User.objects.get(username="bureau").scopes.count() == 2


def test_command_if_empty(fast_hasher):
    out = StringIO()
    call_command("demo", "--scale", "tiny", "--if-empty", stdout=out)
    assert "Jinqiu@2026" in out.getvalue() and "secadmin" in out.getvalue()
    out = StringIO()
    call_command("demo", "--scale", "tiny", "--if-empty", stdout=out)
    assert "no demo data added" in out.getvalue()
