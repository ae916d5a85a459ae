"""Streaming readers for .xlsx, .xls and .csv with limits; each yields rows of `Cell`s with their row number.

A cell keeps what kind it was (text, number, date, formula) because the importer must tell an ID
number typed as a number (its digits are lost) from one typed as text, and never evaluate a formula.
Limits (settings.ROSTER_IMPORT_*) are checked before anything is parsed where possible: file size,
sheet count, zip expansion (total and ratio); the row limit while reading.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TEXT, NUMBER, DATE, FORMULA, EMPTY = "s", "n", "d", "f", ""
SUFFIXES = (".xlsx", ".xls", ".csv")


class FileRejected(ValueError):  # noqa: N818 - the file is rejected, as users say it
    """The whole file is refused; ``message`` says why, in words for the user."""

    def __init__(self, message) -> None:
        message = str(message)  # in the language active where it was raised
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class MappingIncomplete(FileRejected):
    """The header was found but 姓名 or 身份证号 is not mapped: the user can map the columns by hand."""

    def __init__(self, message, *, headers: list[str], mapping: dict[int, str], header_row: int, sheet: str) -> None:
        super().__init__(message)
        self.headers, self.mapping, self.header_row, self.sheet = headers, mapping, header_row, sheet


class Cell(NamedTuple):
    """A cell's value and kind. A tuple, not a dataclass: a 100,000-row sheet makes 1.7 million of them."""

    value: object
    kind: str

    @property
    def blank(self) -> bool:
        return self.kind == EMPTY or (self.kind == TEXT and not str(self.value).strip())


BLANK = Cell(None, EMPTY)


def cell_text(cell: Cell) -> str:
    """A cell as the text a person reads: a date in ISO form, a whole number without ".0"."""
    if cell.kind == EMPTY or cell.value is None:
        return ""
    if cell.kind == DATE:
        return cell.value.isoformat() if hasattr(cell.value, "isoformat") else str(cell.value)
    if cell.kind == NUMBER and isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return str(cell.value)


@dataclass
class Sheet:
    name: str
    rows: Iterator[tuple[int, list[Cell]]]
    merged: list[tuple[int, int, int, int]]  # (min_row, min_col, max_row, max_col), 1-based
    total_rows: int | None  # as the file declares it, for progress


def limits() -> dict[str, int]:
    return {
        "max_bytes": settings.ROSTER_IMPORT_MAX_BYTES,
        "max_rows": settings.ROSTER_IMPORT_MAX_ROWS,
        "max_sheets": settings.ROSTER_IMPORT_MAX_SHEETS,
        "max_zip_ratio": settings.ROSTER_IMPORT_MAX_ZIP_RATIO,
        "max_zip_bytes": settings.ROSTER_IMPORT_MAX_ZIP_BYTES,
    }


def check_name(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileRejected(
            _("“%(name)s” cannot be imported: only .xlsx, .xls and .csv files are accepted (a .xlsm file with "
              "macros is not).") % {"name": file_name}
        )
    return suffix


def check_size(size: int) -> None:
    limit = settings.ROSTER_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(_("The file is %(size)s MB; at most %(limit)s MB can be imported.")
                           % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)})
    if size == 0:
        raise FileRejected(_("The file is empty."))


def sheets(path: Path, file_name: str) -> Iterator[Sheet]:
    """Every sheet of the file in order; a CSV is one sheet."""
    suffix = check_name(file_name)
    check_size(path.stat().st_size)
    if suffix == ".xlsx":
        yield from _xlsx(path)
    elif suffix == ".xls":
        yield from _xls(path)
    else:
        yield Sheet(file_name, _csv(path), [], None)


def _limit_rows(rows: Iterator[tuple[int, list[Cell]]]) -> Iterator[tuple[int, list[Cell]]]:
    """A hard stop while reading: the row limit plus room for title rows (the importer counts data rows)."""
    limit = settings.ROSTER_IMPORT_MAX_ROWS + 50
    for count, item in enumerate(rows, start=1):
        if count > limit:
            raise FileRejected(_("The file has more than %(limit)s rows; split it into smaller files.")
                               % {"limit": settings.ROSTER_IMPORT_MAX_ROWS})
        yield item


# ---- xlsx -----------------------------------------------------------------------------------------

def _check_zip(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRejected(_("The file is not a readable .xlsx workbook.")) from None
    names = set()
    total = 0
    for info in archive.infolist():
        names.add(info.filename)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1048576 and ratio > settings.ROSTER_IMPORT_MAX_ZIP_RATIO:
            raise FileRejected(_("The workbook expands %(ratio)s times when unpacked; this looks like a zip "
                                 "bomb and is refused.") % {"ratio": int(ratio)})
    if total > settings.ROSTER_IMPORT_MAX_ZIP_BYTES:
        raise FileRejected(_("The workbook unpacks to %(size)s MB; at most %(limit)s MB is accepted.")
                           % {"size": total // 1048576, "limit": settings.ROSTER_IMPORT_MAX_ZIP_BYTES // 1048576})
    if "xl/vbaProject.bin" in names:
        raise FileRejected(_("The workbook contains macros (.xlsm): save it as a plain .xlsx workbook."))
    if "xl/workbook.xml" not in names:
        raise FileRejected(_("The file is not a readable .xlsx workbook."))
    return archive


_DTD = (b"<!DOCTYPE", b"<!ENTITY")


def _dtd_rejected(member: str) -> FileRejected:
    return FileRejected(_("The workbook part %(part)s declares a document type (DTD) or entities, which a "
                          "spreadsheet never needs: the file is refused. Open it in Excel or WPS and save it "
                          "again as a .xlsx workbook.") % {"part": member[:80]})


def _has_dtd(buffer: bytes) -> bool:
    return b"<!" in buffer and any(word in buffer for word in _DTD)


def _refuse_dtd(archive: zipfile.ZipFile, scanned_later: set[str]) -> None:
    """No XML part of a workbook has a document type: one that declares one (or entities: "billion
    laughs", external files) is refused before any parser sees it. Excel and WPS never write one.

    Every part is scanned whole, in chunks (what the zip limits allow to be unpacked at all), except the
    sheets in `scanned_later`: `_scan_sheet` reads those whole anyway, before calamine parses them, and
    checks each chunk there (a second pass over a 100 MB sheet costs a second).
    """
    for info in archive.infolist():
        if info.is_dir() or info.filename in scanned_later:
            continue
        tail = b""
        with archive.open(info) as handle:
            while chunk := handle.read(1 << 20):
                buffer = tail + chunk
                if _has_dtd(buffer):
                    raise _dtd_rejected(info.filename)
                tail = buffer[-16:]


_REF = re.compile(r"^([A-Z]+)(\d+)$")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TEXT = re.compile(rb"[^>/]*>([^<]{0,2000})<")  # anchored by .match(); a shared <f/> has no text
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_OVERLAP = 8192


def _col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML member, from workbook.xml and its relationships (both small)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    rels = {}
    try:
        tree = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in tree:
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[rel.get("Id")] = target
        book = fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, SyntaxError, DefusedXmlException):
        return {}
    found = {}
    for elem in book.iter():
        if elem.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in elem.attrib.items() if k.endswith("}id")), None)
            if rid in rels:
                found[elem.get("name", "")] = rels[rid]
    return found


def _scan_sheet(archive: zipfile.ZipFile, member: str) -> tuple[dict[tuple[int, int], str],
                                                                 list[tuple[int, int, int, int]]]:
    """Formula cells (with their text) and merged ranges, by a byte scan of the sheet XML in chunks."""
    formulas: dict[tuple[int, int], str] = {}
    merged: list[tuple[int, int, int, int]] = []
    try:
        handle = archive.open(member)
    except KeyError:
        return formulas, merged
    tail = b""
    with handle:
        while chunk := handle.read(1 << 20):
            buffer = tail + chunk
            if _has_dtd(buffer):
                raise _dtd_rejected(member)
            # Most sheets hold no formula and one merge list at the end: a plain substring search (memchr
            # speed) skips the regular expressions for every chunk that cannot match them.
            has_formula = b"<f" in buffer or b":f" in buffer
            for m in _FORMULA_TAG.finditer(buffer) if has_formula else ():
                start = buffer.rfind(b"<c ", 0, m.start())
                if start == -1:
                    start = max(buffer.rfind(b":c ", 0, m.start()) - 10, 0)
                ref = _CELL_REF.search(buffer, start, m.start())
                if ref:
                    body = _FORMULA_TEXT.match(buffer, m.end() - 1)
                    text = html.unescape(body.group(1).decode("utf-8", "replace")) if body else ""
                    formulas[(int(ref.group(2)), _col_number(ref.group(1)))] = "=" + text
            for m in _MERGE.finditer(buffer) if b"mergeCell" in buffer else ():
                item = (int(m.group(2)), _col_number(m.group(1)), int(m.group(4)), _col_number(m.group(3)))
                if item not in merged:
                    merged.append(item)
            tail = buffer[-_OVERLAP:]
    return formulas, merged


def _xlsx(path: Path) -> Iterator[Sheet]:
    """Values through calamine (fast, typed: text, number, date); formulas and merges from the raw XML."""
    archive = _check_zip(path)
    members = _sheet_members(archive)  # defusedxml: a DTD there is refused, and named just below
    try:
        _refuse_dtd(archive, set(members.values()))
    except FileRejected:
        archive.close()
        raise
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - any parse failure means "not a workbook we can read"
        archive.close()
        raise FileRejected(_("The file is not a readable .xlsx workbook.")) from None
    try:
        if len(workbook.sheet_names) > settings.ROSTER_IMPORT_MAX_SHEETS:
            raise FileRejected(_("The workbook has %(count)s sheets; at most %(limit)s are accepted.")
                               % {"count": len(workbook.sheet_names), "limit": settings.ROSTER_IMPORT_MAX_SHEETS})
        for name in workbook.sheet_names:
            formulas, merged = _scan_sheet(archive, members.get(name, ""))
            sheet = workbook.get_sheet_by_name(name)
            yield Sheet(name, _limit_rows(_calamine_rows(sheet, formulas)), merged, sheet.height)
    finally:
        workbook.close()
        archive.close()


# ---- xls -----------------------------------------------------------------------------------------

def _xls(path: Path) -> Iterator[Sheet]:
    """Values through calamine (a formula cell gives its cached result); formula cells from the BIFF records."""
    from . import biff

    try:
        formula_cells = biff.formula_cells(path)
    except biff.Encrypted:
        raise FileRejected(_("The .xls workbook is protected by a password: remove the password and save it "
                             "again.")) from None
    except biff.NotBiff:
        raise FileRejected(_("The file is not a readable .xls workbook.")) from None
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001
        raise FileRejected(_("The file is not a readable .xls workbook.")) from None
    if len(workbook.sheet_names) > settings.ROSTER_IMPORT_MAX_SHEETS:
        raise FileRejected(_("The workbook has %(count)s sheets; at most %(limit)s are accepted.")
                           % {"count": len(workbook.sheet_names), "limit": settings.ROSTER_IMPORT_MAX_SHEETS})
    try:
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            merged = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (sheet.merged_cell_ranges or [])]
            formulas = dict.fromkeys(formula_cells.get(name, ()), "=…")
            yield Sheet(name, _limit_rows(_calamine_rows(sheet, formulas)), merged, sheet.height)
    finally:
        workbook.close()


def _calamine_cell(value: object) -> Cell:
    if value is None or value == "":
        return BLANK
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return Cell(value, DATE)
    if isinstance(value, bool):
        return Cell(value, TEXT)
    if isinstance(value, (int, float)):
        return Cell(value, NUMBER)
    return Cell(str(value), TEXT)


def _calamine_rows(sheet, formulas: dict[tuple[int, int], str]) -> Iterator[tuple[int, list[Cell]]]:
    first_row, first_col = sheet.start or (0, 0)
    pad = [BLANK] * first_col
    formula_rows = {number for number, _col in formulas}
    text, new_tuple = str, tuple.__new__
    # A column repeats its words (男, 汉族, 退休, the unit...): one Cell per distinct text, within a bound;
    # the empty string is the blank cell.
    shared: dict[str, Cell] = {"": BLANK}
    known = shared.get

    def text_cell(value: str) -> Cell:
        if len(shared) >= 20000:
            shared.clear()
            shared[""] = BLANK
        cell = shared[value] = new_tuple(Cell, (value, TEXT))  # Cell(value, TEXT), without its Python __new__
        return cell

    for offset, row in enumerate(sheet.iter_rows()):
        number = first_row + 1 + offset
        # The usual cell is a string seen before, or new: a TEXT cell without the type tests of _calamine_cell.
        cells = [known(v) or (text_cell(v) if v.__class__ is text else _calamine_cell(v)) for v in row]
        if pad:
            cells[:0] = pad
        if number in formula_rows:
            for col in range(first_col + 1, len(cells) + 1):
                if (number, col) in formulas:
                    cells[col - 1] = Cell(formulas[(number, col)], FORMULA)
        yield number, cells


# ---- csv -----------------------------------------------------------------------------------------

def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as UTF-8, else GB18030; streamed."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


def _csv(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    encoding = csv_encoding(path)
    with path.open("rb") as raw:
        handle = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        reader = csv.reader(handle)
        try:
            for i, values in _limit_rows(enumerate(reader, start=1)):
                cells = []
                for v in values:
                    if not v.strip():
                        cells.append(BLANK)
                    elif v.startswith("="):
                        cells.append(Cell(v, FORMULA))  # Excel would evaluate it on opening
                    else:
                        cells.append(Cell(v, TEXT))
                yield i, cells
        except UnicodeDecodeError:
            raise FileRejected(_("The CSV file is neither UTF-8 nor GB18030 text.")) from None
        except csv.Error as exc:
            raise FileRejected(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
