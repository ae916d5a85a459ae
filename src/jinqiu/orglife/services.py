"""Every write to meetings, attendance, 送学上门, files and frequency rules."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.core.audit import acting
from jinqiu.organizations.models import PartyOrg
from jinqiu.people.models import Membership, MembershipKind, OfficerTerm

from .models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    FileKind,
    FrequencyRule,
    HeldMonths,
    MakeUp,
    Meeting,
    MeetingFile,
    MeetingOrg,
    MeetingStatus,
    MeetingType,
    Reopening,
    TallyVersion,
    month_index,
)

MEETING_FIELDS = ("meeting_type", "starts_at", "place", "mode", "host", "lecturer", "topic", "partners", "agenda",
                  "minutes")
# Magic numbers of the photo formats phones produce.
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def expected_members(orgs: Iterable[PartyOrg], on: date, committee: bool = False) -> dict[int, int]:
    """person id → the organisation expecting them on that day; primary membership wins over participating.

    A committee meeting (支委会) expects the members holding an office there on that day.
    """
    members = Membership.objects.filter(org__in=list(orgs), started_on__lte=on)
    if committee:
        officers = (OfficerTerm.objects.filter(org__in=list(orgs), person__isnull=False, started_on__lte=on)
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).values("person_id"))
        members = members.filter(person_id__in=officers)
    rows = (members
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
            .filter(Q(person__died_on__isnull=True) | Q(person__died_on__gt=on))
            .filter(Q(person__moved_on__isnull=True) | Q(person__moved_on__gt=on))
            .values_list("person_id", "org_id", "kind"))
    found: dict[int, int] = {}
    for person_id, org_id, _kind in sorted(rows, key=lambda r: r[2] != MembershipKind.PRIMARY):
        found.setdefault(person_id, org_id)
    return found


def _sync_expected(meeting: Meeting) -> None:
    """The expected list follows the organisations' members on the meeting's date."""
    if meeting.status != MeetingStatus.HELD:
        meeting.attendances.all().delete()
        return
    expected = expected_members(meeting.counts_for.all(), meeting.held_on, meeting.meeting_type.for_committee)
    meeting.attendances.exclude(person_id__in=expected).delete()
    existing = dict(meeting.attendances.values_list("person_id", "org_id"))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=p, org_id=o, held_on=meeting.held_on)
                                    for p, o in expected.items() if p not in existing])
    meeting.attendances.update(held_on=meeting.held_on)
    for person_id, org_id in existing.items():
        if person_id in expected and expected[person_id] != org_id:
            meeting.attendances.filter(person_id=person_id).update(org_id=expected[person_id])


def _version_moves(pk: int) -> None:
    token = secrets.token_hex(8)
    if not TallyVersion.objects.filter(pk=pk).update(number=F("number") + 1, token=token):
        TallyVersion.objects.update_or_create(pk=pk, defaults={"number": 1, "token": token})


def held_months_changed() -> None:
    """In the caller's transaction: cached subtree compliance is no longer read."""
    _version_moves(TallyVersion.HELD)


def tallies_changed() -> None:
    """In the caller's transaction: cached subtree attendance rates are no longer read."""
    _version_moves(TallyVersion.TALLIES)


def _tally(meeting: Meeting) -> None:
    """Copy the meeting's type, month, state and attendance counts onto each organisation it counts for."""
    counts = {row.pop("org_id"): row for row in meeting.attendances.values("org_id").annotate(
        expected=Count("id"), attended=Count("id", filter=Q(status__in=ATTENDED)),
        on_leave=Count("id", filter=Q(status=AttendanceStatus.LEAVE)), made_up=Count("makeup"))}
    links = list(MeetingOrg.objects.filter(meeting=meeting))
    # What the months held depend on, before and after.
    stale = {(link.org_id, link.meeting_type_id, link.month, link.held) for link in links}
    for link in links:
        link.meeting_type_id = meeting.meeting_type_id
        link.month = month_index(meeting.held_on)
        link.held = meeting.status == MeetingStatus.HELD
        for key, value in counts.get(link.org_id, {"expected": 0, "attended": 0, "on_leave": 0,
                                                   "made_up": 0}).items():
            setattr(link, key, value)
    MeetingOrg.objects.bulk_update(links, ["meeting_type", "month", "held", "expected", "attended", "on_leave",
                                           "made_up"])
    fresh = {(link.org_id, link.meeting_type_id, link.month, link.held) for link in links}
    if stale != fresh:  # an attendance tap changes none of it
        refresh_held_months({(org_id, type_id, month // 12) for org_id, type_id, month, _held in stale | fresh
                             if type_id is not None})
    tallies_changed()


def refresh_held_months(keys: Iterable[tuple[int, int, int]]) -> None:
    """Work out again, from the tallies, the months held for these (organisation, meeting type, year)."""
    keys = list(keys)
    for org_id, type_id, year in keys:
        months = set(MeetingOrg.objects.filter(org_id=org_id, meeting_type_id=type_id, held=True,
                                               month__range=(year * 12, year * 12 + 11))
                     .values_list("month", flat=True))
        mask = sum(1 << (month % 12) for month in months)
        if mask:
            HeldMonths.objects.update_or_create(org_id=org_id, meeting_type_id=type_id, year=year,
                                                defaults={"months": mask})
        else:
            HeldMonths.objects.filter(org_id=org_id, meeting_type_id=type_id, year=year).delete()
    if keys:
        held_months_changed()


def resync_meetings(meeting_ids: Iterable[int]) -> None:
    """Draw up the expected lists of these held meetings again (memberships changed), and their tallies."""
    for meeting in Meeting.objects.filter(pk__in=list(meeting_ids), status=MeetingStatus.HELD).select_related(
            "meeting_type"):
        _sync_expected(meeting)
        _tally(meeting)


def _set_orgs(meeting: Meeting, joint_orgs: Iterable[PartyOrg]) -> None:
    wanted = {meeting.org_id} | {o.pk for o in joint_orgs}
    MeetingOrg.objects.filter(meeting=meeting).exclude(org_id__in=wanted).delete()
    have = set(MeetingOrg.objects.filter(meeting=meeting).values_list("org_id", flat=True))
    MeetingOrg.objects.bulk_create([MeetingOrg(meeting=meeting, org_id=o) for o in wanted - have])


def _check(meeting: Meeting, joint_orgs: list[PartyOrg]) -> None:
    errors: dict[str, list] = {}
    when = timezone.localtime(meeting.starts_at).date() if meeting.starts_at else None
    if when and meeting.status == MeetingStatus.HELD and when > timezone.localdate():
        errors["starts_at"] = [_("A meeting cannot be recorded as held on a future date.")]
    for org in [meeting.org, *joint_orgs]:
        if when and org.dissolved_on and when >= org.dissolved_on:
            errors.setdefault("starts_at", []).append(
                _("%(org)s was dissolved on %(date)s.") % {"org": org.name, "date": org.dissolved_on})
        if when and org.founded_on and when < org.founded_on:
            errors.setdefault("starts_at", []).append(
                _("%(org)s was founded on %(date)s.") % {"org": org.name, "date": org.founded_on})
    if errors:
        raise ValidationError(errors)


def _save(meeting: Meeting, joint_orgs: list[PartyOrg], actor) -> Meeting:
    if meeting.starts_at:
        meeting.held_on = timezone.localtime(meeting.starts_at).date()
    meeting.full_clean(exclude=["held_on", "recorded_by"])
    _check(meeting, joint_orgs)
    with acting(actor):
        meeting.save()
        _set_orgs(meeting, joint_orgs)
        _sync_expected(meeting)
        _tally(meeting)
    return meeting


def _apply(meeting: Meeting, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key in MEETING_FIELDS:
            if key == "starts_at" and value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value)  # a time typed without a zone is Beijing time
            setattr(meeting, key, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def meeting_create(*, actor, org: PartyOrg, fields: dict[str, Any], held: bool,
                   joint_orgs: Iterable[PartyOrg] = ()) -> Meeting:
    """Plan a meeting (it shows on the calendar and reaches the members), or record one already held."""
    joint_orgs = [o for o in joint_orgs if o.pk != org.pk]
    meeting = Meeting(org=org, status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                      recorded_by=actor if getattr(actor, "pk", None) else None)
    _apply(meeting, fields)
    meeting = _save(meeting, joint_orgs, actor)
    if not held:
        _tell_members(meeting)
    return meeting


def _tell_members(meeting: Meeting) -> None:
    from jinqiu.accounts.models import User
    from jinqiu.notifications.services import message_send

    persons = expected_members(meeting.counts_for.all(), meeting.held_on, meeting.meeting_type.for_committee)
    users = User.objects.filter(person_id__in=list(persons), is_active=True).select_related("person")
    when = timezone.localtime(meeting.starts_at)
    message_send(recipients=users, title=_("Meeting: %(type)s on %(when)s") % {
        "type": meeting.meeting_type.name, "when": when.strftime("%Y-%m-%d %H:%M")},
        body=_("%(org)s · %(place)s") % {"org": meeting.org.name, "place": meeting.place or "—"})


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, fields: dict[str, Any],
                   joint_orgs: Iterable[PartyOrg] | None = None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _apply(meeting, fields)
    joint = [o for o in (joint_orgs if joint_orgs is not None else meeting.counts_for.all()) if o.pk != meeting.org_id]
    return _save(meeting, joint, actor)


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting, fields: dict[str, Any] | None = None) -> Meeting:
    """A planned meeting took place: record it; the expected list is drawn up."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting can be recorded as held."))
    _apply(meeting, fields or {})
    meeting.status = MeetingStatus.HELD
    joint = [o for o in meeting.counts_for.all() if o.pk != meeting.org_id]
    return _save(meeting, joint, actor)


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    with acting(actor):
        meeting.save(update_fields=["status", "updated_at"])
        _tally(meeting)
    return meeting


@transaction.atomic
def meeting_reopen(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """A held meeting goes back to planned: it was recorded by mistake, or before it took place.

    Recorders in scope may do it, saying why. The attendance marks are removed (the change history keeps
    them) and the meeting stops counting for compliance and rates until it is recorded as held again,
    when the expected list is drawn up anew. A meeting that reached a member by 送学上门 was held: it
    cannot be reopened, only corrected with an edit.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Only a meeting recorded as held can be reopened."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the meeting is reopened.")]})
    delivered = MakeUp.objects.filter(attendance__meeting=meeting).count()
    if delivered:
        raise ValidationError(_("The study of this meeting has been delivered at home to %(n)d members: it was "
                                "held and cannot be reopened; edit it to correct it.") % {"n": delivered})
    record = Reopening(meeting=meeting, reopened_by=actor if getattr(actor, "pk", None) else None, reason=reason,
                       was_held_on=meeting.held_on,
                       marks_removed=meeting.attendances.exclude(status=AttendanceStatus.UNRECORDED).count())
    record.full_clean(exclude=["meeting", "reopened_by"])
    meeting.status = MeetingStatus.PLANNED
    with acting(actor):
        meeting.save(update_fields=["status", "updated_at"])
        record.save()
        for row in meeting.attendances.all():
            row.delete()  # one by one: each removed mark is in the change history
        _tally(meeting)
    return meeting


@transaction.atomic
def attendance_set(*, actor, attendance: Attendance, status: str, reason: str = "") -> Attendance:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if status not in AttendanceStatus.values or status == AttendanceStatus.UNRECORDED:
        raise ValidationError({"status": [_("Choose present, on leave, absent or online.")]})
    attendance.status = status
    attendance.reason = reason.strip() if status == AttendanceStatus.LEAVE else ""
    attendance.full_clean()
    with acting(actor):
        attendance.save(update_fields=["status", "reason"])
        _tally(attendance.meeting)
    return attendance


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, marks: dict[int, tuple[str, str]]) -> int:
    """Several rows at once (the attendance page's 保存): {row id: (status, reason)}, all or nothing.

    The caller passes only rows the actor may see; an empty status leaves a row unrecorded. Returns how many
    rows changed.
    """
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Attendance is recorded for a meeting that was held."))
    rows = {row.pk: row for row in meeting.attendances.select_for_update().filter(pk__in=list(marks))
            .select_related("person")}
    errors, changed = [], []
    for pk, (status, reason) in marks.items():
        row = rows.get(pk)
        if row is None or not status:
            continue
        if status not in AttendanceStatus.values:
            errors.append(_("%(name)s: choose present, on leave, absent or online.") % {"name": row.person.name})
            continue
        reason = reason.strip()[:100] if status == AttendanceStatus.LEAVE else ""
        if status == AttendanceStatus.LEAVE and not reason:
            errors.append(_("%(name)s: say why the member is on leave.") % {"name": row.person.name})
            continue
        if (row.status, row.reason) != (status, reason):
            row.status, row.reason = status, reason
            changed.append(row)
    if errors:
        raise ValidationError(errors)
    with acting(actor):
        for row in changed:
            row.save(update_fields=["status", "reason"])  # one by one: each mark is in the change history
        if changed:
            _tally(meeting)
    return len(changed)


@transaction.atomic
def attendance_all_present(*, actor, meeting: Meeting, persons=None) -> int:
    """全部出席: everyone expected was there (of `persons`, a queryset, when given: the actor's own)."""
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Attendance is recorded for a meeting that was held."))
    rows = meeting.attendances.all() if persons is None else meeting.attendances.filter(person__in=persons)
    with acting(actor):
        n = rows.update(status=AttendanceStatus.PRESENT, reason="")
        _tally(meeting)
    return n


@transaction.atomic
def makeup_record(*, actor, attendance: Attendance, delivered_by: str, delivered_on: date,
                  content: str) -> MakeUp:
    """送学上门 for a member who missed the meeting: it counts as 补学."""
    attendance = Attendance.objects.select_for_update().select_related("meeting").get(pk=attendance.pk)
    errors: dict[str, list] = {}
    if attendance.status in (AttendanceStatus.PRESENT, AttendanceStatus.ONLINE):
        errors["attendance"] = [_("The member attended this meeting; there is nothing to make up.")]
    if hasattr(attendance, "makeup"):
        errors["attendance"] = [_("The study has already been delivered to this member.")]
    if delivered_on and delivered_on < attendance.meeting.held_on:
        errors["delivered_on"] = [_("The delivery is before the meeting.")]
    if delivered_on and delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("The delivery date is in the future.")]
    if errors:
        raise ValidationError(errors)
    makeup = MakeUp(attendance=attendance, delivered_by=delivered_by.strip(), delivered_on=delivered_on,
                    content=content.strip())
    makeup.full_clean()
    with acting(actor):
        makeup.save()
        _tally(attendance.meeting)
    return makeup


def _check_upload(upload: UploadedFile, kind: str) -> None:
    limit = settings.JINQIU_UPLOAD_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB.") % {"mb": limit}]})
    if upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if kind == FileKind.PHOTO:
        head = upload.read(16)
        upload.seek(0)
        webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        if not (webp or any(head.startswith(sig) for sig in IMAGE_SIGNATURES)):
            raise ValidationError({"file": [_("This file is not a JPEG, PNG, GIF or WebP image.")]})


@transaction.atomic
def meeting_file_add(*, actor, meeting: Meeting, upload: UploadedFile, kind: str) -> MeetingFile:
    if kind not in FileKind.values:
        raise ValidationError({"kind": [_("Choose photo or file.")]})
    _check_upload(upload, kind)
    item = MeetingFile(meeting=meeting, kind=kind, name=upload.name[:120], size=upload.size)
    item.file.save(upload.name, upload, save=False)
    with acting(actor):
        item.save()
    return item


@transaction.atomic
def rule_update(*, actor, rule: FrequencyRule, period: str, is_active: bool) -> FrequencyRule:
    rule = FrequencyRule.objects.select_for_update().get(pk=rule.pk)
    rule.period, rule.is_active = period, is_active
    rule.full_clean()
    with acting(actor):
        rule.save()
    return rule


@transaction.atomic
def rule_create(*, actor, meeting_type: MeetingType, org_kind: str, establishment: str,
                period: str) -> FrequencyRule:
    rule = FrequencyRule(meeting_type=meeting_type, org_kind=org_kind, establishment=establishment, period=period)
    rule.full_clean()
    with acting(actor):
        rule.save()
    return rule
