from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.people.models import Person
from jinqiu.regions.models import Region


class Role(models.TextChoices):
    BUREAU = "bureau", _("Bureau staff")
    STREET = "street", _("Street or community worker")
    SECRETARY = "secretary", _("Branch secretary or liaison")
    PAIR_CONTACT = "pair_contact", _("Pair contact")
    LEADER = "leader", _("Leader (read only)")
    MEMBER = "member", _("Member")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")


# 三权分立: each of these is held alone and sees no personal data.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
# Roles that may change records and reveal masked values (care and registry duties).
EDITOR_ROLES = frozenset({Role.BUREAU, Role.STREET})
REVEAL_ROLES = frozenset({Role.BUREAU, Role.STREET})
STAFF_ROLES = frozenset({Role.BUREAU, Role.STREET, Role.SECRETARY, Role.PAIR_CONTACT, Role.LEADER})
# Roles that see personal data: only the 安全管理员 grants them, and never next to an admin role.
DATA_ROLES = STAFF_ROLES | {Role.MEMBER}


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    person = models.OneToOneField(
        Person, verbose_name=_("linked person"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="account",
    )
    # Set when an administrator gives the password (new account, reset); cleared when the user picks their own.
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_admin_role(self) -> bool:
        return bool(self.role_set & ADMIN_ROLES)

    @property
    def can_edit(self) -> bool:
        return bool(self.role_set & EDITOR_ROLES)

    @property
    def can_reveal(self) -> bool:
        return bool(self.role_set & REVEAL_ROLES)

    @property
    def is_staff_user(self) -> bool:
        return bool(self.role_set & STAFF_ROLES) and not self.is_admin_role


class UserRole(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="roles")
    role = models.CharField(_("role"), max_length=14, choices=Role.choices)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class Scope(models.Model):
    """A node of one of the three trees; the user sees what lies under it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="scopes")
    org = models.ForeignKey(PartyOrg, verbose_name=_("party organisation"), on_delete=models.CASCADE,
                            null=True, blank=True, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE,
                               null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("scope")
        verbose_name_plural = _("scopes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(org__isnull=False, region__isnull=True, unit__isnull=True)
                    | Q(org__isnull=True, region__isnull=False, unit__isnull=True)
                    | Q(org__isnull=True, region__isnull=True, unit__isnull=False)
                ),
                name="scope_exactly_one_node",
            )
        ]

    def __str__(self) -> str:
        return str(self.org or self.region or self.unit)

    def clean(self) -> None:
        if sum(x is not None for x in (self.org_id, self.region_id, self.unit_id)) != 1:
            raise ValidationError(_("A scope is exactly one organisation, region or unit."))


class Pairing(models.Model):
    """结对联系: a pair contact and a person they look after."""

    contact = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pair contact"), on_delete=models.CASCADE,
                                related_name="pairings")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="pairings")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(fields=["contact", "person"], condition=Q(ended_on__isnull=True),
                                    name="one_active_pairing")
        ]

    def __str__(self) -> str:
        return f"{self.contact} ↔ {self.person}"


class AccessAction(models.TextChoices):
    REVEAL = "reveal", _("Revealed a value")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")


class AccessLog(models.Model):
    """Every reveal, export and import of personal data; read by the audit administrator."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="access_logs")
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    field = models.CharField(_("field"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"


class ApiToken(models.Model):
    """A token for an integration; it acts as its user, with that user's roles and scopes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    key_index = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name
