"""Excel exports of person lists and 花名册 rosters: columns, masking, escaping, streaming.

The workbook is streamed into a temporary file, one row at a time (`jinqiu.core.xlsx.SheetWriter`, the
one writer of every export), from a queryset read in chunks (`.iterator(chunk_size=...)`, memberships
fetched once per chunk): memory stays bounded whatever the number of rows. The file is Chinese whatever the user's language, since the
roster importer reads the same header words back.

Callers decide who may export and log it (see `export_views`); this module only writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinqiu.core import crypto, idnumber, phones
from jinqiu.core.xlsx import XLSX_TYPE as XLSX_TYPE  # the export views name it through this module
from jinqiu.core.xlsx import Footer, SheetWriter

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

# The 花名册 columns, in order. These words are the file format shared with the roster importer (which maps
# them back), so they are fixed Chinese, not translated.
COLUMNS = [
    "序号", "姓名", "性别", "民族", "身份证号", "出生年月", "原工作单位", "原职务(职级)", "离/退休", "离退休时间",
    "入党时间", "所在党组织", "现居住地址", "联系电话", "健康状况", "居住情况", "备注",
]
WIDTHS = [6, 10, 5, 6, 21, 12, 22, 16, 7, 12, 12, 26, 30, 14, 9, 11, 24]
ID_COLUMN = COLUMNS.index("身份证号")

def date_text(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


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
        writer = SheetWriter(title, WIDTHS, text_columns={ID_COLUMN})
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
        writer = SheetWriter(_("Roster"), WIDTHS, text_columns={ID_COLUMN})
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
