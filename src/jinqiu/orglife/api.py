"""REST endpoints for organisational life: meeting types and rules, meetings, attendance, compliance.

The same services and scopes as the web views: meetings come from organisations in `visible_orgs`,
anything outside answers 404; bureau, street staff and branch secretaries record, the bureau edits rules.
"""

from datetime import date, datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import field_validator

from jinqiu.accounts.scoping import get_visible_or_404, visible_orgs, visible_persons
from jinqiu.core import idempotency
from jinqiu.core.errors import field_error
from jinqiu.core.pagination import LimitOffsetPagination, paginate
from jinqiu.core.web import require

from . import compliance, selectors, services
from .models import Attendance, AttendanceStatus, FrequencyRule, MeetingMode, MeetingOrg, MeetingType, Period
from .periods import year_error
from .permissions import can_edit_rules, can_record

router = Router(tags=["organisational life"])


class RuleOut(Schema):
    id: int
    meeting_type_id: int
    meeting_type: str
    org_kind: str
    establishment: str
    period: str
    is_active: bool

    @staticmethod
    def resolve_meeting_type(obj) -> str:
        return obj.meeting_type.name


class RuleIn(Schema):
    period: Period
    is_active: bool = True


class TypeOut(Schema):
    id: int
    code: str
    name: str
    is_lesson: bool


class MeetingOut(Schema):
    id: int
    org_id: int
    counts_for: list[int]
    meeting_type_id: int
    meeting_type: str
    status: str
    starts_at: datetime
    held_on: date
    place: str
    mode: str
    host: str
    lecturer: str
    topic: str
    partners: str
    agenda: str
    minutes: str

    @staticmethod
    def resolve_meeting_type(obj) -> str:
        return obj.meeting_type.name

    @staticmethod
    def resolve_counts_for(obj) -> list[int]:
        return sorted(link.org_id for link in obj.org_links.all())  # the links alone: no organisation is read


class AttendanceOut(Schema):
    id: int
    person_id: int
    person_name: str
    org_id: int
    status: str
    reason: str
    made_up_on: date | None = None

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_made_up_on(obj) -> date | None:
        makeup = getattr(obj, "makeup", None)  # the missing reverse one-to-one is an AttributeError
        return makeup.delivered_on if makeup else None


class RateOut(Schema):
    expected: int
    attended: int
    on_leave: int
    made_up: int
    rate: float | None = None
    with_makeup: float | None = None


class OtherOrgOut(Schema):
    """Attendance of an organisation whose members the caller does not see: counts, no names."""

    org_id: int
    name: str
    expected: int
    present: int
    on_leave: int
    absent: int
    unrecorded: int


class MeetingDetailOut(MeetingOut):
    attendance: list[AttendanceOut]
    others: list[OtherOrgOut] = []
    rate: RateOut


class MeetingIn(Schema):
    org: int
    meeting_type: int
    starts_at: datetime
    held: bool = True
    place: str = ""
    mode: MeetingMode = MeetingMode.OFFLINE
    host: str = ""
    lecturer: str = ""
    topic: str = ""
    partners: str = ""
    agenda: str = ""
    minutes: str = ""
    joint: list[int] = []


class MeetingPatch(Schema):
    meeting_type: int | None = None
    starts_at: datetime | None = None
    place: str | None = None
    mode: MeetingMode | None = None
    host: str | None = None
    lecturer: str | None = None
    topic: str | None = None
    partners: str | None = None
    agenda: str | None = None
    minutes: str | None = None
    joint: list[int] | None = None


class MeetingQuery(Schema):
    org: int | None = Field(None, ge=1, le=2**63 - 1)
    year: int | None = Field(None, description="A year from 1921 to next year")
    status: str | None = None

    @field_validator("year")
    @classmethod
    def _sensible_year(cls, value: int | None) -> int | None:
        if value is not None and (error := year_error(value)):
            raise ValueError(error)
        return value


class ReopenIn(Schema):
    reason: str


class AttendanceIn(Schema):
    status: AttendanceStatus
    reason: str = ""


class MakeUpIn(Schema):
    delivered_by: str
    delivered_on: date
    content: str


class BehindOut(Schema):
    org_id: int
    org_name: str
    required: int
    held: int
    rate: float | None = None
    missed: int
    overdue_days: int


class ComplianceOut(Schema):
    window_start: date
    window_end: date
    required: int
    held: int
    rate: float | None = None
    attendance: RateOut
    behind: list[BehindOut]


class PersonRateOut(Schema):
    org_id: int
    org_name: str
    rate: RateOut


class PersonAttendanceOut(Schema):
    total: RateOut
    by_org: list[PersonRateOut]


def _rate(r: selectors.Rate) -> dict:
    return {"expected": r.expected, "attended": r.attended, "on_leave": r.on_leave, "made_up": r.made_up,
            "rate": r.rate, "with_makeup": r.with_makeup}


def _detail(meeting, user) -> object:
    """The meeting with the attendance of the persons the caller sees, and counts for the other organisations."""
    meeting.attendance = list(selectors.visible_attendance(user, meeting))
    meeting.others = [vars(o) for o in selectors.hidden_counts(user, meeting)]
    meeting.rate = _rate(selectors.meeting_rate(meeting))
    return meeting


def _type_or_422(pk: int) -> MeetingType:
    found = MeetingType.objects.filter(pk=pk).first()
    if found is None:
        raise field_error("meeting_type", _("Choose a valid meeting type."))
    return found


def _joint_or_422(orgs, ids: list[int]):
    found = list(orgs.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise field_error("joint", _("Choose organisations within your scope."))
    return found


def _meeting(user, meeting_id: int):
    """Scope first (404), then the role (403)."""
    meeting = get_visible_or_404(selectors.visible_meetings(user).select_related("meeting_type", "org"),
                                 pk=meeting_id)
    require(user.is_staff_user)
    return meeting


def _hosted(user, meeting_id: int):
    """A meeting the caller may change: a recorder who sees its host (partners mark their own members)."""
    meeting = _meeting(user, meeting_id)
    require(can_record(user) and selectors.hosts(user, meeting))
    return meeting


@router.get("/types", response=list[TypeOut], summary="Meeting types")
def list_types(request):
    require(request.auth.is_staff_user)
    return MeetingType.objects.all()


@router.get("/rules", response=list[RuleOut], summary="Frequency rules per organisation kind and establishment")
def list_rules(request):
    require(request.auth.is_staff_user)
    return FrequencyRule.objects.select_related("meeting_type")


@router.patch("/rules/{rule_id}", response=RuleOut, summary="Change a frequency rule (bureau)")
def update_rule(request, rule_id: int, payload: RuleIn):
    rule = get_visible_or_404(selectors.visible_rules(request.auth), pk=rule_id)
    require(can_edit_rules(request.auth))
    return services.rule_update(actor=request.auth, rule=rule, period=payload.period, is_active=payload.is_active)


@router.get("/meetings", response=list[MeetingOut], summary="Meetings of organisations in scope")
@paginate(LimitOffsetPagination)
def list_meetings(request, filters: Query[MeetingQuery]):
    user = request.auth
    require(user.is_staff_user)
    if filters.org is not None:
        org = get_visible_or_404(visible_orgs(user), pk=filters.org)
        qs = selectors.meetings_of(org).filter(pk__in=selectors.visible_meetings(user).values("pk"))
    else:
        qs = selectors.meeting_list(user)
    if filters.year:
        qs = qs.filter(held_on__year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.select_related("meeting_type").prefetch_related(
        Prefetch("org_links", queryset=MeetingOrg.objects.only("meeting_id", "org_id"))).order_by("-starts_at", "-id")


@router.post("/meetings", response={201: MeetingDetailOut}, summary="Plan a meeting, or record one held",
             description="Send an `Idempotency-Key` header (any unique string up to 128 characters) to retry "
                         "safely: the same key answers the same meeting, and never makes a second one.")
def create_meeting(request, payload: MeetingIn,
                   idempotency_key: str | None = Header(None, alias=idempotency.API_HEADER, max_length=128)):
    user = request.auth
    require(can_record(user))
    orgs = visible_orgs(user)
    org = orgs.filter(pk=payload.org).first()
    if org is None:
        raise field_error("org", _("Choose a valid organisation."))
    data = payload.model_dump()
    joint = _joint_or_422(orgs, data.pop("joint"))
    held = data.pop("held")
    data.pop("org")
    data["meeting_type"] = _type_or_422(data["meeting_type"])
    done = idempotency.once(
        user=user, scope="orglife.meeting_create", key=idempotency_key, fingerprint=idempotency.fingerprint(
            payload.model_dump(mode="json")),
        create=lambda: services.meeting_create(actor=user, org=org, fields=data, held=held, joint_orgs=joint))
    meeting = done.obj or _meeting(user, done.object_id)
    return Status(201, _detail(meeting, user))


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request, meeting_id: int):
    return _detail(_meeting(request.auth, meeting_id), request.auth)


@router.patch("/meetings/{meeting_id}", response=MeetingDetailOut)
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    user = request.auth
    meeting = _hosted(user, meeting_id)
    data = payload.model_dump(exclude_unset=True)
    joint = data.pop("joint", None)
    if joint is not None:
        orgs = visible_orgs(user)
        hidden = meeting.counts_for.exclude(pk=meeting.org_id).exclude(pk__in=orgs.values("pk"))
        joint = [*_joint_or_422(orgs, joint), *hidden]  # partners the caller cannot see are not theirs to drop
    if data.get("meeting_type") is not None:
        data["meeting_type"] = _type_or_422(data["meeting_type"])
    data = {k: v for k, v in data.items() if v is not None}
    return _detail(services.meeting_update(actor=user, meeting=meeting, fields=data, joint_orgs=joint), user)


@router.post("/meetings/{meeting_id}/hold", response=MeetingDetailOut, summary="A planned meeting was held")
def hold_meeting(request, meeting_id: int):
    user = request.auth
    meeting = _hosted(user, meeting_id)
    return _detail(services.meeting_hold(actor=user, meeting=meeting), user)


@router.post("/meetings/{meeting_id}/reopen", response=MeetingDetailOut,
             summary="A held meeting goes back to planned (recorded by mistake)")
def reopen_meeting(request, meeting_id: int, payload: ReopenIn):
    user = request.auth
    meeting = _hosted(user, meeting_id)
    return _detail(services.meeting_reopen(actor=user, meeting=meeting, reason=payload.reason), user)


@router.post("/meetings/{meeting_id}/all-present", response=MeetingDetailOut, summary="全部出席")
def all_present(request, meeting_id: int):
    user = request.auth
    meeting = _meeting(user, meeting_id)
    require(can_record(user))
    services.attendance_all_present(actor=user, meeting=meeting, persons=visible_persons(user))
    return _detail(meeting, user)


def _attendance(user, attendance_id: int) -> Attendance:
    """A row of a visible meeting for a visible person (else 404), then the role (403)."""
    row = get_visible_or_404(selectors.attendance_rows(user).select_related("person"), pk=attendance_id)
    require(can_record(user))
    return row


@router.put("/attendance/{attendance_id}", response=AttendanceOut, summary="Set one person's attendance")
def set_attendance(request, attendance_id: int, payload: AttendanceIn):
    row = _attendance(request.auth, attendance_id)
    return services.attendance_set(actor=request.auth, attendance=row, status=payload.status, reason=payload.reason)


@router.post("/attendance/{attendance_id}/makeup", response={201: AttendanceOut}, summary="送学上门 (补学)")
def deliver_at_home(request, attendance_id: int, payload: MakeUpIn):
    row = _attendance(request.auth, attendance_id)
    services.makeup_record(actor=request.auth, attendance=row, **payload.model_dump())
    return Status(201, Attendance.objects.select_related("person", "makeup").get(pk=row.pk))


@router.get("/compliance", response=ComplianceOut, summary="Compliance and attendance of a subtree")
def subtree(request, org: int | None = Query(None, ge=1, le=2**63 - 1)):
    user = request.auth
    orgs = visible_orgs(user)
    if org is not None:
        root = get_visible_or_404(orgs, pk=org)
        orgs = orgs.filter(path__startswith=root.path)
    require(user.is_staff_user)
    result, rate = compliance.subtree_summary(orgs)
    first, last = result.window
    return {
        "window_start": first, "window_end": last, "required": result.required, "held": result.held,
        "rate": result.rate, "attendance": _rate(rate),
        "behind": [{"org_id": o.org_id, "org_name": o.name, "required": o.required, "held": o.held,
                    "rate": o.rate, "missed": len(o.missed), "overdue_days": o.overdue_days} for o in result.behind],
    }


@router.get("/persons/{person_id}/attendance", response=PersonAttendanceOut,
            summary="One person's attendance in each organisation that expects them")
def person_attendance(request, person_id: int):
    user = request.auth
    person = get_visible_or_404(visible_persons(user), pk=person_id)
    require(user.is_staff_user)
    orgs = visible_orgs(user)
    return {"total": _rate(selectors.person_total(person.pk, orgs)),
            "by_org": [{"org_id": o.pk, "org_name": o.name, "rate": _rate(r)}
                       for o, r in selectors.person_rates(person.pk, orgs)]}


