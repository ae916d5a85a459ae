from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from jinqiu.core.models import TimeStamped


class RegionLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    TOWN = "town", _("Town")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")


class Region(MP_Node, TimeStamped):
    """行政区划: 区/县 → 镇/街道 → 社区/村. Subtree = path prefix."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("division code"), max_length=12, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name
