from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from jinqiu.core.models import TimeStamped
from jinqiu.core.widgets import label_with_ancestors
from jinqiu.regions.models import Region


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("District agency")
    INSTITUTION = "institution", _("Public institution")
    STATE_ENTERPRISE = "soe", _("State-owned enterprise")
    TOWN = "town", _("Town or street")
    SENIOR_UNIVERSITY = "senior_univ", _("Senior university")
    SENIOR_ORG = "senior_org", _("Senior citizens' organisation")
    NEW_ORG = "new_org", _("Private company or social organisation")
    OTHER = "other", _("Other")


class UnitQuerySet(models.QuerySet):
    """Units that can carry, once fetched, how many persons of a given set each one has (`with_counts`).

    The counts are read like a prefetch: one grouped query over the persons of the units fetched, after
    the page is cut. An annotation would count before the LIMIT: a join grouping every person of a city,
    or on PostgreSQL a correlated subquery that re-ran the scope's subplans for each unit (1.5 s).
    """

    _count_persons = None

    def with_counts(self, persons: models.QuerySet):
        clone = self._chain()
        clone._count_persons = persons
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._count_persons = self._count_persons
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is not None
        super()._fetch_all()
        if not fetched and self._count_persons is not None:
            units = [u for u in self._result_cache if isinstance(u, Unit)]
            counts: dict[int, int] = {}
            for start in range(0, len(units), 500):
                ids = [u.pk for u in units[start:start + 500]]
                counts.update(self._count_persons.filter(original_unit_id__in=ids).order_by()
                              .values_list("original_unit_id").annotate(n=models.Count("pk")))
            for unit in units:
                unit.retiree_count = counts.get(unit.pk, 0)


class Unit(TimeStamped):
    """单位: an original work unit or a 管理服务单位; old rosters also name units that no longer exist."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("still exists"), default=True)
    note = models.TextField(_("note"), blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    WORKING_COMMITTEE = "gongwei", _("Party working committee")
    COMMITTEE = "dangwei", _("Party committee")
    GENERAL_BRANCH = "zongzhi", _("General party branch")
    BRANCH = "zhibu", _("Party branch")
    GROUP = "xiaozu", _("Party group")


# How deep each kind sits: a child must sit strictly lower than its parent.
ORG_KIND_RANK = {
    OrgKind.WORKING_COMMITTEE: 0,
    OrgKind.COMMITTEE: 0,
    OrgKind.GENERAL_BRANCH: 1,
    OrgKind.BRANCH: 2,
    OrgKind.GROUP: 3,
}


class Establishment(models.TextChoices):
    FORMAL = "formal", _("Formal (holds membership)")
    FUNCTIONAL = "functional", _("Functional")
    TEMPORARY = "temporary", _("Temporary")


class Formation(models.TextChoices):
    STANDALONE = "standalone", _("Formed alone")
    JOINT = "joint", _("Jointly built")
    ATTACHED = "attached", _("Attached to a host")


class LocationType(models.TextChoices):
    AGENCY = "agency", _("Government agency")
    TOWN = "town", _("Town or street")
    COMMUNITY = "community", _("Community")
    SENIOR_UNIVERSITY = "senior_univ", _("Senior university")
    SENIOR_ORG = "senior_org", _("Senior citizens' organisation")
    NEW_ORG = "new_org", _("Private company or social organisation")
    ENTERPRISE = "enterprise", _("Enterprise")


class PartyOrg(MP_Node, TimeStamped):
    """党组织: 党工委/党委 → 党总支 → 党支部 → 党小组; 建制 or 非建制 (功能型, 临时)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=OrgKind.choices)
    establishment = models.CharField(
        _("establishment"), max_length=12, choices=Establishment.choices, default=Establishment.FORMAL
    )
    formation = models.CharField(_("how it was formed"), max_length=12, choices=Formation.choices, blank=True)
    location_type = models.CharField(_("location type"), max_length=12, choices=LocationType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="party_orgs",
    )
    collects_dues = models.BooleanField(_("collects party dues"), default=True)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    features = models.TextField(_("features"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolve_reason = models.CharField(_("reason for dissolving"), max_length=200, blank=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        indexes = [models.Index(fields=["kind", "establishment"])]

    def __str__(self) -> str:
        return self.name

    @property
    def path_label(self) -> str:
        """The name with its parents (新浦街道…党总支 › 新东社区…党支部 › 第一党小组): names repeat across the tree.

        For a list, `with_path_labels(orgs)` fetches the parents of all rows in one query; alone, one query.
        """
        if getattr(self, "_path_label", None) is None:
            label_with_ancestors([self])
        return self._path_label

    @property
    def is_formal(self) -> bool:
        return self.establishment == Establishment.FORMAL

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.is_formal:
            if self.formation:
                errors.setdefault("formation", []).append(
                    _("Only a functional or temporary organisation records how it was formed.")
                )
        else:
            if not self.formation:
                errors.setdefault("formation", []).append(
                    _("Say how this functional or temporary organisation was formed.")
                )
            if self.collects_dues:
                errors.setdefault("collects_dues", []).append(
                    _("A functional or temporary organisation never collects party dues.")
                )
        if self.founded_on and self.dissolved_on and self.dissolved_on < self.founded_on:
            errors.setdefault("dissolved_on", []).append(_("The dissolving date is before the founding date."))
        if errors:
            raise ValidationError(errors)
