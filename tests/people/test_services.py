"""Registering people and the membership rules, whatever screen or import calls them."""

import json
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from jinqiu.core import idnumber
from jinqiu.organizations import services as org_services
from jinqiu.organizations.models import PartyOrg
from jinqiu.people import services
from jinqiu.people.models import EndReason, Membership, MembershipKind, Person, PersonStatus, Survivor
from jinqiu.people.selectors import PersonFilters, filter_persons
from jinqiu.regions import services as region_services
from jinqiu.regions.models import Region
from tests.factories import make_org

_sequences = iter(range(0, 1000, 2))


def new_id(birth=date(1952, 8, 8), gender="M") -> str:
    return idnumber.generate(region_code="320708", birth_date=birth, sequence=next(_sequences) + (gender == "M"),
                             gender=gender)


def a_community() -> Region:
    """Somewhere to live: a person is saved only where someone can see them."""
    found = Region.objects.filter(level="community").first()
    if found is None:
        district = region_services.region_create(actor=None, parent=None, name="测试区", level="district",
                                                 code="320708")
        street = region_services.region_create(actor=None, parent=district, name="测试街道", level="street")
        found = region_services.region_create(actor=None, parent=street, name="测试社区", level="community")
    return found


def create(actor=None, id_number=None, **fields):
    if not {"region", "service_unit"} & fields.keys():
        fields["region"] = a_community()
    data = {"name": "钱七", "retirement_type": "tuixiu", **fields}
    return services.person_create(actor=actor, id_number=new_id() if id_number is None else id_number,
                                  fields=data)


def error_fields(exc: pytest.ExceptionInfo) -> set[str]:
    return set(exc.value.message_dict)


def all_messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(m for msgs in exc.value.message_dict.values() for m in msgs)


# Registering a person ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["11010519491231002", "110105194912310021", "110105194902300020", "abc", ""])
def test_bad_id_number_is_reported_on_the_id_field(db, bad):
    with pytest.raises(ValidationError) as exc:
        create(id_number=bad)
    assert error_fields(exc) == {"id_number"}
    assert not Person.objects.exists()


def test_duplicate_id_number_is_refused_without_naming_the_other_person(world):
    number = world.wang.id_number  # registered by someone else, outside the street worker's scope
    for typed in (number, number.lower(), f"{number[:6]} {number[6:]}", number[:6] + number[8:17]):
        with pytest.raises(ValidationError) as exc:
            create(actor=world.users["street"], id_number=typed, name="王小五")
        assert error_fields(exc) == {"id_number"}, typed
        assert "王五" not in all_messages(exc)
    assert not Person.objects.filter(name="王小五").exists()


def test_an_id_number_outside_the_actors_scope_gets_the_neutral_answer(world):
    """"已登记" tells that a number is on the register: said only where the record is in the actor's scope."""
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        create(actor=world.users["street"], id_number=world.wang.id_number, region=world.community)
    assert exc.value.message_dict == {"id_number": ["该身份证号不能由您导入，请联系区委老干部局"]}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        create(actor=world.users["street"], id_number=world.zhang.id_number, region=world.community)
    assert "已登记" in all_messages(exc)  # 张三 is the street's own
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.person_update(actor=world.users["street"], person=world.zhao, fields={},
                               id_number=world.wang.id_number)
    assert exc.value.message_dict == {"id_number": ["该身份证号不能由您导入，请联系区委老干部局"]}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        create(actor=None, id_number=world.wang.id_number)  # the system itself: as before
    assert "已登记" in all_messages(exc)


def test_a_person_nobody_could_see_is_not_saved(world):
    number = new_id()
    for actor in (None, world.users["bureau"]):
        with pytest.raises(ValidationError) as exc:
            services.person_create(actor=actor, id_number=number, fields={"name": "无处", "retirement_type": "tuixiu"})
        assert error_fields(exc) == {"region"} and "居住社区" in all_messages(exc)
        # A relation by name outside the system reaches no scope either.
        with pytest.raises(ValidationError):
            services.person_create(actor=actor, id_number=number, outside_org_name="外市某支部",
                                   fields={"name": "无处", "retirement_type": "tuixiu", "is_party_member": True,
                                           "joined_party_on": date(1975, 7, 1)})
    assert not Person.objects.filter(name="无处").exists()
    assert services.person_create(actor=None, id_number=number, fields={
        "name": "有处", "retirement_type": "tuixiu", "service_unit": world.unit}).pk


def test_a_person_outside_the_actors_scope_is_not_saved(world):
    street = world.users["street"]
    with pytest.raises(ValidationError) as exc:
        create(actor=street, name="别处", region=world.other_community)
    assert "管理范围" in all_messages(exc) or "scope" in all_messages(exc)
    with pytest.raises(ValidationError):
        services.person_create(actor=street, id_number=new_id(), org=world.other_branch, fields={
            "name": "别处", "retirement_type": "tuixiu", "is_party_member": True, "joined_party_on": date(1975, 7, 1)})
    assert not Person.objects.filter(name="别处").exists()
    assert create(actor=street, name="此处", region=world.community2).pk
    # Moving a person out of the actor's sight, or to nowhere, is refused too.
    with pytest.raises(ValidationError):
        services.person_update(actor=street, person=world.zhao, fields={"region": world.other_community})
    with pytest.raises(ValidationError):
        services.person_update(actor=None, person=world.zhao, fields={"region": None})
    world.zhao.refresh_from_db()
    assert world.zhao.region == world.community


def test_a_transfer_to_a_relation_outside_the_system_needs_another_placement(world):
    only_org = services.person_create(actor=None, id_number=new_id(), org=world.branch, fields={
        "name": "外转", "retirement_type": "tuixiu", "is_party_member": True, "joined_party_on": date(1975, 7, 1)})
    with pytest.raises(ValidationError) as exc:
        services.membership_transfer(actor=None, person=only_org, outside_org_name="外市某支部", on=date(2024, 1, 1))
    assert error_fields(exc) == {"region"}
    assert only_org.memberships.get(ended_on__isnull=True).org == world.branch
    # 张三 lives in 新东社区: a transfer out of the system leaves him visible there.
    services.membership_transfer(actor=None, person=world.zhang, outside_org_name="外市某支部", on=date(2024, 1, 1))


def test_birth_date_and_gender_must_agree_with_the_id_number(db):
    number = new_id(birth=date(1952, 8, 8), gender="F")
    with pytest.raises(ValidationError) as exc:
        create(id_number=number, birth_date=date(1952, 8, 9))
    assert error_fields(exc) == {"birth_date"}
    with pytest.raises(ValidationError) as exc:
        create(id_number=number, gender="M")
    assert error_fields(exc) == {"gender"}
    person = create(id_number=number, birth_date=date(1952, 8, 8), gender="F")
    assert (person.birth_date, person.gender) == (date(1952, 8, 8), "F")


def test_birth_date_and_gender_come_from_the_id_number_when_not_given(db):
    person = create(id_number=new_id(birth=date(1944, 2, 29), gender="F"))
    assert person.birth_date == date(1944, 2, 29)
    assert person.gender == "F"


def test_phones_are_stored_in_normal_form(db):
    person = create(mobile="138 1234-5678", phone="(010)12345678", emergency_phone="+86 139 0000 1111")
    person.refresh_from_db()
    assert person.mobile == "13812345678"
    assert person.phone == "01012345678"
    assert person.emergency_phone == "13900001111"


def test_bad_phone_is_reported_on_its_field(db):
    with pytest.raises(ValidationError) as exc:
        create(mobile="138123")
    assert error_fields(exc) == {"mobile"}


def test_id_number_is_never_stored_in_clear(db):
    number = new_id(birth=date(1952, 8, 8))
    person = create(id_number=number, name="钱七")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Person._meta.db_table} WHERE id = %s", [person.pk])  # noqa: S608
        row = cursor.fetchone()
    texts = [str(value) for value in row if value is not None]
    for value in texts:
        assert number not in value
        assert number[6:14] not in value  # the birth-date digits hidden by the mask
    assert person.id_number_masked == number[:6] + "********" + number[-4:]
    assert person.id_number == number


# Membership rules ----------------------------------------------------------------------------------------


def test_at_most_one_active_primary_membership_even_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=world.zhang, kind=MembershipKind.PRIMARY, org=world.neighbor_branch,
                                  started_on=date(2024, 1, 1))
    assert Membership.objects.filter(person=world.zhang, kind="primary", ended_on__isnull=True).count() == 1


def test_a_functional_org_can_never_hold_the_membership_relation(world):
    with pytest.raises(ValidationError) as exc:
        services.membership_transfer(actor=None, person=world.zhang, org=world.functional, on=date(2024, 1, 1))
    assert error_fields(exc) == {"org"}
    assert world.zhang.memberships.get(ended_on__isnull=True).org == world.branch


def test_join_is_only_for_functional_or_temporary_orgs(world):
    with pytest.raises(ValidationError) as exc:
        services.membership_join(actor=None, person=world.zhang, org=world.neighbor_branch, on=date(2024, 1, 1))
    assert error_fields(exc) == {"org"}
    joined = services.membership_join(actor=None, person=world.zhang, org=world.functional, on=date(2024, 1, 1))
    assert joined.kind == MembershipKind.PARTICIPATING
    active = world.zhang.memberships.filter(ended_on__isnull=True)
    assert {(m.kind, m.org) for m in active} == {("primary", world.branch), ("participating", world.functional)}
    with pytest.raises(ValidationError):
        services.membership_join(actor=None, person=world.zhang, org=world.functional, on=date(2024, 2, 1))


def test_transfer_keeps_the_history(world):
    old = world.zhang.memberships.get(ended_on__isnull=True)
    new = services.membership_transfer(actor=None, person=world.zhang, org=world.neighbor_branch,
                                       on=date(2024, 3, 1))
    old.refresh_from_db()
    assert (old.ended_on, old.end_reason, old.end_note) == (date(2024, 3, 1), EndReason.TRANSFER, "")
    assert old.get_end_reason_display() == "组织关系转接"
    assert new.is_active and new.org == world.neighbor_branch and new.kind == MembershipKind.PRIMARY
    assert world.zhang.memberships.count() == 2


def test_transfer_refuses_the_same_org_and_a_date_before_the_current_relation(world):
    with pytest.raises(ValidationError):
        services.membership_transfer(actor=None, person=world.zhang, org=world.branch, on=date(2024, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.membership_transfer(actor=None, person=world.zhang, org=world.neighbor_branch,
                                     on=date(2000, 1, 1))
    assert error_fields(exc) == {"on"}


def test_transfer_refuses_a_non_member(world):
    with pytest.raises(ValidationError):
        services.membership_transfer(actor=None, person=world.zhao, org=world.branch, on=date(2024, 3, 1))


def test_primary_relation_outside_the_system_is_recorded_by_name(world):
    membership = services.membership_transfer(actor=None, person=world.zhang, outside_org_name=" 某市机关离退休党支部 ",
                                              on=date(2024, 3, 1))
    assert membership.org is None
    assert membership.org_label == "某市机关离退休党支部"
    assert membership.is_active
    with pytest.raises(ValidationError) as exc:
        services.membership_transfer(actor=None, person=world.li, org=world.branch, outside_org_name="某支部",
                                     on=date(2024, 3, 1))
    assert error_fields(exc) == {"org"}
    with pytest.raises(ValidationError):
        services.membership_transfer(actor=None, person=world.li, on=date(2024, 3, 1))


# Life events ---------------------------------------------------------------------------------------------


def test_recording_a_death_keeps_the_record_and_ends_memberships(world):
    services.membership_join(actor=None, person=world.zhang, org=world.functional, on=date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.survivor_add(actor=None, person=world.zhang, fields={"name": "张小三", "relation": "子"})
    services.person_record_death(actor=None, person=world.zhang, died_on=date(2024, 5, 1))
    person = Person.objects.get(pk=world.zhang.pk)
    assert person.status == PersonStatus.DECEASED
    assert person.died_on == date(2024, 5, 1)
    assert not person.memberships.filter(ended_on__isnull=True).exists()
    assert set(person.memberships.values_list("end_reason", flat=True)) == {EndReason.DEATH} == {"death"}
    survivor = services.survivor_add(actor=None, person=person, fields={"name": "张小三", "relation": "子"})
    assert Survivor.objects.filter(person=person).get() == survivor
    with pytest.raises(ValidationError):
        services.membership_transfer(actor=None, person=person, org=world.neighbor_branch, on=date(2024, 6, 1))


def test_death_date_cannot_be_in_the_future_or_before_birth(world):
    with pytest.raises(ValidationError) as exc:
        services.person_record_death(actor=None, person=world.zhang, died_on=date(2999, 1, 1))
    assert error_fields(exc) == {"died_on"}
    with pytest.raises(ValidationError):
        services.person_record_death(actor=None, person=world.zhang, died_on=date(1900, 1, 1))
    assert Person.objects.get(pk=world.zhang.pk).status == PersonStatus.ACTIVE


def test_moving_away_keeps_the_record_with_the_destination(world):
    with pytest.raises(ValidationError) as exc:
        services.person_move_away(actor=None, person=world.li, on=date(2024, 5, 1), moved_to="  ")
    assert error_fields(exc) == {"moved_to"}
    services.person_move_away(actor=None, person=world.li, on=date(2024, 5, 1), moved_to="南京市鼓楼区")
    person = Person.objects.get(pk=world.li.pk)
    assert (person.status, person.moved_on, person.moved_to) == (PersonStatus.MOVED, date(2024, 5, 1), "南京市鼓楼区")
    ended = person.memberships.get()
    assert (ended.ended_on, ended.end_reason) == (date(2024, 5, 1), EndReason.MOVED)
    assert ended.get_end_reason_display() == "迁出"


# Organisations -------------------------------------------------------------------------------------------


def test_dissolving_waits_for_members_to_be_transferred(world):
    services.membership_join(actor=None, person=world.li, org=world.functional, on=date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.organization_dissolve(actor=None, org=world.branch, on=date(2024, 6, 1), reason="合并")
    assert PartyOrg.objects.get(pk=world.branch.pk).dissolved_on is None
    services.membership_transfer(actor=None, person=world.zhang, org=world.neighbor_branch, on=date(2024, 5, 1))
    services.organization_dissolve(actor=None, org=world.branch, on=date(2024, 6, 1), reason="合并")
    org = PartyOrg.objects.get(pk=world.branch.pk)
    assert org.dissolved_on == date(2024, 6, 1)
    assert org.dissolve_reason == "合并"
    with pytest.raises(ValidationError):
        services.membership_transfer(actor=None, person=world.zhang, org=org, on=date(2024, 7, 1))


def test_dissolving_ends_participations(world):
    services.membership_join(actor=None, person=world.li, org=world.functional, on=date(2020, 1, 1))
    services.organization_dissolve(actor=None, org=world.functional, on=date(2024, 6, 1), reason="学期结束")
    participation = world.li.memberships.get(org=world.functional)
    assert participation.ended_on == date(2024, 6, 1)
    assert world.li.memberships.filter(kind="primary", ended_on__isnull=True).exists()


def test_dissolving_stores_a_code_whatever_the_language_of_who_clicked(world):
    """It stored "Organisation dissolved" in English for a user reading English, 党组织撤销 for the others."""
    on = timezone.localdate() - timedelta(days=1)
    services.membership_join(actor=None, person=world.li, org=world.functional, on=on - timedelta(days=30))
    with translation.override("en"):
        services.organization_dissolve(actor=None, org=world.functional, on=on, reason="学期结束")
    participation = world.li.memberships.get(org=world.functional)
    assert (participation.end_reason, participation.end_note) == ("dissolved", "")
    with translation.override("zh-hans"):
        assert participation.get_end_reason_display() == "组织撤销"


def test_ending_a_participation_keeps_the_reason_given_as_a_note(world):
    on = timezone.localdate()
    first = services.membership_join(actor=None, person=world.zhang, org=world.functional, on=on - timedelta(days=9))
    services.membership_end(actor=None, membership=first, on=on, reason=" 身体原因 ")
    first.refresh_from_db()
    assert (first.end_reason, first.end_note) == (EndReason.LEFT, "身体原因")
    again = services.membership_join(actor=None, person=world.li, org=world.functional, on=on - timedelta(days=9))
    with translation.override("en"):
        services.membership_end(actor=None, membership=again, on=on, reason="")
    again.refresh_from_db()
    assert (again.end_reason, again.end_note) == ("left", "")


def test_a_reason_too_long_for_the_note_is_refused(world):
    first = services.membership_join(actor=None, person=world.zhang, org=world.functional,
                                     on=timezone.localdate() - timedelta(days=9))
    with pytest.raises(ValidationError) as exc:
        services.membership_end(actor=None, membership=first, on=timezone.localdate(), reason="长" * 121)
    assert error_fields(exc) == {"reason"}
    assert Membership.objects.get(pk=first.pk).is_active


def test_the_api_gives_the_reason_as_read_and_the_note_apart(world, client_for):
    on = timezone.localdate()
    joined = services.membership_join(actor=None, person=world.zhang, org=world.functional, on=on - timedelta(days=9))
    ended = client_for("street").post(
        f"/api/persons/{world.zhang.pk}/memberships/{joined.pk}/end",
        json.dumps({"on": on.isoformat(), "reason": "身体原因"}), content_type="application/json",
    )
    assert ended.status_code == 200, ended.content
    assert (ended.json()["end_reason"], ended.json()["end_note"]) == ("退出", "身体原因")


def test_a_transfer_reason_is_a_code(world):
    with pytest.raises(ValueError):
        services.membership_transfer(actor=None, person=world.zhang, org=world.neighbor_branch,
                                     on=timezone.localdate(), reason="组织关系转接")
    assert world.zhang.memberships.get(ended_on__isnull=True).org == world.branch


def test_the_names_other_apps_use_are_the_codes():
    assert (services.END_TRANSFER, services.END_DEATH, services.END_MOVED) == ("transfer", "death", "moved")
    with translation.override("zh-hans"):
        assert [str(label) for label in EndReason.labels] == ["组织关系转接", "去世", "迁出", "组织撤销", "退出", "其他"]


def test_the_person_page_shows_the_reason_and_its_note_never_the_code(world, client_for):
    on = timezone.localdate()
    joined = services.membership_join(actor=None, person=world.zhang, org=world.functional, on=on - timedelta(days=9))
    services.membership_end(actor=None, membership=joined, on=on, reason="身体原因")
    services.membership_transfer(actor=None, person=world.zhang, org=world.neighbor_branch, on=on)
    html = client_for("bureau").get(reverse("people:detail", args=[world.zhang.pk]),
                                    HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "(退出：身体原因)" in html and "(组织关系转接)" in html
    assert "(left" not in html and "(transfer)" not in html


@pytest.mark.parametrize("kind", ["gongwei", "dangwei", "zongzhi", "zhibu", "xiaozu"])
def test_a_party_group_has_no_children(world, kind):
    group = make_org("第一党小组", "xiaozu", world.branch)
    with pytest.raises(ValidationError) as exc:
        make_org("下级组织", kind, group)
    assert error_fields(exc) == {"kind"}


def test_functional_org_never_collects_dues(world):
    with pytest.raises(ValidationError) as exc:
        make_org("临时党支部", "zhibu", world.root, establishment="temporary", formation="standalone",
                 collects_dues=True)
    assert "collects_dues" in error_fields(exc)
    org = make_org("临时党支部", "zhibu", world.root, establishment="temporary", formation="standalone")
    assert org.collects_dues is False


def test_formation_is_required_for_a_functional_org_and_only_for_it(world):
    with pytest.raises(ValidationError) as exc:
        make_org("功能型党支部二", "zhibu", world.root, establishment="functional")
    assert error_fields(exc) == {"formation"}
    with pytest.raises(ValidationError) as exc:
        make_org("建制党支部二", "zhibu", world.street_org, formation="joint")
    assert error_fields(exc) == {"formation"}


def test_an_org_cannot_move_into_its_own_subtree(world):
    for target in (world.street_org, world.branch):
        with pytest.raises(ValidationError) as exc:
            org_services.org_move(actor=None, org=world.street_org, new_parent=target)
        assert error_fields(exc) == {"parent"}


def test_moving_a_branch_moves_its_members_in_the_org_filter(world):
    moved = org_services.org_move(actor=None, org=world.branch, new_parent=world.other_street_org)
    other = PartyOrg.objects.get(pk=world.other_street_org.pk)
    assert moved.path.startswith(other.path)
    found = set(filter_persons(Person.objects.all(), PersonFilters(org_path=other.path))
                .values_list("name", flat=True))
    assert found == {"张三", "王五"}


def test_regions_can_be_renamed_and_moved(world):
    renamed = region_services.region_rename(actor=None, region=world.community, name=" 新东一社区 ")
    assert renamed.name == "新东一社区"
    moved = region_services.region_move(actor=None, region=world.community, new_parent=world.other_street)
    other = Region.objects.get(pk=world.other_street.pk)
    assert moved.path.startswith(other.path)
    in_other = set(filter_persons(Person.objects.all(), PersonFilters(region_path=other.path))
                   .values_list("name", flat=True))
    assert in_other == {"张三", "赵六", "王五"}
    with pytest.raises(ValidationError):
        region_services.region_move(actor=None, region=world.street, new_parent=world.community2)
    with pytest.raises(ValidationError):
        region_services.region_move(actor=None, region=world.community2, new_parent=world.community)


# Change history ------------------------------------------------------------------------------------------


def test_change_history_names_the_actor_and_never_holds_the_id_number(world):
    bureau = world.users["bureau"]
    number = world.zhang.id_number
    services.person_update(actor=bureau, person=world.zhang, fields={"address": "新东社区3幢101室",
                                                                      "mobile": "139 0000 1111"})
    entries = LogEntry.objects.get_for_object(world.zhang)
    latest = entries.order_by("-timestamp", "-pk").first()
    assert latest.actor == bureau
    assert "新东社区3幢101室" in str(latest.changes)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {LogEntry._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    dump = " ".join(str(v) for row in rows for v in row if v is not None)
    assert number not in dump
    assert number[6:14] not in dump
    assert "13900001111" not in dump  # phones are masked in the history too
