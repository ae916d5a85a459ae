"""Reads of organisational life, always cut to the user's scope (`visible_orgs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from jinqiu.accounts.scoping import visible_orgs, visible_persons
from jinqiu.organizations.models import PartyOrg

from .models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    FrequencyRule,
    Meeting,
    MeetingOrg,
    MeetingStatus,
    month_index,
)


def visible_meetings(user) -> QuerySet[Meeting]:
    """A meeting is visible when one of the organisations it counts for is: its host (always one of them, see
    `services._set_orgs`) or a partner (a joint meeting is open to each partner's people; what they see of its
    attendance is cut by `visible_attendance`).

    One semi-join over the links rather than "host visible OR linked": PostgreSQL estimates its size, so a
    street's list starts from its few organisations, where the OR with two subplans made it expect three
    quarters of the city and walk every meeting, newest first, to find a street's.
    """
    return Meeting.objects.filter(pk__in=MeetingOrg.objects.filter(org__in=visible_orgs(user)).values("meeting_id"))


def meeting_list(user) -> QuerySet[Meeting]:
    """The meetings of `visible_meetings`, for a list with its count.

    A user who sees every organisation (the bureau of a city) sees every meeting: they get the table
    unfiltered, so that the count reads one index instead of testing 220,000 meetings against the scope and
    a page walks the newest-first index (`orglife_meeting_newest_idx`). One small query tells.
    """
    orgs = visible_orgs(user)
    if not orgs.query.is_empty() and not PartyOrg.objects.exclude(pk__in=orgs.values("pk")).exists():
        return Meeting.objects.all()
    return visible_meetings(user)


def visible_rules(user) -> QuerySet[FrequencyRule]:
    """Frequency rules are reference data: every staff role reads them, nobody else (the bureau edits them)."""
    return FrequencyRule.objects.all() if user.is_authenticated and user.is_staff_user else FrequencyRule.objects.none()


def hosts(user, meeting: Meeting) -> bool:
    """Whether the meeting's host organisation is in the user's scope: only then may they change the meeting
    itself (its fields, its state, its files); a partner's people record their own members' attendance."""
    return visible_orgs(user).filter(pk=meeting.org_id).exists()


def meetings_of(org: PartyOrg, first: date | None = None, last: date | None = None) -> QuerySet[Meeting]:
    """Meetings that count for `org` (its own and the joint ones), newest first."""
    qs = Meeting.objects.filter(org_links__org=org).select_related("meeting_type", "org")
    if first:
        qs = qs.filter(held_on__gte=first)
    if last:
        qs = qs.filter(held_on__lte=last)
    return qs.order_by("-starts_at")


@dataclass
class Rate:
    expected: int = 0
    attended: int = 0
    on_leave: int = 0
    made_up: int = 0

    @property
    def rate(self) -> float | None:
        """出席率: present or online, over the expected attendances."""
        return self.attended / self.expected if self.expected else None

    @property
    def with_makeup(self) -> float | None:
        """参学率: attended or reached afterwards by 送学上门 (补学)."""
        return (self.attended + self.made_up) / self.expected if self.expected else None


_RATE = {
    "expected": Count("id"),
    "attended": Count("id", filter=Q(status__in=ATTENDED)),
    "on_leave": Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
    "made_up": Count("makeup"),
}


def _rate(qs: QuerySet[Attendance]) -> Rate:
    return Rate(**qs.aggregate(**_RATE))


def meeting_rate(meeting: Meeting) -> Rate:
    return _rate(meeting.attendances.all())


def _tallied(links: QuerySet[MeetingOrg], first: date, last: date) -> Rate:
    """Rates over the months from `first` to `last`, summed from the per-organisation tallies."""
    totals = links.filter(held=True, month__range=(month_index(first), month_index(last))).aggregate(
        expected=Sum("expected"), attended=Sum("attended"), on_leave=Sum("on_leave"), made_up=Sum("made_up"))
    return Rate(**{k: v or 0 for k, v in totals.items()})


def org_rate(org: PartyOrg, first: date, last: date) -> Rate:
    return _tallied(MeetingOrg.objects.filter(org=org), first, last)


def subtree_rate(orgs: QuerySet[PartyOrg], first: date, last: date) -> Rate:
    return _tallied(MeetingOrg.objects.filter(org__in=orgs), first, last)


def person_rates(person_id: int, orgs: QuerySet[PartyOrg] | None = None) -> list[tuple[PartyOrg, Rate]]:
    """One person's attendance in each organisation that expected them: one person, several expectations."""
    qs = Attendance.objects.filter(person_id=person_id, meeting__status=MeetingStatus.HELD)
    if orgs is not None:
        qs = qs.filter(org__in=orgs)
    rows = qs.values("org_id").annotate(**_RATE).order_by("org_id")
    by_id = PartyOrg.objects.in_bulk([r["org_id"] for r in rows])
    return [(by_id[r.pop("org_id")], Rate(**r)) for r in rows]


def person_total(person_id: int, orgs: QuerySet[PartyOrg] | None = None) -> Rate:
    qs = Attendance.objects.filter(person_id=person_id)
    if orgs is not None:
        qs = qs.filter(org__in=orgs)
    return _rate(qs)


def attendance_list(meeting: Meeting) -> QuerySet[Attendance]:
    return (meeting.attendances.select_related("person", "org", "makeup")
            .order_by("person__name", "person_id"))


def attendance_rows(user) -> QuerySet[Attendance]:
    """Every attendance row the user may read or mark: a visible meeting and a visible person."""
    return Attendance.objects.filter(meeting__in=visible_meetings(user), person__in=visible_persons(user))


def visible_attendance(user, meeting: Meeting) -> QuerySet[Attendance]:
    """The rows of the persons the user may see: names and reasons of anyone else never leave the server."""
    return attendance_list(meeting).filter(person__in=visible_persons(user))


@dataclass
class OtherOrg:
    """Counts only, for the attendance of an organisation whose members the user does not see."""

    org_id: int
    name: str
    expected: int
    present: int
    on_leave: int
    absent: int
    unrecorded: int


def hidden_counts(user, meeting: Meeting) -> list[OtherOrg]:
    """Per organisation, the attendance of the rows `visible_attendance` leaves out (joint meetings)."""
    rows = (meeting.attendances.exclude(person__in=visible_persons(user)).values("org_id", "org__name")
            .annotate(expected=Count("id"), present=Count("id", filter=Q(status__in=ATTENDED)),
                      on_leave=Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
                      absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
                      unrecorded=Count("id", filter=Q(status=AttendanceStatus.UNRECORDED)))
            .order_by("org__path"))
    return [OtherOrg(org_id=r["org_id"], name=r["org__name"], expected=r["expected"], present=r["present"],
                     on_leave=r["on_leave"], absent=r["absent"], unrecorded=r["unrecorded"]) for r in rows]
