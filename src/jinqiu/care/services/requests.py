"""诉求: received, accepted (or, for 信访, refused), handled, concluded and followed up, with deadlines.

信访 follows the deadlines of the 信访工作条例: accept or refuse within 15 days of receipt, conclude within
60 days of acceptance, extendable once by 30 days with a reason. Other requests are accepted when received
and are due in `DEADLINE_DAYS` (an urgent one the next day).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed

from jinqiu.accounts.models import Pairing, Role
from jinqiu.core.audit import acting
from jinqiu.notifications.services import message_send
from jinqiu.people.models import Person, PersonStatus

from ..models import Device, Request, RequestCategory, RequestSource, RequestStatus, RuleKind, Satisfaction
from ..permissions import ASSIGNABLE_ROLES, may_manage, may_visit
from .tasks import responsible_users, task_for_event

ACCEPT_DAYS = 15
CONCLUDE_DAYS = 60
EXTENSION_DAYS = 30
DEADLINE_DAYS = 15
REQUEST_FIELDS = ("source", "category", "summary", "urgent", "received_on", "visit")
# Categories that call for a 六必访 visit.
CATEGORY_RULES = {RequestCategory.DISPUTE: RuleKind.DISPUTE, RequestCategory.HARDSHIP: RuleKind.HARDSHIP}
# An alarm from the same terminal within this time joins the open urgent request instead of making another.
ALARM_COALESCE = timedelta(minutes=10)


def _move(request: Request, name: str) -> None:
    try:
        getattr(request, name)()
    except TransitionNotAllowed:
        raise ValidationError(_("A request that is “%(status)s” cannot be %(move)s.") % {
            "status": request.get_status_display(), "move": MOVES[name]}) from None


MOVES = {  # how each move reads in the refusal above
    "accept": gettext_lazy("accepted"), "reject": gettext_lazy("refused"), "start": gettext_lazy("taken up"),
    "conclude": gettext_lazy("concluded"), "follow_up": gettext_lazy("followed up"),
}


def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise ValidationError(_("Only the bureau or the street handles requests."))


def _locked(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def request_create(*, actor, person: Person, fields: dict[str, Any], device: Device | None = None) -> Request:
    """A request received. A pair contact or a secretary may raise one from a visit; the rest is staff work."""
    if device is None and not may_visit(actor):
        raise ValidationError(_("Your role does not record requests."))
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError(_("This person is no longer on the register."))
    request = Request(person=person, device=device, recorded_by=actor if device is None else None,
                      **{k: v for k, v in fields.items() if k in REQUEST_FIELDS})
    request.received_on = request.received_on or timezone.localdate()
    if request.received_on > timezone.localdate():
        raise ValidationError({"received_on": [_("The date received is in the future.")]})
    if request.source == RequestSource.PETITION:
        request.accept_by = request.received_on + timedelta(days=ACCEPT_DAYS)
    else:
        request.status, request.accepted_on = RequestStatus.ACCEPTED, request.received_on
        request.deadline = request.received_on + timedelta(days=1 if request.urgent else DEADLINE_DAYS)
    request.summary = (request.summary or "").strip()
    request.full_clean()
    with acting(actor):
        request.save()
    kind = CATEGORY_RULES.get(request.category)
    if kind:
        task_for_event(actor=actor, person=person, kind=kind, key=f"request:{request.pk}",
                       event_on=request.received_on)
    return request


@transaction.atomic
def request_accept(*, actor, request: Request, on: date | None = None) -> Request:
    _require_manager(actor)
    request = _locked(request)
    _move(request, "accept")
    request.accepted_on = on or timezone.localdate()
    request.deadline = request.accepted_on + timedelta(days=CONCLUDE_DAYS)
    with acting(actor):
        request.save()
    return request


@transaction.atomic
def request_reject(*, actor, request: Request, reason: str) -> Request:
    _require_manager(actor)
    request = _locked(request)
    if not (reason or "").strip():
        raise ValidationError({"rejection_reason": [_("Say why the request is not accepted.")]})
    _move(request, "reject")
    request.rejection_reason, request.concluded_on = reason.strip()[:200], timezone.localdate()
    with acting(actor):
        request.save()
    return request


@transaction.atomic
def request_assign(*, actor, request: Request, assignee) -> Request:
    from jinqiu.accounts.scoping import visible_persons

    _require_manager(actor)
    request = _locked(request)
    if not assignee.is_active or not assignee.role_set & ASSIGNABLE_ROLES \
            or not visible_persons(assignee).filter(pk=request.person_id).exists():
        raise ValidationError({"assignee": [_("This user cannot see this person and cannot be assigned.")]})
    request.assignee = assignee
    if request.status == RequestStatus.ACCEPTED:
        _move(request, "start")
    with acting(actor):
        request.save()
    return request


@transaction.atomic
def request_start(*, actor, request: Request) -> Request:
    _require_manager(actor)
    request = _locked(request)
    _move(request, "start")
    with acting(actor):
        request.save()
    return request


@transaction.atomic
def request_extend(*, actor, request: Request, reason: str) -> Request:
    """信访 only, once, by 30 days, with a reason."""
    _require_manager(actor)
    request = _locked(request)
    if request.source != RequestSource.PETITION:
        raise ValidationError(_("Only a letters-and-visits request has its deadline extended."))
    if request.extended:
        raise ValidationError(_("The deadline has been extended once already."))
    if request.status not in (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS) or request.deadline is None:
        raise ValidationError(_("Only a request being handled has its deadline extended."))
    if not (reason or "").strip():
        raise ValidationError({"extension_reason": [_("Say why the deadline is extended.")]})
    request.extended, request.extension_reason = True, reason.strip()[:200]
    request.deadline += timedelta(days=EXTENSION_DAYS)
    with acting(actor):
        request.save()
    return request


@transaction.atomic
def request_conclude(*, actor, request: Request, outcome: str, on: date | None = None) -> Request:
    _require_manager(actor)
    request = _locked(request)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": [_("Say how the request was resolved.")]})
    _move(request, "conclude")
    request.outcome, request.concluded_on = outcome.strip(), on or timezone.localdate()
    with acting(actor):
        request.save()
    return request


@transaction.atomic
def request_follow_up(*, actor, request: Request, satisfaction: str, on: date | None = None) -> Request:
    """回访: the person is asked whether they are satisfied."""
    _require_manager(actor)
    request = _locked(request)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose how satisfied the person is.")]})
    _move(request, "follow_up")
    request.satisfaction, request.followed_up_on = satisfaction, on or timezone.localdate()
    with acting(actor):
        request.save()
    return request


# 一键呼叫 terminals ---------------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_register(*, actor, person: Person, name: str) -> tuple[Device, str]:
    """A terminal for a person's home; the token is returned once, to be written into the terminal."""
    _require_manager(actor)
    token = secrets.token_urlsafe(32)
    device = Device(person=person, name=(name or "").strip()[:60], token_hash=_token_hash(token),
                    token_hint=token[-4:], registered_by=actor)
    device.full_clean()
    with acting(actor):
        device.save()
    return device, token


@transaction.atomic
def device_revoke(*, actor, device: Device) -> Device:
    _require_manager(actor)
    if device.revoked_on is None:
        device.revoked_on = timezone.now()
        with acting(actor):
            device.save(update_fields=["revoked_on", "updated_at"])
    return device


def device_for_token(token: str) -> Device | None:
    if not token:
        return None
    device = Device.objects.select_related("person__region").filter(token_hash=_token_hash(token)).first()
    return device if device is not None and device.revoked_on is None else None


def _alarm_recipients(person: Person) -> list:
    contacts = [p.contact for p in Pairing.objects.filter(person=person, ended_on__isnull=True,
                                                          contact__is_active=True).select_related("contact")]
    found = {u.pk: u for u in contacts + responsible_users(person, Role.STREET)}
    return list(found.values())


@transaction.atomic
def alarm_raise(*, device: Device) -> tuple[Request, bool]:
    """An alarm from a terminal: an urgent request, and a message to the pair contact and the community at
    once. A repeat within ALARM_COALESCE joins the open request. Returns (request, created)."""
    device = Device.objects.select_for_update().select_related("person").get(pk=device.pk)
    now = timezone.now()
    device.last_used_at = now
    device.save(update_fields=["last_used_at"])
    recent = (Request.objects.filter(device=device, status__in=[RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS],
                                     created_at__gte=now - ALARM_COALESCE).order_by("-id").first())
    if recent is not None:
        return recent, False
    person = device.person
    with translation.override(settings.LANGUAGE_CODE):
        request = request_create(actor=None, person=person, device=device, fields={
            "source": RequestSource.TERMINAL, "category": RequestCategory.EMERGENCY, "urgent": True,
            "summary": _("Alarm from the call terminal “%(name)s”.") % {"name": device.name}})
        message_send(recipients=_alarm_recipients(person), link=reverse("care:request", kwargs={"pk": request.pk}),
                     title=_("Urgent: %(person)s pressed the call button") % {"person": person.name},
                     body=_("Call or visit at once. Terminal: %(name)s.") % {"name": device.name})
    return request, True
