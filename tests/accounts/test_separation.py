"""三权分立 holds whoever assigns: no self-grants, admin roles alone and without scope, data roles from the
安全管理员 only and logged, and the account form tells the 系统管理员 nothing about the register."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from jinqiu.accounts import services
from jinqiu.accounts.models import Role, Scope, User, UserRole
from jinqiu.accounts.scoping import sees_structure, visible_orgs, visible_persons
from tests.factories import PASSWORD


def test_the_climb_fails_secadmin_cannot_give_itself_a_scope_or_the_bureau_role(world, client_for):
    secadmin = world.users["secadmin"]
    with pytest.raises(ValidationError):
        services.scope_add(actor=secadmin, user=secadmin, node=world.district)
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=secadmin, user=secadmin, roles=[Role.BUREAU])
    client = client_for("secadmin")
    client.post(f"/accounts/users/{secadmin.pk}/", {"scope_submit": "1", "region": world.district.pk})
    client.post(f"/accounts/users/{secadmin.pk}/", {"roles_submit": "1", "roles": [Role.BUREAU]})
    secadmin = User.objects.get(pk=secadmin.pk)
    assert not secadmin.scopes.exists()
    assert secadmin.role_set == {Role.SECADMIN}
    assert not visible_persons(secadmin).exists()


def test_no_account_removes_its_own_scope_or_roles(world):
    street = world.users["street"]
    with pytest.raises(ValidationError):
        services.scope_remove(actor=street, scope=street.scopes.first())
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=street, user=street, roles=[])
    assert street.scopes.exists() and street.roles.exists()


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_an_admin_role_account_never_gets_a_scope(world, admin):
    with pytest.raises(ValidationError):
        services.scope_add(actor=world.users["secadmin"] if admin != "secadmin" else None,
                           user=world.users[admin], node=world.district)
    assert not world.users[admin].scopes.exists()


def test_an_account_with_a_scope_never_gets_an_admin_role(world):
    with pytest.raises(ValidationError) as exc:
        services.user_set_roles(actor=world.users["secadmin"], user=world.users["street"], roles=[Role.AUDITOR])
    assert set(exc.value.message_dict) == {"roles"}
    assert world.users["street"].roles.get().role == Role.STREET


@pytest.mark.parametrize("role", [Role.BUREAU, Role.STREET, Role.SECRETARY, Role.PAIR_CONTACT, Role.LEADER])
def test_the_sysadmin_cannot_grant_a_role_that_sees_personal_data(world, role):
    with pytest.raises(ValidationError):
        services.user_create(actor=world.users["sysadmin"], username="x1", password=PASSWORD, roles=[role])
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=world.users["sysadmin"], user=world.users["auditor"], roles=[role])
    with pytest.raises(ValidationError):
        services.scope_add(actor=world.users["sysadmin"], user=world.users["street"], node=world.district)
    assert not User.objects.filter(username="x1").exists()


def test_the_sysadmin_form_offers_no_role_that_sees_personal_data(world, client_for):
    client = client_for("sysadmin")
    client.post("/accounts/users/new/", {"username": "x2", "password": PASSWORD, "roles": ["bureau"]})
    assert not UserRole.objects.filter(user__username="x2", role=Role.BUREAU).exists()


def test_granting_a_data_role_is_done_by_the_secadmin_and_logged_with_its_name(world):
    secadmin = world.users["secadmin"]
    account = services.user_create(actor=world.users["sysadmin"], username="wangke", password=PASSWORD, roles=[])
    services.user_set_roles(actor=secadmin, user=account, roles=[Role.STREET])
    services.scope_add(actor=secadmin, user=account, node=world.street)
    grant = UserRole.objects.get(user=account)
    scope = Scope.objects.get(user=account)
    for obj in (grant, scope):
        entry = LogEntry.objects.get_for_object(obj).get()
        assert entry.actor == secadmin and entry.action == LogEntry.Action.CREATE
    assert visible_persons(User.objects.get(pk=account.pk)).filter(pk=world.zhang.pk).exists()


def test_an_admin_role_user_sees_nothing_even_if_data_got_in(world):
    auditor = world.users["auditor"]
    UserRole.objects.create(user=auditor, role=Role.BUREAU)  # planted past the services
    Scope.objects.create(user=auditor, region=world.district)
    auditor = User.objects.get(pk=auditor.pk)
    assert not visible_persons(auditor).exists()
    assert not visible_orgs(auditor).exists()
    assert not sees_structure(auditor)


def _create_member(client, username, id_number):
    return client.post("/accounts/users/new/", {"username": username, "password": PASSWORD,
                                                "person_id_number": id_number}, follow=True)


def _visible_text(response) -> str:
    import re

    page = response.content.decode()
    return re.sub(r"<[^>]+>|\s+", " ", page.replace("csrfmiddlewaretoken", ""))


def test_the_member_account_form_answers_the_same_whether_or_not_the_number_is_registered(world, client_for):
    client = client_for("sysadmin")
    on_register = _create_member(client, "lisi", world.li.id_number.lower())
    not_on_register = _create_member(client, "nobody", "11010519491231002X")
    assert User.objects.filter(person=world.zhang).exists()  # the member persona
    already_linked = _create_member(client, "zhang2", world.zhang.id_number)
    pages = [_visible_text(r).replace(name, "NAME").replace(str(User.objects.get(username=name).pk), "PK")
             for r, name in ((on_register, "lisi"), (not_on_register, "nobody"), (already_linked, "zhang2"))]
    assert pages[0] == pages[1] == pages[2]
    assert User.objects.get(username="lisi").person_id == world.li.pk
    assert User.objects.get(username="nobody").person_id is None
    assert User.objects.get(username="zhang2").person_id is None
    # The 安全管理员 then grants the member role to the linked account only.
    secadmin = world.users["secadmin"]
    services.user_set_roles(actor=secadmin, user=User.objects.get(username="lisi"), roles=[Role.MEMBER])
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=secadmin, user=User.objects.get(username="nobody"), roles=[Role.MEMBER])
    assert list(visible_persons(User.objects.get(username="lisi"))) == [world.li]


def test_a_malformed_id_number_is_refused_without_looking_it_up(world, client_for):
    response = _create_member(client_for("sysadmin"), "bad", "110105194912310021")
    assert response.status_code == 200 and not User.objects.filter(username="bad").exists()
