"""REST endpoints over party organisations (`router`) and units (`units_router`).

The same scope, roles and services as the web views: organisations come from `visible_orgs(user)`,
anything outside answers 404; units are reference data that every staff role reads.
"""

from datetime import date
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import (
    get_visible_or_404,
    sees_all_members_of,
    sees_structure,
    visible_orgs,
    visible_persons,
)
from jinqiu.core.errors import field_error
from jinqiu.core.pagination import LimitOffsetPagination, paginate
from jinqiu.core.web import require
from jinqiu.people import selectors as people_selectors
from jinqiu.people import services as people_services
from jinqiu.regions.api import with_parent_id
from jinqiu.regions.models import Region

from . import selectors, services
from .models import Establishment, LocationType, OrgKind, PartyOrg, Unit, UnitKind

router = Router(tags=["organisations"])
units_router = Router(tags=["units"])


# --- schemas -----------------------------------------------------------------------------------------------


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    establishment: str
    formation: str
    location_type: str
    unit_id: int | None = None
    unit_name: str | None = None
    region_id: int | None = None
    region_name: str | None = None
    collects_dues: bool
    brand: str
    features: str
    founded_on: date | None = None
    dissolved_on: date | None = None
    dissolve_reason: str
    depth: int
    parent_id: int | None = None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None


class OrgBrief(Schema):
    id: int
    name: str
    kind: str
    establishment: str
    dissolved_on: date | None = None


class KindCount(Schema):
    kind: str
    kind_label: str
    n: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(OrgKind(obj["kind"]).label)


class OrgTotals(Schema):
    orgs: list[KindCount]
    primary: int
    participating: int


class OrgDetailOut(OrgOut):
    totals: OrgTotals
    children: list[OrgBrief]


class OrgQuery(Schema):
    q: str = ""
    kind: OrgKind | None = None
    establishment: Establishment | Literal["informal"] | None = None
    location_type: LocationType | None = None
    active: Literal["yes", "no", "all"] = "yes"


class OrgFieldsIn(Schema):
    name: str | None = None
    kind: OrgKind | None = None
    establishment: Establishment | None = None
    formation: str | None = None
    location_type: str | None = None
    unit: int | None = None
    region: int | None = None
    collects_dues: bool | None = None
    brand: str | None = None
    features: str | None = None
    founded_on: date | None = None


class OrgCreateIn(OrgFieldsIn):
    parent: int | None = None
    name: str
    kind: OrgKind
    location_type: str


class OrgMoveIn(Schema):
    parent: int


class OrgDissolveIn(Schema):
    on: date
    reason: str


class MemberPerson(Schema):
    id: int
    name: str
    gender: str
    id_number_masked: str
    status: str


class OrgMemberOut(Schema):
    id: int
    kind: str
    started_on: date
    person: MemberPerson


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region_id: int | None = None
    region_name: str | None = None
    parent_id: int | None = None
    parent_name: str | None = None
    is_active: bool
    note: str
    retirees: int = Field(description="Retired persons on the register, among those the caller sees")
    has_party_org: bool

    @staticmethod
    def resolve_retirees(obj) -> int:
        return obj.retiree_count

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_parent_name(obj) -> str | None:
        return obj.parent.name if obj.parent_id else None


class UnitQuery(Schema):
    q: str = ""
    kind: UnitKind | None = None
    region: int | None = None
    has_org: Literal["yes", "no"] | None = None


class UnitFieldsIn(Schema):
    name: str | None = None
    kind: str | None = None
    region: int | None = None
    parent: int | None = None
    is_active: bool | None = None
    note: str | None = None


class UnitCreateIn(UnitFieldsIn):
    name: str
    kind: str


# --- helpers -----------------------------------------------------------------------------------------------

TEXT_FIELDS = {"name", "kind", "establishment", "formation", "location_type", "brand", "features", "note"}


def _region_or_422(pk: int, field: str = "region") -> Region:
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise field_error(field, _("Choose a valid region."))
    return region


def _unit_or_422(pk: int, field: str = "unit") -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise field_error(field, _("Choose a valid unit."))
    return unit


def _org_or_422(orgs: QuerySet[PartyOrg], pk: int, field: str = "parent") -> PartyOrg:
    org = orgs.filter(pk=pk).first()
    if org is None:
        raise field_error(field, _("Choose a valid organisation."))
    return org


def _resolve(data: dict[str, Any], refs: dict[str, Any]) -> dict[str, Any]:
    """Ids in the payload become rows (422 on an unknown id); a null text field becomes empty."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key in refs:
            fields[key] = refs[key](value, key) if value is not None else None
        elif key in TEXT_FIELDS and value is None:
            fields[key] = ""
        elif value is None and key in ("collects_dues", "is_active"):
            continue
        else:
            fields[key] = value
    return fields


ORG_REFS = {"unit": _unit_or_422, "region": _region_or_422}


def _org_out(orgs: QuerySet[PartyOrg]) -> QuerySet[PartyOrg]:
    return with_parent_id(orgs.select_related("unit", "region"), orgs)


def _org_detail(user, org_id: int) -> PartyOrg:
    orgs = visible_orgs(user)
    org = get_visible_or_404(_org_out(orgs), pk=org_id)
    org.totals = people_selectors.org_subtree_totals(
        org, orgs, None if sees_all_members_of(user, org) else visible_persons(user))
    org.children = list(selectors.children_of(orgs, org))
    return org


def _written(user, org: PartyOrg) -> PartyOrg:
    """What a write answers: the detail when the result is in scope, else the bare record."""
    if visible_orgs(user).filter(pk=org.pk).exists():
        return _org_detail(user, org.pk)
    org = _org_out(PartyOrg.objects.all()).get(pk=org.pk)
    org.totals = {"orgs": [], "primary": 0, "participating": 0}
    org.children = []
    return org


# --- party organisations -----------------------------------------------------------------------------------


@router.get("", response=list[OrgOut], summary="Party organisations in scope, filtered")
@paginate(LimitOffsetPagination)
def list_orgs(request, filters: Query[OrgQuery]):
    user = request.auth
    require(user.is_staff_user)
    f = selectors.OrgFilters(
        q=filters.q.strip(), kind=filters.kind or "", establishment=filters.establishment or "",
        location_type=filters.location_type or "", active="" if filters.active == "all" else filters.active,
    )
    orgs = visible_orgs(user)
    return with_parent_id(selectors.filter_orgs(orgs, f), orgs)


@router.get("/{org_id}", response=OrgDetailOut)
def get_org(request, org_id: int):
    user = request.auth
    org = _org_detail(user, org_id)
    require(user.is_staff_user)
    return org


@router.post("", response={201: OrgDetailOut})
def create_org(request, payload: OrgCreateIn):
    user = request.auth
    require(user.can_edit)
    data = payload.model_dump(exclude_unset=True)
    parent_id = data.pop("parent", None)
    if parent_id is None:
        if not user.has_role(Role.BUREAU):
            raise field_error("parent", _("Choose the parent organisation."))
        parent = None
    else:
        parent = _org_or_422(visible_orgs(user), parent_id)
    org = services.org_create(actor=user, parent=parent, fields=_resolve(data, ORG_REFS))
    return Status(201, _written(user, org))


@router.patch("/{org_id}", response=OrgDetailOut)
def update_org(request, org_id: int, payload: OrgFieldsIn):
    user = request.auth
    org = get_visible_or_404(visible_orgs(user), pk=org_id)
    require(user.can_edit)
    fields = _resolve(payload.model_dump(exclude_unset=True), ORG_REFS)
    return _written(user, services.org_update(actor=user, org=org, fields=fields))


@router.post("/{org_id}/move", response=OrgDetailOut)
def move_org(request, org_id: int, payload: OrgMoveIn):
    user = request.auth
    orgs = visible_orgs(user)
    org = get_visible_or_404(orgs, pk=org_id)
    require(user.can_edit)
    new_parent = _org_or_422(orgs.filter(dissolved_on__isnull=True), payload.parent)
    return _written(user, services.org_move(actor=user, org=org, new_parent=new_parent))


@router.post("/{org_id}/dissolve", response=OrgDetailOut)
def dissolve_org(request, org_id: int, payload: OrgDissolveIn):
    user = request.auth
    org = get_visible_or_404(visible_orgs(user), pk=org_id)
    require(user.can_edit)
    org = people_services.organization_dissolve(actor=user, org=org, on=payload.on, reason=payload.reason)
    return _written(user, org)


@router.get("/{org_id}/members", response=list[OrgMemberOut], summary="Active members the user sees")
@paginate(LimitOffsetPagination)
def list_org_members(request, org_id: int):
    user = request.auth
    org = get_visible_or_404(visible_orgs(user), pk=org_id)
    require(user.is_staff_user)
    return people_selectors.org_members(org).filter(person__in=visible_persons(user))


# --- units -------------------------------------------------------------------------------------------------


UNIT_REFS = {"region": _region_or_422, "parent": _unit_or_422}


def _units(user) -> QuerySet[Unit]:
    """Units are reference data for every staff role, and out of scope (404) for everyone else."""
    units = Unit.objects.all() if sees_structure(user) else Unit.objects.none()
    return people_selectors.units_with_retiree_counts(units, visible_persons(user))


@units_router.get("", response=list[UnitOut], summary="Units with their retirees in scope")
@paginate(LimitOffsetPagination)
def list_units(request, filters: Query[UnitQuery]):
    user = request.auth
    require(sees_structure(user))
    units = _units(user)
    if filters.q.strip():
        units = units.filter(name__icontains=filters.q.strip())
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.region is not None:
        units = units.filter(region__path__startswith=_region_or_422(filters.region).path)
    if filters.has_org:
        units = units.filter(has_party_org=filters.has_org == "yes")
    return units.order_by("name", "pk")


@units_router.get("/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: int):
    user = request.auth
    return get_visible_or_404(_units(user), pk=unit_id)


@units_router.post("", response={201: UnitOut})
def create_unit(request, payload: UnitCreateIn):
    user = request.auth
    require(user.has_role(Role.BUREAU))
    unit = services.unit_create(actor=user, fields=_resolve(payload.model_dump(exclude_unset=True), UNIT_REFS))
    return Status(201, _units(user).get(pk=unit.pk))


@units_router.patch("/{unit_id}", response=UnitOut)
def update_unit(request, unit_id: int, payload: UnitFieldsIn):
    user = request.auth
    unit = get_visible_or_404(_units(user), pk=unit_id)
    require(user.has_role(Role.BUREAU))
    fields = _resolve(payload.model_dump(exclude_unset=True), UNIT_REFS)
    unit = services.unit_update(actor=user, unit=unit, fields=fields)
    return _units(user).get(pk=unit.pk)
