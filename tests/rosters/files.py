"""Roster files for the tests, written the way people write them: title rows, merged cells, text IDs."""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path

import openpyxl

from jinqiu.core import idnumber
from jinqiu.people.rosters.columns import CANONICAL_HEADERS

HEADERS = ["序号", *CANONICAL_HEADERS, "居住社区"]  # the community places a person who is not a party member


def pid(birth: date, gender: str = "M", seq: int = 11, region: str = "320706") -> str:
    return idnumber.generate(region_code=region, birth_date=birth, sequence=seq, gender=gender)


def row(name="刘一", id_number=None, *, birth=None, gender="男", org="", retire="退休", joined="", phone="",
        unit="区教育局", **extra) -> dict:
    id_number = id_number if id_number is not None else pid(date(1950, 3, 12), "M" if gender == "男" else "F")
    return {"姓名": name, "性别": gender, "民族": extra.get("ethnicity", "汉族"), "身份证号": id_number,
            "出生年月": birth or "", "原工作单位": unit, "原职务(职级)": extra.get("position", "科员"),
            "离/退休": retire, "离退休时间": extra.get("retired", "2010.03"), "入党时间": joined,
            "所在党组织": org, "现居住地址": extra.get("address", "新东社区1号"), "联系电话": phone,
            "健康状况": extra.get("health", "良好"), "居住情况": extra.get("living", "独居"), "备注": extra.get("note", ""),
            "居住社区": extra.get("community", "新东社区")}


def xlsx(path: Path, rows: list[dict], *, title=True, footer=True, headers=HEADERS, merges=(), extra_sheets=(),
         formulas=()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    for name in extra_sheets:
        wb.create_sheet(name, 0).append(["说明：本表填写须知"])
    if title:
        ws.append(["新浦街道离退休干部花名册"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append(["填报单位：新浦街道", "", "", "", "填报时间：2026年11月"])
    ws.append(headers)
    for i, r in enumerate(rows, start=1):
        ws.append([i if h == "序号" else r.get(h, "") for h in headers])
        for c in ws[ws.max_row]:
            if headers[c.column - 1] == "身份证号" and isinstance(c.value, str):
                c.number_format = "@"
    for cell_ref, formula in formulas:
        ws[cell_ref] = formula
    for ref in merges:
        ws.merge_cells(ref)
    if footer:
        ws.append(["合计", f"{len(rows)}人"])
        ws.append(["导出人：张三　导出时间：2026-11-23 10:00"])
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[dict], *, encoding="utf-8", headers=HEADERS) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["新浦街道离退休干部花名册"])
        w.writerow(headers)
        for i, r in enumerate(rows, start=1):
            w.writerow([i if h == "序号" else r.get(h, "") for h in headers])
    return path


def zip_bomb(path: Path) -> Path:
    """A valid-looking .xlsx whose sheet unpacks to 20 MB of spaces."""
    src = xlsx(path.with_name("seed.xlsx"), [row()])
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (20 * 1024 * 1024), 1)
            zout.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def with_dtd(path: Path, *, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """A valid .xlsx whose `member` XML starts with a DTD declaring nested entities (billion laughs)."""
    src = xlsx(path.with_name("seed-dtd.xlsx"), [row()])
    dtd = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = dtd + (data.split(b"?>", 1)[1].lstrip() if data.startswith(b"<?xml") else data)
                data = data.replace(b"<sheetData>", b"<sheetData>&lol3;", 1) if b"<sheetData>" in data else data
            zout.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return path
