"""六必访 visit tasks: made by the rules (idempotently), exempted, withdrawn, missed and escalated."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jinqiu.accounts.models import Pairing, Role, Scope
from jinqiu.core.audit import acting
from jinqiu.notifications.services import reminder_send_once
from jinqiu.people.models import Membership, MembershipKind, Person, PersonStatus, RetirementType

from .. import calendar
from ..defaults import VISIT_RULES
from ..models import CareRule, Escalation, RuleKind, TaskStatus, Visitor, VisitTask
from ..permissions import may_manage

# The occasions whose tasks outlive the person (the visit is to the family, 遗属).
AFTER_DEATH = (RuleKind.FUNERAL,)
SENIOR_AGE = 90



def ensure_rules() -> dict[str, CareRule]:
    """The six rules, created with their defaults the first time (the bureau edits them afterwards)."""
    rules = {r.kind: r for r in CareRule.objects.all()}
    for kind, defaults in VISIT_RULES.items():
        if kind not in rules:
            rules[kind], _created = CareRule.objects.get_or_create(kind=kind, defaults=defaults)
    return rules


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _pair_contacts(person_ids: Iterable[int]) -> dict[int, int]:
    """person id → the user id of one active pair contact (the longest-standing)."""
    found: dict[int, int] = {}
    for person_id, contact_id in (Pairing.objects.filter(person_id__in=list(person_ids), ended_on__isnull=True,
                                                          contact__is_active=True)
                                  .order_by("started_on", "id").values_list("person_id", "contact_id")):
        found.setdefault(person_id, contact_id)
    return found


def _build(rule: CareRule, *, person_id: int, key: str, event_on: date, senior: bool,
           assignee_id: int | None) -> VisitTask:
    earliest = event_on - timedelta(days=rule.lead_days)
    due_on = event_on + timedelta(days=rule.due_days)
    return VisitTask(
        person_id=person_id, rule=rule, kind=rule.kind, event_key=key, event_on=event_on, earliest=earliest,
        due_on=due_on, latest=due_on + timedelta(days=rule.grace_days), visitor=rule.visitor,
        assignee_id=assignee_id if rule.visitor == Visitor.PAIR_CONTACT else None,
        leader_visit=rule.leader_for_senior and senior)


def _is_senior(person: Person, on: date) -> bool:
    return person.retirement_type == RetirementType.LIXIU or _age_on(person.birth_date, on) >= SENIOR_AGE


def task_for_event(*, actor, person: Person, kind: str, key: str, event_on: date) -> VisitTask | None:
    """The task an event calls for, made once: a second call for the same event returns the first task.

    None when the rule is not in force, or when the person has died or moved away (except a funeral)."""
    rule = ensure_rules()[kind]
    if not rule.is_active or (person.status != PersonStatus.ACTIVE and kind not in AFTER_DEATH):
        return None
    task = _build(rule, person_id=person.pk, key=key, event_on=event_on,
                  senior=_is_senior(person, event_on), assignee_id=_pair_contacts([person.pk]).get(person.pk))
    with acting(actor):
        found, _created = VisitTask.objects.get_or_create(
            person=person, kind=kind, event_key=key,
            defaults={f.attname: getattr(task, f.attname) for f in VisitTask._meta.concrete_fields
                      if f.attname not in ("id", "created_at", "updated_at")})
    return found


def generate_birthday_tasks(today: date | None = None) -> int:
    """Tasks for the milestone birthdays from `grace_days` ago to `lead_days` ahead; returns how many are new.

    One pass over the register's (id, birth date, lunar flag, retirement type); the tasks are inserted in
    batches with conflicts ignored, so a second run, or a second worker, adds nothing."""
    today = today or timezone.localdate()
    rule = ensure_rules()[RuleKind.BIRTHDAY]
    if not rule.is_active:
        return 0
    start = today - timedelta(days=rule.due_days + rule.grace_days)
    end = today + timedelta(days=rule.lead_days)
    wanted: list[tuple[int, int, date, bool]] = []
    rows = (Person.objects.filter(status=PersonStatus.ACTIVE)
            .values_list("id", "birth_date", "lunar_birthday", "retirement_type").iterator(chunk_size=5000))
    for person_id, born, lunar, retirement in rows:
        for age, day in calendar.milestones_between(born, lunar, start, end):
            wanted.append((person_id, age, day, retirement == RetirementType.LIXIU or age >= SENIOR_AGE))
    if not wanted:
        return 0
    contacts = _pair_contacts({w[0] for w in wanted})
    tasks = [_build(rule, person_id=person_id, key=f"birthday:{age}", event_on=day, senior=senior,
                    assignee_id=contacts.get(person_id))
             for person_id, age, day, senior in wanted]
    before = VisitTask.objects.filter(kind=RuleKind.BIRTHDAY).count()
    VisitTask.objects.bulk_create(tasks, batch_size=2000, ignore_conflicts=True)
    return VisitTask.objects.filter(kind=RuleKind.BIRTHDAY).count() - before


@transaction.atomic
def task_exempt(*, actor, task: VisitTask, reason: str) -> VisitTask:
    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street may exempt a visit."))
    task = VisitTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("Only a visit still to be made can be exempted."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why this visit is not needed.")]})
    task.status, task.reason, task.closed_on, task.closed_by = TaskStatus.EXEMPTED, reason[:200], \
        timezone.localdate(), actor
    with acting(actor):
        task.save()
    return task


@transaction.atomic
def task_assign(*, actor, task: VisitTask, assignee) -> VisitTask:
    from jinqiu.accounts.scoping import visible_persons

    from ..permissions import ASSIGNABLE_ROLES

    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street may assign visits."))
    if assignee is not None and (not assignee.is_active or not assignee.role_set & ASSIGNABLE_ROLES
                                 or not visible_persons(assignee).filter(pk=task.person_id).exists()):
        raise ValidationError({"assignee": [_("This user cannot see this person and cannot be assigned.")]})
    task.assignee = assignee
    with acting(actor):
        task.save(update_fields=["assignee", "updated_at"])
    return task


def withdraw_tasks(*, person: Person, because: str, on: date) -> int:
    """Open tasks of a person who died or moved away end as withdrawn (a funeral task stays)."""
    tasks = list(VisitTask.objects.filter(person=person, status=TaskStatus.OPEN).exclude(kind__in=AFTER_DEATH))
    for task in tasks:
        task.status, task.withdrawn_because, task.closed_on = TaskStatus.WITHDRAWN, because, on
        task.save(update_fields=["status", "withdrawn_because", "closed_on", "updated_at"])
    return len(tasks)


def close_missed(today: date | None = None) -> int:
    """Tasks whose window has passed end as missed: they stay on the lists and count against coverage."""
    today = today or timezone.localdate()
    tasks = list(VisitTask.objects.filter(status=TaskStatus.OPEN, latest__lt=today))
    for task in tasks:
        task.status, task.closed_on = TaskStatus.MISSED, task.latest
    VisitTask.objects.bulk_update(tasks, ["status", "closed_on"], batch_size=1000)
    return len(tasks)


def _prefixes(path: str, steplen: int = 4) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def responsible_users(person: Person, role: str) -> list:
    """Active users of a role whose region or organisation scope covers the person."""
    region_paths = _prefixes(person.region.path) if person.region_id else []
    org_paths: set[str] = set()
    for path in (Membership.objects.filter(person=person, ended_on__isnull=True, kind=MembershipKind.PRIMARY)
                 .values_list("org__path", flat=True)):
        if path:
            org_paths.update(_prefixes(path))
    scopes = (Scope.objects.filter(user__is_active=True, user__roles__role=role)
              .filter(region__path__in=region_paths) | Scope.objects.filter(
                  user__is_active=True, user__roles__role=role, org__path__in=org_paths))
    users = {}
    for scope in scopes.select_related("user__person"):
        users.setdefault(scope.user_id, scope.user)
    return list(users.values())


def escalate(today: date | None = None) -> int:
    """Overdue tasks: the street is told after `street_after_days`, then the bureau after `bureau_after_days`.
    Each message is sent once (keyed by task and level); returns how many went out."""
    from ..selectors import overdue_tasks

    today = today or timezone.localdate()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        tasks = (overdue_tasks(VisitTask.objects.all(), today).filter(escalation__lt=Escalation.BUREAU)
                 .select_related("rule", "person__region"))
        for task in tasks:
            late = (today - task.due_on).days
            level = task.escalation
            for target, role, after in ((Escalation.STREET, Role.STREET, task.rule.street_after_days),
                                        (Escalation.BUREAU, Role.BUREAU, task.rule.bureau_after_days)):
                if level < target and late >= after:
                    users = responsible_users(task.person, role)
                    sent += reminder_send_once(
                        key=f"care-task:{task.pk}:{int(target)}", recipients=users,
                        link=reverse("care:task", kwargs={"pk": task.pk}),
                        title=_("Overdue visit: %(person)s, %(title)s") % {"person": task.person.name,
                                                                         "title": task.title},
                        body=_("Due by %(due)s, not yet visited.") % {"due": task.due_on})
                    level = target
            if level != task.escalation:
                VisitTask.objects.filter(pk=task.pk).update(escalation=level)
    return sent
