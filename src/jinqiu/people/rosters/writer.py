"""The import's write path for new persons: rows of one INSERT run with executemany, their primary
memberships, and the import's batch rows (ImportedPerson) in each person's change history.

Every derived column is computed as `people.services.person_create` computes it: the ID number's
encryption, blind index and mask as `Person.set_id_number` sets them, the search keys as
`people.services.refresh_search_text` builds them (a name's keys read once per distinct name), the
creation and change times of the import. tests/rosters compares an imported person with the service's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from jinqiu.core import crypto, idnumber, text
from jinqiu.core.audit import acting
from jinqiu.organizations.models import PartyOrg
from jinqiu.people.models import (
    ImportedAction,
    ImportedPerson,
    Membership,
    MembershipKind,
    Person,
    RosterImport,
)

from .checks import AT, FIELD_KEYS, MISSING, Candidate

CHUNK = 2000  # new persons inserted, and batch rows written, per round trip
_NAME_CACHE = 50_000  # distinct names whose search keys are kept


class SearchKeys:
    """`people.services.refresh_search_text` of a new person: the name's keys (pinyin, initials, simplified)
    and the ID number's last four characters. A roster repeats its names: each is read once."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}

    def __call__(self, name: str, number: str) -> str:
        found = self._names.get(name)
        if found is None:
            if len(self._names) >= _NAME_CACHE:
                self._names.clear()
            keys = tuple(text.name_keys(name))
            found = self._names[name] = (keys, frozenset(keys))
        keys, known = found
        last4 = number[-4:].lower()  # a normalised ID number: digits and X, no spaces
        if last4 and last4 not in known:
            keys = (*keys, last4)
        return " " + " ".join(keys) + " "


class Insert:
    """One INSERT of every concrete Person column, run with executemany on rows built as lists.

    The rows hold exactly what `bulk_create` would send: each column's default (as its field prepares it
    for this database) unless the file sets it, dates adapted by the database's own operations, the
    creation and change times of the import.
    """

    def __init__(self, now: datetime) -> None:
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        self.position = {f.attname: i for i, f in enumerate(fields)}
        self.template = [f.get_db_prep_save(now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                                            else f.get_default(), connection) for f in fields]
        self.dates = tuple(self.position[k] for k in ("birth_date", "retirement_date", "joined_party_on"))
        self.field_positions = tuple(self.position[k] for k in FIELD_KEYS)
        self.adapt_date = connection.ops.adapt_datefield_value
        qn = connection.ops.quote_name
        # Table and column names from the model's metadata, quoted; every value is a parameter.
        self.sql = (f"INSERT INTO {qn(Person._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * len(fields))})")

    def row(self, fields: tuple, extra: dict[str, Any]) -> list:
        """A candidate's `fields` (FIELD_KEYS order, MISSING for none) and the `extra` derived columns."""
        row = self.template.copy()
        for i, value in zip(self.field_positions, fields, strict=True):
            if value is not MISSING:
                row[i] = value
        position = self.position
        for key, value in extra.items():
            row[position[key]] = value
        adapt = self.adapt_date
        for i in self.dates:
            if row[i] is not None:
                row[i] = adapt(row[i])
        return row

    def run(self, rows: list[list]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


class Writer:
    """Collects a chunk's new persons and writes them at `flush`, with their memberships and batch rows;
    `updated` names a person the import changed (through the services) for its batch row."""

    def __init__(self, *, actor, roster_import: RosterImport | None, today: date) -> None:
        self.actor = actor
        self.roster_import = roster_import  # at commit: one ImportedPerson per person created or changed
        self.today = today
        self._insert: Insert | None = None
        self._encrypt = crypto.encrypter()
        self._search_keys = SearchKeys()
        self._rows: list[list] = []
        self._indexes: list[str] = []  # blind indexes of the chunk's new persons
        self._placed: list[tuple[str, PartyOrg, date]] = []  # (blind index, organisation, since) of party members
        self._updated: list[int] = []  # the chunk's persons changed

    def add(self, cand: Candidate, *, index: str, org: PartyOrg | None, extra: dict[str, Any]) -> None:
        """A new person: the INSERT row of `cand` with its derived columns; `extra` holds the foreign keys
        (region, 管理服务单位, original unit) the importer resolved."""
        fields, number = cand.fields, cand.id_number
        extra |= {"birth_date": cand.birth, "id_number_enc": self._encrypt(number), "id_number_index": index,
                  "id_number_masked": idnumber.mask(number),
                  "search_text": self._search_keys(fields[AT["name"]], number)}
        if self._insert is None:
            self._insert = Insert(timezone.now())
        self._rows.append(self._insert.row(fields, extra))
        self._indexes.append(index)
        if org is not None and fields[AT["is_party_member"]] is True:
            joined = fields[AT["joined_party_on"]]
            self._placed.append((index, org, self.today if joined is MISSING else joined))

    def updated(self, pk: int) -> None:
        self._updated.append(pk)

    def flush(self) -> None:
        """One executemany for the chunk's new persons, then their primary memberships and the import's
        batch rows."""
        if self._rows:
            with acting(self.actor):
                self._insert.run(self._rows)
                self._memberships()
        if self.roster_import is not None:
            self._batch_rows()
        self._rows, self._indexes, self._placed, self._updated = [], [], [], []

    def _memberships(self) -> None:
        if not self._placed:
            return
        pks = dict(Person.objects.filter(id_number_index__in=[i for i, _o, _d in self._placed])
                   .values_list("id_number_index", "pk"))
        Membership.objects.bulk_create([
            Membership(person_id=pks[index], kind=MembershipKind.PRIMARY, org=org, started_on=since)
            for index, org, since in self._placed
        ], batch_size=CHUNK)

    def _batch_rows(self) -> None:
        """The import's batch rows for a chunk: its new persons (by blind index: one INSERT … SELECT, their
        numbers never travel through Python) and the persons it changed (one bulk insert)."""
        imp, at = self.roster_import, timezone.now()  # after the chunk's changes: listed above them
        if self._indexes:
            meta, qn = ImportedPerson._meta, connection.ops.quote_name
            columns = ", ".join(qn(meta.get_field(k).column) for k in ("roster_import", "person", "action", "at"))
            person = Person._meta
            # Table and column names from the models' metadata, quoted; every value is a parameter.
            sql = (f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
                   f"SELECT %s, {qn(person.pk.column)}, %s, %s FROM {qn(person.db_table)} "
                   f"WHERE {qn(person.get_field('id_number_index').column)} IN ({', '.join(['%s'] * len(self._indexes))})")
            with connection.cursor() as cursor:
                cursor.execute(sql, [imp.pk, ImportedAction.CREATED.value,
                                     meta.get_field("at").get_db_prep_save(at, connection), *self._indexes])
        if self._updated:
            ImportedPerson.objects.bulk_create(
                [ImportedPerson(roster_import=imp, person_id=pk, action=ImportedAction.UPDATED, at=at)
                 for pk in dict.fromkeys(self._updated)], batch_size=CHUNK)
