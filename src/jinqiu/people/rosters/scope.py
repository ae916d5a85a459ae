"""What a roster import may reach: the actor's organisations and persons, the communities (regions) of their
scopes; everything for the console (no actor). The rules are `accounts.scoping`'s, read once per import
instead of once per row."""

from __future__ import annotations

import re
import unicodedata

from jinqiu.organizations.models import PartyOrg
from jinqiu.regions.models import Region, RegionLevel

_SPACES = re.compile(r"\s+")
_HOME_LEVELS = (RegionLevel.COMMUNITY, RegionLevel.VILLAGE)


class Scope:
    """What the importer may reach: the actor's organisations and persons; everything for the console."""

    def __init__(self, actor) -> None:
        self.actor = actor
        if actor is None:
            self.orgs = PartyOrg.objects.all()
        else:
            from jinqiu.accounts.scoping import visible_orgs

            self.orgs = visible_orgs(actor)
        self._org_cache: dict[str, list[PartyOrg]] = {}
        self._units: set[int] | None = None
        self._region_cache: dict[str, list[Region]] = {}
        self._paths: tuple[str, ...] | None = None

    def orgs_named(self, name: str) -> list[PartyOrg]:
        key = _SPACES.sub("", unicodedata.normalize("NFKC", name))
        if key not in self._org_cache:
            self._org_cache[key] = list(self.orgs.filter(name=name.strip()).select_related("unit")[:10])
            if not self._org_cache[key]:
                self._org_cache[key] = [o for o in self.orgs.filter(name__contains=name.strip()[:2])[:200]
                                        if _SPACES.sub("", unicodedata.normalize("NFKC", o.name)) == key]
        return self._org_cache[key]

    def reachable(self, pks: list[int]) -> set[int]:
        """Persons the actor may read and update: exactly those they see (one query for the chunk)."""
        if not pks or self.actor is None:
            return set(pks)
        from jinqiu.accounts.scoping import visible_persons

        return set(visible_persons(self.actor).filter(pk__in=pks).values_list("pk", flat=True))

    def regions_named(self, name: str) -> list[Region]:
        """The communities and villages of that name (regions are reference data every staff user sees);
        of several, the one within the actor's region scopes if there is exactly one."""
        if name not in self._region_cache:  # keyed by the cell as written: the column repeats a few names
            found = list(Region.objects.filter(name=name.strip(), level__in=_HOME_LEVELS)[:10])
            inside = [r for r in found if self.in_region_scope(r)]
            self._region_cache[name] = inside if len(found) > 1 and inside else found
        return self._region_cache[name]

    def in_region_scope(self, region: Region) -> bool:
        paths = self._region_paths()
        return paths is None or region.path.startswith(paths)

    def _region_paths(self) -> tuple[str, ...] | None:
        """The actor's region scopes as path prefixes (None: everything, for the console)."""
        if self.actor is None:
            return None
        if self._paths is None:
            from jinqiu.accounts import scoping
            from jinqiu.accounts.models import Role

            actor = self.actor
            self._paths = ()
            if (actor.is_authenticated and actor.is_active and not actor.is_admin_role
                    and actor.has_role(Role.BUREAU, Role.STREET, Role.SECRETARY, Role.LEADER)):
                self._paths = tuple(s.region.path for s in scoping.scopes(actor) if s.region_id)
        return self._paths

    def places(self, org: PartyOrg | None, unit_id: int | None, region: Region | None = None) -> bool:
        """Whether a new person placed there (a membership in `org`, or `unit_id` as 管理服务单位) is seen by
        someone, and, for an actor, by the actor: the rule of `people.services`, without a query per row."""
        if org is None and unit_id is None and region is None:
            return False
        if self.actor is None or (region is not None and self.in_region_scope(region)):
            return True
        from jinqiu.accounts import scoping

        if org is not None and scoping.sees_all_members_of(self.actor, org):
            return True
        return unit_id is not None and unit_id in self._scope_units()

    def _scope_units(self) -> set[int]:
        if self._units is None:
            from jinqiu.accounts import scoping
            from jinqiu.accounts.models import Role

            actor = self.actor
            self._units = set()
            if (actor.is_authenticated and actor.is_active and not actor.is_admin_role
                    and actor.has_role(Role.BUREAU, Role.STREET, Role.SECRETARY, Role.LEADER)):
                # The same walk as scoping.person_filter's unit scopes.
                self._units = scoping.unit_subtree_ids({s.unit_id for s in scoping.scopes(actor) if s.unit_id})
        return self._units


# ---- classify -----------------------------------------------------------------------------------
