"""The client address behind trusted proxies: lockout and the change history read it the same way."""

from datetime import UTC, datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import RequestFactory

from jinqiu.accounts.network import client_ip
from tests.factories import PASSWORD

NGINX = "10.0.0.1"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _request(forwarded=None, remote=NGINX):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.JINQIU_TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.9")) == NGINX


@pytest.mark.parametrize(("forwarded", "expected"), [
    ("203.0.113.5", "203.0.113.5"),
    ("6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the left one was written by the client
    ("not-an-address", NGINX),
    (None, NGINX),
])
def test_through_one_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings, forwarded, expected):
    settings.JINQIU_TRUSTED_PROXIES = 1
    assert client_ip(_request(forwarded)) == expected


def test_through_two_trusted_proxies(settings):
    settings.JINQIU_TRUSTED_PROXIES = 2
    assert client_ip(_request("6.6.6.6, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"


def _login(client, username, password, forwarded):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_nginx_one_clients_failures_do_not_lock_out_another(world, client, settings):
    settings.JINQIU_TRUSTED_PROXIES = 1
    with time_machine.travel(START, tick=False):
        for attempt in range(5):
            _login(client, f"nobody{attempt}", "Wrong#password1", "203.0.113.5")
        assert _login(client, "bureau", PASSWORD, "203.0.113.5").status_code == 429
        assert _login(client, "bureau", PASSWORD, "198.51.100.7").status_code == 302


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_lockout(world, client, settings):
    settings.JINQIU_TRUSTED_PROXIES = 0
    with time_machine.travel(START, tick=False):
        for attempt in range(5):
            _login(client, f"nobody{attempt}", "Wrong#password1", f"198.51.100.{attempt}")
        assert _login(client, "bureau", PASSWORD, "198.51.100.99").status_code == 429


def test_the_change_history_records_the_client_behind_the_proxy(world, client_for, settings):
    settings.JINQIU_TRUSTED_PROXIES = 1
    client = client_for("secadmin")
    client.post(f"/accounts/users/{world.users['auditor'].pk}/", {"roles_submit": "1", "roles": ["sysadmin"]},
                REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    entry = LogEntry.objects.filter(actor=world.users["secadmin"]).latest("timestamp")
    assert entry.remote_addr == "203.0.113.5"
