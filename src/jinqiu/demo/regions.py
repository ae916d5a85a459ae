"""Demo regions: the cities and districts of a scale, and each district's streets (镇/街道) and communities (社区/村)."""

from __future__ import annotations

from jinqiu.demo.base import (
    CITY_NAMES,
    COMMUNITY_STEMS,
    COMMUNITY_SUFFIXES,
    DISTRICT_FIRST,
    DISTRICT_NAMES,
    DISTRICT_SECOND,
    ESTATES,
    FIRST_ABOLISHED_CODE,
    FIRST_CODE,
    FIRST_COMMUNITIES,
    FIRST_DISTRICT,
    FIRST_STREETS,
    ROADS,
    STREET_POOL,
    TOWN_POOL,
    VILLAGE_PLACES,
    VILLAGE_STEMS,
    VILLAGE_SURNAMES,
    Community,
    District,
    Node,
    _materialise,
    _save_tree,
)
from jinqiu.regions.models import Region, RegionLevel


class RegionsDemo:
    """Mixed into the demo builder; shares its state (`self.draw`, `self.scale`, `self.first`, ...)."""

    def _district_names(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """[(city name, [(district name, code, abolished code)])]; city name "" for a lone district."""
        s = self.scale
        if s.cities == 0:
            return [("", [(FIRST_DISTRICT, FIRST_CODE, FIRST_ABOLISHED_CODE)])]
        rng = self.draw.rng
        seen = {FIRST_DISTRICT}
        extra = [a + b + "区" for a in DISTRICT_FIRST for b in DISTRICT_SECOND]
        rng.shuffle(extra)
        extra = [n for n in extra if n not in DISTRICT_NAMES]
        fixed = list(DISTRICT_NAMES)
        plan = []
        for c in range(s.cities):
            prefix = f"32{7 + c:02d}"
            districts = []
            for k in range(s.districts_per_city):
                if c == 0 and k < len(fixed):
                    name = fixed[k]
                else:
                    name = extra.pop()
                    while name in seen:
                        name = extra.pop()
                seen.add(name)
                districts.append((name, f"{prefix}{6 + 2 * k:02d}", f"{prefix}{5 + 2 * k:02d}"))
            plan.append((CITY_NAMES[c], districts))
        return plan

    def _save_city(self, city_node: Node, position: int) -> None:
        _save_tree(Region, [city_node], first_root_position=position)
        self.city_roots.append(city_node.obj)

    def _regions(self, node: Node, name: str, code: str, abolished: str, lone: bool) -> District:
        """The district's streets (镇/街道) and communities (社区/村), saved as one subtree."""
        rng, s = self.draw.rng, self.scale
        first = self.first is None
        # Streets and communities.
        if first:
            streets = FIRST_STREETS[: s.streets]
        else:
            n_towns = 5 * s.streets // 15
            streets = ([(n, RegionLevel.STREET) for n in rng.sample(STREET_POOL, s.streets - n_towns)]
                       + [(n, RegionLevel.TOWN) for n in rng.sample(TOWN_POOL, n_towns)])
        street_nodes = []
        community_plan: list[tuple[Node, int, bool]] = []
        used_names: set[str] = set()
        for i, (street_name, level) in enumerate(streets):
            street_node = node.add(Region(name=street_name, code=f"{code}{i + 1:03d}", level=level))
            street_nodes.append(street_node)
            n = rng.randint(*s.communities)
            names = list(FIRST_COMMUNITIES.get(street_name, [])) if first else []
            town = level == RegionLevel.TOWN
            while len(names) < n:
                candidate = self._community_name(village=town and len(names) >= 1)
                if candidate not in used_names and candidate not in names:
                    names.append(candidate)
            names = names[:n]
            used_names.update(names)
            for j, community_name in enumerate(names):
                village = community_name.endswith("村")
                number = 200 + j + 1 if village else j + 1
                cnode = street_node.add(Region(
                    name=community_name, code=f"{code}{i + 1:03d}{number:03d}",
                    level=RegionLevel.VILLAGE if village else RegionLevel.COMMUNITY,
                ))
                community_plan.append((cnode, i, village))
        if lone:
            _save_tree(Region, [node])
        else:
            # The district itself is saved with its city; save its subtree under it.
            out: list = []
            for position, child in enumerate(sorted(node.children, key=lambda n: n.obj.name), start=1):
                _materialise(Region, child, Region._get_path(node.obj.path, node.obj.depth + 1, position),
                             node.obj.depth + 1, out)
            Region.objects.bulk_create(out, batch_size=1000)
            Region.objects.filter(pk=node.obj.pk).update(numchild=len(node.children))
        d = District(name=name, code=code, abolished_code=abolished, region=node.obj,
                     streets=[sn.obj for sn in street_nodes])
        for cnode, street_index, village in community_plan:
            d.communities.append(Community(
                region=cnode.obj, street_index=street_index, weight=0.55 if village else rng.uniform(0.8, 1.5),
                village=village, roads=rng.sample(ROADS, 3), estates=rng.sample(ESTATES, 3),
            ))
        total = 0.0
        for community in d.communities:
            total += community.weight
            d.cum_weights.append(total)
        return d

    def _community_name(self, village: bool) -> str:
        rng = self.draw.rng
        if village:
            if rng.random() < 0.5:
                return rng.choice(VILLAGE_STEMS) + "村"
            return rng.choice(VILLAGE_SURNAMES) + rng.choice(VILLAGE_PLACES) + "村"
        return rng.choice(COMMUNITY_STEMS) + rng.choice(COMMUNITY_SUFFIXES) + "社区"
