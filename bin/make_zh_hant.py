#!/usr/bin/env python
"""Build the Traditional Chinese catalogue from the Simplified Chinese one.

    python bin/make_zh_hant.py [--check]

Reads  src/jinqiu/locale/zh_Hans/LC_MESSAGES/django.po
writes src/jinqiu/locale/zh_Hant/LC_MESSAGES/django.po

Every msgid is copied unchanged; every msgstr is converted with OpenCC "s2t".
Fuzzy zh_Hans entries are carried over empty, with a warning.
Placeholders (%(name)s, %(n)d, {{ n }}, ...) are ASCII and OpenCC leaves ASCII
alone; the script checks that each converted msgstr keeps exactly the same
placeholders and refuses to write the file otherwise.  A few strings are kept
verbatim (language names shown in their own script).  The header's Language
and Plural-Forms are set for zh_Hant; "fuzzy" flags are dropped.

After running it, compile with ``manage.py compilemessages`` from
src/jinqiu (the project dir).  With --check it only reports what would change.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "jinqiu" / "locale"
SRC = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
DST = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"

# msgids whose translation must not be converted: the language switcher shows
# each language's name in that language's own script.
KEEP_VERBATIM = {"简体中文", "繁體中文", "English"}

# Character fix-ups applied after OpenCC.  s2t produces OpenCC's "standard"
# (Kangxi-dictionary) forms for a few characters, which readers of Traditional
# script today see as old-fashioned; map them to the forms in common use (the
# same ones s2tw/s2hk produce).  Vocabulary stays mainland (no s2twp phrases):
# the users are mainland retired cadres who prefer the Traditional script.
FIXUPS: dict[str, str] = {
    "爲": "為",
    "牀": "床",
    "啓": "啟",
    "衆": "眾",
    "羣": "群",
    "綫": "線",
    "峯": "峰",
    "賬號": "帳號",
}

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{\{.*?\}\}|\{[^{}]*\}")


# --- minimal PO reader / writer (polib is not a dependency) -----------------

_ESC = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(s: str) -> str:
    s = s.strip()
    if not (s.startswith('"') and s.endswith('"')):
        raise ValueError(f"not a PO string: {s!r}")
    s, out, i = s[1:-1], [], 0
    while i < len(s):
        if s[i] == "\\":
            out.append(_ESC[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


class Entry:
    def __init__(self):
        self.comments: list[str] = []   # raw lines starting with '#'
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr = ""                 # singular entries
        self.msgstr_plural: dict[int, str] = {}

    @property
    def flags(self) -> list[str]:
        out = []
        for c in self.comments:
            if c.startswith("#,"):
                out += [f.strip() for f in c[2:].split(",") if f.strip()]
        return out

    def drop_flag(self, flag: str) -> None:
        new = []
        for c in self.comments:
            if c.startswith("#,"):
                fl = [f.strip() for f in c[2:].split(",") if f.strip() and f.strip() != flag]
                if fl:
                    new.append("#, " + ", ".join(fl))
            else:
                new.append(c)
        self.comments = new

    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[k] for k in sorted(self.msgstr_plural)]
        return [self.msgstr]


def parse(text: str) -> list[Entry]:
    entries, cur, field = [], None, None
    for line in text.splitlines():
        if not line.strip():
            if cur is not None:
                entries.append(cur)
            cur, field = None, None
            continue
        if cur is None:
            cur = Entry()
        if line.startswith("#"):
            cur.comments.append(line)
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$', line)
        if m:
            key, idx, val = m.group(1), m.group(2), _unquote(m.group(3))
            if idx is not None:
                field = ("plural", int(idx))
                cur.msgstr_plural[int(idx)] = val
            else:
                field = key
                setattr(cur, key, val)
            continue
        if line.startswith('"'):
            val = _unquote(line)
            if isinstance(field, tuple):
                cur.msgstr_plural[field[1]] += val
            else:
                setattr(cur, field, getattr(cur, field) + val)
            continue
        raise ValueError(f"cannot parse PO line: {line!r}")
    if cur is not None:
        entries.append(cur)
    return entries


def _field(key: str, value: str) -> list[str]:
    parts = value.split("\n")
    if len(parts) > 1 and parts[-1] == "":
        parts = [p + "\n" for p in parts[:-1]]
    else:
        parts = [p + "\n" for p in parts[:-1]] + [parts[-1]]
    if len(parts) == 1 and len(key) + len(_quote(value)) < 80:
        return [f"{key} {_quote(value)}"]
    return [f'{key} ""'] + [_quote(p) for p in parts]


def dump(entries: list[Entry]) -> str:
    blocks = []
    for e in entries:
        lines = list(e.comments)
        if e.msgctxt is not None:
            lines += _field("msgctxt", e.msgctxt)
        lines += _field("msgid", e.msgid)
        if e.msgid_plural is not None:
            lines += _field("msgid_plural", e.msgid_plural)
            for k in sorted(e.msgstr_plural):
                lines += _field(f"msgstr[{k}]", e.msgstr_plural[k])
        else:
            lines += _field("msgstr", e.msgstr)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def normalise(text: str) -> str:
    """Wrap lines the way makemessages/msgmerge do (GNU msgcat), so that a later
    makemessages run produces no spurious diff.  Also validates the syntax."""
    if not shutil.which("msgcat"):
        return text
    done = subprocess.run(["msgcat", "-"], input=text.encode("utf-8"), capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def set_header(entries: list[Entry], language: str) -> None:
    head = entries[0]
    assert head.msgid == "", "first entry must be the PO header"
    fields = [ln for ln in head.msgstr.split("\n") if ln]
    wanted = {"Language": language, "Plural-Forms": "nplurals=1; plural=0;"}
    out, seen = [], set()
    for ln in fields:
        k = ln.split(":", 1)[0]
        if k in wanted:
            out.append(f"{k}: {wanted[k]}")
            seen.add(k)
        else:
            out.append(ln)
    out += [f"{k}: {v}" for k, v in wanted.items() if k not in seen]
    head.msgstr = "\n".join(out) + "\n"
    head.drop_flag("fuzzy")


# --- conversion ---------------------------------------------------------------

def placeholders(s: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(s))


def convert_entries(entries: list[Entry], cc) -> list[str]:
    problems = []

    def conv(msgid: str, s: str) -> str:
        if msgid in KEEP_VERBATIM:
            return s
        t = cc.convert(s)
        for a, b in FIXUPS.items():
            t = t.replace(a, b)
        if placeholders(t) != placeholders(s):
            problems.append(f"placeholders changed in {msgid!r}: {s!r} -> {t!r}")
        if re.sub(r"[^\x00-\x7f]", "", t) != re.sub(r"[^\x00-\x7f]", "", s):
            problems.append(f"ASCII text changed in {msgid!r}: {s!r} -> {t!r}")
        return t

    for e in entries[1:]:
        e.drop_flag("fuzzy")
        if e.msgid_plural is not None:
            e.msgstr_plural = {k: conv(e.msgid, v) for k, v in e.msgstr_plural.items()}
        else:
            e.msgstr = conv(e.msgid, e.msgstr)
    return problems


def main(argv: list[str]) -> int:
    check = "--check" in argv
    entries = parse(SRC.read_text(encoding="utf-8"))
    # A fuzzy zh_Hans entry is msgmerge's guess from a similar old string, not a
    # translation: carry it over empty (Django then shows the English source).
    fuzzy = [e for e in entries[1:] if "fuzzy" in e.flags]
    for e in fuzzy:
        print(f"warning: fuzzy zh_Hans entry not converted: {e.msgid!r}", file=sys.stderr)
        e.msgstr = ""
        e.msgstr_plural = {k: "" for k in e.msgstr_plural}
    empty = [e.msgid for e in entries[1:] if any(not t for t in e.translations())]
    if empty:
        print(f"warning: {len(empty)} untranslated zh_Hans entries (left empty in zh_Hant):", file=sys.stderr)
        for m in empty:
            print(f"  {m!r}", file=sys.stderr)
    problems = convert_entries(entries, opencc.OpenCC("s2t"))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    set_header(entries, "zh_Hant")
    text = normalise(dump(entries))
    if check:
        old = DST.read_text(encoding="utf-8") if DST.exists() else ""
        print("up to date" if old == text else f"{DST} would change")
        return 0
    DST.parent.mkdir(parents=True, exist_ok=True)
    DST.write_text(text, encoding="utf-8")
    n = sum(1 for e in entries[1:] if all(e.translations()))
    print(f"wrote {DST.relative_to(ROOT)}: {len(entries) - 1} entries, {n} translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
