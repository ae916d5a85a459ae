"""Reads over organisations and units. Querysets come in already cut to the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jinqiu.core.widgets import label_with_ancestors

from .models import OrgKind, PartyOrg


@dataclass
class OrgFilters:
    q: str = ""
    kind: str = ""
    establishment: str = ""
    location_type: str = ""
    active: str = "yes"  # "yes", "no" (dissolved) or "" for all
    in_service_secretary: bool = False


def filter_orgs(qs: QuerySet[PartyOrg], f: OrgFilters) -> QuerySet[PartyOrg]:
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(brand__icontains=f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.establishment == "informal":
        qs = qs.exclude(establishment="formal")
    elif f.establishment:
        qs = qs.filter(establishment=f.establishment)
    if f.location_type:
        qs = qs.filter(location_type=f.location_type)
    if f.active == "yes":
        qs = qs.filter(dissolved_on__isnull=True)
    elif f.active == "no":
        qs = qs.filter(dissolved_on__isnull=False)
    if f.in_service_secretary:
        qs = qs.filter(officer_terms__role="secretary", officer_terms__in_service=True,
                       officer_terms__ended_on__isnull=True).distinct()
    return qs.select_related("unit", "region").order_by("path")


def counts_by_kind(qs: QuerySet[PartyOrg]) -> list[dict]:
    return list(qs.filter(dissolved_on__isnull=True).values("kind", "establishment")
                .annotate(n=Count("id")).order_by("kind", "establishment"))


def children_of(qs: QuerySet[PartyOrg], org: PartyOrg) -> QuerySet[PartyOrg]:
    return qs.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")


def roots_of(qs: QuerySet[PartyOrg]) -> list[PartyOrg]:
    """The top nodes the user sees: those whose parent is not visible to them."""
    nodes = list(qs.order_by("path").only("id", "path", "depth", "name", "kind", "establishment",
                                          "dissolved_on", "numchild"))
    roots, seen = [], []
    for node in nodes:
        if not any(node.path.startswith(p) for p in seen):
            roots.append(node)
            seen.append(node.path)
    return roots


def with_path_labels(orgs) -> list[PartyOrg]:
    """The rows as a list, each `path_label` (name with its parents) filled by one query for all."""
    return label_with_ancestors(orgs)


def kind_counts_labelled(rows: list[dict]) -> list[dict]:
    """Counts by kind code, with the kind's label to show (党小组, not xiaozu)."""
    return [{**row, "label": OrgKind(row["kind"]).label} for row in rows]
