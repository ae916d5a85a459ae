"""Legacy .xls rosters (old Excel, WPS): read like .xlsx, formulas refused, bad files rejected whole."""

from __future__ import annotations

import struct
from datetime import date, datetime

import olefile
import pytest
import xlwt

from jinqiu.people.models import Membership, Person, RetirementType
from jinqiu.people.rosters import biff, reader
from tests.rosters.files import HEADERS, pid, row
from tests.rosters.test_import import errors, person_count, run

pytestmark = pytest.mark.django_db


def xls(path, rows, *, formulas=(), merges=(), number_ids=(), date_cells=()):
    """A 花名册 as old Excel saves it: merged title, a 填报 line, header on row 3, a 合计 row.

    formulas: (row, column name, formula text); merges: (first row, last row, column name) merged down,
    value from the first row; number_ids: rows whose ID is typed as a number; date_cells: (row, column
    name, date) written as real Excel date cells. Rows are 1-based spreadsheet rows (data starts on 4).
    """
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册", cell_overwrite_ok=True)
    sheet.write_merge(0, 0, 0, len(HEADERS) - 1, "新浦街道离退休干部花名册")
    sheet.write(1, 0, "填报单位：新浦街道")
    sheet.write(1, 4, "填报时间：2026年11月")
    for col, header in enumerate(HEADERS):
        sheet.write(2, col, header)
    merged_away = {(r, HEADERS.index(c)) for first, last, c in merges for r in range(first + 1, last + 1)}
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for i, values in enumerate(rows):
        number = 4 + i
        for col, header in enumerate(HEADERS):
            if (number, col) in merged_away:
                continue
            value = i + 1 if header == "序号" else values.get(header, "")
            if header == "身份证号" and number in number_ids:
                value = int(value)
            sheet.write(number - 1, col, value)
    for number, header, when in date_cells:
        sheet.write(number - 1, HEADERS.index(header), when, date_style)
    for number, header, formula in formulas:
        sheet.write(number - 1, HEADERS.index(header), xlwt.Formula(formula))
    for first, last, header in merges:
        col = HEADERS.index(header)
        sheet.merge(first - 1, last - 1, col, col)
    total = 4 + len(rows)
    sheet.write(total - 1, 0, "合计")
    sheet.write(total - 1, 1, f"{len(rows)}人")
    book.save(str(path))
    return path


def test_xls_roster_is_read_like_an_xlsx_one(world, tmp_path):
    rows = [row("一", pid(date(1950, 1, 1), seq=61), org=world.branch.name, joined="1970"),
            row("張桂蘭", pid(date(1948, 2, 1), "F", 22), gender="女", birth="1948年2月", retire="離休",
                org="", joined="1971"),
            row("三", pid(date(1950, 1, 3), seq=65), org="", joined="")]
    path = xls(tmp_path / "r.xls", rows, merges=[(4, 6, "所在党组织")],
               date_cells=[(6, "入党时间", datetime(1972, 7, 1))])
    a = run(path, world.users["street"], write=True)
    assert a.errors == []
    assert a.counts["new"] == 3 and a.counts["rejected"] == 0
    assert a.filled_down == {"所在党组织": 2}
    zhang = Person.objects.get(name="張桂蘭")
    assert zhang.birth_date == date(1948, 2, 1)
    assert zhang.retirement_type == RetirementType.LIXIU
    assert Membership.objects.filter(org=world.branch, person__name__in=["一", "張桂蘭", "三"]).count() == 3
    assert Person.objects.get(name="三").joined_party_on == date(1972, 7, 1)


def test_xls_formula_cell_is_rejected_never_evaluated(world, tmp_path):
    rows = [row("甲", pid(date(1950, 1, 1), seq=71)), row("乙", pid(date(1950, 1, 2), seq=73))]
    path = xls(tmp_path / "r.xls", rows, formulas=[(5, "所在党组织", '"新东"&"社区"')])
    a = run(path, world.users["street"])
    assert errors(a)[0][:2] == (5, "所在党组织")
    assert "formula" in a.errors[0]["message"]
    assert a.counts["new"] == 1 and a.counts["rejected"] == 1


def test_xls_id_typed_as_a_number_is_rejected(world, tmp_path):
    path = xls(tmp_path / "r.xls", [row("数字", pid(date(1950, 3, 12), seq=11))], number_ids={4})
    a = run(path)
    assert a.counts["rejected"] == 1
    assert "身份证号须为文本格式" in a.errors[0]["message"]


def test_formula_cells_are_found_in_their_own_sheet(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    first, second = book.add_sheet("说明"), book.add_sheet("花名册")
    first.write(0, 0, "本表填写须知")
    second.write(9, 2, xlwt.Formula("1+1"))
    second.write(9, 3, 5)
    book.save(str(tmp_path / "f.xls"))
    assert biff.formula_cells(tmp_path / "f.xls") == {"说明": set(), "花名册": {(10, 3)}}


def test_garbage_named_xls_is_rejected_whole(world, tmp_path):
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook" * 20)
    before = person_count()
    with pytest.raises(reader.FileRejected, match="not a readable .xls workbook"):
        run(path, write=True)
    assert person_count() == before


def test_password_protected_xls_is_rejected_whole(world, tmp_path):
    path = xls(tmp_path / "r.xls", [row()])
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        offset = 0
        while offset < len(data):  # turn the globals' CODEPAGE record into a FILEPASS one of the same size
            kind, length = struct.unpack_from("<HH", data, offset)
            if kind == biff.CODEPAGE:
                struct.pack_into("<H", data, offset, biff.FILEPASS)
                break
            offset += 4 + length
        else:
            pytest.fail("no CODEPAGE record to replace")
        ole.write_stream("Workbook", bytes(data))
    before = person_count()
    with pytest.raises(reader.FileRejected, match="protected by a password"):
        run(path, write=True)
    assert person_count() == before
