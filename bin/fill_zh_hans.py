#!/usr/bin/env python
"""Fill Simplified Chinese translations from a JSON file of {msgid: msgstr}.

    python bin/fill_zh_hans.py TRANSLATIONS.json [...]

Run after `makemessages` has added the new msgids (`make messages TRANSLATIONS=file.json` does both,
then derives 繁體 and compiles). A msgid missing from the catalogue is reported, not added: the
catalogue only holds strings the code uses. Existing translations are replaced by the file's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src" / "jinqiu" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(paths: list[str]) -> int:
    catalogue = polib.pofile(str(PO), wrapwidth=0)
    by_id = {entry.msgid: entry for entry in catalogue}
    unknown = []
    for path in paths:
        for msgid, msgstr in json.loads(Path(path).read_text(encoding="utf-8")).items():
            entry = by_id.get(msgid)
            if entry is None:
                unknown.append(msgid)
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: msgstr}
            else:
                entry.msgstr = msgstr
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save(str(PO))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    for msgid in unknown:
        print(f"not in the catalogue (unused?): {msgid!r}", file=sys.stderr)
    for msgid in missing:
        print(f"still untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
