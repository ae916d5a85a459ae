"""The daily care job (huey): birthday tasks, deaths and moves caught up, missed tasks closed, escalation.

Every step is idempotent (one task per event, messages keyed per task and level), so a second run or a
second worker changes nothing.
"""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jinqiu.accounts.models import Role
from jinqiu.notifications.services import reminder_send_once
from jinqiu.people.models import Person, PersonStatus

from . import services
from .models import Escalation, Request, TaskStatus
from .selectors import request_overdue_q
from .signals import person_left

# An overdue request is told to the bureau after this many days late (the street at once).
REQUEST_BUREAU_AFTER_DAYS = 3


def sweep_departures() -> int:
    """Persons who died or moved away but still have open tasks or campaign targets (a change made
    without signals): apply what the signal would have."""
    from .models import CampaignTarget, VisitTask

    gone = Person.objects.filter(status__in=[PersonStatus.DECEASED, PersonStatus.MOVED])
    ids = set(VisitTask.objects.filter(person__in=gone, status=TaskStatus.OPEN).exclude(kind="funeral")
              .values_list("person_id", flat=True))
    ids |= set(CampaignTarget.objects.filter(person__in=gone, reached_on__isnull=True, withdrawn_on__isnull=True)
               .values_list("person_id", flat=True))
    for person in Person.objects.filter(pk__in=ids):
        person_left(person)
    return len(ids)


def escalate_requests(today: date) -> int:
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for request in (Request.objects.filter(request_overdue_q(today), escalation__lt=Escalation.BUREAU)
                        .select_related("person__region")):
            due = request.deadline if request.status != "received" else request.accept_by
            late = (today - due).days
            level = request.escalation
            for target, role, after in ((Escalation.STREET, Role.STREET, 0),
                                        (Escalation.BUREAU, Role.BUREAU, REQUEST_BUREAU_AFTER_DAYS)):
                if level < target and late >= after:
                    sent += reminder_send_once(
                        key=f"care-request:{request.pk}:{int(target)}",
                        recipients=services.tasks.responsible_users(request.person, role),
                        link=reverse("care:request", kwargs={"pk": request.pk}),
                        title=_("Overdue request: %(person)s, %(category)s") % {
                            "person": request.person.name, "category": request.get_category_display()},
                        body=_("Due by %(due)s, not yet concluded.") % {"due": due})
                    level = target
            if level != request.escalation:
                Request.objects.filter(pk=request.pk).update(escalation=level)
    return sent


def run_daily(today: date | None = None) -> dict[str, float]:
    """One run of everything; returns the counts and the seconds taken."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    services.ensure_rules()
    result = {
        "birthday_tasks": services.generate_birthday_tasks(today),
        "departures": sweep_departures(),
        "missed": services.close_missed(today),
        "task_messages": services.escalate(today),
        "request_messages": escalate_requests(today),
    }
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


@db_periodic_task(crontab(hour="6", minute="10"))
def care_daily() -> dict[str, float]:
    return run_daily()
