"""REST endpoints over the region tree: every staff role reads it, the bureau changes it."""

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from treebeard.mp_tree import MP_Node

from jinqiu.accounts.models import Role
from jinqiu.accounts.scoping import get_visible_or_404, sees_structure
from jinqiu.core.errors import field_error
from jinqiu.core.pagination import LimitOffsetPagination, paginate
from jinqiu.core.web import require

from . import services
from .models import Region, RegionLevel

router = Router(tags=["regions"])


def with_parent_id(qs: QuerySet[MP_Node], parents: QuerySet[MP_Node]) -> QuerySet[MP_Node]:
    """Annotate `parent_id` on a materialized-path queryset in one query, only when `parents` holds the parent.

    A parent outside `parents` (for instance an organisation outside the user's scope) gives None.
    """
    step = qs.model.steplen
    parent = parents.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - step)).values("pk")[:1]
    return qs.annotate(parent_id=Subquery(parent, output_field=IntegerField()))


class RegionOut(Schema):
    id: int
    name: str
    code: str
    level: str
    level_label: str
    depth: int
    parent_id: int | None = None
    numchild: int

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(obj.get_level_display())


class RegionCreateIn(Schema):
    parent: int | None = None
    name: str
    level: RegionLevel
    code: str = ""


class RegionPatchIn(Schema):
    name: str | None = None
    code: str | None = None


class RegionMoveIn(Schema):
    parent: int


def visible_regions(user) -> QuerySet[Region]:
    """Regions are reference data for every staff role, and out of scope (404) for everyone else."""
    return Region.objects.all() if sees_structure(user) else Region.objects.none()


def _region_or_422(pk: int, field: str = "parent") -> Region:
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise field_error(field, _("Choose a valid region."))
    return region


def _out(region: Region) -> Region:
    return with_parent_id(Region.objects.filter(pk=region.pk), Region.objects.all()).get()


@router.get("", response=list[RegionOut], summary="Regions under a parent, or the top regions")
@paginate(LimitOffsetPagination)
def list_regions(request, parent: int | None = None):
    require(sees_structure(request.auth))
    regions = Region.objects.all()
    if parent is not None:
        node = get_visible_or_404(regions, pk=parent)
        qs = regions.filter(path__startswith=node.path, depth=node.depth + 1)
    else:
        qs = regions.filter(depth=1)
    return with_parent_id(qs, regions).order_by("path")


@router.get("/{region_id}", response=RegionOut)
def get_region(request, region_id: int):
    return _out(get_visible_or_404(visible_regions(request.auth), pk=region_id))


@router.post("", response={201: RegionOut})
def create_region(request, payload: RegionCreateIn):
    user = request.auth
    require(user.has_role(Role.BUREAU))
    parent = _region_or_422(payload.parent) if payload.parent is not None else None
    region = services.region_create(actor=user, parent=parent, name=payload.name, level=payload.level,
                                    code=payload.code)
    return Status(201, _out(region))


@router.patch("/{region_id}", response=RegionOut, summary="Rename a region or change its division code")
def update_region(request, region_id: int, payload: RegionPatchIn):
    user = request.auth
    region = get_visible_or_404(visible_regions(user), pk=region_id)
    require(user.has_role(Role.BUREAU))
    region = services.region_rename(actor=user, region=region,
                                    name=payload.name if payload.name is not None else region.name,
                                    code=payload.code)
    return _out(region)


@router.post("/{region_id}/move", response=RegionOut)
def move_region(request, region_id: int, payload: RegionMoveIn):
    user = request.auth
    region = get_visible_or_404(visible_regions(user), pk=region_id)
    require(user.has_role(Role.BUREAU))
    new_parent = _region_or_422(payload.parent)
    return _out(services.region_move(actor=user, region=region, new_parent=new_parent))
