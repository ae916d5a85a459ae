"""Builds templates/orglife/docx/record_book.docx, the 三会一课 record book that staff may restyle in Word/WPS.

Run `python -m jinqiu.orglife.docx_template` to regenerate it. The placeholders are docxtpl (Jinja)
tags: keep them when editing the layout in Word.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

TARGET = Path(__file__).parent / "templates" / "orglife" / "docx" / "record_book.docx"
COLUMNS = ["日期", "类型", "形式", "地点", "主持人", "主讲人/主题", "应到", "实到", "请假", "补学"]


def build(target: Path = TARGET) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("{{ org }}")
    run.bold = True
    run.font.size = Pt(18)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run("{{ year }} 年度“三会一课”记录簿").font.size = Pt(14)
    doc.add_paragraph("组织类别:{{ kind }}    截至:{{ generated_on }}")
    doc.add_heading("一、应开会议完成情况", level=2)
    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["会议类型", "要求", "完成情况"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in rules %}"
    row = table.rows[2].cells
    row[0].text, row[1].text, row[2].text = "{{ r.name }}", "{{ r.period }}", "{{ r.cells }}"
    end = table.add_row().cells
    end[0].text = "{%tr endfor %}"
    doc.add_heading("二、会议记录", level=2)
    doc.add_paragraph("{%p for m in meetings %}")
    doc.add_paragraph("{{ m.date }}  {{ m.type }}({{ m.mode }})").runs[0].bold = True
    doc.add_paragraph("地点:{{ m.place }}    主持人:{{ m.host }}    {{ m.lesson }}")
    doc.add_paragraph("参加组织:{{ m.orgs }}")
    doc.add_paragraph("应到 {{ m.expected }} 人,实到 {{ m.attended }} 人,请假 {{ m.leave }} 人,送学上门补学 {{ m.made_up }} 人")
    doc.add_paragraph("缺席及请假:{{ m.missing }}")
    doc.add_paragraph("议程:{{ m.agenda }}")
    doc.add_paragraph("会议记录:{{ m.minutes }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("三、出勤统计", level=2)
    doc.add_paragraph("全年应出席 {{ rate.expected }} 人次,实出席 {{ rate.attended }} 人次,出席率 {{ rate.pct }};"
                      "送学上门补学 {{ rate.made_up }} 人次。")
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(target)
    return target


if __name__ == "__main__":
    print(build())
