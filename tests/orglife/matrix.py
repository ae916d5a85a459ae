"""Scope matrix entries for organisational life and the inbox (merged by tests/test_scope_matrix.py)."""

from __future__ import annotations

from datetime import date

from tests.matrix import PERSONAS, STAFF, Case, person
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
            "starts_at": at(date(2099 if planned else 2025, 3, 4)),
            "place": place})
        item = MeetingFile(meeting=meeting, kind="file", name="议程.txt", size=6)
        item.file.save("议程.txt", ContentFile("议程".encode()), save=True)
    return meeting


def meeting(org, planned=False):
    return lambda w: {"pk": _meeting(getattr(w, org), planned).pk}


def attendance(org):
    return lambda w: {"pk": _meeting(getattr(w, org)).attendances.first().pk}


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


def org(name):
    return lambda w: {"pk": getattr(w, name).pk}


IN, OUT = org("branch"), org("other_branch")
VIEWERS = {"bureau", "street", "secretary"}

MATRIX: dict[str, Case] = {
    "orglife:overview": Case(STAFF),
    "orglife:overview_export": Case(STAFF),
    "orglife:rules": Case(STAFF),
    "orglife:rule_edit": Case({"bureau"}, {"bureau"}, rule, rule),
    "orglife:calendar": Case(VIEWERS, {"bureau"}, IN, OUT),
    "orglife:book_docx": Case(VIEWERS, {"bureau"}, IN, OUT),
    "orglife:book_xlsx": Case(VIEWERS, {"bureau"}, IN, OUT),
    "orglife:meeting_create": Case(RECORDERS, {"bureau"}, IN, OUT),
    "orglife:meeting": Case(VIEWERS, {"bureau"}, meeting("branch"), meeting("other_branch")),
    "orglife:meeting_edit": Case(RECORDERS, {"bureau"}, meeting("branch"), meeting("other_branch")),
    "orglife:meeting_hold": Case(RECORDERS, {"bureau"}, meeting("branch", True), meeting("other_branch", True)),
    "orglife:meeting_cancel": Case(RECORDERS, {"bureau"}, meeting("branch", True), meeting("other_branch", True),
                                   method="post"),
    "orglife:meeting_reopen": Case(RECORDERS, {"bureau"}, meeting("branch"), meeting("other_branch")),
    "orglife:attendance_all": Case(RECORDERS, {"bureau"}, meeting("branch"), meeting("other_branch"),
                                   method="post"),
    "orglife:file_add": Case(RECORDERS, {"bureau"}, meeting("branch"), meeting("other_branch")),
    "orglife:file_download": Case(VIEWERS, {"bureau"}, meeting_file("branch"), meeting_file("other_branch")),
    "orglife:attendance_set": Case(RECORDERS, {"bureau"}, attendance("branch"), attendance("other_branch"),
                                   method="post", data={"status": "present"}),
    "orglife:makeup_create": Case(RECORDERS, {"bureau"}, attendance("branch"), attendance("other_branch")),
    "orglife:person": Case(VIEWERS | {"pair"}, {"bureau"}, lambda w: person(w, w.zhang),
                           lambda w: person(w, w.wang)),
    "notifications:inbox": Case({*PERSONAS}),
    "notifications:read": Case({"secretary"}, {"bureau"}, message("secretary"), message("bureau"), method="post"),
}
