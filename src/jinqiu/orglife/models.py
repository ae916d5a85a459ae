"""三会一课, 主题党日 and the rest of organisational life: types, frequency rules, meetings, attendance."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinqiu.core.models import TimeStamped
from jinqiu.organizations.models import OrgKind, PartyOrg
from jinqiu.people.models import Person


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class EstablishmentGroup(models.TextChoices):
    """Rules differ between 建制 organisations and 非建制 ones (功能型, 临时)."""

    FORMAL = "formal", _("Formal organisations")
    INFORMAL = "informal", _("Functional or temporary organisations")


class MeetingType(models.Model):
    """支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员 — and any the bureau adds."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    is_lesson = models.BooleanField(_("is a party lesson (has a lecturer)"), default=False)
    for_committee = models.BooleanField(_("attended by the branch committee only"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class FrequencyRule(models.Model):
    """How often an organisation of one kind and establishment must hold one type of meeting."""

    meeting_type = models.ForeignKey(MeetingType, verbose_name=_("meeting type"), on_delete=models.CASCADE,
                                     related_name="rules")
    org_kind = models.CharField(_("organisation kind"), max_length=12, choices=OrgKind.choices)
    establishment = models.CharField(_("establishment"), max_length=10, choices=EstablishmentGroup.choices)
    period = models.CharField(_("at least once per"), max_length=8, choices=Period.choices)
    is_active = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("frequency rule")
        verbose_name_plural = _("frequency rules")
        ordering = ["org_kind", "establishment", "meeting_type__order"]
        constraints = [models.UniqueConstraint(fields=["meeting_type", "org_kind", "establishment"],
                                               name="one_rule_per_type_kind_establishment")]

    def __str__(self) -> str:
        return f"{self.meeting_type} · {self.get_org_kind_display()} · {self.get_period_display()}"


class MeetingMode(models.TextChoices):
    OFFLINE = "offline", _("In person")
    ONLINE = "online", _("Online")
    DELIVERED = "delivered", _("Delivered at home")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(TimeStamped):
    """One meeting of one organisation, or a joint one (联合主题党日, 共建) that counts for each."""

    org = models.ForeignKey(PartyOrg, verbose_name=_("organisation"), on_delete=models.PROTECT,
                            related_name="meetings")
    counts_for = models.ManyToManyField(PartyOrg, verbose_name=_("counts for"), blank=True,
                                        related_name="counted_meetings", through="MeetingOrg")
    meeting_type = models.ForeignKey(MeetingType, verbose_name=_("meeting type"), on_delete=models.PROTECT,
                                     related_name="meetings")
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    starts_at = models.DateTimeField(_("date and time"))
    held_on = models.DateField(_("date"), editable=False, db_index=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=MeetingMode.choices, default=MeetingMode.OFFLINE)
    host = models.CharField(_("host"), max_length=40, blank=True)
    lecturer = models.CharField(_("lecturer"), max_length=40, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    partners = models.CharField(_("partner organisations outside the system"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["org", "status", "held_on"]),
            # Lists, newest first (the API orders by both): a page is read from the index, not sorted.
            models.Index(fields=["-starts_at", "-id"], name="orglife_meeting_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.meeting_type}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.meeting_type_id and self.meeting_type.is_lesson and self.status == MeetingStatus.HELD:
            if not self.lecturer.strip():
                errors["lecturer"] = [_("A party lesson names its lecturer.")]
            if not self.topic.strip():
                errors["topic"] = [_("A party lesson names its topic.")]
        if errors:
            raise ValidationError(errors)


class MeetingOrg(models.Model):
    """A meeting as it counts for one organisation (the host included), with its attendance tallies.

    Compliance and rates over a subtree read only this table: the type, the month and the counts are
    copied here by the services whenever the meeting or its attendance changes.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="org_links")
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="meeting_links")
    meeting_type = models.ForeignKey(MeetingType, on_delete=models.PROTECT, null=True, related_name="+")
    month = models.PositiveIntegerField(default=0)  # year * 12 + month - 1 of the meeting's date
    held = models.BooleanField(default=False)
    expected = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    on_leave = models.PositiveIntegerField(default=0)
    made_up = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "org"], name="one_link_per_meeting_org")]
        indexes = [
            models.Index(fields=["held", "month", "org"]),
            # Covers compliance and rates over a subtree: a range of months per organisation, read from the
            # index alone (a boolean is no range key for SQLite, so `held` comes after the month).
            models.Index(fields=["org", "month", "meeting_type", "held", "expected", "attended", "on_leave",
                                 "made_up"], name="orglife_link_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.org_id}"


class HeldMonths(models.Model):
    """For one organisation, meeting type and year, a bit per month in which one was held (bit 0: January).

    Compliance over a subtree reads two of these rows per organisation and type instead of every meeting of
    the window; the services keep them in step with `MeetingOrg` (see `services.refresh_held_months`).
    """

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="+")
    meeting_type = models.ForeignKey(MeetingType, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    months = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "meeting_type", "year"],
                                               name="one_held_months_per_org_type_year")]
        # Covers compliance: per organisation, the years of the window, summed in the index alone.
        indexes = [models.Index(fields=["org", "meeting_type", "year", "months"], name="orglife_held_months_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.meeting_type_id} {self.year}: {self.months:012b}"


class TallyVersion(models.Model):
    """Numbers that change, in the same transaction, with what subtree summaries are computed from.

    Row HELD moves with every change to the months held (`HeldMonths`): subtree compliance is cached
    under it. Row TALLIES moves with every write to the tallies (`MeetingOrg`, attendance included):
    subtree attendance rates are cached under it. The token, new at each change, keeps a database
    restored to an older number from results cached after it.
    """

    HELD, TALLIES = 1, 2

    number = models.BigIntegerField(default=0)
    token = models.CharField(max_length=16, default="")

    def __str__(self) -> str:
        return f"{self.number}-{self.token}"


def month_index(day) -> int:
    return day.year * 12 + day.month - 1


class AttendanceStatus(models.TextChoices):
    UNRECORDED = "", _("Not recorded")
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")
    ONLINE = "online", _("Online")


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.ONLINE)


class Attendance(models.Model):
    """One expected person at one meeting, through the organisation that expects them."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="attendances")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="attendances")
    org = models.ForeignKey(PartyOrg, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices, blank=True)
    reason = models.CharField(_("reason for leave"), max_length=100, blank=True)
    # The meeting's date, copied so that rates over a subtree and a year read one table.
    held_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")]
        indexes = [models.Index(fields=["org", "held_on"]), models.Index(fields=["person", "held_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"

    def clean(self) -> None:
        if self.status == AttendanceStatus.LEAVE and not self.reason.strip():
            raise ValidationError({"reason": [_("Say why the member is on leave.")]})


class MakeUp(TimeStamped):
    """送学上门: the meeting taken to a member who missed it (health, age); counts as 补学."""

    attendance = models.OneToOneField(Attendance, verbose_name=_("attendance"), on_delete=models.CASCADE,
                                      related_name="makeup")
    delivered_by = models.CharField(_("delivered by"), max_length=40)
    delivered_on = models.DateField(_("delivered on"))
    content = models.CharField(_("what was delivered"), max_length=300)

    class Meta:
        verbose_name = _("study delivered at home")
        verbose_name_plural = _("studies delivered at home")

    def __str__(self) -> str:
        return f"{self.attendance.person} {self.delivered_on:%Y-%m-%d}"


class FileKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    FILE = "file", _("File")


class MeetingFile(TimeStamped):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=6, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to="orglife/%Y/%m/")
    name = models.CharField(_("name"), max_length=120)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Reopening(TimeStamped):
    """A held meeting set back to planned (recorded by mistake, or before it took place): who, when and why."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="reopenings")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reopened by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    was_held_on = models.DateField(_("recorded as held on"))
    marks_removed = models.PositiveIntegerField(_("attendance marks removed"), default=0)

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.created_at:%Y-%m-%d}"
