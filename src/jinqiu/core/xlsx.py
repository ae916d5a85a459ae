"""The one .xlsx writer of every export, and the one formula escape.

`SheetWriter` streams a one-sheet workbook into a temporary file, row by row: memory does not grow with the
rows. Every text value goes through `escape` (OWASP CSV/formula injection: a text cell starting with one of
`FORMULA_STARTS` gets a leading apostrophe, which the roster importer takes off again). Used by the person
lists, rosters, units and pending exports, the 组织生活 record book and overview, and the roster import's
rejected-rows file.

Why our own writer and not a kept library: `bench/xlsx.py` writes the same 100,000 roster rows with this
writer and with XlsxWriter 3.3.1 in constant-memory mode (its fastest documented configuration), and
XlsxWriter takes about 4 times as long (openpyxl's write-only mode took over 60 s). The writer is small: a
fixed package (content types, relationships, styles, workbook) and one sheet of inline strings, four styles.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP CSV/formula injection: a text cell starting with one of these is evaluated by some spreadsheets.
# The roster importer (people/rosters/columns.py `unescape`) reads "'=..." back as "=..." with this list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape(value: Any) -> Any:
    """A text cell that a spreadsheet could read as a formula gets a leading apostrophe ("'=SUM(1)")."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Footer:
    """Who exported the file and when: the last row of every export (导出人…导出时间…)."""

    exported_by: str
    exported_at: datetime.datetime


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = _XML + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = _XML + (
    f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = _XML + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# Cell styles (the s attribute): 0 plain, 1 bold, 2 title (bold 14 pt, centred), 3 text format "@" (49).
STYLE_PLAIN, STYLE_BOLD, STYLE_TITLE, STYLE_TEXT = 0, 1, 2, 3
_STYLES = _XML + (
    f'<styleSheet xmlns="{_NS}">'
    '<fonts count="3"><font><sz val="11"/><name val="宋体"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/></font><font><b/><sz val="14"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center"/></xf>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Characters XML 1.0 cannot hold at all; a CR is kept as a character reference (parsers turn a raw CR into LF).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_XML_SPECIAL = re.compile("[&<>\r]")


def _xml_text(value: str) -> str:
    """Escape for XML text; chained replace() is far faster than str.translate on Chinese text."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [_column_letters(n) for n in range(1, 65)]


class SheetWriter:
    """A one-sheet .xlsx streamed to a temporary file, row by row: memory does not grow with the rows.

    It writes the SpreadsheetML parts itself (inline strings, four cell styles); see the module notes for
    why. Every text value is escaped against formulas (`escape`); `text_columns` (0-based) are text cells
    with format "@" (an ID number stays text when edited).
    """

    def __init__(self, title: str, widths: Iterable[int] = (), *, text_columns: Iterable[int] = ()) -> None:
        self.sheet_title = _ILLEGAL_XML.sub("", re.sub(r"[\\/?*\[\]:]", " ", title))[:31] or "Sheet1"
        self.handle: IO[bytes] = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (outlives this call)
        self.zip = zipfile.ZipFile(self.handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3)
        self.stream = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.buffer: list[str] = []
        self.rows = 0
        self.text_columns: set[int] = set(text_columns)
        self.merged: list[str] = []
        self._attr_cache: dict[tuple, list[str]] = {}
        self.widest = 1
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        self._write(_XML + f'<worksheet xmlns="{_NS}" xmlns:r="{_REL}">'
                    + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")

    def _write(self, text: str) -> None:
        self.buffer.append(text)
        if len(self.buffer) >= 500:
            self.stream.write("".join(self.buffer).encode("utf-8"))
            self.buffer.clear()

    def _attrs(self, bold: bool, style: int | None, width: int) -> list[str]:
        key = (bold, style, width)
        attrs = self._attr_cache.get(key)
        if attrs is None:
            styles = [style if style is not None else STYLE_BOLD if bold else
                      STYLE_TEXT if index in self.text_columns else STYLE_PLAIN for index in range(width)]
            attrs = self._attr_cache[key] = [f' s="{s}"' if s else "" for s in styles]
        return attrs

    def append(self, values: list[Any], *, bold: bool = False, style: int | None = None) -> None:
        self.rows += 1
        row = self.rows
        texts = [v if v.__class__ is str else str(v) for v in values
                 if v is not None and not isinstance(v, bool | int | float)]
        # One check per row, not per cell: most rows need neither cleaning nor XML escaping.
        probe = "".join(texts)
        illegal = _ILLEGAL_XML.search(probe) is not None
        special = _XML_SPECIAL.search(probe) is not None
        attrs = self._attrs(bold, style, len(values))
        cells = []
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{_LETTERS[index]}{row}"{attrs[index]} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{_LETTERS[index]}{row}"{attrs[index]}><v>{value}</v></c>')
            else:
                text = value if value.__class__ is str else str(value)
                if illegal:
                    text = _ILLEGAL_XML.sub("", text)  # before the formula check: "\x00=1" is a formula too
                text = escape(text)
                if special:
                    text = _xml_text(text)
                cells.append(f'<c r="{_LETTERS[index]}{row}"{attrs[index]} t="inlineStr">'
                             f'<is><t xml:space="preserve">{text}</t></is></c>')
        self.widest = max(self.widest, len(values))
        self._write(f'<row r="{row}">{"".join(cells)}</row>')

    def title(self, text: str, span: int) -> None:
        self.append([text], style=STYLE_TITLE)
        if span > 1:
            self.merged.append(f"A{self.rows}:{_LETTERS[span - 1]}{self.rows}")

    def footer(self, footer: Footer) -> None:
        at = timezone.localtime(footer.exported_at).strftime("%Y-%m-%d %H:%M")
        self.append([_("Exported by: %(user)s  Exported at: %(time)s") % {"user": footer.exported_by, "time": at}])

    def discard(self) -> None:
        """Give up on a half-written file: close everything, the temporary file goes with it."""
        for close in (self.stream.close, self.zip.close, self.handle.close):
            with contextlib.suppress(OSError, ValueError):
                close()

    def save(self) -> IO[bytes]:
        """Close the sheet and the package; the temporary file (deleted when closed), rewound for streaming."""
        try:
            merged = "".join(f'<mergeCell ref="{ref}"/>' for ref in self.merged)
            self._write("</sheetData>" + (f'<mergeCells count="{len(self.merged)}">{merged}</mergeCells>'
                                          if merged else "") + "</worksheet>")
            self.stream.write("".join(self.buffer).encode("utf-8"))
            self.stream.close()
            name = _xml_text(self.sheet_title).replace('"', "&quot;")
            self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
            self.zip.writestr("_rels/.rels", _ROOT_RELS)
            self.zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            self.zip.writestr("xl/styles.xml", _STYLES)
            self.zip.writestr("xl/workbook.xml", _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
                              f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
            self.zip.close()
        except BaseException:
            self.discard()
            raise
        self.handle.seek(0)
        return self.handle


def content(writer: SheetWriter) -> bytes:
    """The finished file as bytes, for the small workbooks answered in one piece (record book, rejected rows)."""
    with writer.save() as handle:
        return handle.read()
