"""Visits (走访慰问) and hospital stays: a visit closes the tasks it answers and reaches campaign targets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.core.audit import acting
from jinqiu.core.uploads import check_upload
from jinqiu.organizations.models import PartyOrg
from jinqiu.people.models import Person

from ..models import CampaignTarget, Hospitalisation, RuleKind, TaskStatus, Visit, VisitPhoto, VisitTask
from ..permissions import VISIT_ROLES, may_visit
from .tasks import task_for_event

VISIT_FIELDS = ("visited_at", "kind", "place", "other_visitors", "money", "gifts", "findings")
HOSPITAL_FIELDS = ("admitted_on", "hospital", "ward", "condition", "discharged_on")
MAX_PHOTOS = 9


def _require_visitor(actor) -> None:
    if not may_visit(actor):
        raise ValidationError(_("Your role does not record visits."))


@transaction.atomic
def hospitalisation_record(*, actor, person: Person, fields: dict[str, Any]) -> Hospitalisation:
    """A hospital stay, and the 生病住院 visit task it calls for."""
    _require_visitor(actor)
    stay = Hospitalisation(person=person, recorded_by=actor,
                           **{k: v for k, v in fields.items() if k in HOSPITAL_FIELDS})
    if stay.admitted_on and stay.admitted_on > timezone.localdate():
        raise ValidationError({"admitted_on": [_("The admission date is in the future.")]})
    stay.full_clean()
    with acting(actor):
        stay.save()
    task_for_event(actor=actor, person=person, kind=RuleKind.ILLNESS, key=f"hospital:{stay.pk}",
                   event_on=stay.admitted_on)
    return stay


@transaction.atomic
def hospitalisation_update(*, actor, stay: Hospitalisation, fields: dict[str, Any]) -> Hospitalisation:
    _require_visitor(actor)
    for key, value in fields.items():
        if key in HOSPITAL_FIELDS and key != "admitted_on":
            setattr(stay, key, value)
    stay.full_clean()
    with acting(actor):
        stay.save()
    return stay


def _visitors(actor, visitors: Iterable) -> list:
    found = list({u.pk: u for u in visitors}.values())
    if not found and actor is not None and getattr(actor, "is_authenticated", False):
        found = [actor]
    for user in found:
        if not user.is_active or not user.role_set & VISIT_ROLES:
            raise ValidationError({"visitors": [_("%(user)s does not record visits.") % {"user": user}]})
    return found


def _tasks_to_close(visit: Visit, task_ids: Sequence[int] | None) -> list[VisitTask]:
    open_tasks = VisitTask.objects.select_for_update().filter(person=visit.person, status=TaskStatus.OPEN)
    if task_ids is None:  # every open task whose window has begun by the day of the visit
        return list(open_tasks.filter(earliest__lte=visit.visited_on))
    chosen = list(open_tasks.filter(pk__in=list(task_ids)))
    if len(chosen) != len(set(task_ids)):
        raise ValidationError({"tasks": [_("A chosen task is not an open task of this person.")]})
    return chosen


def _reach_targets(visit: Visit) -> int:
    """Targets of the campaigns running on the day of the visit, for this person or organisation."""
    targets = CampaignTarget.objects.filter(
        reached_on__isnull=True, withdrawn_on__isnull=True, campaign__starts_on__lte=visit.visited_on,
        campaign__ends_on__gte=visit.visited_on)
    targets = targets.filter(person=visit.person) if visit.person_id else targets.filter(org=visit.org)
    if visit.campaign_id:
        targets = targets.filter(campaign_id=visit.campaign_id)
    return targets.update(reached_on=visit.visited_on, visit=visit, updated_at=timezone.now())


@transaction.atomic
def visit_record(*, actor, fields: dict[str, Any], person: Person | None = None, org: PartyOrg | None = None,
                 visitors: Iterable = (), photos: Sequence[UploadedFile] = (), task_ids: Sequence[int] | None = None,
                 need: dict[str, Any] | None = None) -> Visit:
    """Record a visit; close the tasks it answers (`task_ids`, or every open one already due), mark the
    running campaigns' targets reached, and raise the need found as a request (`need`: category, summary)."""
    _require_visitor(actor)
    visit = Visit(person=person, org=org, recorded_by=actor, **{k: v for k, v in fields.items()
                                                               if k in VISIT_FIELDS or k == "campaign"})
    if visit.money is None:
        visit.money = 0
    if visit.visited_at and visit.visited_at > timezone.now() + timedelta(minutes=10):
        raise ValidationError({"visited_at": [_("The visit is in the future: record it once it has taken place.")]})
    if visit.visited_at:
        visit.visited_on = timezone.localdate(visit.visited_at)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(n)d photos per visit.") % {"n": MAX_PHOTOS}]})
    for upload in photos:
        check_upload(upload, image=True, field="photos")
    visit.full_clean()
    people = _visitors(actor, visitors)
    with acting(actor):
        visit.save()
        visit.visitors.set(people)
        for upload in photos:
            photo = VisitPhoto(visit=visit, name=upload.name[:120], size=upload.size)
            photo.file.save(upload.name, upload, save=False)
            photo.save()
        if person is not None:
            for task in _tasks_to_close(visit, task_ids):
                task.status, task.visit, task.closed_on, task.closed_by = TaskStatus.DONE, visit, \
                    visit.visited_on, actor
                task.save(update_fields=["status", "visit", "closed_on", "closed_by", "updated_at"])
        _reach_targets(visit)
    if need and person is not None and (need.get("summary") or "").strip():
        from .requests import request_create

        request_create(actor=actor, person=person, fields={
            "source": "home_visit", "category": need.get("category") or "other", "summary": need["summary"],
            "received_on": visit.visited_on, "visit": visit})
    return visit
