"""Roster import: read → check each row → classify against the registry → preview or commit.

`analyse()` reads the file once (`rows`), keeping one compact `Candidate` per data row (`checks`, bounded
by the row limit), then classifies candidates in chunks against the database. `commit()` runs the very
same analysis inside one transaction and writes every accepted row, or nothing: the preview and the
commit cannot disagree, and what changed in the database since the preview is taken into account.

New persons go in as rows of one INSERT per chunk (`writer`), every derived field computed exactly as
`people.services.person_create` computes it. Updates go through `people.services.person_update` one by one
(they are few, and the change history names the actor).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.core import crypto, phones
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.people import services as people_services
from jinqiu.people.models import Membership, MembershipKind, Person, PersonStatus, RosterImport
from jinqiu.regions.models import Region

from . import checks, columns, rows
from .checks import AT, COMPARED, FIELD_KEYS, MISSING, SEP, Candidate
from .columns import BY_KEY
from .scope import Scope
from .writer import Writer

__all__ = ["COMPARED", "FIELD_KEYS", "Analysis", "Candidate", "CommitAborted", "Importer", "Scope", "analyse",
           "commit", "file_hash"]

CHUNK = 2000  # rows classified per round trip
MAX_CHANGES_SHOWN = 2000
Progress = Callable[[int], None] | None


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Analysis:
    file_name: str = ""
    sheet: str = ""
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("new", "update", "unchanged", "rejected", "skipped"), 0))
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    rejected_rows: list[dict] = field(default_factory=list)
    filled_down: dict[str, int] = field(default_factory=dict)
    skipped_lines: int = 0
    total_rows: int | None = None  # as the sheet declares it, for the progress bar

    def as_json(self) -> dict:
        return {
            **self.counts,
            "errors": self.errors,
            "warnings": self.warnings,
            "file_name": self.file_name,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "headers": self.headers,
            "mapping": {str(k): v for k, v in self.mapping.items()},
            "changes": self.changes[:MAX_CHANGES_SHOWN],
            "changes_total": len(self.changes),
            "filled_down": self.filled_down,
            "skipped_lines": self.skipped_lines,
            "rejected_rows": self.rejected_rows,
        }


# ---- what changes for a registered person -------------------------------------------------------

def _display(key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return value.isoformat()
    if key in ("retirement_type", "health", "living"):
        return columns.enum_label(key, value)
    if key in ("mobile", "phone"):
        return phones.mask_phone(value)
    return str(value)


_LABELS = {"mobile": "联系电话", "phone": "联系电话", "is_party_member": "入党时间"}


def _label(key: str) -> str:
    return _LABELS.get(key) or BY_KEY[key].header


def _changed(person: Person, fields: dict[str, Any]) -> list[dict]:
    out = []
    for key in COMPARED:
        if key in fields and fields[key] != getattr(person, key):
            out.append({"field": _label(key), "old": _display(key, getattr(person, key)),
                        "new": _display(key, fields[key])})
    return out


@contextmanager
def _collector_paused():
    """No cyclic garbage collection while a file is imported: the importer makes no reference cycles, and
    every collection would walk the 100,000 candidates kept for the duplicate check (a tenth of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Registered:
    """A chunk's ID numbers as the registry knows them: blind index by row, the persons registered, those the
    actor reaches, their primary memberships."""

    indexes: dict[int, str]
    persons: dict[str, Person]
    reachable: set[int]
    primaries: dict[int, Membership]


# ---- the import ---------------------------------------------------------------------------------

class Importer:
    def __init__(self, *, actor, path: Path, file_name: str, into_org: PartyOrg | None = None,
                 mapping: dict[int, str] | None = None, progress: Progress = None,
                 roster_import: RosterImport | None = None) -> None:
        self.actor = actor
        self.path = Path(path)
        self.file_name = file_name
        self.into_org = into_org
        self.mapping = mapping
        self.progress = progress
        self.scope = Scope(actor)
        self.analysis = Analysis(file_name=file_name)
        self.today = timezone.localdate()
        self.writer = Writer(actor=actor, roster_import=roster_import, today=self.today)
        self._blind_index = crypto.blind_indexer()
        self._units: dict[str, int | None] = {}

    def read(self) -> list[Candidate]:
        """Every data row read and checked (no database); an ID number on several rows is an error on each."""
        a = self.analysis
        candidates: list[Candidate] = []
        width, name_col = 0, -1
        pool: dict[str, str] = {}
        for number, cells in rows.data_rows(self.path, self.file_name, a, self.mapping):
            if not width:
                width = len(a.headers)
                name_col = next((i for i, k in a.mapping.items() if k == "name"), -1)
            if rows.is_skippable(cells, a.mapping, name_col):
                a.skipped_lines += 1
                continue
            candidates.append(checks.candidate(number, cells, a.mapping, width, self.today, pool))
            if self.progress and len(candidates) % 2000 == 0:
                # Reading is the first half of the bar; checking against the registry the second.
                self.progress(min(50, 50 * number // max(a.total_rows or 2 * number, 1)))
        checks.mark_duplicates(candidates)
        return candidates

    def run(self, *, write: bool) -> Analysis:
        with _collector_paused():
            return self._run(write=write)

    def _run(self, *, write: bool) -> Analysis:
        candidates = self.read()
        total = len(candidates)
        a = self.analysis
        done = 0
        for start in range(0, total, CHUNK):
            chunk = candidates[start:start + CHUNK]
            self._chunk(chunk, write=write)
            for i in range(start, start + len(chunk)):
                candidates[i] = None  # free as we go: the outcome is in the analysis
            done += len(chunk)
            if self.progress:
                self.progress(int(50 + 50 * done / max(total, 1)))
        a.errors.sort(key=lambda e: e["row"])
        a.warnings.sort(key=lambda e: e["row"])
        a.rejected_rows.sort(key=lambda e: e["row"])
        return a

    # ---- classify: one chunk against the registry

    def _registered(self, chunk: list[Candidate]) -> _Registered:
        blind_index = self._blind_index
        indexes = {c.row: blind_index(c.id_number) for c in chunk if c.id_number}
        persons = {p.id_number_index: p for p in Person.objects.filter(
            id_number_index__in=list(indexes.values())).select_related("region")}
        reachable = self.scope.reachable([p.pk for p in persons.values()])
        primaries = {m.person_id: m for m in Membership.objects.filter(
            person_id__in=list(reachable), kind=MembershipKind.PRIMARY,
            ended_on__isnull=True).select_related("org")} if reachable else {}
        return _Registered(indexes, persons, reachable, primaries)

    def _chunk(self, chunk: list[Candidate], *, write: bool) -> None:
        """Classify a chunk: every check on every row (a rejected row names all of its errors), then write."""
        known = self._registered(chunk)
        for cand in chunk:
            org = self._org_for(cand) if cand.org_name else self.into_org
            region = self._region_for(cand) if cand.region_name else None
            index = known.indexes.get(cand.row)
            person = known.persons.get(index) if index else None
            if person is None:
                self._new(cand, org, region, index, write=write)
            elif person.pk not in known.reachable:
                # Outside the actor's scope: one answer whatever the reason, and nothing of the person.
                cand.error("身份证号", people_services.not_yours_message())
                self._reject(cand)
            elif cand.errors:
                self._reject(cand)
            elif person.status != PersonStatus.ACTIVE:
                cand.warn("姓名", _("%(name)s is recorded as %(status)s: shown, not overwritten.")
                          % {"name": person.name, "status": person.get_status_display()})
                self.analysis.counts["skipped"] += 1
                self._warn(cand)
            else:
                self._existing(cand, person, known.primaries.get(person.pk), org, region, write=write)
        if write:
            self.writer.flush()

    def _new(self, cand: Candidate, org: PartyOrg | None, region: Region | None, index: str | None, *,
             write: bool) -> None:
        self._check_new(cand, org, region)
        if cand.errors:
            self._reject(cand)
            return
        self.analysis.counts["new"] += 1
        self._warn(cand)
        if write:
            self.writer.add(cand, index=index, org=org, extra=self._foreign_keys(cand, region))

    def _foreign_keys(self, cand: Candidate, region: Region | None) -> dict[str, Any]:
        """The new person's original unit, 管理服务单位 and community, as the INSERT row's columns."""
        extra: dict[str, Any] = {}
        unit_name = cand.fields[AT["original_unit_name"]]
        if unit_name is not MISSING:
            extra["original_unit_id"] = self._unit_id(unit_name)
        unit_id = self._service_unit_id(cand)
        if unit_id is not None:
            extra["service_unit_id"] = unit_id
        if region is not None:
            extra["region_id"] = region.pk
        return extra

    def _org_for(self, cand: Candidate) -> PartyOrg | None:
        if not cand.org_name:
            return self.into_org
        found = self.scope.orgs_named(cand.org_name)
        if not found:
            cand.error("所在党组织", _("No party organisation named “%(name)s” within your scope.")
                       % {"name": cand.org_name})
            return None
        if len(found) > 1:
            names = "；".join(f"{o.name}（{PartyOrg.objects.get_parent(o).name if o.depth > 1 else '-'}，#{o.pk}）" for o in found)
            cand.error("所在党组织", _("“%(name)s” is ambiguous: %(candidates)s. Use --into or correct the name.")
                       % {"name": cand.org_name, "candidates": names})
            return None
        org = found[0]
        if not org.is_formal:
            cand.error("所在党组织", _("%(org)s is a functional or temporary organisation: it cannot hold a "
                                    "membership relation.") % {"org": org.name})
        elif not org.is_active:
            cand.error("所在党组织", _("%(org)s has been dissolved.") % {"org": org.name})
        return org

    def _region_for(self, cand: Candidate) -> Region | None:
        found = self.scope.regions_named(cand.region_name)
        if not found:
            cand.error("居住社区", _("No community or village is named “%(name)s”.") % {"name": cand.region_name})
            return None
        if len(found) > 1:
            names = "；".join(f"{r.name}（{Region.objects.get_parent(r).name if r.depth > 1 else '-'}）" for r in found)
            cand.error("居住社区", _("“%(name)s” is ambiguous: %(candidates)s.")
                       % {"name": cand.region_name, "candidates": names})
            return None
        return found[0]

    def _unit_id(self, name: str) -> int | None:
        if name not in self._units:
            self._units[name] = Unit.objects.filter(name=name).values_list("pk", flat=True).first()
        return self._units[name]

    def _service_unit_id(self, cand: Candidate) -> int | None:
        """A row that is not a party member is placed by the 管理服务单位 of the organisation imported into."""
        into = self.into_org
        if into is not None and into.unit_id and cand.fields[AT["is_party_member"]] is not True:
            return into.unit_id
        return None

    def _check_new(self, cand: Candidate, org: PartyOrg | None, region: Region | None) -> None:
        """The checks only a new person needs: a retirement type, and a place where the actor sees them."""
        fields = cand.fields
        if not fields:
            return  # the row could not be read at all: its errors say why
        if fields[AT["retirement_type"]] is MISSING and not cand.has_error_in("离/退休"):
            cand.error("离/退休", _("The retirement type (离休 or 退休) is missing."))
        member_of = org if fields[AT["is_party_member"]] is True else None
        if (cand.org_name and org is None) or (cand.region_name and region is None):
            return  # the organisation or community was not found: its own error says so
        if not self.scope.places(member_of, self._service_unit_id(cand), region):
            cand.error("居住社区", people_services.placement_message())

    def _reject(self, cand: Candidate) -> None:
        a = self.analysis
        a.counts["rejected"] += 1
        for column, message in cand.errors or ():
            a.errors.append({"row": cand.row, "column": column, "message": message})
        a.rejected_rows.append({"row": cand.row, "values": cand.raw.split(SEP),
                                "error": "；".join(f"{c}：{m}" for c, m in cand.errors or ())})

    def _warn(self, cand: Candidate) -> None:
        for column, message in cand.warnings or ():
            self.analysis.warnings.append({"row": cand.row, "column": column, "message": message})

    # ---- a registered person: compared, and changed through the services

    def _fields_for(self, cand: Candidate) -> dict[str, Any]:
        f = {k: v for k, v in zip(FIELD_KEYS, cand.fields, strict=True) if v is not MISSING}
        if f.get("original_unit_name"):
            f["original_unit_id"] = self._unit_id(f["original_unit_name"])
        return f

    def _existing(self, cand: Candidate, person: Person, primary: Membership | None, org: PartyOrg | None,
                  region: Region | None = None, *, write: bool) -> None:
        a = self.analysis
        f = self._fields_for(cand)
        changes = _changed(person, f)
        if region is not None and region.pk != person.region_id:
            f["region"] = region
            changes.append({"field": "居住社区", "old": person.region.name if person.region else "",
                            "new": region.name})
        move_to = self._membership_change(cand, person, primary, org, f, changes)
        if not changes:
            a.counts["unchanged"] += 1
            self._warn(cand)
            return
        if write and not self._update(cand, person, f, move_to):
            return
        a.counts["update"] += 1
        a.changes.append({"row": cand.row, "name": person.name, "fields": changes})
        self._warn(cand)

    def _membership_change(self, cand: Candidate, person: Person, primary: Membership | None,
                           org: PartyOrg | None, f: dict[str, Any], changes: list[dict]) -> PartyOrg | None:
        """The organisation a registered person's membership relation goes to: only where there is none yet
        (a different one needs a transfer, which the import only warns about)."""
        if org is None:
            return None
        if primary is None:
            if f.get("is_party_member") or person.is_party_member:
                changes.append({"field": "所在党组织", "old": "", "new": org.name})
                return org
        elif primary.org_id != org.pk:
            cand.warn("所在党组织", _("The file says %(new)s but the membership relation is in %(old)s: "
                                   "unchanged; a transfer (组织关系转接) is needed.")
                      % {"new": org.name, "old": primary.org_label})
        return None

    def _update(self, cand: Candidate, person: Person, f: dict[str, Any], move_to: PartyOrg | None) -> bool:
        """Change a registered person through the services; False (the row rejected) when they refuse."""
        fields = {k: v for k, v in f.items() if k != "original_unit_id"}
        if f.get("original_unit_id"):
            fields["original_unit"] = Unit(pk=f["original_unit_id"])
        try:
            with transaction.atomic():
                updated = people_services.person_update(actor=self.actor, person=person, fields=fields)
                if move_to is not None:
                    people_services.membership_transfer(actor=self.actor, person=updated, org=move_to,
                                                        on=updated.joined_party_on or self.today)
        except ValidationError as exc:
            for key, messages in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                  else [("", exc.messages)]):
                header = BY_KEY[key].header if key in BY_KEY else _LABELS.get(key, "")
                for message in messages:
                    cand.error(header, message)
            self._reject(cand)
            return False
        self.writer.updated(person.pk)
        return True


def analyse(*, actor, path: Path, file_name: str, into_org: PartyOrg | None = None,
            mapping: dict[int, str] | None = None, progress: Progress = None) -> Analysis:
    """The preview: what a commit would do, row by row. Writes nothing."""
    return Importer(actor=actor, path=path, file_name=file_name, into_org=into_org, mapping=mapping,
                    progress=progress).run(write=False)


class CommitAborted(Exception):
    def __init__(self, analysis: Analysis) -> None:
        super().__init__("commit aborted")
        self.analysis = analysis


def commit(*, actor, path: Path, file_name: str, into_org: PartyOrg | None = None,
           mapping: dict[int, str] | None = None, progress: Progress = None,
           roster_import: RosterImport | None = None) -> Analysis:
    """Write every accepted row in one transaction, or nothing; rejected rows are reported, never written.

    With `roster_import`, every person created or changed gets an ImportedPerson row of that import, in the
    same transaction (one bulk insert per chunk): the import's line in each person's change history."""
    importer = Importer(actor=actor, path=path, file_name=file_name, into_org=into_org, mapping=mapping,
                        progress=progress, roster_import=roster_import)
    with transaction.atomic():
        return importer.run(write=True)
