"""The data rows of a roster: the first sheet with a roster header, its columns mapped, merged cells of the
organisation and unit columns filled down, totals, footers and empty lines told apart from data."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from . import columns, reader
from .columns import BY_KEY

if TYPE_CHECKING:
    from .importer import Analysis

HEADER_SCAN_ROWS = 30
_SKIP_WORDS = ("合计", "小计", "总计", "合計", "小計", "總計")
_FOOTER_WORDS = ("导出人", "導出人", "制表人", "填报人", "審核人", "审核人", "填表人", "注：", "注:", "说明")
_SPACES = re.compile(r"\s+")
Rows = Iterator[tuple[int, list[reader.Cell]]]


def is_skippable(cells: list[reader.Cell], mapping: dict[int, str], name_col: int = -1) -> bool:
    """An empty line, a 合计/小计 line, a footer (制表人…) or a lone 序号: not a person."""
    if 0 <= name_col < len(cells) and cells and not cells[name_col].blank:
        # Fast path for the usual row: a name, and no 合计/小计 in the first cell or the name cell.
        first, name = reader.cell_text(cells[0]).lstrip(), reader.cell_text(cells[name_col]).lstrip()
        if not first.startswith(_SKIP_WORDS) and not name.startswith(_SKIP_WORDS + _FOOTER_WORDS):
            return False
    texts = [(i, reader.cell_text(c).strip()) for i, c in enumerate(cells) if not c.blank]
    if not texts:
        return True
    if any(_SPACES.sub("", t).startswith(_SKIP_WORDS) for _i, t in texts):
        return True
    if len(texts) == 1:
        i, t = texts[0]
        compact = _SPACES.sub("", t)
        if compact.startswith(_FOOTER_WORDS):
            return True
        if i not in mapping and compact.isdigit():
            return True  # a 序号 with nothing else
    return False


def find_header(rows: Rows) -> tuple[int, list[reader.Cell]] | None:
    """Consume title rows until the header; returns (row number, cells) or None."""
    for count, (number, cells) in enumerate(rows):
        if count >= HEADER_SCAN_ROWS:
            return None
        if columns.looks_like_header([reader.cell_text(c) for c in cells]):
            return number, cells
    return None


def data_rows(path: Path, file_name: str, analysis: Analysis, mapping: dict[int, str] | None) -> Rows:
    """Yield (row number, cells) of the data rows of the first sheet that has a roster header; the sheet, its
    header and the column mapping go on `analysis`."""
    for sheet in reader.sheets(path, file_name):
        found = find_header(sheet.rows)
        if found is None:
            continue
        _map_columns(sheet, found, analysis, mapping)
        yield from _filled_down(sheet, analysis)
        return
    raise reader.FileRejected(
        _("No sheet of this file has a roster header: a row with at least the columns 姓名 and 身份证号 "
          "within its first %(count)s rows.") % {"count": HEADER_SCAN_ROWS}
    )


def _map_columns(sheet: reader.Sheet, header: tuple[int, list[reader.Cell]], analysis: Analysis,
                 mapping: dict[int, str] | None) -> None:
    header_row, header_cells = header
    analysis.sheet = sheet.name
    analysis.total_rows = sheet.total_rows
    analysis.header_row = header_row
    analysis.headers = [reader.cell_text(c).strip() for c in header_cells]
    analysis.mapping = dict(mapping) if mapping else columns.map_header(analysis.headers)
    missing = [BY_KEY[k].header for k in ("name", "id_number") if k not in analysis.mapping.values()]
    if missing:
        raise reader.MappingIncomplete(
            _("No column is mapped to %(columns)s.") % {"columns": "、".join(missing)},
            headers=analysis.headers, mapping=analysis.mapping, header_row=header_row, sheet=sheet.name)


def _filled_down(sheet: reader.Sheet, analysis: Analysis) -> Rows:
    """The sheet's remaining rows, within the row limit, where vertical merges in the organisation and unit
    columns give the top cell's value to the cells below."""
    fill_cols = {i + 1: k for i, k in analysis.mapping.items() if k in columns.FILL_DOWN_KEYS}
    fill_from: dict[int, list[tuple[int, int]]] = defaultdict(list)  # top row -> [(col, last row)]
    for min_row, min_col, max_row, max_col in sheet.merged:
        for col in fill_cols:
            if min_col <= col <= max_col and max_row > min_row:
                fill_from[min_row].append((col, max_row))
    active: dict[int, tuple[reader.Cell, int]] = {}  # col -> (top cell, last row of the merge)
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    for count, (number, cells) in enumerate(sheet.rows, start=1):
        if count > limit:
            raise reader.FileRejected(_("The file has more than %(limit)s rows; split it into smaller files.")
                                      % {"limit": limit})
        if fill_from:
            for col, last in fill_from.pop(number, ()):
                if col - 1 < len(cells):
                    active[col] = (cells[col - 1], last)
        yield number, (_fill(cells, number, active, fill_cols, analysis) if active else cells)


def _fill(cells: list[reader.Cell], number: int, active: dict[int, tuple[reader.Cell, int]],
          fill_cols: dict[int, str], analysis: Analysis) -> list[reader.Cell]:
    for col, (cell, last) in list(active.items()):
        if number > last:
            del active[col]
            continue
        if col > len(cells):
            cells = cells + [reader.BLANK] * (col - len(cells))
        if cells[col - 1].blank and not cell.blank:
            cells[col - 1] = cell
            label = BY_KEY[fill_cols[col]].header
            analysis.filled_down[label] = analysis.filled_down.get(label, 0) + 1
    return cells
