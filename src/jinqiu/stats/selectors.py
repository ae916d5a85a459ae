"""Headline figures for the home page, computed from the records the user can see."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from jinqiu.organizations.models import Establishment, OrgKind
from jinqiu.organizations.selectors import counts_by_kind
from jinqiu.people.models import AgeBand, PersonStatus, RetirementType, Situation
from jinqiu.people.selectors import SITUATION_Q, age_band_q, pending_relation_q


def headline(persons, orgs) -> dict:
    """One aggregate query over persons and one over organisations, whatever the scope."""
    today = timezone.localdate()
    aggregates = {
        "persons": Count("pk"),
        "party_members": Count("pk", filter=Q(is_party_member=True)),
        "pending": Count("pk", filter=pending_relation_q()),
    }
    for rt in RetirementType:
        aggregates[f"rt_{rt.value}"] = Count("pk", filter=Q(retirement_type=rt))
    for band in AgeBand:
        aggregates[f"age_{band.value}"] = Count("pk", filter=age_band_q(band, today))
    for flag in Situation:
        aggregates[f"sit_{flag.value}"] = Count("pk", filter=SITUATION_Q[flag])
    row = persons.filter(status=PersonStatus.ACTIVE).aggregate(**aggregates)

    by_kind = {(r["kind"], r["establishment"]): r["n"] for r in counts_by_kind(orgs)}
    org_rows = []
    for kind in OrgKind:
        formal = by_kind.get((kind.value, Establishment.FORMAL), 0)
        informal = sum(n for (k, e), n in by_kind.items() if k == kind.value and e != Establishment.FORMAL)
        if formal or informal:
            org_rows.append({"kind": kind, "formal": formal, "informal": informal})
    return {
        "persons": row["persons"],
        "party_members": row["party_members"],
        "pending": row["pending"],
        "retirement": [(rt, row[f"rt_{rt.value}"]) for rt in RetirementType],
        "age_bands": [(band, row[f"age_{band.value}"]) for band in AgeBand],
        "situations": [(flag, row[f"sit_{flag.value}"]) for flag in Situation],
        "orgs": org_rows,
        "orgs_total": sum(r["formal"] + r["informal"] for r in org_rows),
    }
