"""Small builders for organisational life tests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinqiu.orglife import services
from jinqiu.orglife.models import MeetingType

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def mtype(code: str) -> MeetingType:
    return MeetingType.objects.get(code=code)


def hold(org, code: str, day: date, *, joint=(), hour=9, **fields):
    data = {"meeting_type": mtype(code), "starts_at": at(day, hour), "place": "党员活动室", **fields}
    if mtype(code).is_lesson:
        data.setdefault("lecturer", "王老师")
        data.setdefault("topic", "学习党的二十大精神")
    return services.meeting_create(actor=None, org=org, fields=data, held=True, joint_orgs=joint)
