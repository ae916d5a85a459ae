"""The demo's five years of organisational life follow the rules the services keep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F, Q
from django.utils import timezone

from jinqiu.demo.builder import build
from jinqiu.organizations.models import PartyOrg
from jinqiu.orglife.compliance import subtree_compliance
from jinqiu.orglife.models import ATTENDED, Attendance, MakeUp, Meeting

pytestmark = pytest.mark.django_db


def test_demo_meetings_attendance_and_deliveries(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    result = build(scale="tiny", seed=3)
    today = timezone.localdate()
    assert result["counts"]["meetings"] == Meeting.objects.count() > 100
    assert not Meeting.objects.filter(held_on__gte=today).exists()
    assert Meeting.objects.order_by("held_on").first().held_on.year == today.year - 5
    # Nobody is expected after they died, moved away, or before joining.
    assert not Attendance.objects.filter(
        Q(person__died_on__lte=F("held_on")) | Q(person__moved_on__lte=F("held_on"))).exists()
    assert not Meeting.objects.filter(org__founded_on__gt=F("held_on")).exists()
    old = Attendance.objects.filter(held_on__lt=F("person__birth_date") + timedelta(days=80 * 366))
    young_rate = old.filter(status__in=ATTENDED).count() / old.count()
    older = Attendance.objects.exclude(pk__in=old.values("pk"))
    older_rate = older.filter(status__in=ATTENDED).count() / older.count()
    assert older_rate < young_rate - 0.1  # members over 80 attend less
    assert MakeUp.objects.count() == result["counts"]["delivered_at_home"] > 0
    assert not MakeUp.objects.filter(attendance__status__in=ATTENDED).exists()
    behind = subtree_compliance(PartyOrg.objects.all()).behind
    assert behind  # some branches fall behind
    # The per-organisation tallies the dashboards read agree with the attendance rows.
    year = today.year - 2
    from datetime import date

    from jinqiu.orglife import selectors

    tallied = selectors.subtree_rate(PartyOrg.objects.all(), date(year, 1, 1), date(year, 12, 31))
    rows = Attendance.objects.filter(held_on__year=year)
    assert (tallied.expected, tallied.attended, tallied.made_up) == (
        rows.count(), rows.filter(status__in=ATTENDED).count(), rows.filter(makeup__isnull=False).count())
    # Joint 主题党日: 共建 ones count for two branches, each expecting its own members; 联合 ones name the
    # in-service branch outside the system.
    from django.db.models import Count

    from jinqiu.orglife.models import MeetingOrg

    shared = Meeting.objects.annotate(n=Count("org_links")).filter(n__gt=1)
    assert shared.exists() and Meeting.objects.exclude(partners="").exists()
    assert result["counts"]["joint_meetings"] == shared.count() + Meeting.objects.exclude(partners="").count()
    for meeting in shared[:20]:
        assert meeting.meeting_type.code == "zhuti-dangri"
        for link in MeetingOrg.objects.filter(meeting=meeting):
            mine = Attendance.objects.filter(meeting=meeting, org_id=link.org_id)
            assert link.expected == mine.count() and link.attended == mine.filter(status__in=ATTENDED).count()
            assert not mine.exclude(person__memberships__org_id=link.org_id).exists()
    from .test_summary import held_months_agree

    held_months_agree()
    # The service draws up the same expected list for a joint meeting (primary membership first).
    from jinqiu.orglife.services import expected_members

    meeting = shared.first()
    assert expected_members(meeting.counts_for.all(), meeting.held_on) == dict(
        meeting.attendances.values_list("person_id", "org_id"))


def test_the_province_span_covers_what_compliance_reads():
    from datetime import date

    from jinqiu.demo.orglife import first_day
    from jinqiu.orglife.compliance import window_of
    from jinqiu.orglife.periods import period_start

    for today in (date(2026, 1, 1), date(2026, 6, 30), date(2026, 12, 31)):
        assert first_day(today) == date(today.year - 5, 1, 1)
        start = first_day(today, "province")
        # The yearly period that ended in the window began on 1 January of last year: that is the span.
        assert start == period_start(window_of(today)[0], "year") == date(today.year - 1, 1, 1)
