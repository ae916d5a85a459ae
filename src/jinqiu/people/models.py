from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinqiu.core import crypto, idnumber
from jinqiu.core.models import TimeStamped
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.regions.models import Region


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class RetirementType(models.TextChoices):
    LIXIU = "lixiu", _("Retired before 1949 service (lixiu)")
    TUIXIU = "tuixiu", _("Retired (tuixiu)")


class Living(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    EMPTY_NEST = "empty_nest", _("Empty nest")
    WITH_SPOUSE = "spouse", _("With spouse")
    WITH_CHILDREN = "children", _("With children")
    CARE_HOME = "care_home", _("In a care home")


class Health(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    BEDRIDDEN = "bedridden", _("Bedridden")
    DISABLED = "disabled", _("Disabled")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("On the register")
    DECEASED = "deceased", _("Deceased")
    MOVED = "moved", _("Moved away")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior middle school")
    SECONDARY = "secondary", _("Technical secondary school")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRAD = "postgrad", _("Postgraduate")


class AgeBand(models.TextChoices):
    B60 = "60", _("60-69")
    B70 = "70", _("70-79")
    B80 = "80", _("80-89")
    B90 = "90", _("90 and over")


class Situation(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    EMPTY_NEST = "empty_nest", _("Empty nest")
    BEDRIDDEN = "bedridden", _("Bedridden or disabled")
    HARDSHIP = "hardship", _("Extreme hardship")


class Person(TimeStamped):
    """老干部信息库 record. The ID number is stored encrypted with a blind index for lookup."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    id_number_enc = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_index = models.CharField(_("ID number index"), max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=20, editable=False)
    birth_date = models.DateField(_("birth date"))
    lunar_birthday = models.BooleanField(_("keeps the lunar birthday"), default=False)
    native_place = models.CharField(_("native place"), max_length=60, blank=True)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    original_unit_name = models.CharField(_("original work unit"), max_length=120, blank=True)
    original_unit = models.ForeignKey(
        Unit, verbose_name=_("original work unit (linked)"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="retirees",
    )
    service_unit = models.ForeignKey(
        Unit, verbose_name=_("serving unit"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="served_persons",
    )
    original_position = models.CharField(_("original position"), max_length=60, blank=True)
    rank = models.CharField(_("rank"), max_length=40, blank=True)
    retirement_type = models.CharField(_("retirement type"), max_length=8, choices=RetirementType.choices)
    retirement_date = models.DateField(_("retirement date"), null=True, blank=True)
    treatment = models.CharField(_("treatment level"), max_length=60, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("community of residence"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="residents",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    phone = models.CharField(_("landline"), max_length=20, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_phone = models.CharField(_("emergency contact phone"), max_length=20, blank=True)
    relocated = models.BooleanField(_("settled elsewhere"), default=False)
    relocated_place = models.CharField(_("place settled"), max_length=100, blank=True)
    living = models.CharField(_("living situation"), max_length=12, choices=Living.choices, blank=True)
    health = models.CharField(_("health"), max_length=12, choices=Health.choices, blank=True)
    hardship = models.BooleanField(_("extreme hardship"), default=False)
    skills = models.CharField(_("skills and interests"), max_length=200, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    joined_party_on = models.DateField(_("joined the party on"), null=True, blank=True)
    full_member_on = models.DateField(_("full member since"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    moved_on = models.DateField(_("date moved away"), null=True, blank=True)
    moved_to = models.CharField(_("moved to"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Derived: tokens for search by name, pinyin, initials, traditional form and the ID's last four.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["status", "birth_date"]),
            # Lists are ordered by name: with this index a page is read in order, not sorted from all rows.
            models.Index(fields=["status", "name", "id"], name="person_status_name_idx"),
            models.Index(fields=["retirement_type"]),
            models.Index(fields=["is_party_member"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number(self) -> str:
        """The clear ID number: only for a reveal that has been logged, or for an export allowed to."""
        return crypto.decrypt(self.id_number_enc) if self.id_number_enc else ""

    def set_id_number(self, info: idnumber.IdInfo) -> None:
        self.id_number_enc = crypto.encrypt(info.number)
        self.id_number_index = crypto.blind_index(info.number)
        self.id_number_masked = idnumber.mask(info.number)

    def age(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def situations(self) -> list[str]:
        flags = []
        if self.living == Living.ALONE:
            flags.append(Situation.ALONE.label)
        if self.living == Living.EMPTY_NEST:
            flags.append(Situation.EMPTY_NEST.label)
        if self.health in (Health.BEDRIDDEN, Health.DISABLED):
            flags.append(Situation.BEDRIDDEN.label)
        if self.hardship:
            flags.append(Situation.HARDSHIP.label)
        return flags

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.status == PersonStatus.DECEASED and not self.died_on:
            errors["died_on"] = [_("Give the date of death.")]
        if self.full_member_on and self.joined_party_on and self.full_member_on < self.joined_party_on:
            errors["full_member_on"] = [_("Full membership cannot come before joining the party.")]
        if self.joined_party_on and self.birth_date and self.joined_party_on <= self.birth_date:
            errors["joined_party_on"] = [_("The party joining date is before the birth date.")]
        if not self.is_party_member and (self.joined_party_on or self.full_member_on):
            errors.setdefault("is_party_member", []).append(
                _("Party dates are given but the person is not marked as a party member.")
            )
        if errors:
            raise ValidationError(errors)


class MembershipKind(models.TextChoices):
    PRIMARY = "primary", _("Primary (holds the membership relation)")
    PARTICIPATING = "participating", _("Participating (functional organisation)")


class EndReason(models.TextChoices):
    """Why a membership ended: a code in the database, its label wherever a person reads it."""

    TRANSFER = "transfer", _("Transfer of the membership relation")
    DEATH = "death", _("Died")
    MOVED = "moved", _("Moved away")
    DISSOLVED = "dissolved", _("Organisation dissolved")
    LEFT = "left", _("Left")
    OTHER = "other", _("Other")


class Membership(TimeStamped):
    """A person's relation to a party organisation: one active primary, any number participating."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    kind = models.CharField(_("kind"), max_length=14, choices=MembershipKind.choices)
    org = models.ForeignKey(
        PartyOrg, verbose_name=_("party organisation"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="memberships",
    )
    outside_org_name = models.CharField(_("organisation outside the system"), max_length=120, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason it ended"), max_length=12, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note on the end"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind="primary", ended_on__isnull=True),
                name="one_active_primary_membership",
                violation_error_message=_("This person already has an active membership relation."),
            ),
            models.CheckConstraint(
                condition=Q(org__isnull=False) | ~Q(outside_org_name=""),
                name="membership_has_org_or_outside_name",
            ),
        ]
        indexes = [models.Index(fields=["org", "ended_on"]), models.Index(fields=["person", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.org or self.outside_org_name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    @property
    def org_label(self) -> str:
        return str(self.org) if self.org_id else self.outside_org_name


class OfficerRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    MEMBER = "committee", _("Committee member")
    LIAISON = "liaison", _("Liaison")
    GROUP_LEADER = "group_leader", _("Party group leader")


class OfficerTerm(TimeStamped):
    """班子: an officer of an organisation for a term; an in-service cadre may hold it without a record here."""

    org = models.ForeignKey(PartyOrg, verbose_name=_("party organisation"), on_delete=models.CASCADE,
                            related_name="officer_terms")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="officer_terms")
    name = models.CharField(_("name"), max_length=50, blank=True,
                            help_text=_("Only for an in-service cadre who is not in the registry."))
    role = models.CharField(_("role"), max_length=14, choices=OfficerRole.choices)
    in_service = models.BooleanField(_("in-service cadre holding the post"), default=False)
    started_on = models.DateField(_("term from"))
    ended_on = models.DateField(_("term until"), null=True, blank=True)

    class Meta:
        verbose_name = _("officer term")
        verbose_name_plural = _("officer terms")
        ordering = ["org", "role", "-started_on"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        return self.person.name if self.person_id else self.name

    def clean(self) -> None:
        if not self.person_id and not self.name:
            raise ValidationError({"name": [_("Choose a person from the registry or type a name.")]})
        if self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": [_("The term ends before it starts.")]})


class Survivor(TimeStamped):
    """遗属: stays in the care programme after the cadre's death."""

    person = models.ForeignKey(Person, verbose_name=_("deceased cadre"), on_delete=models.CASCADE,
                               related_name="survivors")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    READING = "reading", _("Reading the file")
    PREVIEWED = "previewed", _("Ready to check")
    COMMITTING = "committing", _("Writing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")


class RosterImport(models.Model):
    """One roster upload: who, when, which file (name and hash), its preview and the counts written."""

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                              related_name="roster_imports", null=True, blank=True,
                              help_text=_("Empty for an import run from the console."))
    source = models.CharField(_("source"), max_length=8, default="web", editable=False)
    file_name = models.CharField(_("file name"), max_length=200)
    file_hash = models.CharField(_("SHA-256"), max_length=64, blank=True)
    stored_path = models.CharField(max_length=300, editable=False)
    into_org = models.ForeignKey(PartyOrg, verbose_name=_("into organisation"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ImportedAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("changed")


class ImportedPerson(models.Model):
    """One person created or changed by a committed roster import: the import's batch row in that person's
    change history ("由花名册导入 #12（王科长）新增"). Written with bulk_create in the commit's transaction:
    the import's new persons are inserted without model instances, so django-auditlog records nothing for them."""

    roster_import = models.ForeignKey(RosterImport, verbose_name=_("roster import"), on_delete=models.CASCADE,
                                      related_name="persons")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="imports")
    action = models.CharField(_("action"), max_length=8, choices=ImportedAction.choices)
    at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("person imported")
        verbose_name_plural = _("persons imported")
        constraints = [models.UniqueConstraint(fields=["roster_import", "person"], name="imported_person_once")]
        indexes = [models.Index(fields=["person", "at"], name="imported_person_at")]

    def __str__(self) -> str:
        return f"#{self.roster_import_id}"
