"""Every write to the region tree."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jinqiu.core.audit import acting

from .models import Region, RegionLevel

# A region may only sit under a wider one.
LEVEL_RANK = {
    RegionLevel.CITY: 0,
    RegionLevel.DISTRICT: 1,
    RegionLevel.TOWN: 2,
    RegionLevel.STREET: 2,
    RegionLevel.COMMUNITY: 3,
    RegionLevel.VILLAGE: 3,
}


def _check_level(level: str, parent: Region | None) -> None:
    if level not in RegionLevel.values:
        raise ValidationError({"level": [_("Choose the level of the region.")]})
    if parent is not None and LEVEL_RANK[RegionLevel(level)] <= LEVEL_RANK[RegionLevel(parent.level)]:
        raise ValidationError({"level": [
            _("A %(level)s cannot sit under a %(parent)s.")
            % {"level": RegionLevel(level).label, "parent": RegionLevel(parent.level).label}
        ]})


@transaction.atomic
def region_create(*, actor, parent: Region | None, name: str, level: str, code: str = "") -> Region:
    _check_level(level, parent)
    if parent is None and Region.objects.filter(depth=1).exists():
        # One tree, one top: a second root would be a region that no scope under the first one reaches.
        raise ValidationError({"parent": [_("The region tree already has its top region: choose the parent "
                                            "region.")]})
    region = Region(name=name.strip(), level=level, code=code.strip())
    region.full_clean(exclude=["path", "depth", "numchild"])
    with acting(actor):
        if parent is None:
            return Region.objects.add_root(instance=region)
        return Region.objects.add_child(Region.objects.get(pk=parent.pk), instance=region)


@transaction.atomic
def region_rename(*, actor, region: Region, name: str, code: str | None = None) -> Region:
    region = Region.objects.select_for_update().get(pk=region.pk)
    region.name = name.strip()
    if code is not None:
        region.code = code.strip()
    region.full_clean(exclude=["path", "depth", "numchild"])
    with acting(actor):
        region.save()
    return region


@transaction.atomic
def region_move(*, actor, region: Region, new_parent: Region) -> Region:
    region = Region.objects.get(pk=region.pk)
    new_parent = Region.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(region.path):
        raise ValidationError({"parent": [_("A region cannot move under itself or its own subtree.")]})
    _check_level(region.level, new_parent)
    with acting(actor):
        Region.objects.move(region, new_parent, pos="sorted-child")
    return Region.objects.get(pk=region.pk)
