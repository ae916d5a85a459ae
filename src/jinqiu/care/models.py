"""关爱服务: the 六必访 rules and the visit tasks they make, visits, campaigns (走访慰问), hospitalisations,
requests (诉求) and the 一键呼叫 terminals that raise them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from jinqiu.core.models import TimeStamped
from jinqiu.organizations.models import PartyOrg
from jinqiu.people.models import Person, RetirementType
from jinqiu.regions.models import Region


class RuleKind(models.TextChoices):
    """六必访 (seed 001): the six occasions on which a retired cadre must be visited."""

    ILLNESS = "illness", _("Illness or hospital stay")
    BIRTHDAY = "birthday", _("Milestone birthday")
    FESTIVAL = "festival", _("Spring Festival")
    DISPUTE = "dispute", _("Dispute or conflict")
    HARDSHIP = "hardship", _("Hardship in daily life")
    FUNERAL = "funeral", _("Funeral")


# What a task is about, by occasion (a birthday says which).
OCCASION_TITLES = {
    RuleKind.ILLNESS: _("Visit in hospital"),
    RuleKind.FESTIVAL: _("Spring Festival visit"),
    RuleKind.DISPUTE: _("Visit about a dispute"),
    RuleKind.HARDSHIP: _("Visit about hardship"),
    RuleKind.FUNERAL: _("Condolence visit to the family"),
}


class Visitor(models.TextChoices):
    """Who a rule sends."""

    PAIR_CONTACT = "pair_contact", _("The pair contact")
    BRANCH = "branch", _("The party branch")
    SERVICE_UNIT = "service_unit", _("The serving unit")
    COMMUNITY = "community", _("The community")


class CareRule(TimeStamped):
    """One 六必访 occasion: when its task appears, when the visit is due, and who is told when it is late."""

    kind = models.CharField(_("occasion"), max_length=10, choices=RuleKind.choices, unique=True)
    is_active = models.BooleanField(_("in force"), default=True)
    lead_days = models.PositiveSmallIntegerField(
        _("task appears days before"), default=0, validators=[MaxValueValidator(60)],
        help_text=_("For a birthday: how many days ahead the visit is planned."))
    due_days = models.PositiveSmallIntegerField(
        _("visit due within days"), default=3, validators=[MaxValueValidator(90)],
        help_text=_("Counted from the day of the event (the admission, the death, the birthday)."))
    grace_days = models.PositiveSmallIntegerField(
        _("days late before missed"), default=14, validators=[MaxValueValidator(90)],
        help_text=_("After the due day the visit is overdue; after these days more it counts as missed."))
    visitor = models.CharField(_("who visits"), max_length=14, choices=Visitor.choices,
                               default=Visitor.PAIR_CONTACT)
    leader_for_senior = models.BooleanField(
        _("senior comrades visited by a bureau leader"), default=True,
        help_text=_("离休干部 and anyone aged 90 or over."))
    street_after_days = models.PositiveSmallIntegerField(
        _("street told after overdue days"), default=0, validators=[MaxValueValidator(60)])
    bureau_after_days = models.PositiveSmallIntegerField(
        _("bureau told after overdue days"), default=3, validators=[MaxValueValidator(60)])

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        if self.bureau_after_days < self.street_after_days:
            raise ValidationError({"bureau_after_days": [
                _("The bureau is told no earlier than the street.")]})


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To visit")
    DONE = "done", _("Visited")
    MISSED = "missed", _("Missed")
    EXEMPTED = "exempted", _("Exempted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeftBecause(models.TextChoices):
    """Why a task was withdrawn, or a person left a campaign's targets."""

    DIED = "died", _("The person died")
    MOVED = "moved", _("The person moved away")


class Escalation(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    STREET = 1, _("The street has been told")
    BUREAU = 2, _("The bureau has been told")


class VisitTask(TimeStamped):
    """One visit a rule asks for, about one event of one person. One task per event, however often the
    job runs: (person, occasion, event key) is unique."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="visit_tasks")
    rule = models.ForeignKey(CareRule, verbose_name=_("occasion"), on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("occasion"), max_length=10, choices=RuleKind.choices, editable=False)
    event_key = models.CharField(_("event"), max_length=40, editable=False)
    event_on = models.DateField(_("day of the event"))
    earliest = models.DateField(_("from"))
    due_on = models.DateField(_("due by"))
    latest = models.DateField(_("missed after"))
    visitor = models.CharField(_("who visits"), max_length=14, choices=Visitor.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="visit_tasks")
    leader_visit = models.BooleanField(_("a bureau leader visits"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    escalation = models.PositiveSmallIntegerField(_("escalation"), choices=Escalation.choices,
                                                  default=Escalation.NONE)
    visit = models.ForeignKey("Visit", verbose_name=_("visit"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="tasks")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    reason = models.CharField(_("reason for the exemption"), max_length=200, blank=True)
    withdrawn_because = models.CharField(_("withdrawn because"), max_length=6, choices=LeftBecause.choices,
                                         blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("visit task")
        verbose_name_plural = _("visit tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "event_key"], name="one_task_per_event"),
            models.CheckConstraint(condition=Q(earliest__lte=models.F("due_on"), due_on__lte=models.F("latest")),
                                   name="task_window_in_order"),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.title}"

    @property
    def title(self) -> str:
        """What the visit is about, read from the occasion and the event (never stored as text)."""
        what, _sep, detail = self.event_key.partition(":")
        if what == "birthday" and detail.isdigit():
            return _("%(age)s birthday") % {"age": detail}
        return str(OCCASION_TITLES.get(self.kind, self.get_kind_display()))


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    PHONE = "phone", _("Phone call")
    HOSPITAL = "hospital", _("Hospital visit")
    VIDEO = "video", _("Video call")


class Visit(TimeStamped):
    """One visit (走访慰问) to a person, or to a retired cadres' party organisation."""

    person = models.ForeignKey(Person, verbose_name=_("person visited"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="visits")
    org = models.ForeignKey(PartyOrg, verbose_name=_("organisation visited"), null=True, blank=True,
                            on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField(_("date and time"))
    visited_on = models.DateField(_("date"), editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices, default=VisitKind.HOME)
    place = models.CharField(_("place"), max_length=120, blank=True)
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("visitors"), blank=True,
                                      related_name="care_visits")
    other_visitors = models.CharField(_("other visitors"), max_length=120, blank=True,
                                      help_text=_("Names of visitors without an account, e.g. a district leader."))
    money = models.DecimalField(_("money given (yuan)"), max_digits=9, decimal_places=2, default=0,
                                validators=[MinValueValidator(0)])
    gifts = models.CharField(_("gifts"), max_length=200, blank=True)
    findings = models.TextField(_("what was found"), blank=True)
    campaign = models.ForeignKey("Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="visits")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(person__isnull=False, org__isnull=True) | Q(person__isnull=True, org__isnull=False),
            name="visit_one_person_or_org")]
        indexes = [models.Index(fields=["person", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.person or self.org}"


class VisitPhoto(TimeStamped):
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="care/%Y/%m/")
    name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CampaignKind(models.TextChoices):
    SPRING = "spring", _("Spring Festival visits")
    SUMMER = "summer", _("Summer heat visits")
    AUTUMN = "autumn", _("National Day and Mid-Autumn visits")
    LEADERS = "leaders", _("New Year and Spring Festival visits by leaders")
    OTHER = "other", _("Other visits")


class Campaign(TimeStamped):
    """走访慰问: everyone in a target set visited within a period, with coverage to 100%."""

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    root_org = models.ForeignKey(PartyOrg, verbose_name=_("within the organisation"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    root_region = models.ForeignKey(Region, verbose_name=_("within the region"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    retirement_type = models.CharField(_("retirement type"), max_length=8, choices=RetirementType.choices,
                                       blank=True, help_text=_("Empty: 离休 and 退休 alike."))
    party_members_only = models.BooleanField(_("party members only"), default=False)
    min_age = models.PositiveSmallIntegerField(_("aged at least"), null=True, blank=True,
                                               validators=[MaxValueValidator(120)])
    include_orgs = models.BooleanField(_("visit the party organisations too"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("visit campaign")
        verbose_name_plural = _("visit campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(root_org__isnull=False, root_region__isnull=True)
            | Q(root_org__isnull=True, root_region__isnull=False), name="campaign_one_root")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": [_("The end is before the start.")]})
        if (self.root_org_id is None) == (self.root_region_id is None):
            raise ValidationError(_("Choose one organisation or one region the campaign covers."))

    def is_running(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on


class CampaignTarget(TimeStamped):
    """One person or one organisation a campaign must reach."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="targets")
    person = models.ForeignKey(Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="campaign_targets")
    org = models.ForeignKey(PartyOrg, verbose_name=_("organisation"), null=True, blank=True,
                            on_delete=models.CASCADE, related_name="campaign_targets")
    region = models.ForeignKey(Region, verbose_name=_("community"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="campaign_targets")
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="campaign_targets")
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("left the campaign on"), null=True, blank=True)
    withdrawn_because = models.CharField(_("why it left"), max_length=6, choices=LeftBecause.choices,
                                         blank=True)

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, org__isnull=True) | Q(person__isnull=True, org__isnull=False),
                name="target_one_person_or_org"),
            models.UniqueConstraint(fields=["campaign", "person"], condition=Q(person__isnull=False),
                                    name="campaign_person_once"),
            models.UniqueConstraint(fields=["campaign", "org"], condition=Q(org__isnull=False),
                                    name="campaign_org_once"),
        ]
        indexes = [models.Index(fields=["campaign", "region"]), models.Index(fields=["person", "reached_on"])]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.person or self.org}"


class Hospitalisation(TimeStamped):
    """A hospital stay: it makes a 生病住院 visit task. Its details are health data (care duties only)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="hospitalisations")
    admitted_on = models.DateField(_("admitted on"))
    hospital = models.CharField(_("hospital"), max_length=80)
    ward = models.CharField(_("ward and bed"), max_length=40, blank=True)
    condition = models.CharField(_("condition"), max_length=120, blank=True)
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("hospital stay")
        verbose_name_plural = _("hospital stays")
        ordering = ["-admitted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.admitted_on:%Y-%m-%d} {self.hospital}"

    def clean(self) -> None:
        if self.discharged_on and self.admitted_on and self.discharged_on < self.admitted_on:
            raise ValidationError({"discharged_on": [_("The discharge is before the admission.")]})


class ContactKind(models.TextChoices):
    CALL = "call", _("A call (phone or video)")
    VISIT = "visit", _("A visit (at home or in hospital)")


# Which visit kinds count as which contact.
CONTACT_VISIT_KINDS = {
    ContactKind.CALL: (VisitKind.PHONE, VisitKind.VIDEO),
    ContactKind.VISIT: (VisitKind.HOME, VisitKind.HOSPITAL),
}


class ContactRule(TimeStamped):
    """结对联系: how often a pair contact calls and visits each person of a special group."""

    kind = models.CharField(_("way of contact"), max_length=6, choices=ContactKind.choices, unique=True)
    every_days = models.PositiveSmallIntegerField(
        _("at least every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)])
    is_active = models.BooleanField(_("in force"), default=True)

    class Meta:
        verbose_name = _("contact rule")
        verbose_name_plural = _("contact rules")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class RequestSource(models.TextChoices):
    RECEPTION = "reception", _("Director's reception day")
    PETITION = "petition", _("Letters and visits (信访)")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Came in person")
    TERMINAL = "terminal", _("One-touch call terminal")


class RequestCategory(models.TextChoices):
    DISPUTE = "dispute", _("Dispute or conflict")
    HARDSHIP = "hardship", _("Hardship in daily life")
    MEDICAL = "medical", _("Medical care")
    PENSION = "pension", _("Pension and benefits")
    HOUSING = "housing", _("Housing")
    POLICY = "policy", _("Policy question")
    EMERGENCY = "emergency", _("Emergency call")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received, to accept")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("Being handled")
    CONCLUDED = "concluded", _("Concluded")
    FOLLOWED_UP = "followed_up", _("Followed up")
    REJECTED = "rejected", _("Not accepted")


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class Request(TimeStamped):
    """诉求: something a retired cadre asked for, handled to a conclusion and followed up."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="requests")
    source = models.CharField(_("source"), max_length=10, choices=RequestSource.choices)
    category = models.CharField(_("category"), max_length=10, choices=RequestCategory.choices)
    summary = models.TextField(_("what is asked"))
    urgent = models.BooleanField(_("urgent"), default=False)
    received_on = models.DateField(_("received on"))
    status = FSMField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED,
                      protected=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="care_requests")
    accept_by = models.DateField(_("accept or refuse by"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deadline = models.DateField(_("conclude by"), null=True, blank=True)
    extended = models.BooleanField(_("deadline extended"), default=False)
    extension_reason = models.CharField(_("why extended"), max_length=200, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    rejection_reason = models.CharField(_("why not accepted"), max_length=200, blank=True)
    visit = models.ForeignKey(Visit, verbose_name=_("raised during the visit"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="requests")
    device = models.ForeignKey("Device", verbose_name=_("terminal"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="requests")
    escalation = models.PositiveSmallIntegerField(_("escalation"), choices=Escalation.choices,
                                                  default=Escalation.NONE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_category_display()}"

    # 受理 → 办理中 → 已办结 → 已回访; a request received through 信访 is first accepted or refused. The services
    # set the dates and check the inputs; these say only which moves exist (django-fsm-2).
    @transition(field=status, source=RequestStatus.RECEIVED, target=RequestStatus.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=RequestStatus.RECEIVED, target=RequestStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=RequestStatus.ACCEPTED, target=RequestStatus.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=status, source=[RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS],
                target=RequestStatus.CONCLUDED)
    def conclude(self) -> None:
        pass

    @transition(field=status, source=RequestStatus.CONCLUDED, target=RequestStatus.FOLLOWED_UP)
    def follow_up(self) -> None:
        pass


class Device(TimeStamped):
    """一键呼叫 terminal in a person's home: it authenticates with its own token (only a hash is kept)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="devices")
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token ends with"), max_length=4, editable=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_on = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("call terminal")
        verbose_name_plural = _("call terminals")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name
