"""The one place that turns a user into what they may see.

Every list, count, search, export, API call and report starts from `visible_persons(user)` or
`visible_orgs(user)`. Objects outside answer 404 (see `get_visible_or_404`).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.people.models import Membership, Person, PersonStatus
from jinqiu.people.services import END_DEATH, END_MOVED
from jinqiu.regions.models import Region

from .models import Pairing, Role


def _unit_subtree_ids(unit_ids: set[int]) -> set[int]:
    """Units form a shallow tree (a few hundred rows); walk it breadth-first."""
    found = set(unit_ids)
    frontier = set(unit_ids)
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def _still_theirs() -> Q:
    """Active memberships, and the last ones of members who died or moved away (遗属 care goes on)."""
    return Q(ended_on__isnull=True) | Q(
        person__status__in=[PersonStatus.DECEASED, PersonStatus.MOVED], end_reason__in=[END_DEATH, END_MOVED]
    )


def _scopes(user):
    cache = getattr(user, "_scope_cache", None)
    if cache is None:
        cache = list(user.scopes.select_related("org", "region", "unit"))
        user._scope_cache = cache
    return cache


def scopes(user) -> list:
    """The user's scopes (organisation, region or unit), read once per user object."""
    return _scopes(user)


def unit_subtree_ids(unit_ids: set[int]) -> set[int]:
    """The units and every unit below them: what a unit scope covers."""
    return _unit_subtree_ids(unit_ids)


def person_filter(user) -> Q | None:
    """The Q over Person that a user's roles and scopes reach; None means nothing at all.

    Each scope is a condition on the person row (its own id, region or unit) or a subquery of person ids
    (memberships, pairings). PostgreSQL gets `pk IN (all of them as one UNION ALL)`: a semi-join whose size
    it estimates, where an OR with a subplan made it expect half the table for a street and walk all of it
    in name order. For a wide scope (a fifth of the regions or more: the bureau) that guess is right and the
    OR is faster than building the union, so it gets the OR, as SQLite always does: SQLite tests each row
    against in-memory sets.
    """
    if not user.is_authenticated or user.is_admin_role or not user.is_active:
        return None
    rows: list[Q] = []  # conditions on the person's own columns
    subqueries: list[QuerySet] = []  # querysets of person ids
    if user.has_role(Role.MEMBER) and user.person_id:
        rows.append(Q(pk=user.person_id))
    if user.has_role(Role.PAIR_CONTACT):
        subqueries.append(Pairing.objects.filter(contact=user, ended_on__isnull=True).values("person_id"))
    wide = False
    if user.has_role(Role.BUREAU, Role.STREET, Role.SECRETARY, Role.LEADER):
        org_paths, region_paths, unit_ids = [], [], set()
        for scope in _scopes(user):
            if scope.org_id:
                org_paths.append(scope.org.path)
            elif scope.region_id:
                region_paths.append(scope.region.path)
            elif scope.unit_id:
                unit_ids.add(scope.unit_id)
        if region_paths:
            region_q = reduce(or_, (Q(path__startswith=p) for p in region_paths))
            region_ids = list(Region.objects.filter(region_q).values_list("id", flat=True))
            regions = Region.objects.count()
            # Every region (the bureau of a city): "has a region" is the same set, and costs no lookup per row.
            rows.append(Q(region__isnull=False) if len(region_ids) == regions else Q(region_id__in=region_ids))
            wide = len(region_ids) * 5 >= regions
        if org_paths:
            org_q = reduce(or_, (Q(org__path__startswith=p) for p in org_paths))
            subqueries.append(Membership.objects.filter(org_q).filter(_still_theirs()).values("person_id"))
        if unit_ids:
            rows.append(Q(service_unit_id__in=_unit_subtree_ids(unit_ids)))
    if not rows and not subqueries:
        return None
    if connection.vendor == "postgresql" and not wide:
        ids = [Person.objects.filter(q).values("pk") for q in rows] + subqueries
        return Q(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])
    return reduce(or_, rows + [Q(pk__in=sub) for sub in subqueries])


def visible_persons(user) -> QuerySet[Person]:
    q = person_filter(user)
    if q is None:
        return Person.objects.none()
    return Person.objects.filter(q)


def sees_all_members_of(user, org: PartyOrg) -> bool:
    """Whether one of the user's organisation scopes covers `org`: then every member of its subtree is
    visible, and counts over that subtree need not test each member against the scope."""
    if not user.is_authenticated or user.is_admin_role or not user.is_active or not user.has_role(
        Role.BUREAU, Role.STREET, Role.SECRETARY, Role.LEADER
    ):
        return False
    return any(scope.org_id and org.path.startswith(scope.org.path) for scope in _scopes(user))


def visible_orgs(user) -> QuerySet[PartyOrg]:
    """Organisations under an organisation scope, or sitting in a region or unit scope."""
    if not user.is_authenticated or user.is_admin_role or not user.has_role(
        Role.BUREAU, Role.STREET, Role.SECRETARY, Role.LEADER
    ):
        return PartyOrg.objects.none()
    parts: list[Q] = []
    unit_ids: set[int] = set()
    for scope in _scopes(user):
        if scope.org_id:
            parts.append(Q(path__startswith=scope.org.path))
        elif scope.region_id:
            parts.append(Q(region__path__startswith=scope.region.path))
        elif scope.unit_id:
            unit_ids.add(scope.unit_id)
    if unit_ids:
        parts.append(Q(unit_id__in=_unit_subtree_ids(unit_ids)))
    if not parts:
        return PartyOrg.objects.none()
    return PartyOrg.objects.filter(reduce(or_, parts))


def sees_structure(user) -> bool:
    """Regions and units are reference data: every staff role sees them, the admin roles do not."""
    return user.is_authenticated and user.is_staff_user


def get_visible_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
