"""Back and submit again makes one meeting; the API's Idempotency-Key answers the same meeting."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jinqiu.core import idempotency
from jinqiu.core.models import IdempotencyKey
from jinqiu.orglife.models import Meeting

from .helpers import mtype

pytestmark = pytest.mark.django_db


def _form_data(client, world):
    page = client.get(reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk})).content.decode()
    token = re.search(r'name="once" value="([^"]+)"', page).group(1)
    when = timezone.localtime() - timedelta(days=1)
    return {"meeting_type": mtype("zhuti-dangri").pk, "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
            "place": "活动室", "mode": "offline", "once": token}


def test_the_form_sent_twice_makes_one_meeting(world, client_for):
    client = client_for("secretary")
    data = _form_data(client, world)
    url = reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk})
    first = client.post(url, data)
    second = client.post(url, data)  # back, and submit again
    meeting = Meeting.objects.get()
    assert first["Location"] == second["Location"] == reverse("orglife:meeting", kwargs={"pk": meeting.pk})
    # A new form is a new token: a second meeting on purpose is still possible.
    client.post(url, _form_data(client, world))
    assert Meeting.objects.count() == 2


def test_a_refused_form_keeps_its_token_usable(world, client_for):
    client = client_for("secretary")
    data = _form_data(client, world)
    url = reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk})
    refused = client.post(url, {**data, "meeting_type": mtype("dangke").pk})  # a lesson names its lecturer
    assert refused.status_code == 200 and not Meeting.objects.exists()
    assert f'value="{data["once"]}"' in refused.content.decode()
    assert client.post(url, data).status_code == 302 and Meeting.objects.count() == 1


def test_tokens_are_per_user(world, client_for):
    data = _form_data(client_for("street"), world)
    url = reverse("orglife:meeting_create", kwargs={"pk": world.branch.pk})
    client_for("street").post(url, data)
    client_for("secretary").post(url, data)
    assert Meeting.objects.count() == 2


def test_the_api_idempotency_key(world, client_for):
    client = client_for("secretary")
    body = json.dumps({"org": world.branch.pk, "meeting_type": mtype("zhuti-dangri").pk,
                       "starts_at": (timezone.now() - timedelta(days=1)).isoformat()})
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-7f3a"}
    first = client.post("/api/orglife/meetings", body, content_type="application/json", **headers)
    again = client.post("/api/orglife/meetings", body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Meeting.objects.count() == 1
    other = json.loads(body) | {"place": "别处"}
    reused = client.post("/api/orglife/meetings", json.dumps(other), content_type="application/json", **headers)
    assert reused.status_code == 422 and reused.json()["detail"][0]["field"] == "Idempotency-Key"
    plain = client.post("/api/orglife/meetings", body, content_type="application/json")
    assert plain.status_code == 201 and Meeting.objects.count() == 2  # no key: no protection asked for


def test_old_keys_are_purged(world):
    IdempotencyKey.objects.create(user=world.users["street"], scope="x", key="old")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=3))
    IdempotencyKey.objects.create(user=world.users["street"], scope="x", key="new")
    assert idempotency.purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
