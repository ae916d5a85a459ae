"""Roster import: read → normalise → validate → classify against the registry → preview or commit.

`analyse()` reads the file once, keeping one compact `Candidate` per data row (bounded by the row
limit), then classifies candidates in chunks against the database. `commit()` runs the very same
analysis inside one transaction and writes every accepted row, or nothing: the preview and the
commit cannot disagree, and what changed in the database since the preview is taken into account.

New persons go in with `bulk_create`, every derived field computed exactly as
`people.services.person_create` computes it (ID encryption, blind index and mask through
`Person.set_id_number`, phones through `phones.normalize_phone`, search keys through
`refresh_search_text`, the model's own `clean_fields`/`clean`). Updates go through
`people.services.person_update` one by one (they are few, and the change history names the actor).
"""

from __future__ import annotations

import gc
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinqiu.core import crypto, idnumber, phones
from jinqiu.core.audit import acting
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.people import services as people_services
from jinqiu.people.models import (
    ImportedAction,
    ImportedPerson,
    Membership,
    MembershipKind,
    Person,
    PersonStatus,
    RosterImport,
)
from jinqiu.regions.models import Region, RegionLevel

from . import columns, reader
from .columns import BY_KEY, CellError

CHUNK = 2000  # rows classified, and new persons inserted, per round trip
SEP = "\x1f"  # the unit separator: never typed in a cell
_MISSING = object()
MAX_CHANGES_SHOWN = 2000
HEADER_SCAN_ROWS = 30
_SKIP_WORDS = ("合计", "小计", "总计", "合計", "小計", "總計")
_FOOTER_WORDS = ("导出人", "導出人", "制表人", "填报人", "審核人", "审核人", "填表人", "注：", "注:", "说明")
_SPACES = re.compile(r"\s+")
Progress = Callable[[int], None] | None
_HOME_LEVELS = (RegionLevel.COMMUNITY, RegionLevel.VILLAGE)

# The person fields an import may set, in preview order.
COMPARED = ("name", "ethnicity", "original_unit_name", "original_position", "rank", "retirement_type", "retirement_date",
            "is_party_member", "joined_party_on", "address", "mobile", "phone", "health", "living", "note")
FIELD_KEYS = ("gender", *COMPARED)
_ALL_MISSING = (_MISSING,) * len(FIELD_KEYS)
_AT = {key: i for i, key in enumerate(FIELD_KEYS)}


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(slots=True)
class Candidate:
    row: int
    raw: str  # the original cells as text joined by SEP (one string, not one per cell), for the error report
    fields: tuple  # values in FIELD_KEYS order, _MISSING where the file gave none
    id_number: str = ""
    birth: date | None = None  # from the ID number
    org_name: str = ""
    region_name: str = ""
    errors: list[tuple[str, str]] | None = None  # (column header, message); None rather than 100,000 empty lists
    warnings: list[tuple[str, str]] | None = None

    def error(self, column: str, message: str) -> None:
        if self.errors is None:
            self.errors = []
        self.errors.append((column, message))

    def warn(self, column: str, message: str) -> None:
        if self.warnings is None:
            self.warnings = []
        self.warnings.append((column, message))


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
                self._paths = tuple(s.region.path for s in scoping._scopes(actor) if s.region_id)
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
                self._units = scoping._unit_subtree_ids({s.unit_id for s in scoping._scopes(actor) if s.unit_id})
        return self._units


# ---- reading -----------------------------------------------------------------------------------

def _cell_text(cell: reader.Cell) -> str:
    if cell.kind == reader.EMPTY or cell.value is None:
        return ""
    if cell.kind == reader.DATE:
        return cell.value.isoformat() if hasattr(cell.value, "isoformat") else str(cell.value)
    if cell.kind == reader.NUMBER and isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return str(cell.value)


def _is_skippable(cells: list[reader.Cell], mapping: dict[int, str], name_col: int = -1) -> bool:
    if 0 <= name_col < len(cells) and cells and not cells[name_col].blank:
        # Fast path for the usual row: a name, and no 合计/小计 in the first cell or the name cell.
        first, name = _cell_text(cells[0]).lstrip(), _cell_text(cells[name_col]).lstrip()
        if not first.startswith(_SKIP_WORDS) and not name.startswith(_SKIP_WORDS + _FOOTER_WORDS):
            return False
    texts = [(i, _cell_text(c).strip()) for i, c in enumerate(cells) if not c.blank]
    if not texts:
        return True
    for _i, t in texts:
        compact = _SPACES.sub("", t)
        if compact.startswith(_SKIP_WORDS):
            return True
    if len(texts) == 1:
        i, t = texts[0]
        compact = _SPACES.sub("", t)
        if compact.startswith(_FOOTER_WORDS):
            return True
        if i not in mapping and compact.isdigit():
            return True  # a 序号 with nothing else
    return False


def _find_header(rows, sheet_name: str):
    """Consume title rows until the header; returns (row number, cells) or None."""
    for count, (number, cells) in enumerate(rows):
        if count >= HEADER_SCAN_ROWS:
            return None
        if columns.looks_like_header([_cell_text(c) for c in cells]):
            return number, cells
    return None


def _rows(path: Path, file_name: str, analysis: Analysis, mapping: dict[int, str] | None):
    """Yield (row number, cells) of the data rows of the first sheet that has a roster header."""
    for sheet in reader.sheets(path, file_name):
        found = _find_header(sheet.rows, sheet.name)
        if found is None:
            continue
        header_row, header_cells = found
        analysis.sheet = sheet.name
        analysis.total_rows = sheet.total_rows
        analysis.header_row = header_row
        analysis.headers = [_cell_text(c).strip() for c in header_cells]
        analysis.mapping = dict(mapping) if mapping else columns.map_header(analysis.headers)
        missing = [BY_KEY[k].header for k in ("name", "id_number") if k not in analysis.mapping.values()]
        if missing:
            raise reader.MappingIncomplete(
                _("No column is mapped to %(columns)s.") % {"columns": "、".join(missing)},
                headers=analysis.headers, mapping=analysis.mapping, header_row=header_row, sheet=sheet.name)
        # Vertical merges in the organisation and unit columns: the top cell's value fills the rest.
        fill_cols = {i + 1: k for i, k in analysis.mapping.items() if k in columns.FILL_DOWN_KEYS}
        fill_from: dict[int, list[tuple[int, int]]] = defaultdict(list)  # top row -> [(col, last row)]
        for min_row, min_col, max_row, max_col in sheet.merged:
            for col in fill_cols:
                if min_col <= col <= max_col and max_row > min_row:
                    fill_from[min_row].append((col, max_row))
        active: dict[int, tuple[reader.Cell, int]] = {}  # col -> (top cell, last row of the merge)
        limit = settings.ROSTER_IMPORT_MAX_ROWS
        for count, (number, cells) in enumerate(sheet.rows, start=1):
            if count > limit:
                raise reader.FileRejected(_("The file has more than %(limit)s rows; split it into smaller files.")
                                          % {"limit": limit})
            if fill_from:
                for col, last in fill_from.pop(number, ()):
                    if col - 1 < len(cells):
                        active[col] = (cells[col - 1], last)
            for col, (cell, last) in list(active.items()) if active else ():
                if number > last:
                    del active[col]
                    continue
                if col > len(cells):
                    cells = cells + [reader.BLANK] * (col - len(cells))
                if cells[col - 1].blank and not cell.blank:
                    cells[col - 1] = cell
                    label = BY_KEY[fill_cols[col]].header
                    analysis.filled_down[label] = analysis.filled_down.get(label, 0) + 1
            yield number, cells
        return
    raise reader.FileRejected(
        _("No sheet of this file has a roster header: a row with at least the columns 姓名 and 身份证号 "
          "within its first %(count)s rows.") % {"count": HEADER_SCAN_ROWS}
    )


# ---- one row -----------------------------------------------------------------------------------

# Every person field the file can set, with the model's own limit: the normaliser guarantees types and
# choices (dates are dates, enumerations come from columns.ENUMS), these lengths are checked explicitly
# instead of the model's clean_fields (tests/rosters compares both). The organisation and the note have
# the importer's own limits (a PartyOrg name; the note is a TextField).
_MAX_LEN = {"name": 50, "ethnicity": 20, "original_unit_name": 120, "original_position": 60, "rank": 40,
            "address": 200, "note": 2000, "org": 120, "region": 100, "mobile": 20, "phone": 20, "position_rank": 103}
_LIMITS = {key: _MAX_LEN.get(key, 200) for key in BY_KEY}
_TEXT, _FORMULA = reader.TEXT, reader.FORMULA
_POOLED = frozenset(("ethnicity", "original_unit_name"))


def _same_date(given: date, precision: str, actual: date) -> bool:
    if precision == "year":
        return given.year == actual.year
    if precision == "month":
        return (given.year, given.month) == (actual.year, actual.month)
    return given == actual


def _candidate(number: int, cells: list[reader.Cell], mapping: dict[int, str], width: int,
               today: date | None = None, pool: dict[str, str] | None = None) -> Candidate:
    """One data row, normalised and checked; `pool` shares the strings that repeat down a column (民族, 原工作单位,
    职务, 所在党组织): one string for 100,000 "汉族", not 100,000 equal ones."""
    pool = {} if pool is None else pool
    n = len(cells)
    texts = [v if (v := c.value).__class__ is str else "" if v is None else _cell_text(c)
             for c in (cells[:width] if n > width else cells)]
    if n < width:
        texts += [""] * (width - n)
    cand = Candidate(row=number, raw=SEP.join(texts), fields=())
    values: dict[str, reader.Cell] = {}
    strs: dict[str, str] = {}  # each mapped cell as trimmed text
    for i, key in mapping.items():
        cell = cells[i] if i < n else reader.BLANK
        kind = cell.kind
        if kind == _FORMULA:
            cand.error(BY_KEY[key].header, _("The cell holds a formula (%(formula)s); formulas are never "
                                             "evaluated: type the value.") % {"formula": str(cell.value)[:40]})
            continue
        if kind == _TEXT:
            value = cell.value
            if value.__class__ is not str:
                cell = reader.Cell(str(value), _TEXT)
            elif value[:1] == "'":
                cell = reader.Cell(columns.unescape(value), _TEXT)
            strs[key] = cell.value.strip()
        else:
            strs[key] = _cell_text(cell).strip()
        values[key] = cell
    f: dict[str, Any] = {}

    def too_long(key: str) -> str:
        cand.error(BY_KEY[key].header, _("Too long: at most %(n)s characters.") % {"n": _LIMITS[key]})
        return ""

    def text(key: str) -> str:
        value = strs.get(key, "")
        return too_long(key) if len(value) > _LIMITS[key] else value

    name = text("name")
    if not name:
        if "name" in values or "name" in mapping.values():
            cand.error("姓名", _("The name is missing."))
    else:
        f["name"] = name  # as written: 張桂蘭 stays 張桂蘭

    info = None
    id_cell = values.get("id_number")
    if id_cell is None or id_cell.blank:
        if "id_number" in values:
            cand.error("身份证号", _("The ID number is missing."))
    elif id_cell.kind == reader.NUMBER:
        cand.error("身份证号", _("The ID number must be stored as text (身份证号须为文本格式): as a number its last "
                               "digits are already lost. Format the column as text and type the numbers again."))
    else:
        try:
            info = idnumber.parse(_cell_text(id_cell), today=today)
        except idnumber.IdNumberError as exc:
            cand.error("身份证号", str(exc.message))
        else:
            cand.id_number, cand.birth = info.number, info.birth_date
            if info.converted_from_15:
                cand.warn("身份证号", _("A 15-digit ID number was converted to 18 digits: %(number)s.")
                          % {"number": idnumber.mask(info.number)})

    for key in ("gender", "retirement_type", "health", "living"):
        value = strs.get(key)
        if value and len(value) > _LIMITS[key]:
            value = too_long(key)
        if value:
            try:
                f[key] = columns.parse_enum(key, value)
            except CellError as exc:
                cand.error(BY_KEY[key].header, str(exc.message))

    birth = values.get("birth_date")
    if birth is not None and info and birth.value == info.birth_date.isoformat():
        pass  # as the export writes it: the ID number's own date
    elif birth is not None and not birth.blank:
        try:
            given, precision = columns.parse_date(birth.value)
        except CellError as exc:
            cand.error("出生年月", str(exc.message))
        else:
            if info and not _same_date(given, precision, info.birth_date):
                cand.error("出生年月", _("The birth date %(given)s does not agree with the ID number (%(date)s).")
                           % {"given": _cell_text(birth), "date": info.birth_date.isoformat()})
    if info and f.get("gender") and f["gender"] != info.gender:
        cand.error("性别", _("The gender does not agree with the ID number."))

    for key in ("retirement_date", "joined_party_on"):
        cell = values.get(key)
        if cell is not None and not cell.blank:
            try:
                f[key] = columns.parse_date(cell.value)[0]
            except CellError as exc:
                cand.error(BY_KEY[key].header, str(exc.message))

    for key in ("ethnicity", "original_unit_name", "address", "note"):
        value = strs.get(key)
        if value and len(value) > _LIMITS[key]:
            value = too_long(key)
        if value:
            f[key] = pool.setdefault(value, value) if key in _POOLED else value
    _position_and_rank(cand, f, text, pool)

    phone = text("phone")
    if phone:
        try:
            normal = phones.normalize_phone(phone)
        except phones.PhoneError as exc:
            cand.error("联系电话", str(exc.message))
        else:
            if len(normal) > _MAX_LEN["phone"]:  # a landline with a long extension
                cand.error("联系电话", _("Too long: at most %(n)s characters.") % {"n": _MAX_LEN["phone"]})
            else:
                # normalize_phone gives a mobile's 11 digits (starting with 1) or a landline with its area
                # code (starting with 0): no need to normalise it a second time through phones.is_mobile.
                f["phone" if normal.startswith("0") else "mobile"] = normal

    org_name = text("org")
    cand.org_name = pool.setdefault(org_name, org_name)
    region_name = text("region")
    cand.region_name = pool.setdefault(region_name, region_name)
    if f.get("joined_party_on") or cand.org_name:
        f["is_party_member"] = True
    if info:
        # The model's own rule (Person.clean), checked here so that the preview says it too.
        if f.get("joined_party_on") and f["joined_party_on"] <= info.birth_date:
            cand.error("入党时间", _("The party joining date is before the birth date."))
        f["gender"] = info.gender  # the ID number decides; a disagreeing 性别 is an error above
    cand.fields = tuple(map(f.get, FIELD_KEYS, _ALL_MISSING))  # a tuple: a third of a dict's memory
    return cand


def _position_and_rank(cand: Candidate, f: dict[str, Any], text: Callable[[str], str], pool: dict[str, str]) -> None:
    """原职务 and 职级 from their own columns, or from one 原职务(职级) column ("局长(正处级)", as the export writes)."""
    position, rank = columns.split_position(text("position_rank"))
    position, rank = text("original_position") or position, text("rank") or rank
    header = BY_KEY["position_rank"].header
    for key, value in (("original_position", position), ("rank", rank)):
        if len(value) > _MAX_LEN[key]:
            cand.error(header, _("Too long: at most %(n)s characters.") % {"n": _MAX_LEN[key]})
        elif value:
            f[key] = pool.setdefault(value, value)


# ---- classify and write -------------------------------------------------------------------------

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


class _Derived:
    """The fields `Person.set_id_number` and `people.services.refresh_search_text` set, without a model instance."""

    __slots__ = ("id_number_enc", "id_number_index", "id_number_masked", "name", "search_text")

    def __init__(self, name: str) -> None:
        self.name, self.id_number_masked, self.search_text = name, "", ""


class _Insert:
    """One INSERT of every concrete Person column, run with executemany on rows built as lists.

    The rows hold exactly what `bulk_create` would send: each column's default (as its field prepares it
    for this database) unless the file sets it, dates adapted by the database's own operations, the
    creation and change times of the import.
    """

    def __init__(self) -> None:
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        now = timezone.now()
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
        """A candidate's `fields` (FIELD_KEYS order, _MISSING for none) and the `extra` derived columns."""
        row = self.template.copy()
        for i, value in zip(self.field_positions, fields, strict=True):
            if value is not _MISSING:
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


class Importer:
    def __init__(self, *, actor, path: Path, file_name: str, into_org: PartyOrg | None = None,
                 mapping: dict[int, str] | None = None, progress: Progress = None,
                 roster_import: RosterImport | None = None) -> None:
        self.actor = actor
        self.roster_import = roster_import  # at commit: one ImportedPerson per person created or changed
        self._updated: list[int] = []  # this chunk's persons changed, for their ImportedPerson rows
        self.path = Path(path)
        self.file_name = file_name
        self.into_org = into_org
        self.mapping = mapping
        self.progress = progress
        self.scope = Scope(actor)
        self.analysis = Analysis(file_name=file_name)
        self.today = timezone.localdate()
        self._units: dict[str, int | None] = {}
        self._insert: _Insert | None = None

    # reading and per-row checks: no database
    def read(self) -> list[Candidate]:
        a = self.analysis
        candidates: list[Candidate] = []
        by_id: dict[str, Candidate | list[Candidate]] = {}  # a list only for an ID number seen twice
        width = 0
        pool: dict[str, str] = {}
        for number, cells in _rows(self.path, self.file_name, a, self.mapping):
            if not width:
                width = len(a.headers)
                name_col = next((i for i, k in a.mapping.items() if k == "name"), -1)
            if _is_skippable(cells, a.mapping, name_col):
                a.skipped_lines += 1
                continue
            cand = _candidate(number, cells, a.mapping, width, self.today, pool)
            candidates.append(cand)
            if cand.id_number:
                seen = by_id.setdefault(cand.id_number, cand)
                if seen is not cand:
                    if isinstance(seen, list):
                        seen.append(cand)
                    else:
                        by_id[cand.id_number] = [seen, cand]
            if self.progress and len(candidates) % 2000 == 0:
                # Reading is the first half of the bar; checking against the registry the second.
                self.progress(min(50, 50 * number // max(a.total_rows or 2 * number, 1)))
        for group in by_id.values():
            if isinstance(group, list):
                rows = "、".join(str(c.row) for c in group)
                for cand in group:
                    cand.error("身份证号", _("The same ID number appears in rows %(rows)s.") % {"rows": rows})
        return candidates

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

    def _unit_id(self, name: str) -> int | None:
        if name not in self._units:
            self._units[name] = Unit.objects.filter(name=name).values_list("pk", flat=True).first()
        return self._units[name]

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

    def _chunk(self, chunk: list[Candidate], *, write: bool) -> None:
        """Classify a chunk: every check on every row (a rejected row names all of its errors), then write."""
        indexes = {c.row: crypto.blind_index(c.id_number) for c in chunk if c.id_number}
        existing = {p.id_number_index: p for p in Person.objects.filter(
            id_number_index__in=list(indexes.values())).select_related("region")}
        reachable = self.scope.reachable([p.pk for p in existing.values()])
        primaries = {m.person_id: m for m in Membership.objects.filter(
            person_id__in=list(reachable), kind=MembershipKind.PRIMARY,
            ended_on__isnull=True).select_related("org")} if reachable else {}
        new_rows: list[list] = []
        placed: list[tuple[str, PartyOrg, date]] = []  # (blind index, organisation, since) of new party members
        new_indexes: list[str] = []
        for cand in chunk:
            org = self._org_for(cand) if cand.org_name else self.into_org
            region = self._region_for(cand) if cand.region_name else None
            index = indexes.get(cand.row)
            person = existing.get(index) if index else None
            if person is not None and person.pk not in reachable:
                # Outside the actor's scope: one answer whatever the reason, and nothing of the person.
                cand.error("身份证号", people_services.not_yours_message())
                self._reject(cand)
                continue
            if person is None:
                self._check_new(cand, org, region)
            if cand.errors:
                self._reject(cand)
                continue
            if person is None:
                self.analysis.counts["new"] += 1
                if cand.warnings:
                    self._warn(cand)
                if write:
                    fields = cand.fields
                    new_rows.append(self._new_row(cand, org, index, region))
                    new_indexes.append(index)
                    if org is not None and fields[_AT["is_party_member"]] is True:
                        joined = fields[_AT["joined_party_on"]]
                        placed.append((index, org, self.today if joined is _MISSING else joined))
                continue
            if person.status != PersonStatus.ACTIVE:
                cand.warn("姓名", _("%(name)s is recorded as %(status)s: shown, not overwritten.")
                          % {"name": person.name, "status": person.get_status_display()})
                self.analysis.counts["skipped"] += 1
                self._warn(cand)
                continue
            self._existing(cand, person, primaries.get(person.pk), org, region, write=write)
        if new_rows:
            self._write_new(new_rows, placed, new_indexes if self.roster_import is not None else ())
        elif write and self.roster_import is not None and self._updated:
            self._write_batch_rows()

    def _service_unit_id(self, cand: Candidate) -> int | None:
        """A row that is not a party member is placed by the 管理服务单位 of the organisation imported into."""
        into = self.into_org
        if into is not None and into.unit_id and cand.fields[_AT["is_party_member"]] is not True:
            return into.unit_id
        return None

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

    def _check_new(self, cand: Candidate, org: PartyOrg | None, region: Region | None) -> None:
        """The checks only a new person needs: a retirement type, and a place where the actor sees them."""
        fields = cand.fields
        if not fields:
            return  # the row could not be read at all: its errors say why
        if fields[_AT["retirement_type"]] is _MISSING and not any(c == "离/退休" for c, _m in cand.errors or ()):
            cand.error("离/退休", _("The retirement type (离休 or 退休) is missing."))
        member_of = org if fields[_AT["is_party_member"]] is True else None
        if (cand.org_name and org is None) or (cand.region_name and region is None):
            return  # the organisation or community was not found: its own error says so
        if not self.scope.places(member_of, self._service_unit_id(cand), region):
            cand.error("居住社区", people_services.placement_message())

    def _fields_for(self, cand: Candidate) -> dict[str, Any]:
        f = {k: v for k, v in zip(FIELD_KEYS, cand.fields, strict=True) if v is not _MISSING}
        if f.get("original_unit_name"):
            f["original_unit_id"] = self._unit_id(f["original_unit_name"])
        return f

    def _new_row(self, cand: Candidate, org: PartyOrg | None, index: str, region: Region | None = None) -> list:
        """The INSERT row of a new person: every derived field as `people.services.person_create` computes it."""
        fields = cand.fields
        derived = _Derived(fields[_AT["name"]])
        number = cand.id_number
        # Person.set_id_number's three fields, the blind index already computed for the lookup (the
        # equality with the service's person is tested).
        derived.id_number_enc, derived.id_number_index = crypto.encrypt(number), index
        derived.id_number_masked = idnumber.mask(number)
        people_services.refresh_search_text(derived, number)
        extra = {"birth_date": cand.birth, "id_number_enc": derived.id_number_enc, "id_number_index": index,
                 "id_number_masked": derived.id_number_masked, "search_text": derived.search_text}
        unit_name = fields[_AT["original_unit_name"]]
        if unit_name is not _MISSING:
            extra["original_unit_id"] = self._unit_id(unit_name)
        unit_id = self._service_unit_id(cand)
        if unit_id is not None:
            extra["service_unit_id"] = unit_id
        if region is not None:
            extra["region_id"] = region.pk
        if self._insert is None:
            self._insert = _Insert()
        return self._insert.row(fields, extra)

    def _existing(self, cand: Candidate, person: Person, primary: Membership | None, org: PartyOrg | None,
                  region: Region | None = None, *, write: bool) -> None:
        a = self.analysis
        f = self._fields_for(cand)
        changes = _changed(person, f)
        if region is not None and region.pk != person.region_id:
            f["region"] = region
            changes.append({"field": "居住社区", "old": person.region.name if person.region else "",
                            "new": region.name})
        move_to = None
        if org is not None:
            if primary is None:
                if f.get("is_party_member") or person.is_party_member:
                    move_to = org
                    changes.append({"field": "所在党组织", "old": "", "new": org.name})
            elif primary.org_id != org.pk:
                cand.warn("所在党组织", _("The file says %(new)s but the membership relation is in %(old)s: "
                                       "unchanged; a transfer (组织关系转接) is needed.")
                          % {"new": org.name, "old": primary.org_label})
        if not changes:
            a.counts["unchanged"] += 1
            self._warn(cand)
            return
        if write:
            try:
                with transaction.atomic():
                    updated = people_services.person_update(
                        actor=self.actor, person=person,
                        fields={k: v for k, v in f.items() if k != "original_unit_id"}
                        | ({"original_unit": Unit(pk=f["original_unit_id"])} if f.get("original_unit_id") else {}))
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
                return
        a.counts["update"] += 1
        if write:
            self._updated.append(person.pk)
        a.changes.append({"row": cand.row, "name": person.name, "fields": changes})
        self._warn(cand)

    def _write_new(self, rows: list[list], placed: list[tuple[str, PartyOrg, date]], indexes=()) -> None:
        """One executemany for the chunk's new persons, then their primary memberships and the import's rows
        (`indexes`: the blind indexes of every new person, given when the import keeps its batch rows)."""
        with acting(self.actor):
            self._insert.run(rows)
            if indexes:
                self._write_batch_rows(indexes)
            if placed:
                pks = dict(Person.objects.filter(id_number_index__in=[i for i, _o, _d in placed])
                           .values_list("id_number_index", "pk"))
                Membership.objects.bulk_create([
                    Membership(person_id=pks[index], kind=MembershipKind.PRIMARY, org=org, started_on=since)
                    for index, org, since in placed
                ], batch_size=CHUNK)

    def _write_batch_rows(self, new_indexes=()) -> None:
        """The import's batch rows for a chunk: its new persons (by blind index: one INSERT … SELECT, their
        numbers never travel through Python) and the persons it changed (one bulk insert)."""
        imp, at = self.roster_import, timezone.now()  # after the chunk's changes: listed above them
        if new_indexes:
            meta, qn = ImportedPerson._meta, connection.ops.quote_name
            columns = ", ".join(qn(meta.get_field(k).column) for k in ("roster_import", "person", "action", "at"))
            person = Person._meta
            # Table and column names from the models' metadata, quoted; every value is a parameter.
            sql = (f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
                   f"SELECT %s, {qn(person.pk.column)}, %s, %s FROM {qn(person.db_table)} "
                   f"WHERE {qn(person.get_field('id_number_index').column)} IN ({', '.join(['%s'] * len(new_indexes))})")
            with connection.cursor() as cursor:
                cursor.execute(sql, [imp.pk, ImportedAction.CREATED.value,
                                     meta.get_field("at").get_db_prep_save(at, connection), *new_indexes])
        if self._updated:
            ImportedPerson.objects.bulk_create(
                [ImportedPerson(roster_import=imp, person_id=pk, action=ImportedAction.UPDATED, at=at)
                 for pk in dict.fromkeys(self._updated)], batch_size=CHUNK)
        self._updated = []


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
