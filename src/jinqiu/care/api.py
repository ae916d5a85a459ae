"""REST endpoints for care: 六必访 tasks, visits, hospital stays, campaigns, requests and call terminals.

The same services and scoped selectors as the web pages: an object about a person or an organisation the
caller does not see answers 404 before any role check (403). Health details (a hospital stay's hospital,
ward and condition) and the money of a visit are in an answer only for roles with care duties
(`permissions.has_care_duties`); for anyone else those keys are left out of the answer altogether.

`POST /care/alarm` is the one operation a 一键呼叫 terminal calls, authenticated by its own device token
(`Authorization: Device <token>`): a user's session or bearer token is refused there.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import AfterValidator, model_serializer

from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.accounts.services import token_authenticate
from jinqiu.core import idempotency
from jinqiu.core.errors import field_error
from jinqiu.core.pagination import LimitOffsetPagination, paginate
from jinqiu.core.web import require
from jinqiu.regions.models import Region

from . import selectors, services
from .models import (
    Campaign,
    CampaignKind,
    CampaignTarget,
    Device,
    Hospitalisation,
    Request,
    RequestCategory,
    RequestSource,
    RequestStatus,
    RuleKind,
    Satisfaction,
    TaskStatus,
    Visit,
    VisitKind,
)
from .permissions import has_care_duties, may_manage, may_visit

router = Router(tags=["care"])

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _sensible_day(value: date) -> date:
    """A day a care record can be about (also keeps the date arithmetic of the services in range)."""
    if not 1900 <= value.year <= 2100:
        raise ValueError("out of range")
    return value


def _sensible_moment(value: datetime) -> datetime:
    if not 1900 <= value.year <= 2100:
        raise ValueError("out of range")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


Day = Annotated[date, AfterValidator(_sensible_day)]
Moment = Annotated[datetime, AfterValidator(_sensible_moment)]
IDEMPOTENCY_HELP = ("Send an `Idempotency-Key` header (any unique string up to 128 characters) to retry safely: "
                    "the same key answers the same record, and never makes a second one.")


# --- what only roles with care duties read ------------------------------------------------------------------

def _duties(context) -> bool:
    """Whether the caller has care duties; asked once per request (a list resolves it for every row)."""
    request = (context or {}).get("request")
    if request is None:
        return False
    found = getattr(request, "_care_duties", None)
    if found is None:
        found = request._care_duties = has_care_duties(request.auth)
    return found


class CareOnly(Schema):
    """A schema with fields (`care_only`) that its resolvers give as None to a caller without care duties:
    those keys are then left out of the answer, not sent as null."""

    care_only: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _leave_out(self, handler):
        data = handler(self)
        for key in self.care_only:
            if data.get(key) is None:
                data.pop(key, None)
        return data


# --- schemas ------------------------------------------------------------------------------------------------

class TaskOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    title: str
    event_on: date
    earliest: date
    due_on: date
    latest: date
    visitor: str
    assignee_id: int | None = None
    leader_visit: bool
    status: str
    overdue: bool
    escalation: int
    visit_id: int | None = None
    closed_on: date | None = None
    reason: str
    withdrawn_because: str

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_title(obj) -> str:
        return str(obj.title)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.status == TaskStatus.OPEN and obj.due_on < timezone.localdate()


TaskState = Literal[(*selectors.TASK_STATES, "all")]  # type: ignore[valid-type]


class TaskQuery(Schema):
    state: TaskState = "open"
    kind: RuleKind | None = None
    mine: bool = False
    q: str = Field("", max_length=50)
    region: Id | None = None


class ExemptIn(Schema):
    reason: str = Field(max_length=200)


class AssignIn(Schema):
    assignee: Id | None = Field(None, description="A user id; null takes the assignment away")


class VisitOut(CareOnly):
    care_only: ClassVar[tuple[str, ...]] = ("money",)
    id: int
    person_id: int | None = None
    org_id: int | None = None
    name: str = Field(description="The person or the organisation visited")
    visited_at: datetime
    visited_on: date
    kind: str
    place: str
    visitor_ids: list[int]
    other_visitors: str
    money: Decimal | None = Field(None, description="Only for roles with care duties")
    gifts: str
    findings: str
    campaign_id: int | None = None
    task_ids: list[int]
    request_ids: list[int]
    photo_count: int

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.name if obj.person_id else obj.org.name

    @staticmethod
    def resolve_visitor_ids(obj) -> list[int]:
        return sorted(u.pk for u in obj.visitors.all())

    @staticmethod
    def resolve_task_ids(obj) -> list[int]:
        return sorted(t.pk for t in obj.tasks.all())

    @staticmethod
    def resolve_request_ids(obj) -> list[int]:
        return sorted(r.pk for r in obj.requests.all())

    @staticmethod
    def resolve_photo_count(obj) -> int:
        return len(obj.photos.all())

    @staticmethod
    def resolve_money(obj, context) -> Decimal | None:
        return obj.money if _duties(context) else None


class VisitQuery(Schema):
    person: Id | None = None
    org: Id | None = None
    kind: VisitKind | None = None
    since: Day | None = None
    until: Day | None = None


class NeedIn(Schema):
    category: RequestCategory = RequestCategory.OTHER
    summary: str = Field(min_length=1, max_length=2000)


class VisitIn(Schema):
    person: Id | None = Field(None, description="The person visited, or")
    org: Id | None = Field(None, description="the party organisation visited")
    visited_at: Moment
    kind: VisitKind = VisitKind.HOME
    place: str = Field("", max_length=120)
    visitors: list[Id] = Field(default_factory=list, max_length=20,
                               description="User ids; empty: the caller visited")
    other_visitors: str = Field("", max_length=120)
    money: Decimal = Field(Decimal(0), ge=0, max_digits=9, decimal_places=2)
    gifts: str = Field("", max_length=200)
    findings: str = Field("", max_length=5000)
    campaign: Id | None = None
    tasks: list[Id] | None = Field(None, max_length=50,
                                   description="The tasks it answers; left out: every open task already due")
    need: NeedIn | None = Field(None, description="A need found: raised as a request in the same step")


class HospitalisationIn(Schema):
    admitted_on: Day
    hospital: str = Field(min_length=1, max_length=80)
    ward: str = Field("", max_length=40)
    condition: str = Field("", max_length=120)
    discharged_on: Day | None = None


class HospitalisationOut(CareOnly):
    care_only: ClassVar[tuple[str, ...]] = ("hospital", "ward", "condition")
    id: int
    person_id: int
    admitted_on: date
    discharged_on: date | None = None
    hospital: str | None = Field(None, description="Only for roles with care duties")
    ward: str | None = Field(None, description="Only for roles with care duties")
    condition: str | None = Field(None, description="Only for roles with care duties")
    task_id: int | None = None

    @staticmethod
    def resolve_hospital(obj, context) -> str | None:
        return obj.hospital if _duties(context) else None

    @staticmethod
    def resolve_ward(obj, context) -> str | None:
        return obj.ward if _duties(context) else None

    @staticmethod
    def resolve_condition(obj, context) -> str | None:
        return obj.condition if _duties(context) else None

    @staticmethod
    def resolve_task_id(obj) -> int | None:
        task = obj.person.visit_tasks.filter(kind=RuleKind.ILLNESS, event_key=f"hospital:{obj.pk}").first()
        return task.pk if task else None


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    starts_on: date
    ends_on: date
    root_org_id: int | None = None
    root_region_id: int | None = None
    retirement_type: str
    party_members_only: bool
    min_age: int | None = None
    include_orgs: bool
    note: str


class CoverageOut(Schema):
    region_id: int | None = None
    name: str
    total: int
    reached: int
    missing: int
    rate: float


class StreetCoverageOut(CoverageOut):
    communities: list[CoverageOut]


class CampaignDetailOut(CampaignOut):
    coverage: CoverageOut
    streets: list[StreetCoverageOut]


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    kind: CampaignKind
    starts_on: Day
    ends_on: Day
    root_org: Id | None = Field(None, description="The organisation whose members are visited, or")
    root_region: Id | None = Field(None, description="the region whose residents are visited")
    retirement_type: Literal["lixiu", "tuixiu", ""] = ""
    party_members_only: bool = False
    min_age: int | None = Field(None, ge=0, le=120)
    include_orgs: bool = False
    note: str = Field("", max_length=2000)


class CampaignAssignIn(Schema):
    assignee: Id | None = Field(None, description="A user id; null takes the assignment away")
    targets: list[Id] | None = Field(None, max_length=5000,
                                     description="Target ids; left out: every target not yet reached")
    region: Id | None = Field(None, description="Only the targets in this street or community")


class AssignedOut(Schema):
    assigned: int


class RefreshedOut(Schema):
    added: int
    withdrawn: int


class RequestOut(Schema):
    id: int
    person_id: int
    person_name: str
    source: str
    category: str
    summary: str
    urgent: bool
    received_on: date
    status: str
    assignee_id: int | None = None
    accept_by: date | None = None
    accepted_on: date | None = None
    deadline: date | None = None
    extended: bool
    extension_reason: str
    concluded_on: date | None = None
    outcome: str
    followed_up_on: date | None = None
    satisfaction: str
    rejection_reason: str
    visit_id: int | None = None
    device_id: int | None = None
    escalation: int
    overdue: bool

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_overdue(obj) -> bool:
        today = timezone.localdate()
        if obj.status == RequestStatus.RECEIVED:
            return bool(obj.accept_by and obj.accept_by < today)
        return obj.status in (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS) and bool(
            obj.deadline and obj.deadline < today)


RequestState = Literal[("open", "overdue", "all", *RequestStatus.values)]  # type: ignore[valid-type]


class RequestQuery(Schema):
    state: RequestState = "open"
    source: RequestSource | None = None
    category: RequestCategory | None = None
    mine: bool = False
    q: str = Field("", max_length=50)


class RequestIn(Schema):
    person: Id
    source: Literal[tuple(s for s in RequestSource.values if s != RequestSource.TERMINAL)]  # type: ignore[valid-type]
    category: RequestCategory
    summary: str = Field(min_length=1, max_length=5000)
    urgent: bool = False
    received_on: Day | None = Field(None, description="Left out: today")


RequestAction = Literal["accept", "reject", "assign", "start", "extend", "conclude", "follow_up"]


class RequestActionIn(Schema):
    reason: str = Field("", max_length=200, description="reject, extend: why")
    assignee: Id | None = Field(None, description="assign: a user id")
    outcome: str = Field("", max_length=5000, description="conclude: how it was resolved")
    satisfaction: Satisfaction | None = Field(None, description="follow_up: the person's satisfaction")
    on: Day | None = Field(None, description="accept, conclude, follow_up: the day (left out: today)")


class DeviceOut(Schema):
    id: int
    person_id: int
    person_name: str
    name: str
    token_hint: str = Field(description="The last four characters of the token")
    registered_at: datetime
    revoked_on: datetime | None = None
    last_used_at: datetime | None = None

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_registered_at(obj) -> datetime:
        return obj.created_at


class DeviceCreatedOut(DeviceOut):
    token: str | None = Field(description="Shown in this answer only, to be written into the terminal "
                                          "(null when a retried registration answers the first one)")


class DeviceIn(Schema):
    person: Id
    name: str = Field(min_length=1, max_length=60)


class DeviceQuery(Schema):
    person: Id | None = None
    revoked: bool | None = None


class Conflict(Schema):
    detail: str = Field(description="Why the record's state does not allow this")


class AlarmOut(Schema):
    request_id: int
    created: bool = Field(description="False when the alarm joined the urgent request of a recent one")


# --- shared pieces -------------------------------------------------------------------------------------------

def _conflicts(call):
    """Run a service: a refusal about the record's state (a non-field error) answers 409; field errors 422."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise HttpError(409, " ".join(exc.messages)) from None


def _user(pk: int | None, field: str):
    if pk is None:
        return None
    found = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise field_error(field, _("Choose a valid user."))
    return found


def _person(user, pk: int, field: str = "person"):
    found = visible_persons(user).filter(pk=pk).first()
    if found is None:
        raise field_error(field, _("Choose a person within your scope."))
    return found


def _region(pk: int, field: str = "region") -> Region:
    found = Region.objects.filter(pk=pk).first()
    if found is None:
        raise field_error(field, _("Choose a valid region."))
    return found


def _staff(user) -> None:
    require(user.is_staff_user)


def _task(user, task_id: int):
    task = get_visible_or_404(selectors.visible_tasks(user).select_related("person"), pk=task_id)
    _staff(user)
    return task


def _visits():
    return Visit.objects.select_related("person", "org").prefetch_related(
        "visitors", "tasks", "requests", "photos")


def _visit(user, visit_id: int):
    found = get_visible_or_404(selectors.visible_visits(user).values("pk"), pk=visit_id)
    _staff(user)
    return _visits().get(pk=found["pk"])


def _campaign(user, campaign_id: int):
    campaign = get_visible_or_404(selectors.visible_campaigns(user), pk=campaign_id)
    _staff(user)
    return campaign


def _request(user, request_id: int):
    found = get_visible_or_404(selectors.visible_requests(user).select_related("person"), pk=request_id)
    _staff(user)
    return found


def _visible_devices(user):
    return Device.objects.filter(person__in=visible_persons(user).values("pk")).select_related("person")


def _coverage(c: selectors.Coverage) -> dict[str, Any]:
    return {"region_id": c.region_id, "name": c.name, "total": c.total, "reached": c.reached,
            "missing": c.missing, "rate": c.rate}


def _campaign_detail(user, campaign) -> dict[str, Any]:
    whole, streets = selectors.coverage(user, campaign)
    data = CampaignOut.from_orm(campaign).model_dump()
    data["coverage"] = _coverage(whole)
    data["streets"] = [{**_coverage(street), "communities": [_coverage(c) for c in communities]}
                       for street, communities in streets]
    return data


# --- 六必访 tasks -------------------------------------------------------------------------------------------

@router.get("/tasks", response=list[TaskOut], summary="六必访 visit tasks in scope, filtered as in the web list")
@paginate(LimitOffsetPagination)
def list_tasks(request, filters: Query[TaskQuery]):
    user = request.auth
    _staff(user)
    f = selectors.TaskFilters(state="" if filters.state == "all" else filters.state, kind=filters.kind or "", mine=filters.mine,
                              q=filters.q.strip(), region=filters.region)
    return selectors.filter_tasks(selectors.visible_tasks(user), f, user)


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request, task_id: int):
    return _task(request.auth, task_id)


@router.post("/tasks/{task_id}/exempt", response={200: TaskOut, 409: Conflict}, summary="Exempt a task, with a reason (bureau, street)")
def exempt_task(request, task_id: int, payload: ExemptIn):
    user = request.auth
    task = _task(user, task_id)
    require(may_manage(user))
    return _conflicts(lambda: services.task_exempt(actor=user, task=task, reason=payload.reason))


@router.post("/tasks/{task_id}/assign", response=TaskOut, summary="Assign a task to a visitor (bureau, street)")
def assign_task(request, task_id: int, payload: AssignIn):
    user = request.auth
    task = _task(user, task_id)
    require(may_manage(user))
    return services.task_assign(actor=user, task=task, assignee=_user(payload.assignee, "assignee"))


# --- visits and hospital stays ------------------------------------------------------------------------------

@router.get("/visits", response=list[VisitOut], summary="Visits to persons and organisations in scope")
@paginate(LimitOffsetPagination)
def list_visits(request, filters: Query[VisitQuery]):
    user = request.auth
    _staff(user)
    qs = selectors.visible_visits(user)
    if filters.person is not None:
        qs = qs.filter(person=get_visible_or_404(visible_persons(user), pk=filters.person))
    if filters.org is not None:
        qs = qs.filter(org=get_visible_or_404(visible_orgs(user), pk=filters.org))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.since:
        qs = qs.filter(visited_on__gte=filters.since)
    if filters.until:
        qs = qs.filter(visited_on__lte=filters.until)
    return _visits().filter(pk__in=qs.values("pk")).order_by("-visited_at", "-id")


@router.get("/visits/{visit_id}", response=VisitOut)
def get_visit(request, visit_id: int):
    return _visit(request.auth, visit_id)


@router.post("/visits", response={201: VisitOut}, summary="Record a visit to a person or an organisation",
             description="The visit closes the tasks it answers, reaches the targets of running campaigns and "
                         "raises the need found as a request. Photos are added on the web page. " + IDEMPOTENCY_HELP)
def create_visit(request, payload: VisitIn,
                 idempotency_key: str | None = Header(None, alias=idempotency.API_HEADER, max_length=128)):
    user = request.auth
    require(may_visit(user))
    if (payload.person is None) == (payload.org is None):
        raise field_error("person", _("Choose one person or one organisation visited."))
    person = _person(user, payload.person) if payload.person is not None else None
    org = None
    if payload.org is not None:
        org = visible_orgs(user).filter(pk=payload.org).first()
        if org is None:
            raise field_error("org", _("Choose an organisation within your scope."))
    fields = payload.model_dump(include={"visited_at", "kind", "place", "other_visitors", "money", "gifts",
                                         "findings"})
    fields["visited_at"] = payload.visited_at
    if payload.campaign is not None:
        fields["campaign"] = selectors.visible_campaigns(user).filter(pk=payload.campaign).first()
        if fields["campaign"] is None:
            raise field_error("campaign", _("Choose a valid campaign."))
    visitors = list(get_user_model().objects.filter(pk__in=payload.visitors, is_active=True))
    if len(visitors) != len(set(payload.visitors)):
        raise field_error("visitors", _("Choose a valid user."))
    if payload.tasks is not None and person is None:
        raise field_error("tasks", _("An organisation's visit answers no task."))
    need = payload.need.model_dump() if payload.need is not None else None
    done = idempotency.once(
        user=user, scope="care.visit_create", key=idempotency_key,
        fingerprint=idempotency.fingerprint(payload.model_dump(mode="json")),
        create=lambda: services.visit_record(actor=user, fields=fields, person=person, org=org, visitors=visitors,
                                             task_ids=payload.tasks, need=need))
    return Status(201, _visits().get(pk=done.object_id))


@router.post("/persons/{person_id}/hospitalisations", response={201: HospitalisationOut},
             summary="Record a hospital stay (makes the 生病住院 visit task)", description=IDEMPOTENCY_HELP)
def create_hospitalisation(request, person_id: int, payload: HospitalisationIn,
                           idempotency_key: str | None = Header(None, alias=idempotency.API_HEADER,
                                                                max_length=128)):
    user = request.auth
    person = get_visible_or_404(visible_persons(user), pk=person_id)
    require(may_visit(user))
    done = idempotency.once(
        user=user, scope="care.hospitalisation_create", key=idempotency_key,
        fingerprint=idempotency.fingerprint({"person": person.pk, **payload.model_dump(mode="json")}),
        create=lambda: services.hospitalisation_record(actor=user, person=person, fields=payload.model_dump()))
    return Status(201, Hospitalisation.objects.select_related("person").get(pk=done.object_id))


# --- campaigns ----------------------------------------------------------------------------------------------

@router.get("/campaigns", response=list[CampaignOut], summary="Visit campaigns (走访慰问) in scope")
@paginate(LimitOffsetPagination)
def list_campaigns(request, running: bool = False):
    user = request.auth
    _staff(user)
    qs = selectors.visible_campaigns(user)
    if running:
        today = timezone.localdate()
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    return qs.order_by("-starts_on", "-id")


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut,
            summary="A campaign with its coverage: the whole, per street and per community")
def get_campaign(request, campaign_id: int):
    user = request.auth
    return _campaign_detail(user, _campaign(user, campaign_id))


@router.post("/campaigns", response={201: CampaignDetailOut}, summary="Start a campaign (bureau, street)",
             description="Its targets are drawn at once from the root and the filters. " + IDEMPOTENCY_HELP)
def create_campaign(request, payload: CampaignIn,
                    idempotency_key: str | None = Header(None, alias=idempotency.API_HEADER, max_length=128)):
    user = request.auth
    require(may_manage(user))
    fields = payload.model_dump()
    if payload.root_org is not None:
        fields["root_org"] = visible_orgs(user).filter(pk=payload.root_org).first()
        if fields["root_org"] is None:
            raise field_error("root_org", _("Choose an organisation within your scope."))
    if payload.root_region is not None:
        fields["root_region"] = _region(payload.root_region, "root_region")
    done = idempotency.once(
        user=user, scope="care.campaign_create", key=idempotency_key,
        fingerprint=idempotency.fingerprint(payload.model_dump(mode="json")),
        create=lambda: services.campaign_create(actor=user, fields=fields))
    return Status(201, _campaign_detail(user, Campaign.objects.get(pk=done.object_id)))


@router.post("/campaigns/{campaign_id}/assign", response=AssignedOut,
             summary="Assign targets in bulk (bureau, street)",
             description="Targets the assignee does not see are left as they were; `assigned` counts the others.")
def assign_campaign(request, campaign_id: int, payload: CampaignAssignIn):
    user = request.auth
    campaign = _campaign(user, campaign_id)
    require(may_manage(user))
    assignee = _user(payload.assignee, "assignee")
    targets = selectors.visible_targets(user, campaign).filter(withdrawn_on__isnull=True)
    if payload.targets is not None:
        targets = targets.filter(pk__in=payload.targets)
        if targets.count() != len(set(payload.targets)):
            raise field_error("targets", _("Choose targets of this campaign within your scope."))
    else:
        targets = targets.filter(reached_on__isnull=True)
    if payload.region is not None:
        region = _region(payload.region)
        targets = targets.filter(region__path__startswith=region.path)
    targets = CampaignTarget.objects.filter(pk__in=list(targets.values_list("pk", flat=True)))
    return {"assigned": services.campaign_assign(actor=user, campaign=campaign, targets=targets, assignee=assignee)}


@router.post("/campaigns/{campaign_id}/refresh", response=RefreshedOut,
             summary="Add who now matches; withdraw who died or moved away (bureau, street)")
def refresh_campaign(request, campaign_id: int):
    user = request.auth
    campaign = _campaign(user, campaign_id)
    require(may_manage(user))
    added, withdrawn = services.campaign_refresh(actor=user, campaign=campaign)
    return {"added": added, "withdrawn": withdrawn}


# --- requests (诉求) ----------------------------------------------------------------------------------------

@router.get("/requests", response=list[RequestOut], summary="Requests in scope, filtered as in the web list")
@paginate(LimitOffsetPagination)
def list_requests(request, filters: Query[RequestQuery]):
    user = request.auth
    _staff(user)
    f = selectors.RequestFilters(state="" if filters.state == "all" else filters.state, source=filters.source or "",
                                 category=filters.category or "", mine=filters.mine, q=filters.q.strip())
    return selectors.filter_requests(selectors.visible_requests(user), f, user)


@router.get("/requests/{request_id}", response=RequestOut)
def get_request(request, request_id: int):
    return _request(request.auth, request_id)


@router.post("/requests", response={201: RequestOut}, summary="Record a request received",
             description="信访 waits to be accepted or refused (within 15 days); any other source is accepted when "
                         "received. " + IDEMPOTENCY_HELP)
def create_request(request, payload: RequestIn,
                   idempotency_key: str | None = Header(None, alias=idempotency.API_HEADER, max_length=128)):
    user = request.auth
    require(may_visit(user))
    person = _person(user, payload.person)
    fields = payload.model_dump(exclude={"person"})
    done = idempotency.once(
        user=user, scope="care.request_create", key=idempotency_key,
        fingerprint=idempotency.fingerprint(payload.model_dump(mode="json")),
        create=lambda: services.request_create(actor=user, person=person, fields=fields))
    return Status(201, Request.objects.select_related("person").get(pk=done.object_id))


@router.post("/requests/{request_id}/{action}", response={200: RequestOut, 409: Conflict},
             summary="Move a request on (bureau, street)",
             description="accept, reject (`reason`), assign (`assignee`), start, extend (信访 only, once, `reason`), "
                         "conclude (`outcome`), follow_up (`satisfaction`). A move the request's status does not "
                         "allow answers 409 with the reason.")
def act_on_request(request, request_id: int, action: RequestAction, payload: RequestActionIn):
    user = request.auth
    found = _request(user, request_id)
    require(may_manage(user))
    p = payload
    calls = {
        "accept": lambda: services.request_accept(actor=user, request=found, on=p.on),
        "reject": lambda: services.request_reject(actor=user, request=found, reason=p.reason),
        "assign": lambda: services.request_assign(actor=user, request=found,
                                                  assignee=_user(p.assignee, "assignee") or _missing("assignee")),
        "start": lambda: services.request_start(actor=user, request=found),
        "extend": lambda: services.request_extend(actor=user, request=found, reason=p.reason),
        "conclude": lambda: services.request_conclude(actor=user, request=found, outcome=p.outcome, on=p.on),
        "follow_up": lambda: services.request_follow_up(actor=user, request=found,
                                                        satisfaction=p.satisfaction or "", on=p.on),
    }
    return _conflicts(calls[action])


def _missing(field: str):
    raise field_error(field, _("This field is required."))


# --- 一键呼叫 terminals -------------------------------------------------------------------------------------

@router.get("/devices", response=list[DeviceOut], summary="Call terminals of persons in scope (bureau, street)")
@paginate(LimitOffsetPagination)
def list_devices(request, filters: Query[DeviceQuery]):
    user = request.auth
    require(may_manage(user))
    qs = _visible_devices(user)
    if filters.person is not None:
        qs = qs.filter(person=get_visible_or_404(visible_persons(user), pk=filters.person))
    if filters.revoked is not None:
        qs = qs.filter(revoked_on__isnull=not filters.revoked)
    return qs.order_by("-id")


@router.post("/devices", response={201: DeviceCreatedOut}, summary="Register a call terminal (bureau, street)",
             description="The answer carries the terminal's token, once: only its hash is kept. " + IDEMPOTENCY_HELP)
def register_device(request, payload: DeviceIn,
                    idempotency_key: str | None = Header(None, alias=idempotency.API_HEADER, max_length=128)):
    user = request.auth
    require(may_manage(user))
    person = _person(user, payload.person)
    tokens: list[str] = []

    def create():
        device, token = services.device_register(actor=user, person=person, name=payload.name)
        tokens.append(token)
        return device

    done = idempotency.once(user=user, scope="care.device_register", key=idempotency_key,
                            fingerprint=idempotency.fingerprint(payload.model_dump(mode="json")), create=create)
    device = _visible_devices(user).get(pk=done.object_id)
    device.token = tokens[0] if tokens else None
    return Status(201, device)


@router.post("/devices/{device_id}/revoke", response=DeviceOut, summary="Revoke a call terminal (bureau, street)")
def revoke_device(request, device_id: int):
    user = request.auth
    device = get_visible_or_404(_visible_devices(user), pk=device_id)
    require(may_manage(user))
    return services.device_revoke(actor=user, device=device)


class DeviceToken(HttpBearer):
    """`Authorization: Device <token>`: a registered, unrevoked terminal; any other token answers 401."""

    openapi_scheme = "device"

    def authenticate(self, request, token: str):
        device = services.device_for_token(token.strip())
        if device is None:
            raise HttpError(401, _("This terminal is not registered or has been revoked."))
        return device


def _any_user(request):
    """A user's session or bearer token reaches the alarm only to be refused (403, not 401: the caller is
    known, the operation is not theirs)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return token_authenticate(header[7:].strip())
    return request.user if request.user.is_authenticated else None


@router.post("/alarm", response={201: AlarmOut}, auth=[DeviceToken(), _any_user],
             summary="一键呼叫: a terminal's alarm becomes an urgent request",
             description="Called by a terminal with `Authorization: Device <token>`. The pair contact and the "
                         "community are told at once; a second alarm within ten minutes joins the first request. "
                         "A user's session or bearer token is refused (403).")
def alarm(request):
    device = request.auth
    if not isinstance(device, Device):
        raise HttpError(403, _("Only a registered call terminal raises an alarm."))
    found, created = services.alarm_raise(device=device)
    return Status(201, {"request_id": found.pk, "created": created})
