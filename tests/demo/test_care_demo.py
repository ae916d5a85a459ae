"""The demo's care records: every request state, a running campaign, overdue tasks for the demo accounts,
records that follow the services' rules, and the same data from the same seed on the same day."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db.models import Count, Q
from django.utils import timezone

from jinqiu.accounts.models import User
from jinqiu.care import selectors
from jinqiu.care.models import (
    Campaign,
    CampaignTarget,
    Device,
    Hospitalisation,
    Request,
    RequestSource,
    RequestStatus,
    RuleKind,
    TaskStatus,
    Visit,
    VisitTask,
)
from jinqiu.care.selectors import overdue_q, request_overdue_q
from jinqiu.care.services import generate_birthday_tasks
from jinqiu.demo.builder import build
from jinqiu.people.models import Person, PersonStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(fast_hasher):
    return build(scale="tiny", seed=1)


def test_requests_in_every_state_some_overdue_and_a_petition_extended(demo):
    today = timezone.localdate()
    states = set(Request.objects.values_list("status", flat=True))
    assert states == set(RequestStatus.values)
    assert Request.objects.filter(request_overdue_q(today), status=RequestStatus.RECEIVED).exists()
    assert Request.objects.filter(request_overdue_q(today), status=RequestStatus.IN_PROGRESS).exists()
    assert Request.objects.filter(source=RequestSource.PETITION, extended=True, status__in=[
        RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS], deadline__gte=today).exists()
    assert Request.objects.filter(source=RequestSource.TERMINAL, device__isnull=False).exists()
    # Deadlines as the services set them.
    for r in Request.objects.filter(source=RequestSource.PETITION):
        assert r.accept_by == r.received_on + timedelta(days=15)
        if r.accepted_on:
            assert r.deadline == r.accepted_on + timedelta(days=90 if r.extended else 60)
    for r in Request.objects.exclude(source=RequestSource.PETITION):
        assert r.accepted_on == r.received_on
        assert not r.extended
    assert not Request.objects.filter(received_on__gte=today).exists()
    assert not Request.objects.filter(status=RequestStatus.FOLLOWED_UP, satisfaction="").exists()


def test_one_campaign_runs_now_at_partial_coverage_and_past_ones_are_nearly_complete(demo):
    today = timezone.localdate()
    running = list(Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today))
    assert len(running) == 1
    bureau = User.objects.get(username="bureau")
    whole, streets = selectors.coverage(bureau, running[0])
    assert whole.total > 100
    assert 0.2 < whole.rate < 0.9
    assert streets and streets[0][1]  # per street, per community
    past = Campaign.objects.filter(ends_on__lt=today)
    assert past.count() >= 4
    for campaign in past:
        whole, _streets = selectors.coverage(bureau, campaign)
        assert whole.rate >= 0.98, campaign.name
    # Reached targets point to a visit made while the campaign ran, to that person.
    for target in CampaignTarget.objects.filter(reached_on__isnull=False).select_related("visit", "campaign")[:500]:
        assert target.visit.person_id == target.person_id
        assert target.campaign.starts_on <= target.reached_on == target.visit.visited_on <= target.campaign.ends_on
    assert not Visit.objects.filter(visited_on__gte=today).exists()


def test_the_demo_accounts_have_overdue_tasks_and_requests(demo):
    today = timezone.localdate()
    for username in ("pair", "street"):
        figures = selectors.home_figures(User.objects.get(username=username), today)
        assert figures["tasks"]["overdue"] >= 1, username
        assert figures["campaigns"], username
    street = selectors.home_figures(User.objects.get(username="street"), today)
    assert street["requests"]["overdue"] >= 2
    pair = User.objects.get(username="pair")
    assert VisitTask.objects.filter(overdue_q(today), assignee=pair, kind=RuleKind.ILLNESS).exists()
    assert Visit.objects.filter(visitors=pair).count() >= 10  # the pair contact's own visits


def test_tasks_follow_the_rules(demo):
    today = timezone.localdate()
    counts = dict(VisitTask.objects.values_list("status").annotate(n=Count("id")))
    assert counts.get(TaskStatus.DONE, 0) > counts.get(TaskStatus.MISSED, 0) > 0
    assert set(VisitTask.objects.values_list("kind", flat=True)) >= {
        RuleKind.ILLNESS, RuleKind.BIRTHDAY, RuleKind.FUNERAL}
    assert VisitTask.objects.filter(kind=RuleKind.ILLNESS).count() == Hospitalisation.objects.count()
    # A death on the register made its condolence task; the dead have no open task but that one.
    dead = Person.objects.filter(status=PersonStatus.DECEASED)
    assert VisitTask.objects.filter(kind=RuleKind.FUNERAL).count() == dead.count() > 0
    assert not VisitTask.objects.filter(person__status=PersonStatus.DECEASED, status=TaskStatus.OPEN).exclude(
        kind=RuleKind.FUNERAL).exists()
    # Done tasks have a visit to that person on a day inside the window; missed ones are past their window.
    for task in VisitTask.objects.filter(status=TaskStatus.DONE).select_related("visit"):
        assert task.visit.person_id == task.person_id
        assert task.earliest <= task.visit.visited_on == task.closed_on <= task.latest
    assert not VisitTask.objects.filter(status=TaskStatus.MISSED, latest__gte=today).exists()
    assert not VisitTask.objects.filter(status=TaskStatus.OPEN, latest__lt=today).exists()
    # An open task never has a visit of its person inside its window behind it (it would have been closed).
    for task in VisitTask.objects.filter(status=TaskStatus.OPEN).exclude(kind=RuleKind.ILLNESS):
        assert not Visit.objects.filter(person_id=task.person_id, visited_on__gte=task.earliest).exists(), task
    # The daily job finds nothing to add for birthdays: the demo made them as it would.
    assert generate_birthday_tasks(today) == 0
    assert Device.objects.filter(revoked_on__isnull=False).count() == 1
    assert Device.objects.filter(revoked_on__isnull=True).count() >= 2


def _snapshot(today):
    """Care records by day counted from today, so that builds on different days compare."""
    def days(d):
        return None if d is None else (d - today).days

    return {
        "tasks": sorted((t.person.name, t.kind, t.event_key.split(":")[0], days(t.due_on), t.status)
                        for t in VisitTask.objects.select_related("person")),
        "requests": sorted((r.person.name, r.status, r.source, days(r.received_on), days(r.deadline))
                           for r in Request.objects.select_related("person")),
        "targets": CampaignTarget.objects.aggregate(n=Count("id"), reached=Count("id", filter=Q(
            reached_on__isnull=False))),
    }


@pytest.mark.parametrize("offset", [150])
def test_same_seed_same_day_same_records_whatever_the_day(fast_hasher, offset):
    with time_machine.travel(timezone.now() + timedelta(days=offset), tick=False):
        today = timezone.localdate()
        build(scale="tiny", seed=3)
        first = _snapshot(today)
        assert Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).count() == 1
        assert VisitTask.objects.filter(overdue_q(today)).exists()
        assert set(Request.objects.values_list("status", flat=True)) == set(RequestStatus.values)
        from tests.demo.test_demo import _wipe

        _wipe()
        assert not VisitTask.objects.exists()
        build(scale="tiny", seed=3)
        assert _snapshot(today) == first
