"""Accounts: password rules, 三权分立, lockout, idle timeout, logged reveals and API tokens."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jinqiu.accounts import services
from jinqiu.accounts.models import AccessLog, ApiToken, Role, User
from jinqiu.accounts.scoping import visible_persons
from jinqiu.core import idnumber
from jinqiu.people.selectors import PersonFilters, filter_persons
from tests.factories import PASSWORD, make_person

LOGIN_URL = "/accounts/login/"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def rejected(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


# Passwords -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Ab3$efgh1", "abcdefgh12", "ABCDEFGH!!", "abcdefgh!!", "abcdefghijklmn"],
    ids=["9-chars", "lower-digits", "upper-symbols", "lower-symbols", "lower-only"],
)
def test_weak_passwords_are_rejected(db, password):
    assert rejected(password, User(username="liming"))


def test_a_good_password_is_accepted(db):
    assert rejected("Autumn#2026leaf", User(username="liming")) == []
    assert rejected("autumn#2026leaf", User(username="liming")) == []  # three classes are enough


def test_password_containing_the_user_name_is_rejected(db):
    user = User(username="liming")
    assert rejected("LiMing#2026x", user)
    assert rejected("Autumn#2026x", user) == []


def test_password_containing_six_digits_of_the_linked_id_number_is_rejected(world):
    person = make_person("钱七", region=world.community, party=False,
                         id_number=idnumber.generate(region_code="320709", birth_date=date(1953, 7, 19),
                                                     sequence=357, gender="M"))
    number = person.id_number
    user = User(username="qianqi", person=person)
    assert len(rejected(f"Qq!{number[6:12]}kk", user)) == 1  # the birth date
    assert len(rejected(f"Qq!{number[-6:].lower()}kk", user)) == 1  # the tail, X typed in lower case
    assert "246802" not in number
    assert rejected("Qq!246802kk", user) == []
    with pytest.raises(ValidationError):
        services.user_create(actor=None, username="qianqi", password=f"Qq!{number[6:12]}kk", roles=[Role.MEMBER],
                             person=person)
    assert not User.objects.filter(username="qianqi").exists()
    services.user_create(actor=None, username="qianqi", password="Qq!246802kk", roles=[Role.MEMBER], person=person)
    assert User.objects.get(username="qianqi").check_password("Qq!246802kk")


# 三权分立 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [
    [Role.SYSADMIN, Role.AUDITOR],
    [Role.SYSADMIN, Role.SECADMIN],
    [Role.SYSADMIN, Role.BUREAU],
    [Role.AUDITOR, Role.STREET],
])
def test_admin_roles_are_held_alone(db, roles):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=None, username="admin2", password=PASSWORD, roles=roles)
    assert set(exc.value.message_dict) == {"roles"}
    assert not User.objects.filter(username="admin2").exists()


def test_admin_roles_cannot_be_combined_later_either(world):
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=None, user=world.users["sysadmin"], roles=[Role.SYSADMIN, Role.BUREAU])
    assert world.users["sysadmin"].roles.get().role == Role.SYSADMIN


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_admins_see_no_persons_and_reveal_nothing(world, admin):
    user = world.users[admin]
    assert not filter_persons(visible_persons(user), PersonFilters(q="张三", status="")).exists()
    with pytest.raises(PermissionError):
        services.person_reveal(actor=user, person=world.zhang, field="id_number", reason="核对身份")
    assert not AccessLog.objects.exists()


# Lockout -------------------------------------------------------------------------------------------------


def post_login(client, username, password, ip="10.0.0.7"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def assert_locked(response):
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]


def test_five_failures_lock_the_account_even_for_the_right_password(world, client):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            response = post_login(client, "street", "Wrong#password1")
            assert response.status_code == 200  # the form again, with the error
            assert "_auth_user_id" not in client.session
        # axes answers the 5th failure itself with the lockout page.
        assert_locked(post_login(client, "street", "Wrong#password1"))
        assert_locked(post_login(client, "street", PASSWORD))
        assert "_auth_user_id" not in client.session
        # The same user name from another address is locked too.
        assert_locked(post_login(client, "street", PASSWORD, ip="10.0.0.8"))
        clock.shift(timedelta(minutes=31))
        response = post_login(client, "street", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.users["street"].pk)


def test_failures_from_one_address_lock_other_user_names_there(world, client):
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(5):
            post_login(client, f"nobody{attempt}", "Wrong#password1", ip="10.0.0.9")
        assert_locked(post_login(client, "bureau", PASSWORD, ip="10.0.0.9"))
        # From another address the account itself is not locked.
        response = post_login(client, "bureau", PASSWORD, ip="10.0.0.10")
        assert response.status_code == 302
        client.logout()
        clock.shift(timedelta(minutes=31))
        assert post_login(client, "bureau", PASSWORD, ip="10.0.0.9").status_code == 302


def test_four_failures_then_success_do_not_lock(world, client):
    for _ in range(4):
        post_login(client, "street", "Wrong#password1")
    assert post_login(client, "street", PASSWORD).status_code == 302


# Idle timeout --------------------------------------------------------------------------------------------


def test_session_idle_timeout_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_ends_after_30_idle_minutes_but_not_while_in_use(world, client):
    home = reverse("home")
    with time_machine.travel(START, tick=False) as clock:
        assert post_login(client, "street", PASSWORD).status_code == 302
        clock.shift(timedelta(minutes=20))
        assert client.get(home).status_code == 200
        clock.shift(timedelta(minutes=20))  # 40 minutes after login, 20 after the last request
        assert client.get(home).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(home)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)


# Reveals -------------------------------------------------------------------------------------------------


def test_reveal_shows_the_value_and_logs_who_why_and_what(world):
    street = world.users["street"]
    value = services.person_reveal(actor=street, person=world.zhang, field="id_number", reason=" 核对养老金发放 ",
                                   ip_address="10.1.2.3")
    assert value == world.zhang.id_number
    assert len(value) == 18
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.person, log.field, log.reason, log.ip_address) == (
        street, "reveal", world.zhang, "id_number", "核对养老金发放", "10.1.2.3")
    assert value not in log.detail


def test_a_secretary_cannot_reveal(world):
    with pytest.raises(PermissionError):
        services.person_reveal(actor=world.users["secretary"], person=world.zhang, field="mobile", reason="联系")
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "看"])
def test_a_reveal_needs_a_reason(world, reason):
    with pytest.raises(ValidationError) as exc:
        services.person_reveal(actor=world.users["bureau"], person=world.zhang, field="id_number", reason=reason)
    assert set(exc.value.message_dict) == {"reason"}
    assert not AccessLog.objects.exists()


def test_only_listed_fields_can_be_revealed(world):
    with pytest.raises(ValidationError):
        services.person_reveal(actor=world.users["bureau"], person=world.zhang, field="id_number_enc",
                               reason="核对身份")
    assert not AccessLog.objects.exists()


# API tokens ----------------------------------------------------------------------------------------------


def test_token_authenticates_its_user_until_revoked(world):
    user = world.users["bureau"]
    token, key = services.token_create(actor=user, user=user, name="养老服务平台")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not [name for name, value in stored.items() if key in str(value)]  # only a hash of the key is kept
    assert services.token_authenticate(key) == user
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert services.token_authenticate(key + "x") is None
    assert services.token_authenticate("") is None
    token.revoked = True
    token.save()
    assert services.token_authenticate(key) is None


def test_token_of_a_disabled_user_does_not_work(world):
    user = world.users["street"]
    _, key = services.token_create(actor=None, user=user, name="网格平台")
    services.user_set_active(actor=None, user=user, active=False)
    assert services.token_authenticate(key) is None


def test_token_needs_a_name(world):
    with pytest.raises(ValidationError):
        services.token_create(actor=None, user=world.users["street"], name="  ")


def test_street_worker_pairs_a_contact_and_the_contact_then_sees_the_person(world, client_for):
    from jinqiu.accounts.models import Pairing

    contact = world.users["pair"]
    User.objects.filter(pk=contact.pk).update(display_name="周结对")  # a name that appears only for this pairing
    assert not visible_persons(contact).filter(pk=world.li.pk).exists()
    client = client_for("street")
    page = client.get(f"/persons/{world.li.pk}/").content.decode()
    assert "周结对" not in page
    started = timezone.localdate() - timedelta(days=3)
    response = client.post(f"/accounts/pairings/{world.li.pk}/new/",
                           {"contact": contact.pk, "started_on": started.isoformat()})
    assert response.status_code == 302
    pairing = Pairing.objects.get(person=world.li, contact=contact, ended_on__isnull=True)
    assert pairing.started_on == started
    # The street worker's page of 李四 lists the contact, with the button that ends this pairing.
    page = client.get(f"/persons/{world.li.pk}/").content.decode()
    assert "周结对" in page
    assert reverse("accounts:pairing_end", args=[world.li.pk, pairing.pk]) in page
    # The contact now sees 李四: in their scope and on their own login.
    assert visible_persons(contact).filter(pk=world.li.pk).exists()
    client.force_login(contact, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/persons/{world.li.pk}/")
    assert response.status_code == 200 and "李四" in response.content.decode()


def test_sysadmin_links_a_member_account_by_id_number_without_seeing_the_record(world, client_for):
    from jinqiu.accounts.models import User

    client = client_for("sysadmin")
    li_id = world.li.id_number
    response = client.post("/accounts/users/new/", {
        "username": "lisi", "display_name": "李四", "password": "Golden#Autumn26", "person_id_number": li_id.lower()})
    assert response.status_code == 302
    account = User.objects.get(username="lisi")
    assert account.person_id == world.li.pk
    detail = client.get(f"/accounts/users/{account.pk}/").content.decode()
    assert li_id not in detail and "李四" in detail  # the display name only
    again = client.post("/accounts/users/new/", {
        "username": "lisi2", "password": "Golden#Autumn26", "person_id_number": li_id})
    assert again.status_code == 302 and User.objects.get(username="lisi2").person_id is None
