"""Our hand-written .xlsx writer against XlsxWriter (constant-memory mode) on the same 100,000 roster rows.

Both write the same workbook: a merged bold title row, a bold header, 100,000 rows of the 花名册's 17
columns (the ID column as text with format "@"), a bold 合计 row, column widths, into a temporary file.
XlsxWriter runs in its fastest documented configuration ({"constant_memory": True}) with strings kept as
strings (strings_to_formulas/numbers/urls False). Both run in the same process, interleaved, best of 3,
and every text value goes through the same formula escape. On a shared machine compare the ratio, not
the absolute times.

Output:
    BENCH xlsx_ours <s> s
    BENCH xlsx_xlsxwriter <s> s
    BENCH xlsx_ratio <xlsxwriter/ours> x
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

ROWS = int(os.environ.get("BENCH_XLSX_ROWS", "100000"))
ROUNDS = 3
COLUMNS = [
    "序号", "姓名", "性别", "民族", "身份证号", "出生年月", "原工作单位", "原职务(职级)", "离/退休", "离退休时间",
    "入党时间", "所在党组织", "现居住地址", "联系电话", "健康状况", "居住情况", "备注",
]
WIDTHS = [6, 10, 5, 6, 21, 12, 22, 16, 7, 12, 12, 26, 30, 14, 9, 11, 24]
ID_COLUMN = 4
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘於蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["桂兰", "秀英", "建国", "志强", "淑珍", "国华", "玉梅", "德明", "振华", "凤英", "永福", "丽华", "长春", "金凤"]
def rows() -> list[list]:
    """Rows as `person_rows` yields them (masked values, dates as text), built once, outside the timing."""
    out = []
    for i in range(1, ROWS + 1):
        out.append([
            i, SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)], "男" if i % 2 else "女", "汉族",
            f"3207**********{i % 10000:04d}", f"19{40 + i % 20}-0{1 + i % 9}-1{i % 10}", "连云港市某某局",
            "科长(正科级)", "退休" if i % 3 else "离休", f"20{i % 20:02d}-04-01", f"196{i % 10}-07-01",
            f"新东街道第{i % 50 + 1}党支部", f"海州区某某路{i % 300}号{i % 7}幢", f"138****{i % 10000:04d}",
            "良好", "与配偶同住", "" if i % 5 else "=需核对" if i % 10 == 0 else "行动不便",
        ])
    return out


def ours(data: list[list]) -> None:
    from jinqiu.core.xlsx import STYLE_TITLE, SheetWriter

    writer = SheetWriter("某某党支部离退休干部花名册", WIDTHS, text_columns={ID_COLUMN})
    writer.append(["某某党支部离退休干部花名册"], style=STYLE_TITLE)
    writer.merged.append("A1:Q1")
    writer.append(COLUMNS, bold=True)
    for row in data:
        writer.append(row)
    writer.append([f"合计：{len(data)}人"], bold=True)
    writer.save().close()


def xlsxwriter(data: list[list]) -> None:
    import xlsxwriter as xw

    from jinqiu.core.xlsx import escape

    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        wb = xw.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                  "strings_to_numbers": False, "strings_to_urls": False, "in_memory": False})
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "font_name": "宋体"})
        bold = wb.add_format({"bold": True, "font_name": "宋体"})
        text = wb.add_format({"num_format": "@", "font_name": "宋体"})
        ws = wb.add_worksheet("某某党支部离退休干部花名册")
        for index, width in enumerate(WIDTHS):
            ws.set_column(index, index, width, text if index == ID_COLUMN else None)
        ws.merge_range(0, 0, 0, len(COLUMNS) - 1, "某某党支部离退休干部花名册", title)
        ws.write_row(1, 0, COLUMNS, bold)
        r = 2
        write_string, write_number = ws.write_string, ws.write_number
        for row in data:
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, int | float):
                    write_number(r, c, value)
                else:
                    write_string(r, c, escape(value), text if c == ID_COLUMN else None)
            r += 1
        ws.write_string(r, 0, f"合计：{len(data)}人", bold)
        wb.close()


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinqiu.settings")
    os.environ.setdefault("JINQIU_DATA_DIR", tempfile.mkdtemp())
    django.setup()
    import xlsxwriter as xw

    data = rows()
    best = {"ours": float("inf"), "xlsxwriter": float("inf")}
    for _ in range(ROUNDS):
        for name, fn in (("ours", ours), ("xlsxwriter", xlsxwriter)):
            started = time.perf_counter()
            fn(data)
            best[name] = min(best[name], time.perf_counter() - started)
    print(f"# {ROWS} rows x {len(COLUMNS)} columns, best of {ROUNDS}, interleaved; XlsxWriter {xw.__version__}")
    print(f"# {platform.platform()} {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    print(f"BENCH xlsx_ours {best['ours']:.2f} s")
    print(f"BENCH xlsx_xlsxwriter {best['xlsxwriter']:.2f} s")
    print(f"BENCH xlsx_ratio {best['xlsxwriter'] / best['ours']:.2f} x")


if __name__ == "__main__":
    main()
