"""Reminders to the branch secretary: a required meeting due this period, and one overdue from the last.

Each reminder has a key (kind, organisation, meeting type, period) recorded by the notifications app,
so a re-run, a second worker or a retried job sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.accounts.models import Role, Scope
from jinqiu.notifications.services import reminder_send_once
from jinqiu.organizations.models import PartyOrg

from .compliance import EXEMPT, group_of, rules_by_kind, state_of
from .models import MeetingOrg, MeetingStatus, Period, month_index
from .periods import period_end, period_start

# Remind of a meeting still to hold when this many days of its period are left.
DAYS_LEFT = {Period.MONTH: 10, Period.QUARTER: 20, Period.YEAR: 45}


def _secretaries(orgs: list[PartyOrg]) -> dict[int, list]:
    """org id → the secretaries whose organisation scope covers it."""
    scopes = (Scope.objects.filter(org__isnull=False, user__is_active=True, user__roles__role=Role.SECRETARY)
              .select_related("org", "user__person"))
    found: dict[int, list] = defaultdict(list)
    for org in orgs:
        for scope in scopes:
            if org.path.startswith(scope.org.path) and scope.user not in found[org.pk]:
                found[org.pk].append(scope.user)
    return found


def send_reminders(today: date | None = None) -> int:
    """Send what is due today; returns how many reminders went out now."""
    today = today or timezone.localdate()
    rules = rules_by_kind()
    kinds = {k for k, _g in rules}
    orgs = list(PartyOrg.objects.filter(kind__in=kinds, dissolved_on__isnull=True))
    first = period_start(period_start(today, Period.YEAR) - timedelta(days=1), Period.YEAR)
    held = defaultdict(list)
    for org_id, type_id, on in (MeetingOrg.objects.filter(meeting__status__in=[MeetingStatus.HELD,
                                                                                MeetingStatus.PLANNED],
                                                          month__gte=month_index(first))
                                .filter(Q(held=True) | Q(meeting__held_on__gte=today))
                                .values_list("org_id", "meeting__meeting_type_id", "meeting__held_on")):
        held[(org_id, type_id)].append(on)
    secretaries = _secretaries(orgs)
    sent = 0
    for org in orgs:
        users = secretaries.get(org.pk)
        if not users:
            continue
        link = reverse("orglife:calendar", kwargs={"pk": org.pk})
        for rule in rules.get((org.kind, group_of(org.establishment)), []):
            dates = held[(org.pk, rule.meeting_type_id)]
            start = period_start(today, rule.period)
            end = period_end(start, rule.period)
            prev_start = period_start(start - timedelta(days=1), rule.period)
            prev_end = start - timedelta(days=1)
            name = rule.meeting_type.name
            # Planned meetings still ahead count: the secretary has it in hand.
            if (end - today).days < DAYS_LEFT[rule.period] and not any(start <= d <= end for d in dates) \
                    and state_of(start, end, founded=org.founded_on, dissolved=None, held=False,
                                 today=today) != EXEMPT:
                sent += reminder_send_once(
                    key=f"due:{org.pk}:{rule.meeting_type_id}:{start:%Y-%m-%d}", recipients=users, link=link,
                    title=_("%(org)s: %(type)s due by %(end)s") % {"org": org.name, "type": name, "end": end},
                    body=_("No %(type)s has been held or planned this period.") % {"type": name})
            if not any(prev_start <= d <= prev_end for d in dates) and state_of(
                    prev_start, prev_end, founded=org.founded_on, dissolved=None, held=False, today=today) != EXEMPT:
                sent += reminder_send_once(
                    key=f"overdue:{org.pk}:{rule.meeting_type_id}:{prev_start:%Y-%m-%d}", recipients=users,
                    link=link,
                    title=_("%(org)s: %(type)s overdue") % {"org": org.name, "type": name},
                    body=_("No %(type)s was held between %(start)s and %(end)s.") % {
                        "type": name, "start": prev_start, "end": prev_end})
    return sent
