"""Every write to persons, their memberships, officer terms and life events.

The membership rules live here, whatever calls them (views, API, import, CLI, demo):
at most one active primary membership, only in a 建制 organisation or recorded by name as outside
the system; a 非建制 organisation is never primary.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.core import crypto, idnumber, phones, text
from jinqiu.core.audit import acting
from jinqiu.organizations import services as org_services
from jinqiu.organizations.models import PartyOrg
from jinqiu.regions.models import RegionLevel

from .models import EndReason, Membership, MembershipKind, OfficerTerm, Person, PersonStatus, Survivor

PERSON_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "lunar_birthday", "native_place", "education", "original_unit_name",
    "original_unit", "service_unit", "original_position", "rank", "retirement_type", "retirement_date",
    "treatment", "region", "address", "mobile", "phone", "emergency_contact", "emergency_phone", "relocated",
    "relocated_place", "living", "health", "hardship", "skills", "is_party_member", "joined_party_on",
    "full_member_on", "note",
)

# Why a membership ended: codes of EndReason (the label is what a person reads).
END_TRANSFER = EndReason.TRANSFER
END_DEATH = EndReason.DEATH
END_MOVED = EndReason.MOVED
END_DISSOLVED = EndReason.DISSOLVED
END_LEFT = EndReason.LEFT
END_OTHER = EndReason.OTHER


def refresh_search_text(person: Person, id_number: str | None = None) -> None:
    last4 = (id_number or "")[-4:] if id_number else ""
    if not last4 and person.id_number_masked:
        last4 = person.id_number_masked[-4:]
    person.search_text = text.search_text(person.name, [last4] if last4 else [])


def not_yours_message() -> str:
    """The one answer for an ID number registered outside the actor's scope, whatever the reason: it
    tells nothing about the person, not even that the number is on the register."""
    return _("You cannot import this ID number: please contact the district bureau of veteran cadres.")


def _visible_pks(actor, pks) -> set[int]:
    """Which of `pks` the actor sees, through the one scope function (imported late: accounts sits above
    people in the dependency order, and its scoping imports this module)."""
    from jinqiu.accounts.scoping import visible_persons

    return set(visible_persons(actor).filter(pk__in=list(pks)).values_list("pk", flat=True))


def _clash_error(actor, clash_pk: int | None) -> ValidationError:
    """"已登记" only to someone who may see the registered record (and to the system itself)."""
    if actor is None or (clash_pk is not None and clash_pk in _visible_pks(actor, [clash_pk])):
        return ValidationError({"id_number": [_("This ID number is already registered.")]})
    return ValidationError({"id_number": [not_yours_message()]})


def _apply_id_number(person: Person, raw: str, actor=None) -> idnumber.IdInfo:
    try:
        info = idnumber.parse(raw)
    except idnumber.IdNumberError as exc:
        raise ValidationError({"id_number": [exc.message]}) from None
    index = crypto.blind_index(info.number)
    clash = Person.objects.filter(id_number_index=index).exclude(pk=person.pk).values_list("pk", flat=True).first()
    if clash is not None:
        # Never say whose; and say "registered" only where the record is in the actor's scope.
        raise _clash_error(actor, clash)
    person.set_id_number(info)
    return info


def _check_against_id(person: Person, info: idnumber.IdInfo, given: dict[str, Any]) -> None:
    """Birth date and gender follow the ID number; a disagreement is an error, never silently fixed."""
    errors: dict[str, list] = {}
    if given.get("birth_date") and given["birth_date"] != info.birth_date:
        errors["birth_date"] = [_("The birth date does not agree with the ID number (%(date)s).")
                                % {"date": info.birth_date.isoformat()}]
    if given.get("gender") and given["gender"] != info.gender:
        errors["gender"] = [_("The gender does not agree with the ID number.")]
    if errors:
        raise ValidationError(errors)
    person.birth_date = info.birth_date
    person.gender = info.gender


def _check_region(person: Person) -> None:
    if person.region_id and person.region.level not in (RegionLevel.COMMUNITY, RegionLevel.VILLAGE):
        raise ValidationError({"region": [_("Choose the community or village where the person lives.")]})


def _save(person: Person, actor) -> Person:
    _check_region(person)
    person.full_clean(exclude=["id_number_enc", "id_number_index", "id_number_masked", "search_text"])
    with acting(actor):
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            # A record saved meanwhile by someone else: whether the actor sees it is not known here.
            raise _clash_error(actor, None) from None
    return person


PLACEMENT_FIELDS = ("region", "service_unit")


def placement_message() -> str:
    return _("Fill in at least one of 居住社区, 所在党组织 or 管理服务单位, within your scope: otherwise nobody "
             "could find this person.")


def _placement_error() -> ValidationError:
    # One field (the first of the three on every form), one message naming all three.
    return ValidationError({"region": [placement_message()]})


def _check_placement(person: Person, actor, *, scope: bool = True) -> None:
    """A person is saved only where someone can see them: a region, a 党组织 in the system (a relation
    named outside the system reaches no scope) or a 管理服务单位; with an actor (and `scope`), in their scope.
    Called inside the service's transaction, after the writes: a refusal undoes them."""
    placed = person.region_id or person.service_unit_id or Membership.objects.filter(
        person=person, ended_on__isnull=True, org__isnull=False).exists()
    if not placed or (scope and actor is not None and person.pk not in _visible_pks(actor, [person.pk])):
        raise _placement_error()


def _normalise_phones(person: Person) -> None:
    errors: dict[str, list] = {}
    for name in ("mobile", "phone", "emergency_phone"):
        value = getattr(person, name)
        if value:
            try:
                setattr(person, name, phones.normalize_phone(value))
            except phones.PhoneError as exc:
                errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_create(
    *, actor, id_number: str, fields: dict[str, Any], org: PartyOrg | None = None, outside_org_name: str = "",
    relation_since: date | None = None,
) -> Person:
    """Register a person; a party member may get their membership relation in the same step."""
    fields = {k: v for k, v in fields.items() if k in PERSON_FIELDS}
    person = Person(**{k: v for k, v in fields.items() if k not in ("birth_date", "gender")})
    info = _apply_id_number(person, id_number, actor)
    _check_against_id(person, info, fields)
    _normalise_phones(person)
    refresh_search_text(person, info.number)
    person = _save(person, actor)
    if org is not None or outside_org_name.strip():
        _transfer(actor=actor, person=person, org=org, outside_org_name=outside_org_name,
                  on=relation_since or person.joined_party_on or timezone.localdate())
    _check_placement(person, actor)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, fields: dict[str, Any], id_number: str | None = None) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    placement = [getattr(person, f"{name}_id") for name in PLACEMENT_FIELDS]
    for key, value in fields.items():
        if key in PERSON_FIELDS and key not in ("birth_date", "gender"):
            setattr(person, key, value)
    info = _apply_id_number(person, id_number, actor) if id_number else idnumber.parse(person.id_number)
    _check_against_id(person, info, fields)
    _normalise_phones(person)
    refresh_search_text(person, info.number)
    person = _save(person, actor)
    if [getattr(person, f"{name}_id") for name in PLACEMENT_FIELDS] != placement:
        _check_placement(person, actor)
    return person


def _active_primary(person: Person) -> Membership | None:
    return (Membership.objects.select_for_update()
            .filter(person=person, kind=MembershipKind.PRIMARY, ended_on__isnull=True).first())


def _require_on_register(person: Person) -> None:
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError(_("%(name)s is no longer on the register (%(status)s).")
                              % {"name": person.name, "status": person.get_status_display()})


@transaction.atomic
def membership_transfer(
    *, actor, person: Person, on: date, org: PartyOrg | None = None, outside_org_name: str = "",
    reason: str = END_TRANSFER,
) -> Membership:
    """组织关系转接: end the active primary membership (if any) and open the new one; history kept.

    A transfer may take a person out of the actor's own scope (转出 to another organisation, which then
    sees them), never to where nobody sees them.
    """
    membership = _transfer(actor=actor, person=person, on=on, org=org, outside_org_name=outside_org_name,
                           reason=reason)
    _check_placement(membership.person, actor, scope=False)
    return membership


def _transfer(
    *, actor, person: Person, on: date, org: PartyOrg | None = None, outside_org_name: str = "",
    reason: str = END_TRANSFER,
) -> Membership:
    if reason not in EndReason.values:
        raise ValueError(f"not a membership end reason: {reason!r}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_on_register(person)
    if not person.is_party_member:
        raise ValidationError(_("%(name)s is not a party member.") % {"name": person.name})
    outside_org_name = outside_org_name.strip()
    if (org is None) == (not outside_org_name):
        raise ValidationError({"org": [_("Choose an organisation in the system, or name one outside it.")]})
    if org is not None:
        if not org.is_formal:
            raise ValidationError({"org": [
                _("%(org)s is a functional or temporary organisation: it cannot hold a membership relation.")
                % {"org": org.name}
            ]})
        if not org.is_active:
            raise ValidationError({"org": [_("%(org)s has been dissolved.") % {"org": org.name}]})
    current = _active_primary(person)
    if current is not None:
        if current.org_id and org is not None and current.org_id == org.pk:
            raise ValidationError({"org": [_("The membership relation is already in %(org)s.") % {"org": org.name}]})
        if on < current.started_on:
            raise ValidationError({"on": [_("The transfer date is before the current relation began (%(date)s).")
                                          % {"date": current.started_on}]})
    with acting(actor):
        if current is not None:
            current.ended_on = on
            current.end_reason = reason
            current.save(update_fields=["ended_on", "end_reason", "updated_at"])
        membership = Membership(person=person, kind=MembershipKind.PRIMARY, org=org,
                                outside_org_name=outside_org_name, started_on=on)
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def membership_join(*, actor, person: Person, org: PartyOrg, on: date) -> Membership:
    """Take part in a 非建制 organisation under 三不转: the primary relation stays where it is."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_on_register(person)
    if org.is_formal:
        raise ValidationError({"org": [
            _("%(org)s is a formal organisation: use a transfer to move the membership relation there.")
            % {"org": org.name}
        ]})
    if not org.is_active:
        raise ValidationError({"org": [_("%(org)s has been dissolved.") % {"org": org.name}]})
    if Membership.objects.filter(person=person, org=org, ended_on__isnull=True).exists():
        raise ValidationError({"org": [_("%(name)s already takes part in %(org)s.")
                                       % {"name": person.name, "org": org.name}]})
    membership = Membership(person=person, kind=MembershipKind.PARTICIPATING, org=org, started_on=on)
    membership.full_clean()
    with acting(actor):
        membership.save()
    return membership


@transaction.atomic
def membership_end(*, actor, membership: Membership, on: date, reason: str = "") -> Membership:
    """End a participation: the reason is 退出 (EndReason.LEFT); any free text given is kept as its note."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("This membership has already ended."))
    if membership.kind == MembershipKind.PRIMARY:
        raise ValidationError(_("A membership relation is not ended: transfer it instead."))
    if on < membership.started_on:
        raise ValidationError({"on": [_("The end date is before the start date.")]})
    membership.ended_on = on
    note = reason.strip()
    if len(note) > Membership._meta.get_field("end_note").max_length:
        raise ValidationError({"reason": [_("The reason is too long (at most %(limit)d characters).")
                                          % {"limit": Membership._meta.get_field("end_note").max_length}]})
    membership.end_reason = EndReason.LEFT
    membership.end_note = note
    with acting(actor):
        membership.save(update_fields=["ended_on", "end_reason", "end_note", "updated_at"])
    return membership


def _end_all(person: Person, on: date, reason: str) -> None:
    for membership in Membership.objects.filter(person=person, ended_on__isnull=True):
        membership.ended_on = max(on, membership.started_on)
        membership.end_reason = reason
        membership.save(update_fields=["ended_on", "end_reason", "updated_at"])
    OfficerTerm.objects.filter(person=person, ended_on__isnull=True).update(ended_on=on)


@transaction.atomic
def person_record_death(*, actor, person: Person, died_on: date) -> Person:
    """Status 去世: the record is kept; memberships and officer terms end; survivors can be added."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_on_register(person)
    if died_on > timezone.localdate():
        raise ValidationError({"died_on": [_("The date of death is in the future.")]})
    if died_on < person.birth_date:
        raise ValidationError({"died_on": [_("The date of death is before the birth date.")]})
    with acting(actor):
        _end_all(person, died_on, END_DEATH)
        person.status = PersonStatus.DECEASED
        person.died_on = died_on
        return _save(person, actor)


@transaction.atomic
def person_move_away(*, actor, person: Person, on: date, moved_to: str) -> Person:
    """迁出: the record is kept with where they went; memberships here end."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_on_register(person)
    if not moved_to.strip():
        raise ValidationError({"moved_to": [_("Say where the person moved to.")]})
    if on > timezone.localdate():
        raise ValidationError({"on": [_("The date is in the future.")]})
    with acting(actor):
        _end_all(person, on, END_MOVED)
        person.status = PersonStatus.MOVED
        person.moved_on = on
        person.moved_to = moved_to.strip()
        return _save(person, actor)


@transaction.atomic
def survivor_add(*, actor, person: Person, fields: dict[str, Any]) -> Survivor:
    if person.status != PersonStatus.DECEASED:
        raise ValidationError(_("Survivors are recorded after a death has been recorded."))
    survivor = Survivor(person=person, **{k: fields.get(k, "") for k in ("name", "relation", "phone", "address",
                                                                        "note")})
    survivor.full_clean()
    with acting(actor):
        survivor.save()
    return survivor


@transaction.atomic
def officer_appoint(
    *, actor, org: PartyOrg, role: str, started_on: date, person: Person | None = None, name: str = "",
    in_service: bool = False,
) -> OfficerTerm:
    if not org.is_active:
        raise ValidationError({"org": [_("%(org)s has been dissolved.") % {"org": org.name}]})
    if person is not None and person.status != PersonStatus.ACTIVE:
        raise ValidationError({"person": [_("%(name)s is no longer on the register.") % {"name": person.name}]})
    term = OfficerTerm(org=org, role=role, started_on=started_on, person=person,
                       name="" if person else name.strip(), in_service=in_service)
    term.full_clean()
    with acting(actor):
        term.save()
    return term


@transaction.atomic
def officer_end(*, actor, term: OfficerTerm, on: date) -> OfficerTerm:
    term = OfficerTerm.objects.select_for_update().get(pk=term.pk)
    if term.ended_on:
        raise ValidationError(_("This term has already ended."))
    term.ended_on = on
    term.full_clean()
    with acting(actor):
        term.save()
    return term


@transaction.atomic
def organization_dissolve(*, actor, org: PartyOrg, on: date, reason: str) -> PartyOrg:
    """Dissolve an organisation: its members' relations must have moved; participations and terms end."""
    if Membership.objects.filter(org=org, kind=MembershipKind.PRIMARY, ended_on__isnull=True).exists():
        raise ValidationError(_("Members still hold their membership relation here: transfer them first."))
    with acting(actor):
        for membership in Membership.objects.filter(org=org, ended_on__isnull=True):
            membership.ended_on = max(on, membership.started_on)
            membership.end_reason = END_DISSOLVED
            membership.save(update_fields=["ended_on", "end_reason", "updated_at"])
        OfficerTerm.objects.filter(org=org, ended_on__isnull=True).update(ended_on=on)
    return org_services.org_dissolve(actor=actor, org=org, on=on, reason=reason)
