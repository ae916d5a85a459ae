"""The one .xlsx writer and the one formula escape (jinqiu.core.xlsx), used by every export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jinqiu.core import xlsx
from jinqiu.people.models import RosterImport
from jinqiu.people.rosters import columns

SRC = Path(__file__).resolve().parents[2] / "src" / "jinqiu"
# Files still holding their own copy, until they import core.xlsx (the importer's `unescape`).
NOT_YET: set[str] = set()


def test_one_list_of_formula_prefixes_in_the_source():
    tuple_literal = re.compile(r"""\(\s*["']=["']\s*,\s*["']\+["']""")
    holders = sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                     if tuple_literal.search(path.read_text(encoding="utf-8")))
    assert [h for h in holders if h not in NOT_YET] == ["core/xlsx.py"]


def test_no_export_builds_its_own_workbook():
    for name in ("people/exports.py", "orglife/exports.py", "people/roster_views.py"):
        text = (SRC / name).read_text(encoding="utf-8")
        assert "openpyxl" not in text and "zipfile" not in text, name


@pytest.mark.parametrize("start", xlsx.FORMULA_STARTS)
def test_every_escaped_prefix_is_read_back_by_the_importer(start):
    value = f"{start}SUM(1)"
    assert xlsx.escape(value) == "'" + value
    assert columns.unescape(xlsx.escape(value)) == value


def test_harmless_values_are_left_alone():
    assert [xlsx.escape(v) for v in ("张三", "1945-03-12", "'引号", 3, None)] == ["张三", "1945-03-12", "'引号", 3, None]


def test_writer_escapes_strips_control_characters_and_keeps_text_columns():
    writer = xlsx.SheetWriter("a/b[c]", [10, 20], text_columns={1})
    writer.title("标题", 3)
    writer.append(["=1+1", "110105194503120011", 7, "a\x07b"])
    ws = load_workbook(io.BytesIO(xlsx.content(writer))).active
    assert ws.title == "a b c "
    assert [c.value for c in ws[2]] == ["'=1+1", "110105194503120011", 7, "ab"]
    assert ws["B2"].number_format == "@" and ws["A1"].font.b and "A1:C1" in ws.merged_cells


def _rejected_import(user, values):
    return RosterImport.objects.create(
        actor=user, file_name="花名册.xlsx", status="committed",
        result={"headers": ["姓名", "备注"], "rejected_rows": [{"values": values, "row": 3, "error": "身份证号有误"}]})


def test_rejected_rows_file_is_written_by_the_one_writer(world, client_for):
    """A control character in a rejected row made openpyxl fail (IllegalCharacterError): the file is written."""
    imp = _rejected_import(world.users["street"], ["坏\x01行", "-1+2"])
    response = client_for("street").get(reverse("rosters:errors", args=[imp.pk]))
    assert response.status_code == 200 and response["Content-Type"] == xlsx.XLSX_TYPE
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("姓名", "备注") and rows[1] == ("坏行", "'-1+2", 3, "身份证号有误")


def test_record_book_with_a_control_character_in_the_minutes(world, client_for):
    """openpyxl refused the record book (IllegalCharacterError) for minutes pasted with a control character."""
    from django.utils import timezone

    from tests.orglife.helpers import hold

    day = timezone.localdate().replace(day=1)
    meeting = hold(world.branch, "dangke", day, topic="=党史")
    type(meeting).objects.filter(pk=meeting.pk).update(minutes="记录\x0b完毕")
    response = client_for("secretary").get(
        reverse("orglife:book_xlsx", kwargs={"pk": world.branch.pk}) + f"?year={day.year}")
    assert response.status_code == 200 and response["Content-Type"] == xlsx.XLSX_TYPE
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    row = next(r for r in rows if r[1] == "党课")
    assert row[-1] == "记录完毕" and "王老师 · =党史" in row  # the lesson cell does not start with "=": as is
