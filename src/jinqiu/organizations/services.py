"""Every write to units and party organisations."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jinqiu.core.audit import acting

from .models import ORG_KIND_RANK, Establishment, OrgKind, PartyOrg, Unit

ORG_FIELDS = (
    "name", "kind", "establishment", "formation", "location_type", "unit", "region", "collects_dues",
    "brand", "features", "founded_on",
)
UNIT_FIELDS = ("name", "kind", "region", "parent", "is_active", "note")


def _check_parent(kind: str, parent: PartyOrg | None) -> None:
    if kind not in OrgKind.values:
        raise ValidationError({"kind": [_("Choose the kind of organisation.")]})
    if parent is None:
        if ORG_KIND_RANK[OrgKind(kind)] != 0:
            raise ValidationError({"parent": [_("Only a working committee or a party committee can stand at the top.")]})
        return
    if not parent.is_active:
        raise ValidationError({"parent": [_("The parent organisation has been dissolved.")]})
    if ORG_KIND_RANK[OrgKind(kind)] <= ORG_KIND_RANK[OrgKind(parent.kind)]:
        raise ValidationError({"kind": [
            _("A %(kind)s cannot sit under a %(parent)s.")
            % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
        ]})


def _normalise_dues(fields: dict[str, Any]) -> None:
    """Dues follow establishment: a 非建制 organisation never collects them."""
    if fields.get("establishment", Establishment.FORMAL) != Establishment.FORMAL:
        fields.setdefault("collects_dues", False)


@transaction.atomic
def org_create(*, actor, parent: PartyOrg | None, fields: dict[str, Any]) -> PartyOrg:
    fields = {k: v for k, v in fields.items() if k in ORG_FIELDS}
    _normalise_dues(fields)
    _check_parent(fields.get("kind", ""), parent)
    org = PartyOrg(**fields)
    org.full_clean(exclude=["path", "depth", "numchild"])
    with acting(actor):
        if parent is None:
            return PartyOrg.objects.add_root(instance=org)
        parent = PartyOrg.objects.get(pk=parent.pk)  # fresh numchild for treebeard
        return PartyOrg.objects.add_child(parent, instance=org)


@transaction.atomic
def org_update(*, actor, org: PartyOrg, fields: dict[str, Any]) -> PartyOrg:
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    for key, value in fields.items():
        if key in ORG_FIELDS:
            setattr(org, key, value)
    parent = PartyOrg.objects.get_parent(org)
    _check_parent(org.kind, parent)
    for child in PartyOrg.objects.get_children(org):
        if ORG_KIND_RANK[OrgKind(child.kind)] <= ORG_KIND_RANK[OrgKind(org.kind)]:
            raise ValidationError({"kind": [_("The organisations under it would then sit too high.")]})
    org.full_clean(exclude=["path", "depth", "numchild"])
    with acting(actor):
        org.save()
    return org


@transaction.atomic
def org_move(*, actor, org: PartyOrg, new_parent: PartyOrg) -> PartyOrg:
    org = PartyOrg.objects.get(pk=org.pk)
    new_parent = PartyOrg.objects.get(pk=new_parent.pk)
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError({"parent": [_("An organisation cannot move under itself or its own subtree.")]})
    _check_parent(org.kind, new_parent)
    with acting(actor):
        PartyOrg.objects.move(org, new_parent, pos="sorted-child")
    return PartyOrg.objects.get(pk=org.pk)


@transaction.atomic
def org_dissolve(*, actor, org: PartyOrg, on: date, reason: str) -> PartyOrg:
    """Dissolve, keeping the record and its dates. Members are handled by people.services first."""
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    if not org.is_active:
        raise ValidationError(_("This organisation was already dissolved on %(date)s.") % {"date": org.dissolved_on})
    if PartyOrg.objects.get_children(org).filter(dissolved_on__isnull=True).exists():
        raise ValidationError(_("Dissolve or move the organisations under it first."))
    if not reason.strip():
        raise ValidationError({"dissolve_reason": [_("Give the reason for dissolving.")]})
    org.dissolved_on = on
    org.dissolve_reason = reason.strip()
    org.full_clean(exclude=["path", "depth", "numchild"])
    with acting(actor):
        org.save()
    return org


@transaction.atomic
def unit_create(*, actor, fields: dict[str, Any]) -> Unit:
    unit = Unit(**{k: v for k, v in fields.items() if k in UNIT_FIELDS})
    unit.full_clean()
    with acting(actor):
        unit.save()
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, fields: dict[str, Any]) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    for key, value in fields.items():
        if key in UNIT_FIELDS:
            setattr(unit, key, value)
    ancestor = unit.parent
    while ancestor is not None:
        if ancestor.pk == unit.pk:
            raise ValidationError({"parent": [_("A unit cannot sit under itself.")]})
        ancestor = ancestor.parent
    unit.full_clean()
    with acting(actor):
        unit.save()
    return unit
