"""A realistic, deterministic demo dataset in the image of seed 002 (a district's 离退休干部党建 report).

Each app's part lives in its own module, mixed into `_Builder` here, which keeps the order of the draws:
`regions.py`, `organizations.py`, `people.py`, `accounts.py`, then `orglife.py` and `care.py`; the shared reference lists and
the plan of a district are in `base.py`. A later app adds `demo/<app>.py` and one call in `build()`.

`build()` fills an empty database: regions (区 → 镇/街道 → 社区/村), units (50-odd 区直机关, one unit
per street, 老年大学, 涉老组织, 国企, units abolished long ago), the party tree (党工委 → 党总支 →
党支部 → 党小组, with 功能型 and 临时 branches), retired cadres with their memberships, officer terms
and life events, and one demo account per persona, all sharing DEMO_PASSWORD.

Same seed, same data: every draw comes from one `random.Random(seed)` and one `Faker("zh_CN")` seeded
with it, in a fixed order; dates count back from 1 January of the current year.

Speed: persons, memberships and the trees go in with `bulk_create` in batches, never through the
services one by one; every derived value is computed as the services compute it (the ID number's
encryption, blind index and mask through `Person.set_id_number(idnumber.parse(...))`, the search
keys through `people.services.refresh_search_text`), and the membership rules hold by construction:
at most one active primary membership, only in a 建制 organisation or named as outside the system.
The trees get their materialised paths exactly as treebeard's `load_bulk(bulk_create=True)` gives
them, with siblings in `node_order_by` (name) order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from auditlog.context import disable_auditlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jinqiu.accounts.models import User
from jinqiu.demo.accounts import ACCOUNTS, AccountsDemo
from jinqiu.demo.base import (
    DEMO_PASSWORD,
    PUBLIC_SCALES,
    SCALES,
    Counter,
    DemoError,
    District,
    Draw,
    Node,
    Progress,
    Scale,
    _root_org_name,
)
from jinqiu.demo.care import build_care
from jinqiu.demo.organizations import OrganizationsDemo
from jinqiu.demo.orglife import build_orglife
from jinqiu.demo.people import PeopleDemo
from jinqiu.demo.regions import RegionsDemo
from jinqiu.organizations.models import (
    Establishment,
    PartyOrg,
    Unit,
)
from jinqiu.people.models import (
    Person,
    RetirementType,
)
from jinqiu.regions.models import Region, RegionLevel


def build(scale: str = "district", seed: int = 1, progress: Progress = None) -> dict:
    """Build the demo into an empty database and return the accounts and counts."""
    if scale not in SCALES:
        raise DemoError(f"Unknown scale {scale!r}: choose one of {', '.join(PUBLIC_SCALES)}.")
    _require_empty()
    started = time.monotonic()
    say = progress or (lambda _message: None)
    builder = _Builder(SCALES[scale], seed, say)
    with disable_auditlog():
        if scale == "province":
            builder.run()  # one transaction per district: bounded memory and journal
        else:
            with transaction.atomic():
                builder.run()
    result = builder.result()
    result["counts"].update(build_orglife(seed=seed, progress=say, scale=scale))
    with disable_auditlog():
        result["counts"].update(build_care(seed=seed, progress=say, scale=scale))
    result.update(scale=scale, seed=seed, seconds=round(time.monotonic() - started, 1))
    return result


def _require_empty() -> None:
    persons = Person.objects.count()
    if persons:
        raise DemoError(
            f"The database already holds {persons} persons: the demo is only built into an empty database "
            "(start from a fresh data folder, or flush it first)."
        )
    for model, label in ((Region, "regions"), (PartyOrg, "party organisations"), (Unit, "units")):
        if model.objects.exists():
            raise DemoError(f"The database already holds {label}: the demo is only built into an empty database.")
    taken = list(User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).values_list("username", flat=True))
    if taken:
        raise DemoError(f"Demo user names are already taken: {', '.join(sorted(taken))}.")


class _Builder(RegionsDemo, OrganizationsDemo, PeopleDemo, AccountsDemo):
    def __init__(self, scale: Scale, seed: int, say: Callable[[str], None]) -> None:
        self.scale = scale
        self.draw = Draw(seed)
        self.say = say
        self.as_of = date(timezone.localdate().year, 1, 1)
        self.count = Counter()
        self.city_roots: list[Region] = []
        self.district_roots: list[PartyOrg] = []
        self.first: District | None = None
        self.accounts: list[tuple[str, str, str]] = []
        self.outsider_used: set[int] = set()
        self.used_units: set[str] = set()

    # -- the plan ---------------------------------------------------------------------------------------

    def run(self) -> None:
        plan = self._district_names()
        # Roots are placed by name among all roots of the build, as add_root with node_order_by would.
        city_positions = {n: i for i, n in enumerate(sorted(c for c, _ds in plan if c), start=1)}
        roots = sorted(_root_org_name(name) for _c, ds in plan for name, _code, _old in ds)
        self.org_root_positions = {n: i for i, n in enumerate(roots, start=1)}
        for c, (city_name, districts) in enumerate(plan):
            city_node = None
            if city_name:
                city_node = Node(Region(name=city_name, code=f"32{7 + c:02d}00", level=RegionLevel.CITY))
            district_specs = []
            for name, code, abolished in districts:
                district_region = Region(name=name, code=code, level=RegionLevel.DISTRICT)
                node = city_node.add(district_region) if city_node else Node(district_region)
                district_specs.append((node, name, code, abolished))
            if city_node is not None:
                # The city root and its districts first; each district's subtree is filled below.
                self._save_city(city_node, city_positions[city_name])
            for node, name, code, abolished in district_specs:
                self.say(f"{city_name}{name}: regions, units and organisations")
                with transaction.atomic():
                    self._build_district(node, name, code, abolished, lone=city_node is None)
        with transaction.atomic():
            self._accounts()

    # -- one district ------------------------------------------------------------------------------------

    def _build_district(self, node: Node, name: str, code: str, abolished: str, lone: bool) -> None:
        first = self.first is None
        d = self._regions(node, name, code, abolished, lone)
        self._units(d)
        self._orgs(d)
        if first:
            self.first = d
        self._persons(d)
        self._officers(d)

    # -- result ---------------------------------------------------------------------------------------------

    def result(self) -> dict:
        c = self.count
        counts = {
            "regions": Region.objects.count(),
            "units": Unit.objects.count(),
            "party_orgs": PartyOrg.objects.count(),
            "persons": c.persons,
            "party_members": c.party_members,
            "lixiu": Person.objects.filter(retirement_type=RetirementType.LIXIU).count(),
            "deceased": c.deceased,
            "moved": c.moved,
            "survivors": c.survivors,
            "memberships": c.memberships,
            "participating": c.participating,
            "pending": c.pending,
            "officer_terms": c.officer_terms,
            "users": User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).count(),
            "functional_orgs": PartyOrg.objects.filter(~Q(establishment=Establishment.FORMAL)).count(),
        }
        return {"password": DEMO_PASSWORD, "accounts": list(self.accounts), "counts": counts}
