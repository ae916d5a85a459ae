"""Passwords: guessable ones are refused, users change their own, and one given by an administrator is
replaced at the first login."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from jinqiu.accounts import services
from jinqiu.accounts.models import User
from jinqiu.demo.builder import DEMO_PASSWORD
from tests.factories import PASSWORD

NEW = "Lotus#river2031"


@pytest.mark.parametrize("password", ["Password123!", "Qwerty12345!", "Zhangsan1949!"])
def test_guessable_passwords_are_refused_in_chinese(db, password):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, User(username="zhangsan", display_name="张三"))
    assert any("容易被猜到" in m for m in exc.value.messages), exc.value.messages


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, NEW])
def test_the_demo_and_test_passwords_pass(db, password):
    validate_password(password, User(username="street"))


def test_a_user_changes_their_own_password(world, client_for):
    client = client_for("street")
    assert client.get("/accounts/password/").status_code == 200
    wrong = client.post("/accounts/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "当前密码不正确" in wrong.content.decode()
    differ = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                                 "new_password2": NEW + "x"})
    assert differ.status_code == 200
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Password123!",
                                               "new_password2": "Password123!"})
    assert weak.status_code == 200
    assert User.objects.get(username="street").check_password(PASSWORD)
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                               "new_password2": NEW})
    assert done.status_code == 302
    assert User.objects.get(username="street").check_password(NEW)
    assert client.get("/").status_code == 200  # still logged in


def test_an_account_created_by_the_sysadmin_must_choose_its_password_first(world, client):
    account = services.user_create(actor=world.users["sysadmin"], username="newclerk", password=PASSWORD, roles=[])
    services.user_set_roles(actor=world.users["secadmin"], user=account, roles=["street"])
    assert account.must_change_password
    client.post("/accounts/login/", {"username": "newclerk", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    for url in ("/", "/persons/", "/accounts/users/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/", url
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                                   "new_password2": NEW})
    assert response.status_code == 302
    assert not User.objects.get(pk=account.pk).must_change_password
    assert client.get("/").status_code == 200


def test_a_reset_by_an_administrator_forces_a_change_and_ones_own_does_not(world):
    street = world.users["street"]
    services.user_set_password(actor=world.users["secadmin"], user=street, password=NEW)
    assert User.objects.get(pk=street.pk).must_change_password
    services.password_change(user=street, old_password=NEW, new_password="Maple@harbour77")
    assert not User.objects.get(pk=street.pk).must_change_password
