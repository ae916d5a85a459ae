"""Excel exports of person lists and 花名册 rosters: columns, masking, escaping, streaming.

The workbook is streamed into a temporary file, one row at a time (see `SheetWriter`), from a queryset
read in chunks (`.iterator(chunk_size=...)`, memberships fetched once per chunk): memory stays bounded
whatever the number of rows. The file is Chinese whatever the user's language, since the
roster importer reads the same header words back.

Callers decide who may export and log it (see `export_views`); this module only writes.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinqiu.core import crypto, idnumber, phones

from .models import Gender, Health, Living, Membership, MembershipKind, Person, RetirementType

CHUNK_SIZE = 2000

# What each export is called: the access log keeps the code in its `field` column (for filtering) and
# shows these words.
EXPORT_KINDS = {
    "persons": gettext_lazy("Retired cadres list"),
    "pending": gettext_lazy("Membership relation not settled"),
    "roster": gettext_lazy("Roster"),
    "units": gettext_lazy("Units"),
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The 花名册 columns, in order. These words are the file format shared with the roster importer (which maps
# them back), so they are fixed Chinese, not translated.
COLUMNS = [
    "序号", "姓名", "性别", "民族", "身份证号", "出生年月", "原工作单位", "原职务(职级)", "离/退休", "离退休时间",
    "入党时间", "所在党组织", "现居住地址", "联系电话", "健康状况", "居住情况", "备注",
]
WIDTHS = [6, 10, 5, 6, 21, 12, 22, 16, 7, 12, 12, 26, 30, 14, 9, 11, 24]
ID_COLUMN = COLUMNS.index("身份证号")

# OWASP CSV/formula injection: a text cell starting with one of these is evaluated by some spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape(value: Any) -> Any:
    """A text cell that a spreadsheet could read as a formula gets a leading apostrophe ("'=SUM(1)")."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def date_text(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Footer:
    exported_by: str
    exported_at: datetime.datetime


def _labels() -> dict[str, dict[str, str]]:
    """Enumeration labels in the active language (the caller switches to zh-hans)."""
    return {
        "gender": {str(k): str(v) for k, v in Gender.choices},
        "retirement": {str(k): str(v) for k, v in RetirementType.choices},
        "health": {str(k): str(v) for k, v in Health.choices},
        "living": {str(k): str(v) for k, v in Living.choices},
    }


# What a row reads: plain values, not model instances (building 100,000 Person objects costs more than
# writing the file).
FIELDS = (
    "pk", "name", "gender", "ethnicity", "id_number_masked", "id_number_enc", "birth_date", "original_unit_name",
    "original_unit__name", "original_position", "rank", "retirement_type", "retirement_date", "joined_party_on",
    "address", "mobile", "phone", "health", "living", "note",
)


def _primary_orgs(person_ids: list[int]) -> dict[int, str]:
    """所在党组织 for one chunk: the active primary membership's organisation, or the outside one's name."""
    rows = Membership.objects.filter(
        person_id__in=person_ids, kind=MembershipKind.PRIMARY, ended_on__isnull=True,
    ).values_list("person_id", "org__name", "outside_org_name")
    return {person_id: org_name or outside for person_id, org_name, outside in rows}


def person_row(values: dict[str, Any], number: int, org_name: str, *, full: bool,
               labels: dict[str, dict[str, str]]) -> list[Any]:
    position = values["original_position"]
    if values["rank"]:
        # "(正处级)" when there is no position: the importer reads the bracket back as the rank.
        position = f"{position}({values['rank']})"
    contact = values["mobile"] or values["phone"]
    if full:
        id_text = crypto.decrypt(values["id_number_enc"]) if values["id_number_enc"] else ""
    else:
        id_text = values["id_number_masked"]
        contact = phones.mask_phone(contact)
    return [
        number,
        values["name"],
        labels["gender"].get(values["gender"], values["gender"]),
        values["ethnicity"],
        id_text,
        date_text(values["birth_date"]),
        values["original_unit_name"] or values["original_unit__name"] or "",
        position,
        labels["retirement"].get(values["retirement_type"], values["retirement_type"]),
        date_text(values["retirement_date"]),
        date_text(values["joined_party_on"]),
        org_name,
        values["address"],
        contact,
        labels["health"].get(values["health"], values["health"]),
        labels["living"].get(values["living"], values["living"]),
        values["note"],
    ]


def _chunks(qs: QuerySet[Person], chunk_size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for values in qs.values(*FIELDS).order_by("name", "pk").iterator(chunk_size=chunk_size):
        batch.append(values)
        if len(batch) == chunk_size:
            yield batch
            batch = []
    if batch:
        yield batch


def person_rows(qs: QuerySet[Person], *, full: bool, chunk_size: int = CHUNK_SIZE) -> Iterator[list[Any]]:
    """Rows ordered by name, numbered from 1: one query for the persons (read in chunks), one per chunk for
    their organisations. Enumeration labels in the active language (the writers switch to zh-hans)."""
    labels = _labels()
    number = 0
    for batch in _chunks(qs, chunk_size):
        orgs = _primary_orgs([values["pk"] for values in batch])
        for values in batch:
            number += 1
            yield person_row(values, number, orgs.get(values["pk"], ""), full=full, labels=labels)


def example_row() -> list[Any]:
    """An obviously fictitious person for the template: 示例 in the name, a valid test ID number."""
    labels = _labels()
    birth = datetime.date(1945, 3, 12)
    number = idnumber.generate(region_code="110105", birth_date=birth, sequence=1, gender="M")
    return [
        1, _("Example Person"), labels["gender"][Gender.MALE], _("Han"), number, date_text(birth),
        _("Example Unit"), _("Section chief"), labels["retirement"][RetirementType.TUIXIU],
        date_text(datetime.date(2005, 4, 1)), date_text(datetime.date(1968, 7, 1)),
        _("Example Branch"), _("Example Street 1"), "13800000000", labels["health"][Health.GOOD],
        labels["living"][Living.WITH_SPOUSE], _("This example row is to be deleted before importing."),
    ]


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

    It writes the SpreadsheetML parts itself (inline strings, four cell styles): openpyxl's write-only
    mode took over 60 s for 100,000 rows of 17 columns on the bench machine, this takes a few seconds.
    Every text value is escaped against formulas (`escape`); the ID column is a text cell with format "@".
    """

    def __init__(self, title: str, widths: Iterable[int] = ()) -> None:
        self.sheet_title = _ILLEGAL_XML.sub("", re.sub(r"[\\/?*\[\]:]", " ", title))[:31] or "Sheet1"
        self.handle: IO[bytes] = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (outlives this call)
        self.zip = zipfile.ZipFile(self.handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3)
        self.stream = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.buffer: list[str] = []
        self.rows = 0
        self.text_columns: set[int] = set()
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


def list_title(*, pending: bool = False) -> str:
    """Workbook titles are Chinese, like the rest of the file."""
    with translation.override("zh-hans"):
        return _("Retired cadres whose membership relation is not settled") if pending else _("Retired cadres list")


def roster_title(org_name: str) -> str:
    with translation.override("zh-hans"):
        return _("%(org)s retired cadres roster") % {"org": org_name}


def template_name() -> str:
    with translation.override("zh-hans"):
        return _("Retired cadres roster template")


def unit_table(units: Iterable[Any]) -> tuple[str, list[str], Iterator[list[Any]]]:
    """Title, headers and rows of the units list (units annotated by `units_with_retiree_counts`)."""
    with translation.override("zh-hans"):
        title = _("Units")
        headers = [_("Name"), _("Kind"), _("Region"), _("Retired persons"), _("Retired cadres' party organisation")]
        yes, no = _("Yes"), _("None")

    def rows() -> Iterator[list[Any]]:
        for unit in units:
            with translation.override("zh-hans"):
                kind = unit.get_kind_display()
            yield [unit.name, kind, str(unit.region or ""), unit.retiree_count, yes if unit.has_party_org else no]

    return title, headers, rows()


def write_persons(
    qs: QuerySet[Person], *, title: str, footer: Footer, full: bool, chunk_size: int = CHUNK_SIZE,
) -> tuple[IO[bytes], int]:
    """Title row (merged), header, one row per person, a 合计 row and the footer. Returns (file, row count)."""
    with translation.override("zh-hans"):
        writer = SheetWriter(title, WIDTHS)
        writer.text_columns = {ID_COLUMN}
        writer.title(title, len(COLUMNS))
        writer.append(COLUMNS, bold=True)
        count = 0
        try:
            for row in person_rows(qs, full=full, chunk_size=chunk_size):
                writer.append(row)
                count += 1
        except BaseException:
            writer.discard()  # nothing half-written is left behind, and nothing is logged by the caller
            raise
        writer.append([_("Total persons: %(n)s") % {"n": count}], bold=True)
        writer.footer(footer)
        return writer.save(), count


def write_template() -> IO[bytes]:
    """The header row and one example row, nothing else: fill it in and import it."""
    with translation.override("zh-hans"):
        writer = SheetWriter(_("Roster"), WIDTHS)
        writer.text_columns = {ID_COLUMN}
        writer.append(COLUMNS, bold=True)
        writer.append(example_row())
        return writer.save()


def write_table(
    *, title: str, headers: list[str], rows: Iterable[list[Any]], footer: Footer, widths: Iterable[int] = (),
) -> tuple[IO[bytes], int]:
    """A plain list (units, ...): title, header, rows, a 合计 row and the footer, with the same escaping."""
    with translation.override("zh-hans"):
        writer = SheetWriter(title, widths)
        writer.title(title, len(headers))
        writer.append(headers, bold=True)
        count = 0
        try:
            for row in rows:
                writer.append(row)
                count += 1
        except BaseException:
            writer.discard()
            raise
        writer.append([_("Total rows: %(n)s") % {"n": count}], bold=True)
        writer.footer(footer)
        return writer.save(), count
