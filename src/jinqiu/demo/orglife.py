"""Five years of 三会一课 for the demo: meetings, attendance and 送学上门 at realistic rates.

Most branches keep up; about one in seven falls behind (some badly, and worse lately). Members over 80
attend far less often and are the ones reached by 送学上门. Some 主题党日 are joint: 共建 with a
neighbouring branch (one meeting that counts for both, each expecting its own members) or a 联合主题党日
with an in-service branch outside the system (named as a partner). Everything goes in with
`bulk_create`, one organisation at a time, and follows the services' rules: the expected list is the
organisations' members on the day, primary membership first (officers only for a 支委会); nothing before
founding, after dissolving or in the future.

The province scale (about 22,000 organisations and a million persons) gets a lighter span: the meetings
since January of last year, which is all that compliance and the dashboards read (their window is
the last twelve months and the yearly period that ended in it); five years would take hours.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jinqiu.organizations.models import PartyOrg
from jinqiu.orglife.compliance import group_of, rules_by_kind
from jinqiu.orglife.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    HeldMonths,
    MakeUp,
    Meeting,
    MeetingMode,
    MeetingOrg,
    MeetingStatus,
    month_index,
)
from jinqiu.orglife.periods import periods
from jinqiu.orglife.services import held_months_changed, tallies_changed
from jinqiu.people.models import Membership, MembershipKind, OfficerTerm, Person

YEARS = 5
SPAN = {"province": 1}  # years before the current one, per scale (default YEARS)
JOINT_THEME = 0.12  # share of a branch's 主题党日 held jointly
FLUSH = 40_000
PLACES = ["社区党群服务中心", "老干部活动室", "社区会议室", "新时代文明实践站", "老年大学教室"]
TOPICS = ["学习党的二十大精神", "党史学习教育", "发挥离退休干部党员作用", "传承红色基因", "学习新修订的党章",
          "弘扬老干部优良传统", "乡村振兴与基层治理", "全面从严治党"]
LECTURERS = ["支部书记", "街道党工委书记", "老干部宣讲团成员", "党校教师", "社区第一书记"]
LEAVE_REASONS = ["住院治疗", "行动不便", "外出探亲", "身体不适", "照顾老伴"]
THEMES = ["重温入党誓词", "参观红色教育基地", "志愿服务进社区", "学习身边榜样", "垃圾分类宣传"]
IN_SERVICE = ["区财政局机关第一党支部", "区税务局第二党支部", "实验小学党支部", "社区卫生服务中心党支部",
              "区人民医院内科党支部", "区公安分局交警大队党支部", "区市场监管局机关党支部", "金秋中学教工党支部"]
SHARED_THEMES = ["共建主题党日:志愿服务进社区", "共建主题党日:邻里互助结对", "共建主题党日:重温入党誓词"]
IN_SERVICE_THEMES = ["联合主题党日:参观红色教育基地", "联合主题党日:红色故事进校园", "联合主题党日:老少共话初心"]


def _attendance_odds(age: int) -> tuple[float, float]:
    """(present, on leave | not present) by age: seed 002's members over 70 "有心无力"."""
    if age >= 80:
        return 0.55, 0.65
    if age >= 70:
        return 0.8, 0.6
    return 0.9, 0.5


def first_day(today: date, scale: str = "") -> date:
    """The first day with meetings: January, five years back (one for the province)."""
    return date(today.year - SPAN.get(scale, YEARS), 1, 1)


def build_orglife(*, seed: int, progress: Callable[[str], None] | None = None, today: date | None = None,
                  scale: str = "") -> dict[str, int]:
    say = progress or (lambda _m: None)
    today = today or timezone.localdate()
    last = today - timedelta(days=1)
    first = first_day(today, scale)
    rng = random.Random(seed * 7919 + 4)
    rules = rules_by_kind()
    orgs = list(PartyOrg.objects.filter(kind__in={k for k, _g in rules}).order_by("path"))
    persons = {pk: (birth, died, moved) for pk, birth, died, moved in
               Person.objects.values_list("pk", "birth_date", "died_on", "moved_on")}
    members: dict[int, list] = defaultdict(list)
    for row in (Membership.objects.filter(org__in=orgs)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first)).order_by("pk")
                .values_list("org_id", "person_id", "started_on", "ended_on", "kind")):
        members[row[0]].append(row[1:])
    officers: dict[int, list] = defaultdict(list)
    for org_id, person_id, start, end in OfficerTerm.objects.filter(org__in=orgs, person__isnull=False).order_by("pk").values_list(
            "org_id", "person_id", "started_on", "ended_on"):
        officers[org_id].append((person_id, start, end))
    counts = defaultdict(int)
    batch = _Batch(counts)
    partners = _partners(orgs, rules)
    covered: dict[tuple[int, int], list[date]] = defaultdict(list)  # (org, type) → days of joint meetings
    for n, org in enumerate(orgs, start=1):
        diligence = rng.random()
        # 85% keep up; 10% lag; 5% fall far behind, and worse in the last year.
        base = 0.99 + rng.random() * 0.01 if diligence < 0.85 else (
            0.55 + rng.random() * 0.25 if diligence < 0.95 else 0.2 + rng.random() * 0.25)
        recent_drop = 0.0 if diligence < 0.85 else 0.2
        start = max(first, org.founded_on or first)
        end = min(last, (org.dissolved_on - timedelta(days=1)) if org.dissolved_on else last)
        if start > end:
            continue
        for rule in rules.get((org.kind, group_of(org.establishment)), []):
            mtype = rule.meeting_type
            joint_days = covered.get((org.pk, mtype.pk), [])
            for p_start, p_end in periods(start, end, rule.period):
                low, high = max(p_start, start), min(p_end, end)
                if any(low <= d <= high for d in joint_days):
                    continue  # a neighbour's joint 主题党日 counted for this one
                chance = base - (recent_drop if p_start >= today - timedelta(days=365) else 0)
                if rng.random() > chance:
                    continue
                day = low + timedelta(days=rng.randrange((high - low).days + 1))
                hosts = [(org, members[org.pk])]
                partner_text = ""
                if mtype.code == JOINT_TYPE and rng.random() < JOINT_THEME:
                    mate = _mate(partners.get(org.pk, ()), day, rng)
                    if mate is not None and rng.random() < 0.6:
                        hosts.append((mate, members[mate.pk]))  # 共建: counts for both
                        covered[(mate.pk, mtype.pk)].append(day)
                    else:
                        partner_text = rng.choice(IN_SERVICE)  # 联合主题党日 with an in-service branch
                batch.meeting(hosts, mtype, day, rng, officers[org.pk], persons, partner_text)
        if batch.size >= FLUSH:
            batch.flush()
        if n % 200 == 0:
            say(f"组织生活: {n}/{len(orgs)} organisations")
    batch.flush()
    HeldMonths.objects.bulk_create([HeldMonths(org_id=o, meeting_type_id=t, year=y, months=m)
                                    for (o, t, y), m in batch.held_months.items()], batch_size=5000)
    held_months_changed()
    tallies_changed()
    return dict(counts)


JOINT_TYPE = "zhuti-dangri"


def _partners(orgs: list[PartyOrg], rules) -> dict[int, list[PartyOrg]]:
    """For each branch, the later branches under the same parent that also hold 主题党日: its 共建 partners.

    Only later ones (in build order), so that a partner's own meetings are drawn after it knows the joint
    ones, and skips the periods they cover.
    """
    by_parent: dict[str, list[PartyOrg]] = defaultdict(list)
    for org in orgs:
        theme = any(r.meeting_type.code == JOINT_TYPE for r in rules.get((org.kind, group_of(org.establishment)), []))
        if theme and org.kind == "zhibu":
            by_parent[org.path[:-org.steplen]].append(org)
    found: dict[int, list[PartyOrg]] = {}
    for siblings in by_parent.values():
        for i, org in enumerate(siblings):
            found[org.pk] = siblings[i + 1:i + 4]
    return found


def _mate(candidates, day: date, rng) -> PartyOrg | None:
    alive = [o for o in candidates if (not o.founded_on or o.founded_on <= day)
             and (not o.dissolved_on or o.dissolved_on > day)]
    return rng.choice(alive) if alive else None


class _Batch:
    def __init__(self, counts) -> None:
        self.counts = counts
        self.meetings: list[Meeting] = []
        self.rows: list[list[tuple]] = []  # per meeting: (person, org, status, reason, makeup)
        self.hosts: list[list[int]] = []  # per meeting: the organisations it counts for
        self.held_months: dict[tuple[int, int, int], int] = defaultdict(int)  # (org, type, year) → months
        self.size = 0

    def meeting(self, hosts, mtype, day, rng, officers, persons, partner_text="") -> None:
        """One meeting of hosts[0], counting for every organisation in `hosts` (a 共建 one for two)."""
        org = hosts[0][0]
        hour = rng.choice((9, 14))
        mode = MeetingMode.ONLINE if rng.random() < 0.05 else MeetingMode.OFFLINE
        lesson = mtype.is_lesson
        themes = SHARED_THEMES if len(hosts) > 1 else IN_SERVICE_THEMES if partner_text else THEMES
        topic = rng.choice(TOPICS) if lesson else (rng.choice(themes) if mtype.code == JOINT_TYPE else "")
        self.meetings.append(Meeting(
            org=org, meeting_type=mtype, status=MeetingStatus.HELD, held_on=day, mode=mode,
            starts_at=timezone.make_aware(datetime.combine(day, time(hour, 30 if hour == 14 else 0))),
            place=rng.choice(PLACES), host="支部书记", lecturer=rng.choice(LECTURERS) if lesson else "",
            topic=topic, partners=partner_text,
            agenda="1. 学习文件\n2. 讨论交流\n3. 布置工作", minutes="会议按议程进行,党员交流了学习体会。"))
        # person → the organisation expecting them: primary membership wins, then the host's order.
        pool: dict[int, int] = {}
        for primary_pass in (True, False):
            for host, members in hosts:
                for p, s, e, kind in members:
                    if (kind == MembershipKind.PRIMARY) == primary_pass and s <= day and (e is None or e > day):
                        pool.setdefault(p, host.pk)
        if mtype.for_committee:
            expected = {p for p, s, e in officers if s <= day and (e is None or e > day)}
            pool = {p: o for p, o in pool.items() if p in expected}
        rows = []
        for person_id, org_id in pool.items():
            birth, died, moved = persons[person_id]
            if (died and died <= day) or (moved and moved <= day):
                continue
            age = day.year - birth.year
            present, leave = _attendance_odds(age)
            if rng.random() < present:
                status, reason = (AttendanceStatus.ONLINE if mode == MeetingMode.ONLINE else AttendanceStatus.PRESENT), ""
            elif rng.random() < leave:
                status, reason = AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
            else:
                status, reason = AttendanceStatus.ABSENT, ""
            makeup = None
            if status != AttendanceStatus.PRESENT and status != AttendanceStatus.ONLINE and age >= 80 \
                    and not mtype.for_committee and rng.random() < 0.45:
                makeup = day + timedelta(days=rng.randint(1, 10))
                if makeup >= timezone.localdate():
                    makeup = None
            rows.append((person_id, org_id, status, reason, makeup))
        self.rows.append(rows)
        self.hosts.append([h.pk for h, _m in hosts])
        self.size += len(rows) + 1

    @transaction.atomic
    def flush(self) -> None:
        if not self.meetings:
            return
        Meeting.objects.bulk_create(self.meetings, batch_size=2000)
        MeetingOrg.objects.bulk_create([MeetingOrg(
            meeting_id=m.pk, org_id=org_id, meeting_type_id=m.meeting_type_id, month=month_index(m.held_on),
            held=True, expected=sum(1 for r in mine), attended=sum(1 for r in mine if r[2] in ATTENDED),
            on_leave=sum(1 for r in mine if r[2] == AttendanceStatus.LEAVE), made_up=sum(1 for r in mine if r[4]),
        ) for m, rows, hosts in zip(self.meetings, self.rows, self.hosts, strict=True)
            for org_id in hosts for mine in [[r for r in rows if r[1] == org_id]]], batch_size=5000)
        for meeting, hosts in zip(self.meetings, self.hosts, strict=True):
            month = month_index(meeting.held_on)
            for org_id in hosts:
                self.held_months[(org_id, meeting.meeting_type_id, month // 12)] |= 1 << (month % 12)
        attendances, makeups = [], []
        for meeting, rows in zip(self.meetings, self.rows, strict=True):
            for person_id, org_id, status, reason, makeup in rows:
                a = Attendance(meeting_id=meeting.pk, person_id=person_id, org_id=org_id, status=status,
                               reason=reason, held_on=meeting.held_on)
                attendances.append(a)
                if makeup:
                    makeups.append((a, makeup, meeting.topic or meeting.meeting_type.name))
        Attendance.objects.bulk_create(attendances, batch_size=5000)
        MakeUp.objects.bulk_create([MakeUp(attendance_id=a.pk, delivered_by="支部书记", delivered_on=on,
                                           content=f"{what}学习材料") for a, on, what in makeups], batch_size=5000)
        self.counts["meetings"] += len(self.meetings)
        self.counts["attendances"] += len(attendances)
        self.counts["delivered_at_home"] += len(makeups)
        self.counts["joint_meetings"] += sum(1 for m in self.meetings if m.partners) + sum(
            1 for hosts in self.hosts if len(hosts) > 1)
        self.meetings, self.rows, self.hosts, self.size = [], [], [], 0
