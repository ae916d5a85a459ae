"""Every user-visible string has its Chinese, and the committed .mo files match the .po files."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "jinqiu" / "locale"
ENTRY = re.compile(r'^(#, fuzzy\n)?(?:#.*\n)*(?:msgctxt .*\n)?msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?'
                   r'(msgstr(?:\[0\])? ((?:".*"\n?)+))', re.M)


def _entries(lang: str):
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        block = block.strip() + "\n"
        m = ENTRY.search(block)
        if not m:
            continue
        msgid = "".join(ast.literal_eval(line) for line in m.group(2).splitlines())
        msgstr = "".join(ast.literal_eval(line) for line in m.group(4).splitlines())
        if msgid:
            yield msgid, msgstr, bool(m.group(1)), "msgid_plural" in block


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant"])
def test_every_string_is_translated_and_compiled(lang):
    entries = list(_entries(lang))
    assert len(entries) > 400
    untranslated = [mid for mid, mstr, fuzzy, _ in entries if not mstr or fuzzy]
    assert not untranslated, f"{lang}: untranslated or fuzzy: {untranslated[:10]}"
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [mid for mid, mstr, _, plural in entries if not plural and compiled.gettext(mid) != mstr]
    assert not stale, f"{lang}: .mo is older than .po (run make messages): {stale[:5]}"
