"""The checks of one data row, without the database: cells → a normalised, checked `Candidate`.

Every person field the file can set is checked here with the model's own limit: the normaliser guarantees
types and choices (dates are dates, enumerations come from columns.ENUMS), the lengths are checked
explicitly instead of the model's clean_fields (tests/rosters compares both), and the model's own rule
(Person.clean: joined the party after birth) is checked so that the preview says it too. What needs the
registry (the organisation, the community, an ID number already registered) is the importer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from jinqiu.core import idnumber, phones

from . import columns, reader
from .columns import BY_KEY, CellError

SEP = "\x1f"  # the unit separator: never typed in a cell
MISSING = object()  # a field the file gave no value for

# The person fields an import may set, in preview order.
COMPARED = ("name", "ethnicity", "original_unit_name", "original_position", "rank", "retirement_type", "retirement_date",
            "is_party_member", "joined_party_on", "address", "mobile", "phone", "health", "living", "note")
FIELD_KEYS = ("gender", *COMPARED)
AT = {key: i for i, key in enumerate(FIELD_KEYS)}
_ALL_MISSING = (MISSING,) * len(FIELD_KEYS)

# The model's max_length of each text field; the organisation and the note have the importer's own limits
# (a PartyOrg name; the note is a TextField).
MAX_LEN = {"name": 50, "ethnicity": 20, "original_unit_name": 120, "original_position": 60, "rank": 40,
           "address": 200, "note": 2000, "org": 120, "region": 100, "mobile": 20, "phone": 20, "position_rank": 103}
LIMITS = {key: MAX_LEN.get(key, 200) for key in BY_KEY}
_TEXT, _FORMULA, _NUMBER, _EMPTY = reader.TEXT, reader.FORMULA, reader.NUMBER, reader.EMPTY
_ENUM_KEYS = ("gender", "retirement_type", "health", "living")
_DATE_KEYS = ("retirement_date", "joined_party_on")
_FREE_TEXT_KEYS = ("ethnicity", "original_unit_name", "address", "note")
_POOLED = frozenset(("ethnicity", "original_unit_name"))


@dataclass(slots=True)
class Candidate:
    row: int
    raw: str  # the original cells as text joined by SEP (one string, not one per cell), for the error report
    fields: tuple  # values in FIELD_KEYS order, MISSING where the file gave none
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

    def has_error_in(self, column: str) -> bool:
        return any(c == column for c, _m in self.errors or ())


def too_long_message(limit: int) -> str:
    return _("Too long: at most %(n)s characters.") % {"n": limit}


def candidate(number: int, cells: list[reader.Cell], mapping: dict[int, str], width: int,
              today: date | None = None, pool: dict[str, str] | None = None) -> Candidate:
    """One data row, normalised and checked; `pool` shares the strings that repeat down a column (民族, 原工作单位,
    职务, 所在党组织): one string for 100,000 "汉族", not 100,000 equal ones."""
    pool = {} if pool is None else pool
    cand = Candidate(row=number, raw=_raw(cells, width), fields=())
    row = _Row(cand, cells, mapping)
    f: dict[str, Any] = {}
    name = row.text("name")
    if name:
        f["name"] = name  # as written: 張桂蘭 stays 張桂蘭
    elif "name" in row.cells or "name" in mapping.values():
        cand.error("姓名", _("The name is missing."))
    info = _id_number(cand, row.cells.get("id_number"), today)
    _enums(row, f)
    _birth_date(cand, row.cells.get("birth_date"), info)
    if info and f.get("gender") and f["gender"] != info.gender:
        cand.error("性别", _("The gender does not agree with the ID number."))
    _dates(row, f)
    _free_texts(row, f, pool)
    _position_and_rank(row, f, pool)
    _phone(cand, row.text("phone"), f)
    org_name, region_name = row.text("org"), row.text("region")
    cand.org_name, cand.region_name = pool.setdefault(org_name, org_name), pool.setdefault(region_name, region_name)
    if f.get("joined_party_on") or cand.org_name:
        f["is_party_member"] = True
    if info:
        # The model's own rule (Person.clean), checked here so that the preview says it too.
        if f.get("joined_party_on") and f["joined_party_on"] <= info.birth_date:
            cand.error("入党时间", _("The party joining date is before the birth date."))
        f["gender"] = info.gender  # the ID number decides; a disagreeing 性别 is an error above
    cand.fields = tuple(map(f.get, FIELD_KEYS, _ALL_MISSING))  # a tuple: a third of a dict's memory
    return cand


def _raw(cells: list[reader.Cell], width: int) -> str:
    """The row's cells as text, for the report of a rejected row."""
    n = len(cells)
    texts = [v if (v := c.value).__class__ is str else "" if v is None else reader.cell_text(c)
             for c in (cells[:width] if n > width else cells)]
    if n < width:
        texts += [""] * (width - n)
    return SEP.join(texts)


class _Row:
    """A row's mapped cells by field key, and each as trimmed text; a formula cell is an error, never read."""

    __slots__ = ("cand", "cells", "strs")

    def __init__(self, cand: Candidate, cells: list[reader.Cell], mapping: dict[int, str]) -> None:
        self.cand = cand
        self.cells = got = {}
        self.strs = strs = {}
        n, blank = len(cells), reader.BLANK
        for i, key in mapping.items():
            cell = cells[i] if i < n else blank
            value, kind = cell
            if kind == _TEXT:  # the usual cell first
                if value.__class__ is not str:
                    cell = reader.Cell(str(value), _TEXT)
                elif value[:1] == "'":
                    cell = reader.Cell(columns.unescape(value), _TEXT)
                strs[key] = cell.value.strip()
            elif kind == _EMPTY:
                strs[key] = ""
            elif kind == _FORMULA:
                cand.error(BY_KEY[key].header, _("The cell holds a formula (%(formula)s); formulas are never "
                                                 "evaluated: type the value.") % {"formula": str(value)[:40]})
                continue
            else:
                strs[key] = reader.cell_text(cell).strip()
            got[key] = cell

    def text(self, key: str) -> str:
        """The trimmed text of the field's cell, "" (and an error) when it is longer than the field allows."""
        value = self.strs.get(key, "")
        return self.too_long(key) if len(value) > LIMITS[key] else value

    def too_long(self, key: str, limit: int | None = None) -> str:
        self.cand.error(BY_KEY[key].header, too_long_message(limit or LIMITS[key]))
        return ""


def _id_number(cand: Candidate, cell: reader.Cell | None, today: date | None) -> idnumber.IdInfo | None:
    if cell is None or cell.blank:
        if cell is not None:
            cand.error("身份证号", _("The ID number is missing."))
        return None
    if cell.kind == _NUMBER:
        cand.error("身份证号", _("The ID number must be stored as text (身份证号须为文本格式): as a number its last "
                               "digits are already lost. Format the column as text and type the numbers again."))
        return None
    try:
        info = idnumber.parse(reader.cell_text(cell), today=today)
    except idnumber.IdNumberError as exc:
        cand.error("身份证号", str(exc.message))
        return None
    cand.id_number, cand.birth = info.number, info.birth_date
    if info.converted_from_15:
        cand.warn("身份证号", _("A 15-digit ID number was converted to 18 digits: %(number)s.")
                  % {"number": idnumber.mask(info.number)})
    return info


def _enums(row: _Row, f: dict[str, Any]) -> None:
    for key in _ENUM_KEYS:
        value = row.text(key)
        if value:
            try:
                f[key] = columns.parse_enum(key, value)
            except CellError as exc:
                row.cand.error(BY_KEY[key].header, str(exc.message))


def same_date(given: date, precision: str, actual: date) -> bool:
    if precision == "year":
        return given.year == actual.year
    if precision == "month":
        return (given.year, given.month) == (actual.year, actual.month)
    return given == actual


def _birth_date(cand: Candidate, cell: reader.Cell | None, info: idnumber.IdInfo | None) -> None:
    """出生年月 is not stored (the ID number's date is): it must agree with the ID number."""
    if cell is None or cell.blank or (info and cell.value == info.birth_date.isoformat()):
        return  # nothing written, or as the export writes it: the ID number's own date
    try:
        given, precision = columns.parse_date(cell.value)
    except CellError as exc:
        cand.error("出生年月", str(exc.message))
        return
    if info and not same_date(given, precision, info.birth_date):
        cand.error("出生年月", _("The birth date %(given)s does not agree with the ID number (%(date)s).")
                   % {"given": reader.cell_text(cell), "date": info.birth_date.isoformat()})


def _dates(row: _Row, f: dict[str, Any]) -> None:
    for key in _DATE_KEYS:
        cell = row.cells.get(key)
        if cell is not None and not cell.blank:
            try:
                f[key] = columns.parse_date(cell.value)[0]
            except CellError as exc:
                row.cand.error(BY_KEY[key].header, str(exc.message))


def _free_texts(row: _Row, f: dict[str, Any], pool: dict[str, str]) -> None:
    for key in _FREE_TEXT_KEYS:
        value = row.text(key)
        if value:
            f[key] = pool.setdefault(value, value) if key in _POOLED else value


def _position_and_rank(row: _Row, f: dict[str, Any], pool: dict[str, str]) -> None:
    """原职务 and 职级 from their own columns, or from one 原职务(职级) column ("局长(正处级)", as the export writes)."""
    position, rank = columns.split_position(row.text("position_rank"))
    position, rank = row.text("original_position") or position, row.text("rank") or rank
    for key, value in (("original_position", position), ("rank", rank)):
        if len(value) > MAX_LEN[key]:
            row.too_long("position_rank", MAX_LEN[key])
        elif value:
            f[key] = pool.setdefault(value, value)


def _phone(cand: Candidate, phone: str, f: dict[str, Any]) -> None:
    if not phone:
        return
    try:
        normal = phones.normalize_phone(phone)
    except phones.PhoneError as exc:
        cand.error("联系电话", str(exc.message))
        return
    if len(normal) > MAX_LEN["phone"]:  # a landline with a long extension
        cand.error("联系电话", too_long_message(MAX_LEN["phone"]))
    else:
        # normalize_phone gives a mobile's 11 digits (starting with 1) or a landline with its area code
        # (starting with 0): no need to normalise it a second time through phones.is_mobile.
        f["phone" if normal.startswith("0") else "mobile"] = normal


def mark_duplicates(candidates: Iterable[Candidate]) -> None:
    """The same ID number on several rows: each of them is an error naming all of them."""
    by_id: dict[str, Candidate | list[Candidate]] = {}  # a list only for an ID number seen twice
    for cand in candidates:
        if cand.id_number:
            seen = by_id.setdefault(cand.id_number, cand)
            if seen is not cand:
                if isinstance(seen, list):
                    seen.append(cand)
                else:
                    by_id[cand.id_number] = [seen, cand]
    for group in by_id.values():
        if isinstance(group, list):
            rows = "、".join(str(c.row) for c in group)
            for cand in group:
                cand.error("身份证号", _("The same ID number appears in rows %(rows)s.") % {"rows": rows})
