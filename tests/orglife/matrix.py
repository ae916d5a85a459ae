"""Scope matrix entries for organisational life and the inbox: pages (MATRIX) and API operations (OPERATIONS)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.matrix import (
    BUREAU_READ,
    PERSONAS,
    SEES_BRANCH,
    SEES_OTHER_BRANCH,
    SEES_STRUCTURE,
    SEES_WANG,
    SEES_ZHANG,
    STAFF,
    Case,
    Op,
    on_org,
    on_person,
)
from tests.orglife.helpers import at

RECORDERS = {"bureau", "street", "secretary"}


def _meeting(org, planned=False):
    from django.core.files.base import ContentFile

    from jinqiu.orglife import services
    from jinqiu.orglife.models import Meeting, MeetingFile, MeetingType

    place = "矩阵-计划" if planned else "矩阵"
    meeting = Meeting.objects.filter(org=org, place=place).first()
    if meeting is None:
        meeting = services.meeting_create(actor=None, org=org, held=not planned, fields={
            "meeting_type": MeetingType.objects.get(code="zhuti-dangri"),
            "starts_at": at(timezone.localdate() - timedelta(days=2 if planned else 60)),
            "place": place})
        item = MeetingFile(meeting=meeting, kind="file", name="议程.txt", size=6)
        item.file.save("议程.txt", ContentFile("议程".encode()), save=True)
    return meeting


def meeting(org, planned=False):
    return lambda w: {"pk": _meeting(getattr(w, org), planned).pk}


def attendance(org):
    return lambda w: {"pk": _meeting(getattr(w, org)).attendances.first().pk}


def absent(org):
    """An attendance row marked absent: what a 送学上门 makes up."""
    def kwargs(w):
        from jinqiu.orglife import services

        row = _meeting(getattr(w, org)).attendances.first()
        if row.status != "absent":
            services.attendance_set(actor=None, attendance=row, status="absent", reason="")
        return {"pk": row.pk}
    return kwargs


def meeting_file(org):
    def kwargs(w):
        m = _meeting(getattr(w, org))
        return {"pk": m.pk, "file_pk": m.files.first().pk}
    return kwargs


def message(persona):
    def kwargs(w):
        from jinqiu.notifications.models import Message

        user = w.users[persona]
        m = Message.objects.filter(recipient=user).first() or Message.objects.create(recipient=user, title="提醒")
        return {"pk": m.pk}
    return kwargs


def rule(w):
    from jinqiu.orglife.models import FrequencyRule

    return {"pk": FrequencyRule.objects.first().pk}


VIEWERS = {"bureau", "street", "secretary", "leader"}


def on_meeting(allowed_in, inside, outside, **kw) -> Case:
    """A meeting (or its attendance or file) of 张三's branch, and one of the other street's branch."""
    return Case(set(allowed_in), {"bureau"} | ({"leader"} if "leader" in allowed_in else set()), inside, outside,
                sees_in=SEES_BRANCH, sees_out=SEES_OTHER_BRANCH, **kw)

MATRIX: dict[str, Case] = {
    "orglife:overview": Case(STAFF),
    "orglife:overview_export": Case(STAFF),
    "orglife:rules": Case(STAFF),
    "orglife:rule_edit": Case({"bureau"}, {"bureau"}, rule, rule, sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "orglife:calendar": on_org(VIEWERS, BUREAU_READ),
    "orglife:book_docx": on_org(VIEWERS, BUREAU_READ),
    "orglife:book_xlsx": on_org(VIEWERS, BUREAU_READ),
    "orglife:meeting_create": on_org(RECORDERS),
    "orglife:meeting": on_meeting(VIEWERS, meeting("branch"), meeting("other_branch"),
                                  writers=(RECORDERS, {"bureau"})),
    "orglife:meeting_edit": on_meeting(RECORDERS, meeting("branch"), meeting("other_branch")),
    "orglife:meeting_hold": on_meeting(RECORDERS, meeting("branch", True), meeting("other_branch", True)),
    "orglife:meeting_cancel": on_meeting(RECORDERS, meeting("branch", True), meeting("other_branch", True),
                                         method="post"),
    "orglife:meeting_reopen": on_meeting(RECORDERS, meeting("branch"), meeting("other_branch"),
                                         data={"reason": "录错了"}),
    "orglife:attendance_all": on_meeting(RECORDERS, meeting("branch"), meeting("other_branch"), method="post"),
    "orglife:file_add": on_meeting(RECORDERS, meeting("branch"), meeting("other_branch")),
    "orglife:file_download": on_meeting(VIEWERS, meeting_file("branch"), meeting_file("other_branch")),
    "orglife:attendance_set": on_meeting(RECORDERS, attendance("branch"), attendance("other_branch"),
                                         method="post", data={"status": "absent"}),
    "orglife:makeup_create": on_meeting(RECORDERS, absent("branch"), absent("other_branch"),
                                        data=lambda w: {"delivered_by": "刘书记", "content": "讲稿",
                                                        "delivered_on": timezone.localdate().isoformat()}),
    "orglife:person": on_person(VIEWERS | {"pair"}, BUREAU_READ),
    "notifications:inbox": Case({*PERSONAS}),
    # A message exists only for its recipient.
    "notifications:read": Case({"secretary"}, {"bureau"}, message("secretary"), message("bureau"), method="post",
                               sees_in={"secretary"}, sees_out={"bureau"}),
}


# --- API operations (tests/api/test_api_matrix.py) --------------------------------------------------------


def _mid(org, planned=False):
    return lambda w: {"meeting_id": _meeting(getattr(w, org), planned).pk}


def _aid(org, absent_row=False):
    def kwargs(w):
        return {"attendance_id": (absent(org) if absent_row else attendance(org))(w)["pk"]}
    return kwargs


def _rule(w):
    return {"rule_id": rule(w)["pk"]}


def _new_meeting(w, side):
    from jinqiu.orglife.models import MeetingType

    return {"org": (w.branch if side == "in" else w.other_branch).pk,
            "meeting_type": MeetingType.objects.get(code="zhuti-dangri").pk,
            "starts_at": at(timezone.localdate() - timedelta(days=5)).isoformat(), "place": "党员活动室"}


def _org_query(w, side):
    return {"org": (w.branch if side == "in" else w.other_branch).pk}


def _on_meeting(allowed, inside, outside, **kw) -> Op:
    return Op(set(allowed), {"bureau"} | ({"leader"} if "leader" in allowed else set()), inside, outside,
              sees_in=SEES_BRANCH, sees_out=SEES_OTHER_BRANCH, **kw)


OPERATIONS: dict[str, Op] = {
    "GET /api/orglife/types": Op(STAFF),
    "GET /api/orglife/rules": Op(STAFF),
    "PATCH /api/orglife/rules/{rule_id}": Op({"bureau"}, {"bureau"}, _rule, _rule, body={"period": "year"},
                                             sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "GET /api/orglife/meetings": Op(STAFF, query=_org_query, refs=(SEES_BRANCH, SEES_OTHER_BRANCH)),
    "POST /api/orglife/meetings": Op(RECORDERS, body=_new_meeting, refs=(SEES_BRANCH, SEES_OTHER_BRANCH)),
    "GET /api/orglife/meetings/{meeting_id}": _on_meeting(VIEWERS, _mid("branch"), _mid("other_branch")),
    "PATCH /api/orglife/meetings/{meeting_id}": _on_meeting(RECORDERS, _mid("branch"), _mid("other_branch"),
                                                            body={"place": "活动室"}),
    "POST /api/orglife/meetings/{meeting_id}/hold": _on_meeting(RECORDERS, _mid("branch", True),
                                                                _mid("other_branch", True)),
    "POST /api/orglife/meetings/{meeting_id}/reopen": _on_meeting(RECORDERS, _mid("branch"), _mid("other_branch"),
                                                                  body={"reason": "录错了"}),
    "POST /api/orglife/meetings/{meeting_id}/all-present": _on_meeting(RECORDERS, _mid("branch"),
                                                                       _mid("other_branch")),
    "PUT /api/orglife/attendance/{attendance_id}": _on_meeting(RECORDERS, _aid("branch"), _aid("other_branch"),
                                                               body={"status": "leave", "reason": "住院"}),
    "POST /api/orglife/attendance/{attendance_id}/makeup": _on_meeting(
        RECORDERS, _aid("branch", True), _aid("other_branch", True),
        body=lambda w, side: {"delivered_by": "刘书记", "delivered_on": timezone.localdate().isoformat(),
                              "content": "讲稿"}),
    "GET /api/orglife/compliance": Op(STAFF, query=_org_query, refs=(SEES_BRANCH, SEES_OTHER_BRANCH)),
    "GET /api/orglife/persons/{person_id}/attendance": Op(
        VIEWERS | {"pair"}, BUREAU_READ, lambda w: {"person_id": w.zhang.pk}, lambda w: {"person_id": w.wang.pk},
        sees_in=SEES_ZHANG, sees_out=SEES_WANG),
}
