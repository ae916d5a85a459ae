"""REST endpoints over persons: the same scope, roles and services as the web views.

No answer carries a clear ID number or phone: only the masked forms. One value is shown in clear
through `POST /persons/{id}/reveal`, with a reason, and that reveal is written to the access log.
"""

from datetime import date
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jinqiu.accounts import services as account_services
from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.core.errors import field_error
from jinqiu.core.pagination import LimitOffsetPagination, paginate
from jinqiu.core.phones import mask_phone
from jinqiu.core.web import client_ip, require
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.regions.models import Region, RegionLevel

from . import selectors, services
from .models import AgeBand, Membership, Person, PersonStatus, RetirementType, Situation

router = Router(tags=["persons"])


def _masked(value: str) -> str:
    return mask_phone(value) if value else ""


# --- schemas -----------------------------------------------------------------------------------------------


class MembershipOut(Schema):
    id: int
    kind: str
    org_id: int | None = None
    org_name: str | None = None
    org_kind: str | None = None
    outside_org_name: str
    started_on: date
    ended_on: date | None = None
    end_reason: str = Field(description="Why it ended, as a person reads it (empty while active)")
    end_note: str = Field(description="Any free text given when it ended")

    @staticmethod
    def resolve_end_reason(obj) -> str:
        return str(obj.get_end_reason_display()) if obj.end_reason else ""

    @staticmethod
    def resolve_org_name(obj) -> str | None:
        return obj.org.name if obj.org_id else None

    @staticmethod
    def resolve_org_kind(obj) -> str | None:
        return obj.org.kind if obj.org_id else None


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    ethnicity: str
    id_number_masked: str
    birth_date: date
    lunar_birthday: bool
    age: int
    native_place: str
    education: str
    original_unit_name: str
    original_unit_id: int | None = None
    service_unit_id: int | None = None
    original_position: str
    rank: str
    retirement_type: str
    retirement_date: date | None = None
    treatment: str
    region_id: int | None = None
    region_name: str | None = None
    address: str
    mobile_masked: str
    phone_masked: str
    emergency_contact: str
    emergency_phone_masked: str
    relocated: bool
    relocated_place: str
    living: str
    health: str
    hardship: bool
    skills: str
    is_party_member: bool
    joined_party_on: date | None = None
    full_member_on: date | None = None
    status: str
    died_on: date | None = None
    moved_on: date | None = None
    moved_to: str
    note: str
    situations: list[str]
    memberships: list[MembershipOut] = Field(description="Active memberships only")

    @staticmethod
    def resolve_age(obj) -> int:
        return obj.age(obj.died_on) if obj.died_on else obj.age()

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_mobile_masked(obj) -> str:
        return _masked(obj.mobile)

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return _masked(obj.phone)

    @staticmethod
    def resolve_emergency_phone_masked(obj) -> str:
        return _masked(obj.emergency_phone)

    @staticmethod
    def resolve_situations(obj) -> list[str]:
        return [str(label) for label in obj.situations]

    @staticmethod
    def resolve_memberships(obj) -> list[Membership]:
        active = getattr(obj, "active_memberships", None)
        if active is None:  # the detail prefetches every membership, history included
            active = [m for m in obj.memberships.all() if m.ended_on is None]
        return active


class SurvivorOut(Schema):
    id: int
    name: str
    relation: str
    phone_masked: str
    address: str
    note: str

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return _masked(obj.phone)


class PersonDetailOut(PersonOut):
    survivors: list[SurvivorOut]

    @staticmethod
    def resolve_survivors(obj) -> list:
        return list(obj.survivors.all())


StatusFilter = Literal[(*PersonStatus.values, "all")]  # type: ignore[valid-type]


class PersonQuery(Schema):
    q: str = ""
    org: int | None = None
    region: int | None = None
    unit: int | None = None
    retirement_type: RetirementType | None = None
    age_band: AgeBand | None = None
    situation: list[Situation] = Field(default_factory=list)
    status: StatusFilter = PersonStatus.ACTIVE.value
    party: Literal["yes", "no"] | None = None
    pending: bool = False


class PersonFieldsIn(Schema):
    name: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: date | None = None
    lunar_birthday: bool | None = None
    native_place: str | None = None
    education: str | None = None
    original_unit_name: str | None = None
    original_unit: int | None = None
    service_unit: int | None = None
    original_position: str | None = None
    rank: str | None = None
    retirement_type: str | None = None
    retirement_date: date | None = None
    treatment: str | None = None
    region: int | None = Field(None, description="A community or village")
    address: str | None = None
    mobile: str | None = None
    phone: str | None = None
    emergency_contact: str | None = None
    emergency_phone: str | None = None
    relocated: bool | None = None
    relocated_place: str | None = None
    living: str | None = None
    health: str | None = None
    hardship: bool | None = None
    skills: str | None = None
    is_party_member: bool | None = None
    joined_party_on: date | None = None
    full_member_on: date | None = None
    note: str | None = None


class PersonPatchIn(PersonFieldsIn):
    id_number: str | None = Field(None, description="Leave out to keep the current number")


class PersonCreateIn(PersonFieldsIn):
    id_number: str
    name: str
    retirement_type: str
    org: int | None = Field(None, description="Formal organisation holding the membership relation")
    outside_org_name: str = Field("", description="Or the organisation outside the system holding it")
    relation_since: date | None = None


class TransferIn(Schema):
    org: int | None = None
    outside_org_name: str = ""
    on: date


class JoinIn(Schema):
    org: int
    on: date


class MembershipEndIn(Schema):
    on: date
    reason: str = ""


class DeathIn(Schema):
    died_on: date


class MoveAwayIn(Schema):
    on: date
    moved_to: str


class SurvivorIn(Schema):
    name: str
    relation: str
    phone: str = ""
    address: str = ""
    note: str = ""


class RevealIn(Schema):
    field: str = Field(description="id_number, mobile or phone")
    reason: str


class RevealOut(Schema):
    value: str


# --- helpers -----------------------------------------------------------------------------------------------

BOOL_FIELDS = {"relocated", "hardship", "is_party_member"}
FK_FIELDS = {"original_unit", "service_unit", "region"}


def _unit(pk: int, field: str) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise field_error(field, _("Choose a valid unit."))
    return unit


def _region(pk: int, field: str = "region", residence: bool = True) -> Region:
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise field_error(field, _("Choose a valid region."))
    if residence and region.level not in (RegionLevel.COMMUNITY, RegionLevel.VILLAGE):
        raise field_error(field, _("The community of residence is a community or a village."))
    return region


def _org(user, pk: int, field: str = "org") -> PartyOrg:
    org = visible_orgs(user).filter(pk=pk).first()
    if org is None:
        raise field_error(field, _("Choose a valid organisation."))
    return org


def _person_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Payload fields as the services take them: ids become rows, a null text becomes empty."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key in FK_FIELDS:
            if value is None:
                fields[key] = None
            elif key == "region":
                fields[key] = _region(value)
            else:
                fields[key] = _unit(value, key)
        elif value is None:
            if key in BOOL_FIELDS:
                continue
            # Dates may be cleared; text fields are never null in the table.
            fields[key] = None if key.endswith(("_date", "_on")) else ""
        else:
            fields[key] = value
    return fields


def _person_for_edit(user, pk: int) -> Person:
    person = get_visible_or_404(visible_persons(user), pk=pk)
    require(user.can_edit)
    return person


def _detail(person: Person) -> Person:
    """The detail of a person just written by this user (it may have left their scope by the write)."""
    return selectors.person_detail(Person.objects.all(), person.pk)


def _filters(user, f: PersonQuery) -> selectors.PersonFilters:
    org_path = _org(user, f.org).path if f.org is not None else ""
    region_path = _region(f.region, residence=False).path if f.region is not None else ""
    if f.unit is not None:
        _unit(f.unit, "unit")
    return selectors.PersonFilters(
        q=f.q.strip(),
        org_path=org_path,
        region_path=region_path,
        unit_id=f.unit,
        retirement_type=f.retirement_type or "",
        age_band=f.age_band or "",
        situations=list(f.situation),
        status="" if f.status == "all" else f.status,
        party=f.party or "",
        pending=f.pending,
    )


# --- endpoints ---------------------------------------------------------------------------------------------


@router.get("", response=list[PersonOut], summary="Persons in scope, filtered as in the web list")
@paginate(LimitOffsetPagination)
def list_persons(request, filters: Query[PersonQuery]):
    user = request.auth
    require(user.is_staff_user)
    qs = selectors.filter_persons(visible_persons(user), _filters(user, filters))
    return selectors.with_list_relations(qs.order_by("name", "pk"))


@router.get("/{person_id}", response=PersonDetailOut)
def get_person(request, person_id: int):
    user = request.auth
    scoped = visible_persons(user)
    get_visible_or_404(scoped, pk=person_id)  # scope first: out of scope is 404, whatever the role
    require(user.is_staff_user)
    return selectors.person_detail(scoped, person_id)


@router.post("", response={201: PersonDetailOut})
def create_person(request, payload: PersonCreateIn):
    user = request.auth
    require(user.can_edit)
    data = payload.model_dump(exclude_unset=True)
    id_number = data.pop("id_number")
    org_id = data.pop("org", None)
    outside_org_name = data.pop("outside_org_name", "") or ""
    relation_since = data.pop("relation_since", None)
    org = _org(user, org_id) if org_id is not None else None
    person = services.person_create(actor=user, id_number=id_number, fields=_person_fields(data), org=org,
                                    outside_org_name=outside_org_name, relation_since=relation_since)
    return Status(201, _detail(person))


@router.patch("/{person_id}", response=PersonDetailOut)
def update_person(request, person_id: int, payload: PersonPatchIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    data = payload.model_dump(exclude_unset=True)
    id_number = data.pop("id_number", None) or None
    person = services.person_update(actor=user, person=person, fields=_person_fields(data), id_number=id_number)
    return _detail(person)


@router.post("/{person_id}/transfer", response=MembershipOut, summary="组织关系转接: move the membership relation")
def transfer(request, person_id: int, payload: TransferIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    org = _org(user, payload.org) if payload.org is not None else None
    return services.membership_transfer(actor=user, person=person, org=org,
                                        outside_org_name=payload.outside_org_name, on=payload.on)


@router.post("/{person_id}/join", response=MembershipOut, summary="Take part in a functional organisation")
def join(request, person_id: int, payload: JoinIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    return services.membership_join(actor=user, person=person, org=_org(user, payload.org), on=payload.on)


@router.post("/{person_id}/memberships/{membership_id}/end", response=MembershipOut)
def end_membership(request, person_id: int, membership_id: int, payload: MembershipEndIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    membership = get_visible_or_404(Membership.objects.filter(person=person).select_related("org"),
                                    pk=membership_id)
    return services.membership_end(actor=user, membership=membership, on=payload.on, reason=payload.reason)


@router.post("/{person_id}/death", response=PersonDetailOut, summary="Record a death")
def record_death(request, person_id: int, payload: DeathIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    return _detail(services.person_record_death(actor=user, person=person, died_on=payload.died_on))


@router.post("/{person_id}/move-away", response=PersonDetailOut, summary="Record a move away (迁出)")
def move_away(request, person_id: int, payload: MoveAwayIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    return _detail(services.person_move_away(actor=user, person=person, on=payload.on, moved_to=payload.moved_to))


@router.post("/{person_id}/survivors", response={201: SurvivorOut}, summary="Add a survivor (遗属)")
def add_survivor(request, person_id: int, payload: SurvivorIn):
    user = request.auth
    person = _person_for_edit(user, person_id)
    return Status(201, services.survivor_add(actor=user, person=person, fields=payload.model_dump()))


@router.post("/{person_id}/reveal", response=RevealOut, summary="Show one masked value in clear; logged")
def reveal(request, response: HttpResponse, person_id: int, payload: RevealIn):
    user = request.auth
    person = get_visible_or_404(visible_persons(user), pk=person_id)
    require(user.can_reveal)
    value = account_services.person_reveal(actor=user, person=person, field=payload.field,
                                           reason=payload.reason, ip_address=client_ip(request))
    response["Cache-Control"] = "no-store"
    return {"value": value}
