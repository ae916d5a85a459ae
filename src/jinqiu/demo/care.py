"""Five years of 关爱服务 for the demo: 六必访 tasks and the visits that closed them, hospital stays, a Spring
Festival campaign each year, requests (诉求) in every state and a few 一键呼叫 terminals.

Rates: about 4% of persons a year go into hospital (2% at 70, more of the old and the frail), every milestone
birthday and every death on the register makes its task, about 2% of persons a year raise a request.
Most tasks are visited in time, some late, a few missed or exempted; a stay shortly before a death ends
withdrawn. The Spring Festival campaigns of past years reached nearly everyone; one campaign runs now
(from two weeks ago) and has reached part of its targets, some streets further than others. The demo
accounts' own corner (the first street, and the pair contact's five persons) gets a fixed set of cases
dated from today, so that their home pages show overdue tasks and requests whatever the day.

Everything goes in with `bulk_create`, a chunk of persons at a time, as `orglife.py` does: through the
services one by one, tens of thousands of visits would take many minutes. The records follow the
services' rules: tasks are built by the services' own `_build` (the windows, the visitor, the leader
visit), one task per event (the same keys), and a visit closes every task of its person whose window
has begun (as `visit_record` does without chosen tasks) and reaches the targets of the campaigns running
that day. Nothing is dated after yesterday except windows still open and the running campaign's end.

The province scale gets the last year only, and its campaigns cover the first city alone.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from lunar_python import Lunar

from jinqiu.accounts.models import Pairing, User
from jinqiu.care import calendar
from jinqiu.care.models import (
    Campaign,
    CampaignKind,
    CampaignTarget,
    Device,
    Escalation,
    Hospitalisation,
    LeftBecause,
    Request,
    RequestCategory,
    RequestSource,
    RequestStatus,
    RuleKind,
    Satisfaction,
    TaskStatus,
    Visit,
    VisitKind,
    VisitTask,
)
from jinqiu.care.services.requests import ACCEPT_DAYS, CONCLUDE_DAYS, DEADLINE_DAYS, EXTENSION_DAYS
from jinqiu.care.services.tasks import _build, ensure_rules
from jinqiu.people.models import Health, Person, PersonStatus, RetirementType
from jinqiu.regions.models import Region

YEARS = 5
SPAN = {"province": 1}  # years before the current one, per scale (default YEARS)
CHUNK = 20_000  # persons per flush
HOSPITAL_RATE = 0.02  # stays per person a year at 70 in fair health (doubled at 80, and for the frail)
REQUEST_RATE = 0.02  # requests per person a year
RUNNING_DAYS = (14, 45)  # the running campaign began this many days ago and ends this many days ahead

HOSPITALS = ["区人民医院", "区中医院", "市第一人民医院", "市第二人民医院", "市中医院", "市东方医院"]
WARDS = ["心内科", "呼吸内科", "神经内科", "消化内科", "骨科", "内分泌科", "老年病科", "泌尿外科"]
CONDITIONS = ["冠心病", "慢性阻塞性肺病急性发作", "脑梗塞", "肺部感染", "股骨颈骨折", "糖尿病并发症", "高血压",
              "胆囊炎", "前列腺增生", "心力衰竭"]
VISITORS = ["社区书记", "社区主任", "社区网格员", "支部书记", "街道老干部专干", "结对联系人"]
LEADERS = ["局长", "分管副局长", "局党组成员"]
FINDINGS = ["精神状态良好,感谢组织关心。", "身体恢复中,家属照顾周到。", "行动不便,需定期上门。",
            "独居,已提醒注意用电用气安全。", "对社区服务满意,希望多组织活动。", "老伴身体欠佳,家中需要帮助。"]
GIFTS = {"illness": "水果、营养品", "birthday": "生日蛋糕、鲜花", "funeral": "花圈、慰问信", "hardship": "米、油",
         "dispute": "", "campaign": "米、油、春联"}
MONEY = {"illness": 500, "birthday": 300, "funeral": 1000, "hardship": 1000, "dispute": 0, "campaign": 500}
EXEMPT_REASONS = ["本人婉拒上门,已电话问候。", "家属转告无需走访。", "已异地就医,由当地组织代为看望。"]
SUMMARIES = {
    RequestCategory.DISPUTE: ["与邻居因房屋漏水发生纠纷,请求协调。", "与物业因停车位问题有矛盾,希望社区调解。"],
    RequestCategory.HARDSHIP: ["老伴重病,医药费负担重,申请困难帮扶。", "独居生活不便,希望安排助餐服务。"],
    RequestCategory.MEDICAL: ["希望协助联系专家门诊。", "询问离休干部医疗费报销流程。"],
    RequestCategory.PENSION: ["询问今年养老金调整何时到账。", "遗属补助申请材料咨询。"],
    RequestCategory.HOUSING: ["老旧小区加装电梯,希望帮助协调。", "房屋年久失修,申请维修帮助。"],
    RequestCategory.POLICY: ["询问老干部活动中心开放时间。", "咨询党费缴纳标准。"],
    RequestCategory.OTHER: ["希望订阅《中国老年报》。", "希望参加老年大学书法班。"],
    RequestCategory.EMERGENCY: ["一键呼叫终端报警,本人在家中摔倒。"],
}
OUTCOMES = ["已协调相关部门解决,本人表示认可。", "已落实帮扶措施。", "已上门解释政策,本人表示理解。"]
REJECT_REASONS = ["不属于本部门职责范围,已告知向有关部门反映。", "同一事项已办结,无新的事实和理由。"]
EXTEND_REASONS = ["涉及多个部门,需进一步协调。", "需等待上级部门答复。"]
SOURCES = [(RequestSource.RECEPTION, 20), (RequestSource.PETITION, 15), (RequestSource.HOME_VISIT, 25),
           (RequestSource.PHONE, 30), (RequestSource.VISIT, 10)]
CATEGORIES = [(RequestCategory.DISPUTE, 8), (RequestCategory.HARDSHIP, 10), (RequestCategory.MEDICAL, 25),
              (RequestCategory.PENSION, 20), (RequestCategory.HOUSING, 12), (RequestCategory.POLICY, 15),
              (RequestCategory.OTHER, 10)]
CATEGORY_RULES = {RequestCategory.DISPUTE: RuleKind.DISPUTE, RequestCategory.HARDSHIP: RuleKind.HARDSHIP}
NEVER = date.max


def first_day(today: date, scale: str = "") -> date:
    return date(today.year - SPAN.get(scale, YEARS), 1, 1)


def spring_festival(year: int) -> date:
    solar = Lunar.fromYmd(year, 1, 1).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


# -- the plan of one person ------------------------------------------------------------------------------

@dataclass
class _Visit:
    day: date
    what: str  # a key of GIFTS, or "routine"
    kind: str = VisitKind.HOME
    place: str = ""
    users: tuple[int, ...] = ()
    others: str = ""
    campaign: int | None = None  # index into the campaigns
    obj: Visit | None = None


@dataclass
class _Task:
    kind: str
    key: str  # "hospital:" and "request:" keys are completed once the stay or request has its id
    event_on: date
    senior: bool
    assignee: int | None
    outcome: str = TaskStatus.OPEN  # as planned, before the other visits are reconciled
    planned: date = NEVER  # the day of its own visit, of the exemption or of missing it
    fixed: bool = False  # a showcase task: kept as planned
    stay: Hospitalisation | None = None
    request: Request | None = None
    visit: _Visit | None = None
    closed_on: date | None = None
    status: str = TaskStatus.OPEN
    reason: str = ""
    withdrawn_because: str = ""


@dataclass
class _Chunk:
    visits: list[tuple[int, _Visit]] = field(default_factory=list)
    stays: list[Hospitalisation] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    tasks: list[tuple[int, _Task]] = field(default_factory=list)
    targets: list[tuple[CampaignTarget, _Visit | None]] = field(default_factory=list)


class _CareDemo:
    def __init__(self, seed: int, today: date, scale: str, say: Callable[[str], None]) -> None:
        self.rng = random.Random(seed * 7919 + 9)
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.first = first_day(today, scale)
        self.scale = scale
        self.say = say
        self.rules = ensure_rules()
        self.counts: dict[str, int] = defaultdict(int)
        users = {u.username: u for u in User.objects.filter(username__in=["bureau", "street", "pair", "secretary"])}
        self.bureau, self.street, self.pair = users.get("bureau"), users.get("street"), users.get("pair")
        self.pairings: dict[int, tuple[int, date]] = {}
        for person_id, contact_id, started in (Pairing.objects.filter(ended_on__isnull=True)
                                               .order_by("started_on", "id")
                                               .values_list("person_id", "contact_id", "started_on")):
            self.pairings.setdefault(person_id, (contact_id, started))
        self.regions = dict(Region.objects.values_list("pk", "path"))
        street_region = self.street.scopes.filter(region__isnull=False).first() if self.street else None
        self.street_path = street_region.region.path if street_region else None
        self.campaigns: list[tuple[Campaign, str]] = []  # (campaign, root region path)
        self.street_progress: dict[str, float] = {}  # street path → share of the running campaign reached

    # -- campaigns ---------------------------------------------------------------------------------------

    def make_campaigns(self) -> None:
        roots = list(Region.objects.filter(depth=1).order_by("path"))
        if self.scale == "province":
            roots = roots[:1]
        running_from = self.today - timedelta(days=RUNNING_DAYS[0])
        running_to = self.today + timedelta(days=RUNNING_DAYS[1])
        upcoming = next(y for y in range(self.today.year, self.today.year + 2)
                        if spring_festival(y) + timedelta(days=15) >= self.today)
        plans = []
        for year in range(self.first.year, upcoming):
            festival = spring_festival(year)
            starts, ends = festival - timedelta(days=20), festival + timedelta(days=14)
            if starts >= self.first and ends < self.today:
                plans.append((f"{year}年春节走访慰问", CampaignKind.SPRING, starts, ends))
        # The running one: the coming Spring Festival's when it is near, otherwise the season's.
        month = self.today.month
        if (spring_festival(upcoming) - self.today).days <= 75:
            plans.append((f"{upcoming}年元旦春节走访慰问", CampaignKind.SPRING, running_from, running_to))
        elif 6 <= month <= 8:
            plans.append((f"{self.today.year}年夏季走访慰问", CampaignKind.SUMMER, running_from, running_to))
        elif 9 <= month <= 10:
            plans.append((f"{self.today.year}年国庆中秋走访慰问", CampaignKind.AUTUMN, running_from, running_to))
        else:
            plans.append((f"{self.today.year}年{month}月走访慰问", CampaignKind.OTHER, running_from, running_to))
        rows = []
        for name, kind, starts, ends in plans:
            for root in roots:
                rows.append((Campaign(
                    name=name + (f"({root.name})" if len(roots) > 1 else ""), kind=kind, starts_on=starts,
                    ends_on=ends, root_region=root, note="走访慰问全体离退休干部,送去党和政府的关怀。",
                    created_by=self.bureau), root.path))
        Campaign.objects.bulk_create([c for c, _p in rows])
        self.campaigns = rows
        self.running = [i for i, (c, _p) in enumerate(rows) if c.starts_on == running_from]
        self.counts["campaigns"] = len(rows)

    # -- persons -----------------------------------------------------------------------------------------

    def run(self) -> None:
        self.say("关爱服务: campaigns, tasks, visits and requests")
        self.make_campaigns()
        self.showcase = self._showcase_persons()
        rows = list(Person.objects.order_by("pk").values_list(
            "pk", "birth_date", "lunar_birthday", "retirement_type", "status", "died_on", "moved_on", "region_id",
            "health", "hardship"))
        for start in range(0, len(rows), CHUNK):
            chunk = _Chunk()
            for row in rows[start:start + CHUNK]:
                self._person(chunk, *row)
            self._flush(chunk)
            self.say(f"关爱服务: {min(start + CHUNK, len(rows))}/{len(rows)} persons")
        self._devices()

    def _showcase_persons(self) -> dict[int, str]:
        """The demo accounts' corner: who gets which fixed case (person id → case)."""
        if not self.street_path:
            return {}
        found: dict[int, str] = {}
        paired = sorted(p for p, (c, _s) in self.pairings.items() if self.pair and c == self.pair.pk)
        for person_id, case in zip(paired, ("hospital_overdue", "hospital_new", "request_visit"), strict=False):
            found[person_id] = case
        others = list(Person.objects.filter(status=PersonStatus.ACTIVE, region__path__startswith=self.street_path)
                      .exclude(pk__in=paired).order_by("pk").values_list("pk", flat=True)[:400])
        cases = ["hardship_overdue", "hospital_overdue", "received", "received_overdue", "accepted", "in_progress",
                 "in_progress_overdue", "extended", "concluded", "followed_up", "rejected", "terminal"]
        for person_id, case in zip(self.rng.sample(others, min(len(cases), len(others))), cases, strict=False):
            found[person_id] = case
        return found

    def _user_for(self, person_id: int, region_path: str, day: date) -> tuple[tuple[int, ...], str]:
        pairing = self.pairings.get(person_id)
        if pairing and pairing[1] <= day:
            return (pairing[0],), ""
        if self.street and self.street_path and region_path.startswith(self.street_path) and self.rng.random() < 0.5:
            return (self.street.pk,), ""
        return (), self.rng.choice(VISITORS)

    def _person(self, chunk: _Chunk, pk, born, lunar, retirement, status, died, moved, region_id, health,
                hardship) -> None:
        rng, today = self.rng, self.today
        gone = died or moved or NEVER
        region_path = self.regions.get(region_id, "")
        lixiu = retirement == RetirementType.LIXIU
        case = self.showcase.get(pk, "")
        tasks: list[_Task] = []
        own: list[_Visit] = []  # visits that happen whatever the tasks say (routine, campaign)

        def senior(on: date) -> bool:
            return lixiu or _age(born, on) >= 90

        def assignee(on: date) -> int | None:
            pairing = self.pairings.get(pk)
            return pairing[0] if pairing and pairing[1] <= on else None

        # Hospital stays: more of the old and the frail.
        age_now = _age(born, min(today, gone))
        rate = HOSPITAL_RATE * (1 + max(0, age_now - 70) / 10) * (2 if health in (Health.POOR, Health.BEDRIDDEN) else 1)
        years = (min(self.yesterday, gone) - self.first).days / 365
        for _n in range(_poisson(rng, rate * years)):
            admitted = _day_between(rng, self.first, min(self.yesterday, gone - timedelta(days=25)))
            if admitted is None:
                break
            tasks.append(self._stay(chunk, pk, admitted, senior(admitted), assignee(admitted)))
        if died and rng.random() < 0.3 and died > self.first + timedelta(days=10):
            # Died in hospital: the visit task was still open, and ends withdrawn.
            task = self._stay(chunk, pk, died - timedelta(days=rng.randint(1, 3)), senior(died), assignee(died))
            task.status, task.closed_on, task.withdrawn_because, task.fixed = \
                TaskStatus.WITHDRAWN, died, LeftBecause.DIED, True
            tasks.append(task)
        if case in ("hospital_overdue", "hospital_new"):
            task = self._stay(chunk, pk, today - timedelta(days=6 if case == "hospital_overdue" else 1), senior(today),
                              assignee(today))
            task.fixed = True
            tasks.append(task)

        # Milestone birthdays, while on the register.
        rule = self.rules[RuleKind.BIRTHDAY]
        last = min(gone - timedelta(days=rule.due_days + rule.grace_days + 1), today + timedelta(days=rule.lead_days))
        if status == PersonStatus.ACTIVE:
            last = today + timedelta(days=rule.lead_days)
        for age, day in calendar.milestones_between(born, lunar, self.first, last):
            tasks.append(_Task(RuleKind.BIRTHDAY, f"birthday:{age}", day, lixiu or age >= 90, assignee(day)))

        # A death: the condolence visit to the family.
        if died and died >= self.first:
            tasks.append(_Task(RuleKind.FUNERAL, "death", died, senior(died), None))

        # Extreme hardship: a visit once a year.
        if hardship and status == PersonStatus.ACTIVE:
            day = today - timedelta(days=rng.randint(20, 300))
            tasks.append(_Task(RuleKind.HARDSHIP, f"hardship:{day.year}", day, senior(day), None))
        if case == "hardship_overdue":
            day = today - timedelta(days=12)
            tasks.append(_Task(RuleKind.HARDSHIP, f"hardship:{day.year}", day, senior(day), None, fixed=True))
            tasks = [t for t in tasks if not (t.kind == RuleKind.HARDSHIP and t.key == f"hardship:{day.year}"
                                              and not t.fixed)]

        # Requests.
        for _n in range(_poisson(rng, REQUEST_RATE * years)):
            received = _day_between(rng, self.first, min(self.yesterday, gone - timedelta(days=100)))
            if received is None:
                break
            tasks += self._request(chunk, pk, received, senior(received), assignee(received), region_path)
        if case and case not in ("hospital_overdue", "hospital_new", "hardship_overdue"):
            tasks += self._request(chunk, pk, today, senior(today), assignee(today), region_path, case)

        # The pair contact's routine calls and visits, about monthly, up to a month ago.
        pairing = self.pairings.get(pk)
        if pairing:
            day = pairing[1] + timedelta(days=rng.randint(3, 10))
            while day <= min(today - timedelta(days=30), gone - timedelta(days=1)):
                own.append(_Visit(day, "routine", rng.choice([VisitKind.HOME, VisitKind.PHONE]), users=(pairing[0],)))
                day += timedelta(days=rng.randint(25, 40))

        # Campaign visits.
        targets: list[tuple[int, date | None]] = []
        for i, (campaign, root_path) in enumerate(self.campaigns):
            if not region_path.startswith(root_path) or campaign.starts_on >= gone or campaign.starts_on < self.first:
                continue
            if i in self.running:
                street = region_path[:-Region.steplen]
                share = self.street_progress.setdefault(street, 0.5 if street == self.street_path
                                                        else 0.25 + rng.random() * 0.6)
                reached = None if case or rng.random() > share else _day_between(
                    rng, campaign.starts_on, self.yesterday)
            else:
                reached = None if rng.random() < 0.004 else _day_between(
                    rng, campaign.starts_on, min(campaign.ends_on, gone - timedelta(days=1)))
            if reached is not None:
                users, others = self._user_for(pk, region_path, reached)
                own.append(_Visit(reached, "campaign", users=users, others=others, campaign=i))
            targets.append((i, reached))

        self._settle(chunk, pk, region_id, region_path, tasks, own, targets, gone, died)

    def _stay(self, chunk: _Chunk, pk: int, admitted: date, senior: bool, assignee: int | None) -> _Task:
        rng = self.rng
        discharged = admitted + timedelta(days=rng.randint(4, 21))
        stay = Hospitalisation(
            person_id=pk, admitted_on=admitted, hospital=rng.choice(HOSPITALS),
            ward=f"{rng.choice(WARDS)}{rng.randint(1, 40)}床", condition=rng.choice(CONDITIONS),
            discharged_on=discharged if discharged < self.today else None,
            recorded_by=self.street if rng.random() < 0.1 else None)
        chunk.stays.append(stay)
        return _Task(RuleKind.ILLNESS, "hospital:", admitted, senior, assignee, stay=stay)

    def _request(self, chunk: _Chunk, pk: int, received: date, senior: bool, assignee: int | None, region_path: str,
                 case: str = "") -> list[_Task]:
        rng, today = self.rng, self.today
        source = _weighted(rng, SOURCES)
        category = _weighted(rng, CATEGORIES)
        in_street = bool(self.street_path and region_path.startswith(self.street_path))
        handler = self.street if in_street else None
        if case:
            source, category, received = {
                "received": (RequestSource.PETITION, RequestCategory.HOUSING, today - timedelta(days=3)),
                "received_overdue": (RequestSource.PETITION, RequestCategory.PENSION, today - timedelta(days=20)),
                "accepted": (RequestSource.PHONE, RequestCategory.MEDICAL, today - timedelta(days=2)),
                "in_progress": (RequestSource.RECEPTION, RequestCategory.HOUSING, today - timedelta(days=10)),
                "in_progress_overdue": (RequestSource.PHONE, RequestCategory.DISPUTE, today - timedelta(days=30)),
                "extended": (RequestSource.PETITION, RequestCategory.HOUSING, today - timedelta(days=80)),
                "concluded": (RequestSource.RECEPTION, RequestCategory.POLICY, today - timedelta(days=12)),
                "followed_up": (RequestSource.PHONE, RequestCategory.OTHER, today - timedelta(days=40)),
                "rejected": (RequestSource.PETITION, RequestCategory.PENSION, today - timedelta(days=25)),
                "terminal": (RequestSource.TERMINAL, RequestCategory.EMERGENCY, today - timedelta(days=9)),
                "request_visit": (RequestSource.HOME_VISIT, RequestCategory.HARDSHIP, today - timedelta(days=45)),
            }[case]
        urgent = source == RequestSource.TERMINAL or rng.random() < 0.05
        request = Request(person_id=pk, source=source, category=category, urgent=urgent, received_on=received,
                          summary=rng.choice(SUMMARIES[category]), recorded_by=None if urgent and case == "terminal"
                          else (handler or self.bureau), escalation=Escalation.NONE)
        request.case = case
        age = (today - received).days
        if source == RequestSource.PETITION:
            request.accept_by = received + timedelta(days=ACCEPT_DAYS)
            accept_in = rng.randint(2, 14)
            if case in ("received", "received_overdue") or (not case and accept_in >= age):
                request.status = RequestStatus.RECEIVED
            elif case == "rejected" or (not case and rng.random() < 0.15):
                request.status, request.rejection_reason = RequestStatus.REJECTED, rng.choice(REJECT_REASONS)
                request.concluded_on = received + timedelta(days=accept_in)
            else:
                request.accepted_on = received + timedelta(days=accept_in)
                request.deadline = request.accepted_on + timedelta(days=CONCLUDE_DAYS)
        else:
            request.accepted_on = received
            request.deadline = received + timedelta(days=1 if urgent else DEADLINE_DAYS)
            request.status = RequestStatus.ACCEPTED
        if request.accepted_on:
            if case == "extended" or (source == RequestSource.PETITION and not case and rng.random() < 0.2):
                request.extended, request.extension_reason = True, rng.choice(EXTEND_REASONS)
                request.deadline += timedelta(days=EXTENSION_DAYS)
            span = (request.deadline - request.accepted_on).days
            done_in = rng.randint(0, span) if rng.random() < 0.9 else span + rng.randint(1, 20)
            concluded = request.accepted_on + timedelta(days=done_in)
            if case:
                concluded = {"concluded": today - timedelta(days=4), "followed_up": today - timedelta(days=30),
                             "terminal": received}.get(case, NEVER)
            if concluded < today:
                request.status, request.concluded_on = RequestStatus.CONCLUDED, concluded
                request.outcome = rng.choice(OUTCOMES)
                followed = concluded + timedelta(days=rng.randint(3, 20))
                if case == "followed_up":
                    followed = today - timedelta(days=20)
                if followed < today and case != "concluded":
                    request.status, request.followed_up_on = RequestStatus.FOLLOWED_UP, followed
                    request.satisfaction = _weighted(rng, [(Satisfaction.SATISFIED, 85), (Satisfaction.PARTLY, 12),
                                                           (Satisfaction.UNSATISFIED, 3)])
            elif case != "accepted" and (case or rng.random() < 0.7):
                request.status = RequestStatus.IN_PROGRESS
            if request.status != RequestStatus.ACCEPTED and request.status != RequestStatus.RECEIVED:
                request.assignee = handler
        chunk.requests.append(request)
        kind = CATEGORY_RULES.get(category)
        if not kind:
            return []
        return [_Task(kind, "request:", received, senior, None, request=request)]

    # -- settling one person: plans → records ----------------------------------------------------------------

    def _plan(self, task: _Task) -> None:
        """The task's own fate, before the other visits of its person are counted."""
        rng = self.rng
        rule = self.rules[task.kind]
        earliest = task.event_on - timedelta(days=rule.lead_days)
        due = task.event_on + timedelta(days=rule.due_days)
        latest = due + timedelta(days=rule.grace_days)
        task.window = (earliest, due, latest)
        if task.fixed:
            return
        r = rng.random()
        outcome, planned = TaskStatus.OPEN, None
        in_time = _day_between(rng, max(earliest, task.event_on), min(due, self.yesterday))
        if latest < self.today:
            if r < 0.8:
                outcome, planned = TaskStatus.DONE, in_time
            elif r < 0.93:
                outcome, planned = TaskStatus.DONE, _day_between(rng, due + timedelta(days=1), latest) or in_time
            elif r < 0.98:
                outcome, planned = TaskStatus.MISSED, latest + timedelta(days=1)
            else:
                outcome, planned = TaskStatus.EXEMPTED, _day_between(rng, earliest, due)
        elif earliest <= self.yesterday:
            if due < self.today:  # overdue by now: most were visited, some are still waiting
                if r < 0.5:
                    outcome, planned = TaskStatus.DONE, in_time
                elif r < 0.7:
                    outcome, planned = TaskStatus.DONE, _day_between(rng, due + timedelta(days=1), self.yesterday)
            elif r < 0.4:
                outcome, planned = TaskStatus.DONE, _day_between(rng, earliest, self.yesterday)
        if planned is None:
            outcome, planned = TaskStatus.OPEN, NEVER
        task.outcome, task.planned = outcome, planned

    def _settle(self, chunk: _Chunk, pk: int, region_id: int | None, region_path: str, tasks: list[_Task], own: list[_Visit],
                targets: list[tuple[int, date | None]], gone: date, died: date | None) -> None:
        for task in tasks:
            self._plan(task)
        kept = sorted(own, key=lambda v: v.day)
        days = [v.day for v in kept]
        # In the order of their planned day: an earlier visit inside a task's window closes it (as a visit
        # recorded without chosen tasks does); otherwise the task's own visit, which may close later ones.
        for task in sorted(tasks, key=lambda t: (t.planned, t.event_on)):
            earliest, _due, _latest = task.window
            if task.fixed:
                if task.status == TaskStatus.WITHDRAWN:
                    continue
                task.status = TaskStatus.OPEN
                continue
            i = bisect.bisect_left(days, earliest)
            if i < len(days) and days[i] < task.planned:
                task.status, task.visit, task.closed_on = TaskStatus.DONE, kept[i], days[i]
                continue
            task.status = task.outcome
            if task.outcome == TaskStatus.DONE:
                visit = self._task_visit(task, pk, region_path)
                j = bisect.bisect_right(days, visit.day)
                days.insert(j, visit.day)
                kept.insert(j, visit)
                task.visit, task.closed_on = visit, visit.day
            elif task.outcome == TaskStatus.MISSED:
                task.closed_on = task.window[2]
            elif task.outcome == TaskStatus.EXEMPTED:
                task.closed_on, task.reason = task.planned, self.rng.choice(EXEMPT_REASONS)
        for visit in kept:
            chunk.visits.append((pk, visit))
        for task in tasks:
            chunk.tasks.append((pk, task))
        for i, _reached in targets:
            campaign, _root = self.campaigns[i]
            # The first visit while the campaign runs reaches the target, whatever it was for.
            last = min(campaign.ends_on, self.yesterday, gone - timedelta(days=1))
            first = next((v for v in kept if campaign.starts_on <= v.day <= last), None)
            target = CampaignTarget(campaign=campaign, person_id=pk, region_id=region_id)
            if first is not None:
                target.reached_on = first.day
            elif gone != NEVER:  # left unreached: withdrawn, as the death or the move recorded does
                target.withdrawn_on = gone
                target.withdrawn_because = LeftBecause.DIED if died else LeftBecause.MOVED
            chunk.targets.append((target, first))

    def _task_visit(self, task: _Task, pk: int, region_path: str) -> _Visit:
        day = task.planned
        users, others = self._user_for(pk, region_path, day)
        if task.senior:
            others = "、".join(filter(None, [others, self.rng.choice(LEADERS)]))
        kind, place = VisitKind.HOME, ""
        if task.kind == RuleKind.ILLNESS:
            kind, place = VisitKind.HOSPITAL, task.stay.hospital
        return _Visit(day, task.kind, kind, place, users, others)

    # -- writing ---------------------------------------------------------------------------------------------

    @transaction.atomic
    def _flush(self, chunk: _Chunk) -> None:
        rng = self.rng
        visits = []
        for pk, v in chunk.visits:
            hour = rng.choice((9, 10, 14, 15, 16))
            what = "campaign" if v.what == "campaign" else v.what
            v.obj = Visit(
                person_id=pk, visited_at=timezone.make_aware(datetime.combine(v.day, time(hour, rng.choice((0, 30))))),
                visited_on=v.day, kind=v.kind, place=v.place, other_visitors=v.others[:120],
                money=Decimal(MONEY.get(what, 0)), gifts=GIFTS.get(what, ""),
                findings=rng.choice(FINDINGS) if v.kind != VisitKind.PHONE else "电话问候,一切正常。",
                campaign=self.campaigns[v.campaign][0] if v.campaign is not None else None,
                recorded_by_id=v.users[0] if v.users else None)
            visits.append(v.obj)
        Visit.objects.bulk_create(visits, batch_size=2000)
        Visit.visitors.through.objects.bulk_create(
            [Visit.visitors.through(visit_id=v.obj.pk, user_id=u) for _pk, v in chunk.visits for u in v.users],
            batch_size=5000)
        Hospitalisation.objects.bulk_create(chunk.stays, batch_size=2000)
        for request in chunk.requests:
            if request.case == "request_visit":
                request.visit = next((v.obj for pk, v in chunk.visits if pk == request.person_id
                                      and v.day <= request.received_on), None)
        self._terminals(chunk.requests)
        Request.objects.bulk_create(chunk.requests, batch_size=2000)
        rows = []
        for pk, t in chunk.tasks:
            key = t.key + (str(t.stay.pk) if t.stay else str(t.request.pk) if t.request else "")
            task = _build(self.rules[t.kind], person_id=pk, key=key, event_on=t.event_on, senior=t.senior,
                          assignee_id=t.assignee)
            task.status, task.closed_on, task.reason, task.withdrawn_because = \
                t.status, t.closed_on, t.reason, t.withdrawn_because
            if t.visit is not None:
                task.visit = t.visit.obj
                task.closed_by_id = t.visit.users[0] if t.visit.users else None
            elif t.status == TaskStatus.EXEMPTED:
                task.closed_by = self.bureau
            rows.append(task)
        VisitTask.objects.bulk_create(rows, batch_size=2000)
        targets = []
        for target, visit in chunk.targets:
            target.visit = visit.obj if visit else None
            targets.append(target)
        CampaignTarget.objects.bulk_create(targets, batch_size=5000)
        c = self.counts
        c["visits"] += len(visits)
        c["hospital_stays"] += len(chunk.stays)
        c["requests"] += len(chunk.requests)
        c["visit_tasks"] += len(rows)
        c["campaign_targets"] += len(targets)

    def _terminals(self, requests: list[Request]) -> None:
        """The showcase terminal: an alarm that was answered the same day."""
        for request in requests:
            if request.case == "terminal":
                device = self._device(request.person_id, "客厅一键呼叫器")
                request.device = device
                request.summary = f"呼叫终端“{device.name}”报警。"

    def _device(self, person_id: int, name: str, revoked: bool = False) -> Device:
        token = f"demo-{self.rng.getrandbits(128):032x}"
        device = Device.objects.create(
            person_id=person_id, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest(),
            token_hint=token[-4:], registered_by=self.street or self.bureau,
            revoked_on=timezone.now() - timedelta(days=30) if revoked else None,
            last_used_at=timezone.now() - timedelta(days=9))
        self.counts["terminals"] += 1
        return device

    def _devices(self) -> None:
        """A few more terminals in the first street's homes of persons living alone; one was taken back."""
        if not self.street_path:
            return
        homes = list(Person.objects.filter(status=PersonStatus.ACTIVE, region__path__startswith=self.street_path,
                                           living="alone").exclude(devices__isnull=False)
                     .order_by("pk").values_list("pk", flat=True)[:4])
        for n, person_id in enumerate(homes):
            self._device(person_id, rng_name(n), revoked=n == len(homes) - 1)


def rng_name(n: int) -> str:
    return ["卧室一键呼叫器", "床头呼叫按钮", "客厅呼叫器", "旧款呼叫器(已收回)"][n % 4]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only."""
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _day_between(rng: random.Random, low: date, high: date) -> date | None:
    if high < low:
        return None
    return low + timedelta(days=rng.randrange((high - low).days + 1))


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def build_care(*, seed: int, progress: Callable[[str], None] | None = None, today: date | None = None,
               scale: str = "") -> dict[str, int]:
    demo = _CareDemo(seed, today or timezone.localdate(), scale, progress or (lambda _m: None))
    demo.run()
    return dict(demo.counts)
