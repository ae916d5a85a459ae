"""Absurd years and ids answer a clear 4xx naming the field, never 500; scope is checked before the role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from .helpers import hold

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


@pytest.mark.parametrize("year", ["-1", HUGE, "1920", str(timezone.localdate().year + 2)])
def test_the_api_names_the_year(world, client_for, year):
    response = client_for("street").get("/api/orglife/meetings", {"year": year})
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["detail"]] == ["year"]


def test_a_sensible_year_still_lists(world, client_for):
    day = timezone.localdate() - timedelta(days=2)
    hold(world.branch, "zhuti-dangri", day)
    response = client_for("street").get("/api/orglife/meetings", {"year": day.year})
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.parametrize("url", ["/api/orglife/meetings?org=" + HUGE, "/api/orglife/compliance?org=" + HUGE])
def test_the_api_names_an_absurd_org(world, client_for, url):
    response = client_for("street").get(url)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "org"


@pytest.mark.parametrize("year", ["-1", HUGE, "abc"])
def test_pages_say_what_is_wrong_with_the_year(world, client_for, year):
    client = client_for("secretary")
    page = client.get(reverse("orglife:calendar", kwargs={"pk": world.branch.pk}), {"year": year})
    assert page.status_code == 200
    assert [str(m) for m in page.context["messages"]]  # a message, and this year's calendar
    assert page.context["year"] == timezone.localdate().year
    for name in ("book_xlsx", "book_docx"):
        response = client.get(reverse(f"orglife:{name}", kwargs={"pk": world.branch.pk}), {"year": year})
        assert response.status_code == 302
        assert response["Location"] == reverse("orglife:calendar", kwargs={"pk": world.branch.pk})


def test_the_overview_with_an_absurd_org_is_404(world, client_for):
    assert client_for("street").get(reverse("orglife:overview"), {"org": HUGE}).status_code == 404
    assert client_for("street").get(reverse("orglife:overview_export"), {"org": "-3"}).status_code == 404


def test_scope_first_then_role(world, client_for):
    """Out of scope is 404 whoever asks; in scope, a role that may not act is 403."""
    outside = hold(world.other_branch, "zhuti-dangri", timezone.localdate() - timedelta(days=2))
    inside = hold(world.branch, "zhuti-dangri", timezone.localdate() - timedelta(days=2))
    for persona in ("member", "pair", "neighbor", "secretary"):
        client = client_for(persona)
        for name in ("meeting_edit", "meeting_hold", "meeting_reopen", "file_add"):
            assert client.get(reverse(f"orglife:{name}", kwargs={"pk": outside.pk})).status_code == 404, (
                persona, name)
        row = outside.attendances.get()
        assert client.post(reverse("orglife:attendance_set", kwargs={"pk": row.pk}),
                           {"status": "present"}).status_code == 404
        assert client.get(reverse("orglife:book_xlsx", kwargs={"pk": world.other_branch.pk})).status_code == 404
    leader = client_for("leader")  # sees everything, records nothing
    assert leader.get(reverse("orglife:meeting_edit", kwargs={"pk": inside.pk})).status_code == 403
    assert leader.post(reverse("orglife:attendance_set", kwargs={"pk": inside.attendances.get().pk}),
                       {"status": "present"}).status_code == 403
