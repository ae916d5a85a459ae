"""Every write to users, roles, scopes, pairings, tokens and the access log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.core import crypto, idnumber
from jinqiu.core.audit import acting
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.people.models import Person
from jinqiu.regions.models import Region

from .models import (
    ADMIN_ROLES,
    DATA_ROLES,
    AccessAction,
    AccessLog,
    ApiToken,
    Pairing,
    Role,
    Scope,
    User,
    UserRole,
)

REVEALABLE_FIELDS = {"id_number": lambda p: p.id_number, "mobile": lambda p: p.mobile, "phone": lambda p: p.phone}


def check_roles(roles: Iterable[str]) -> set[str]:
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))}]})
    if roles & ADMIN_ROLES and len(roles) > 1:
        raise ValidationError({"roles": [
            _("The system, security and audit administrator roles are each held alone, with no other role.")
        ]})
    return roles


def person_for_account(raw: str) -> Person | None:
    """The record a new member account is linked to: None when no person has this ID number or the person
    already has an account. Callers answer the same whatever the outcome, so that the account form does not
    tell the 系统管理员 whether a number is on the register; only a malformed number is refused."""
    try:
        info = idnumber.parse(raw)
    except idnumber.IdNumberError as exc:
        raise ValidationError({"person_id_number": [exc.message]}) from None
    return (Person.objects.filter(id_number_index=crypto.blind_index(info.number), account__isnull=True)
            .first())


def _not_self(actor, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("No account may change its own roles or scopes."))


def _may_grant(actor, roles: Iterable[str]) -> None:
    """Roles that see personal data come from the 安全管理员 only; an admin role from the 系统 or 安全管理员.
    `actor=None` is the system itself (the CLI, the demo builder, data migrations)."""
    roles = set(roles)
    if actor is None or not roles:
        return
    if roles & DATA_ROLES and not actor.has_role(Role.SECADMIN):
        raise ValidationError({"roles": [
            _("Only the security administrator grants a role that sees personal data.")]})
    if roles & ADMIN_ROLES and not actor.has_role(Role.SYSADMIN, Role.SECADMIN):
        raise ValidationError({"roles": [_("Only an administrator grants an administrator role.")]})


@transaction.atomic
def user_create(
    *, actor, username: str, password: str, roles: Iterable[str], display_name: str = "",
    person: Person | None = None, scopes: Iterable[PartyOrg | Region | Unit] = (),
) -> User:
    """A new account. One created by an administrator must choose its own password at the first login."""
    roles = check_roles(roles)
    _may_grant(actor, roles)
    if Role.MEMBER in roles and person is None:
        raise ValidationError({"person_id_number": [_("A member account must be linked to a person.")]})
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError({"person_id_number": [_("This person already has an account.")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This user name is taken.")]})
    user = User(username=username, display_name=display_name, person=person,
                must_change_password=actor is not None)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with acting(actor):
        user.save()
        for role in sorted(roles):  # one by one: the change history records each grant and its actor
            UserRole.objects.create(user=user, role=role)
    for node in scopes:
        scope_add(actor=actor, user=user, node=node)
    return user


@transaction.atomic
def user_set_roles(*, actor, user: User, roles: Iterable[str]) -> User:
    _not_self(actor, user)
    roles = check_roles(roles)
    existing = set(user.roles.values_list("role", flat=True))
    _may_grant(actor, roles - existing)
    if roles & ADMIN_ROLES and user.scopes.exists():
        raise ValidationError({"roles": [
            _("An administrator account holds no scope: remove this account's scopes first.")]})
    if Role.MEMBER in roles - existing and user.person_id is None:
        raise ValidationError({"roles": [_("This account is not linked to a person's record.")]})
    with acting(actor):
        for grant in user.roles.exclude(role__in=roles):
            grant.delete()
        for role in sorted(roles - existing):
            UserRole.objects.create(user=user, role=role)
    user.__dict__.pop("role_set", None)
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> User:
    """A password given by someone else (an administrator's reset) must be changed at the next login."""
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = actor is not None and actor.pk != user.pk
    with acting(actor):
        user.save(update_fields=["password", "must_change_password"])
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user picks their own password; the old one proves it is them."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("The current password is wrong.")]})
    if old_password == new_password:
        raise ValidationError({"new_password1": [_("Choose a password different from the current one.")]})
    return user_set_password(actor=user, user=user, password=new_password)


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    user.is_active = active
    with acting(actor):
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def scope_add(*, actor, user: User, node: PartyOrg | Region | Unit) -> Scope:
    """A scope grants personal data: the 安全管理员 gives it, never to itself nor to an admin-role account."""
    _not_self(actor, user)
    if actor is not None and not actor.has_role(Role.SECADMIN):
        raise ValidationError(_("Only the security administrator grants a scope."))
    if user.roles.filter(role__in=ADMIN_ROLES).exists():
        raise ValidationError(_("An administrator account sees no personal data and holds no scope."))
    scope = Scope(user=user)
    if isinstance(node, PartyOrg):
        scope.org = node
    elif isinstance(node, Region):
        scope.region = node
    elif isinstance(node, Unit):
        scope.unit = node
    else:
        raise ValidationError(_("A scope is an organisation, a region or a unit."))
    scope.full_clean()
    with acting(actor):
        scope.save()
    user.__dict__.pop("_scope_cache", None)
    return scope


@transaction.atomic
def scope_remove(*, actor, scope: Scope) -> None:
    _not_self(actor, scope.user)
    with acting(actor):
        scope.delete()


@transaction.atomic
def pairing_create(*, actor, contact: User, person: Person, started_on: date | None = None) -> Pairing:
    if not contact.has_role(Role.PAIR_CONTACT):
        raise ValidationError({"contact": [_("This account is not a pair contact.")]})
    if Pairing.objects.filter(contact=contact, person=person, ended_on__isnull=True).exists():
        raise ValidationError({"person": [_("This pair already exists.")]})
    pairing = Pairing(contact=contact, person=person, started_on=started_on or timezone.localdate())
    with acting(actor):
        pairing.save()
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, on: date | None = None) -> Pairing:
    pairing.ended_on = on or timezone.localdate()
    with acting(actor):
        pairing.save(update_fields=["ended_on"])
    return pairing


def access_log_record(
    *, actor: User, action: str, reason: str, person: Person | None = None, field: str = "", detail: str = "",
    ip_address: str | None = None,
) -> AccessLog:
    return AccessLog.objects.create(
        user=actor, action=action, person=person, field=field, reason=reason[:200], detail=detail[:200],
        ip_address=ip_address,
    )


@transaction.atomic
def person_reveal(*, actor: User, person: Person, field: str, reason: str, ip_address: str | None = None) -> str:
    """Show one masked value in clear, after a reason; the reveal is logged whatever the caller.

    The reveal roles may see any field of a person in their scope; a pair contact only the mobile of a
    person paired to them now (to call them: 结对联系)."""
    paired_call = (field == "mobile" and actor.has_role(Role.PAIR_CONTACT)
                   and Pairing.objects.filter(contact=actor, person=person, ended_on__isnull=True).exists())
    if not (actor.can_reveal or paired_call):
        raise PermissionError(_("Your role may not reveal personal data."))
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": [_("This field cannot be revealed.")]})
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Give a reason for seeing this value.")]})
    access_log_record(actor=actor, action=AccessAction.REVEAL, person=person, field=field, reason=reason,
                      ip_address=ip_address)
    return REVEALABLE_FIELDS[field](person)


@transaction.atomic
def token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is shown once and only its HMAC is stored."""
    if not name.strip():
        raise ValidationError({"name": [_("Name the token after the integration that uses it.")]})
    key = "jq_" + secrets.token_urlsafe(32)
    with acting(actor):
        token = ApiToken.objects.create(user=user, name=name.strip(), key_index=crypto.blind_index(key))
    return token, key


def token_authenticate(key: str) -> User | None:
    token = (ApiToken.objects.select_related("user").filter(key_index=crypto.blind_index(key), revoked=False)
             .first())
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
