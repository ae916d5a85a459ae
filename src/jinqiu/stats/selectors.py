"""Headline figures for the home page, computed from the records the user can see."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class ToDo:
    """What a staff user should do first: the meetings due (a secretary) or the organisations behind."""

    kind: str  # "due" or "behind"
    rows: list[dict]
    total: int


TODO_ROWS = 10


def to_do(user, orgs) -> ToDo:
    """The secretary's meetings due this period, or the organisations behind for a street or the bureau.

    Reads the compliance the organisational-life overview computes (cached, and shared with the home
    page's figures), and keeps only the few rows the page shows.
    """
    from jinqiu.accounts.models import Role
    from jinqiu.orglife import compliance

    result, _rate = compliance.subtree_summary(orgs)
    if user.has_role(Role.SECRETARY) and not user.has_role(Role.BUREAU, Role.STREET):
        found = [o for o in result.orgs if o.due and o.row[5] is None]  # row[5]: dissolved_on
        picked = [{"pk": o.org_id, "due": list(o.due)} for o in found[:TODO_ROWS]]
        kind = "due"
    else:
        found = result.behind
        picked = [{"pk": o.org_id, "missed": len(o.missed), "days": o.overdue_days} for o in found[:TODO_ROWS]]
        kind = "behind"
    labels = org_labels(orgs, [row["pk"] for row in picked])
    for row in picked:
        row["label"] = labels.get(row["pk"], "")
    return ToDo(kind, picked, len(found))


def org_labels(orgs, pks: list[int]) -> dict[int, str]:
    """Each organisation named with its parents the user can see (新东街道 › 苍梧社区党支部 › 第一党小组)."""
    from jinqiu.organizations.models import PartyOrg

    rows = list(orgs.filter(pk__in=pks).values_list("pk", "path"))
    step = PartyOrg.steplen
    prefixes = {path[:i] for _pk, path in rows for i in range(step, len(path) + 1, step)}
    names = dict(orgs.filter(path__in=prefixes).values_list("path", "name"))
    # Levels every row shares (the user's own committee) say nothing: keep the parent and the organisation.
    shared = min((len(path) for _pk, path in rows), default=0) - step
    while shared > 0 and len({path[:shared] for _pk, path in rows}) > 1:
        shared -= step
    return {pk: " › ".join(names[path[:i]] for i in range(step, len(path) + 1, step)
                           if path[:i] in names and (i > shared or i >= len(path) - step))
            for pk, path in rows}
