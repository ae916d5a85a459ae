"""Which cells of a legacy .xls workbook (BIFF5/BIFF8, as old Excel and WPS still save it) hold formulas.

The value reader gives a formula cell's cached result, indistinguishable from a typed value, and the
importer must refuse formulas (never evaluate them). So the workbook stream is walked record by record:
BOUNDSHEET records in the globals name each sheet and give the offset of its substream; in a sheet's
substream (BOF ... EOF, charts nested inside it with their own BOF/EOF) every formula cell has a FORMULA
record, shared and array formulas included, that starts with the cell's row and column (0-based).
"""

from __future__ import annotations

import struct
from pathlib import Path

import olefile

BOF_TYPES = {0x0809, 0x0409, 0x0209, 0x0009}
EOF = 0x000A
BOUNDSHEET = 0x0085
FORMULA_TYPES = {0x0006, 0x0206, 0x0406}  # BIFF5-8, BIFF3, BIFF4
FILEPASS = 0x002F
CODEPAGE = 0x0042
WORKSHEET = 0x00


class NotBiff(ValueError):
    """The file is not a readable BIFF workbook."""


class Encrypted(ValueError):
    """The workbook is protected by a password."""


def _records(data: bytes, offset: int = 0):
    end = len(data)
    while offset + 4 <= end:
        kind, length = struct.unpack_from("<HH", data, offset)
        yield offset, kind, data[offset + 4:offset + 4 + length]
        offset += 4 + length


def _stream(path: Path) -> bytes:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    return ole.openstream(name).read()
    except (OSError, ValueError, struct.error) as exc:
        raise NotBiff(str(exc)) from None
    raise NotBiff("no workbook stream")


def _sheet_name(body: bytes, biff8: bool, codepage: str) -> str:
    count = body[6]
    if biff8:
        high_byte = body[7] & 0x01
        raw = body[8:8 + count * (2 if high_byte else 1)]
        return raw.decode("utf-16-le" if high_byte else "latin-1", "replace")
    return body[7:7 + count].decode(codepage, "replace")


def formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """{sheet name: {(row, column), 1-based}} of every worksheet's formula cells."""
    data = _stream(path)
    sheets: list[tuple[str, int]] = []
    biff8 = True
    codepage = "gb18030"
    for offset, kind, body in _records(data):
        if offset == 0:
            if kind not in BOF_TYPES or len(body) < 4:
                raise NotBiff("no BOF record")
            biff8 = struct.unpack_from("<H", body, 0)[0] == 0x0600
        elif kind == FILEPASS:
            raise Encrypted
        elif kind == CODEPAGE and len(body) >= 2:
            number = struct.unpack_from("<H", body, 0)[0]
            codepage = {1200: "utf-16-le", 936: "gb18030", 950: "big5", 65001: "utf-8"}.get(number, "gb18030")
        elif kind == BOUNDSHEET and len(body) >= 8:
            position, _state, sheet_type = struct.unpack_from("<IBB", body, 0)
            if sheet_type == WORKSHEET:
                sheets.append((_sheet_name(body, biff8, codepage), position))
        elif kind == EOF:
            break

    found: dict[str, set[tuple[int, int]]] = {}
    for name, position in sheets:
        cells: set[tuple[int, int]] = set()
        depth = 0
        for _offset, kind, body in _records(data, position):
            if kind in BOF_TYPES:
                depth += 1
            elif kind == EOF:
                depth -= 1
                if depth <= 0:
                    break
            elif kind in FORMULA_TYPES and depth == 1 and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body, 0)
                cells.add((row + 1, col + 1))
        found[name] = cells
    return found
