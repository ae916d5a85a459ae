"""Frequency rules and compliance with a frozen clock: period boundaries, founding, dissolving."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from jinqiu.organizations import services as org_services
from jinqiu.orglife.compliance import DUE, EXEMPT, FUTURE, HELD, MISSED, org_calendar, subtree_compliance
from jinqiu.orglife.models import FrequencyRule, Period
from jinqiu.orglife.periods import next_start, period_end, period_start, periods
from jinqiu.people import services as people_services
from tests.factories import make_org

from .helpers import hold

pytestmark = pytest.mark.django_db


def test_period_arithmetic_at_the_boundaries():
    assert period_start(date(2026, 3, 31), Period.QUARTER) == date(2026, 1, 1)
    assert period_start(date(2026, 4, 1), Period.QUARTER) == date(2026, 4, 1)
    assert period_end(date(2026, 10, 1), Period.QUARTER) == date(2026, 12, 31)
    assert next_start(date(2026, 12, 1), Period.MONTH) == date(2027, 1, 1)
    assert period_end(date(2024, 2, 1), Period.MONTH) == date(2024, 2, 29)
    assert [s for s, _ in periods(date(2026, 2, 15), date(2026, 4, 1), Period.MONTH)] == [
        date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def _row(rows, code):
    return next(r for r in rows if r.rule.meeting_type.code == code)


def test_default_rules_per_kind_and_establishment():
    formal = {r.meeting_type.code: r.period for r in FrequencyRule.objects.filter(org_kind="zhibu",
                                                                                  establishment="formal")}
    assert formal == {"dangyuan-dahui": "quarter", "zhiweihui": "month", "dangke": "quarter",
                      "zhuti-dangri": "month", "zuzhi-shenghuohui": "year", "minzhu-pingyi": "year"}
    informal = {r.meeting_type.code: r.period for r in FrequencyRule.objects.filter(org_kind="zhibu",
                                                                                    establishment="informal")}
    assert informal == {"zhuti-dangri": "quarter"}


def test_meeting_late_on_the_last_day_of_a_quarter_counts_for_that_quarter(world):
    # 23:30 in Shanghai on 31 March is 15:30 UTC: the local date decides the period.
    hold(world.branch, "zhuti-dangri", date(2026, 3, 31), hour=23)
    with time_machine.travel(date(2026, 4, 2), tick=False):
        rows = org_calendar(world.branch, 2026)
    theme = _row(rows, "zhuti-dangri")
    assert [c.state for c in theme.cells[:5]] == [MISSED, MISSED, HELD, DUE, FUTURE]
    assert _row(rows, "dangyuan-dahui").cells[0].state == MISSED  # Q1 ended without one
    assert _row(rows, "dangyuan-dahui").cells[1].state == DUE
    assert _row(rows, "zuzhi-shenghuohui").cells[0].state == DUE  # the year is not over


def test_the_founding_period_is_exempt(world):
    young = make_org("新建社区党支部", "zhibu", world.street_org, region=world.community, founded_on=date(2026, 2, 15))
    with time_machine.travel(date(2026, 6, 10), tick=False):
        rows = org_calendar(young, 2026)
        theme = _row(rows, "zhuti-dangri")
        assert [c.state for c in theme.cells[:6]] == [EXEMPT, EXEMPT, MISSED, MISSED, MISSED, DUE]
        assert _row(rows, "dangyuan-dahui").cells[0].state == EXEMPT  # founded inside Q1
        result = subtree_compliance(young.__class__.objects.filter(pk=young.pk))
    # Periods ended by 10 June: Mar, Apr, May themed days and monthly committees; no quarter yet.
    assert result.required == 6 and result.held == 0
    assert result.orgs[0].missed[0][1] == date(2026, 3, 1)


def test_a_meeting_in_the_founding_period_shows_but_is_not_counted(world):
    young = make_org("新建社区党支部", "zhibu", world.street_org, region=world.community, founded_on=date(2026, 2, 15))
    hold(young, "zhuti-dangri", date(2026, 2, 20))
    with time_machine.travel(date(2026, 3, 5), tick=False):
        assert _row(org_calendar(young, 2026), "zhuti-dangri").cells[1].state == HELD
        result = subtree_compliance(young.__class__.objects.filter(pk=young.pk))
    assert result.required == 0


def test_a_dissolved_branch_is_not_required_after_dissolving(world):
    hold(world.neighbor_branch, "zhuti-dangri", date(2026, 1, 10))
    people_services.membership_transfer(actor=None, person=world.li, on=date(2026, 3, 1), org=world.branch)
    people_services.organization_dissolve(actor=None, org=world.neighbor_branch, on=date(2026, 3, 10),
                                          reason="合并")
    org = world.neighbor_branch.__class__.objects.get(pk=world.neighbor_branch.pk)
    with time_machine.travel(date(2026, 9, 1), tick=False):
        theme = _row(org_calendar(org, 2026), "zhuti-dangri")
        assert [c.state for c in theme.cells[:4]] == [HELD, MISSED, EXEMPT, EXEMPT]
        result = subtree_compliance(org.__class__.objects.filter(pk=org.pk))
    oc = result.orgs[0]
    # Periods that ended in the twelve months to 1 Sept 2026: Sep 2025 – Feb 2026 for the two monthly types
    # (12), Q3 and Q4 2025 for the two quarterly ones (4), the year 2025 for the two yearly ones (2); Q1 2026,
    # March 2026 and everything later are exempt. Only January's themed day was held.
    assert (oc.required, oc.held) == (18, 1)
    assert not oc.due


def test_subtree_rate_and_most_overdue_first(world):
    with time_machine.travel(date(2026, 1, 5), tick=False):
        # A tidy branch: every required meeting of 2025, and a lagging neighbour with only a few.
        for month in range(1, 13):
            hold(world.branch, "zhuti-dangri", date(2025, month, 8))
            hold(world.branch, "zhiweihui", date(2025, month, 9))
        for quarter_month in (1, 4, 7, 10):
            hold(world.branch, "dangyuan-dahui", date(2025, quarter_month, 12))
            hold(world.branch, "dangke", date(2025, quarter_month, 12))
        hold(world.branch, "zuzhi-shenghuohui", date(2025, 12, 20))
        hold(world.branch, "minzhu-pingyi", date(2025, 12, 21))
        hold(world.neighbor_branch, "zhuti-dangri", date(2025, 11, 8))
        result = subtree_compliance(world.street_org.__class__.objects.filter(path__startswith=world.street_org.path))
    by_name = {o.org.name: o for o in result.orgs}
    tidy, lagging = by_name[world.branch.name], by_name[world.neighbor_branch.name]
    # The window (6 Jan 2025 – 5 Jan 2026) holds Feb–Dec months (January 2025 ended inside it too), four quarters,
    # one year.
    assert tidy.missed == [] and tidy.rate == 1
    assert lagging.held == 1
    assert lagging.required == tidy.required
    assert result.behind[0].org == world.neighbor_branch
    assert result.rate == pytest.approx((tidy.held + 1) / (2 * tidy.required))


def test_a_joint_meeting_counts_for_each_organisation(world):
    hold(world.branch, "zhuti-dangri", date(2026, 3, 5), joint=[world.neighbor_branch, world.functional])
    with time_machine.travel(date(2026, 4, 2), tick=False):
        for org in (world.branch, world.neighbor_branch, world.functional):
            assert _row(org_calendar(org, 2026), "zhuti-dangri").cells[2 if org.is_formal else 0].state == HELD


def test_the_bureau_can_make_a_rule_lighter(world):
    rule = FrequencyRule.objects.get(org_kind="zhibu", establishment="formal", meeting_type__code="zhiweihui")
    from jinqiu.orglife.services import rule_update

    rule_update(actor=world.users["bureau"], rule=rule, period=Period.QUARTER, is_active=True)
    with time_machine.travel(date(2026, 4, 2), tick=False):
        rows = org_calendar(world.branch, 2026)
    assert len(_row(rows, "zhiweihui").cells) == 4


def test_org_services_founding_date_is_used(world):
    org_services.org_update(actor=None, org=world.branch, fields={"founded_on": date(2026, 5, 1)})
    world.branch.refresh_from_db()
    with time_machine.travel(date(2026, 6, 2), tick=False):
        assert _row(org_calendar(world.branch, 2026), "zhuti-dangri").cells[3].state == EXEMPT
