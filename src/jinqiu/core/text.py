"""Search keys for Chinese names: as written, simplified, full pinyin and initials.

pypinyin 0.55 has no surname mode: it reads 单 as "dan" and 曾 as "ceng", while as surnames they are
"shan" and "zeng". The surname readings below come first; the common reading is kept as a variant so
that either spelling finds the name. Compound surnames (欧阳, 尉迟, ...) take the first two characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice, product

import opencc
from pypinyin import lazy_pinyin
from pypinyin.seg.simpleseg import seg as simple_cut

__all__ = [
    "COMPOUND_SURNAMES",
    "SURNAME_READINGS",
    "name_keys",
    "normalize_query",
    "search_text",
    "to_simplified",
]

# Compound surnames with their (fixed) surname reading.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"),
    "司徒": ("si", "tu"),
    "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"),
    "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"),
    "长孙": ("zhang", "sun"),
    "宇文": ("yu", "wen"),
    "令狐": ("ling", "hu"),
    "夏侯": ("xia", "hou"),
    "端木": ("duan", "mu"),
    "轩辕": ("xuan", "yuan"),
    "呼延": ("hu", "yan"),
    "西门": ("xi", "men"),
    "南宫": ("nan", "gong"),
    "独孤": ("du", "gu"),
    "万俟": ("mo", "qi"),
    "闻人": ("wen", "ren"),
    "申屠": ("shen", "tu"),
    "澹台": ("tan", "tai"),
    "钟离": ("zhong", "li"),
    "赫连": ("he", "lian"),
}

# Single-character surnames whose surname reading differs from pypinyin's default reading.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "覃": "qin",
    "盖": "ge",
    "缪": "miao",
    "翟": "zhai",
    "尉": "wei",
    "乐": "yue",
    "宓": "fu",
    "繁": "po",
    "种": "chong",
    "秘": "bi",
    "员": "yun",
    "能": "nai",
    "召": "shao",
    "折": "she",
    "长": "chang",
    "重": "chong",
    "隗": "wei",
    "句": "gou",
    "祭": "zhai",
    "郇": "huan",
    "藏": "zang",
    "贲": "ben",
    "黑": "he",
}

_WS = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_HAN = re.compile("[\u3400-\u9fff\U00020000-\U0003134f]")  # as _is_han
_MAX_VARIANTS = 8
_NAME_PUNCTUATION = re.compile(r"[·•・‧.\-'’]+")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(s: str) -> str:
    """Traditional to simplified Chinese (OpenCC "t2s"); other characters are left alone."""
    return _converter().convert(s) if s else ""


def _clean(syllable: str) -> str:
    return _NOT_ALNUM.sub("", syllable.lower())


_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0304\u030c"))  # grave, acute, macron, caron; not ü's dots


@lru_cache(maxsize=4096)  # some 1,500 syllables with their tones
def _toneless(reading: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", reading).translate(_TONE_MARKS))


@lru_cache(maxsize=1)
def phrase_sensitive() -> frozenset[str]:
    """Characters that some phrase of pypinyin's dictionary reads otherwise than alone (长 in 长大, 强 in 倔强).

    A name made only of other characters is read the same whether pypinyin cuts it into phrases or not, so
    it can be read character by character. Built once per process from pypinyin's own tables (~0.2 s).
    """
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    alone: dict[str, str] = {}
    found: set[str] = set()
    for phrase, readings in PHRASES_DICT.items():
        if len(phrase) != len(readings):
            found.update(phrase)
            continue
        for c, options in zip(phrase, readings, strict=True):
            if c in found:
                continue
            if c not in alone:
                own = PINYIN_DICT.get(ord(c))
                alone[c] = _toneless(own.split(",")[0]) if own else ""
            if not options or _toneless(options[0]) != alone[c]:
                found.add(c)
    return frozenset(found)


@lru_cache(maxsize=30000)
def _char_syllable(c: str) -> list[str] | None:
    """The readings of one Chinese character read alone, or None when a phrase may read it otherwise.

    pypinyin reads a name by cutting it into dictionary phrases (a tenth of a millisecond); a name whose
    characters no phrase reads otherwise than alone is read character by character from this cache instead,
    with the same result (tests/rosters compares both over the whole phrase dictionary).
    """
    if not _is_han(c) or c in phrase_sensitive():
        return None
    found = _syllables_of(c)
    return found[0] if len(found) == 1 else None


def _syllables(chars: str) -> list[list[str]]:
    """One list of readings per syllable; non-Chinese runs (Latin letters, digits) become one item."""
    out: list[list[str]] = []
    for c in chars:
        readings = _char_syllable(c)
        if readings is None:
            return _syllables_of(chars)
        out.append(readings)
    return out


@lru_cache(maxsize=20000)
def _segment_pinyin(segment: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(segment))


def _pinyin(chars: str) -> list[str]:
    """`lazy_pinyin(chars)`, its segments (pypinyin's own cut into phrases) read once each and remembered:
    pypinyin reads each segment on its own, so the whole is the segments' readings in order."""
    return [item for segment in simple_cut(chars) for item in _segment_pinyin(segment)]


def _syllables_of(chars: str) -> list[list[str]]:
    out: list[list[str]] = []
    for item in _pinyin(chars):
        cleaned = _clean(item)
        if not cleaned:
            continue
        readings = [cleaned]
        if "v" in cleaned and item.isascii() and any(_is_han(c) for c in chars):
            readings.append(cleaned.replace("v", "u"))  # 吕 is typed "lv" or "lu"
        out.append(readings)
    return out


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0003134f"


def _surname_syllables(simplified: str) -> tuple[list[list[str]], str]:
    """Readings for the surname and the rest of the name."""
    if len(simplified) > 2 and simplified[:2] in COMPOUND_SURNAMES:
        surname = simplified[:2]
        fixed = COMPOUND_SURNAMES[surname]
        common = [r for readings in _syllables(surname) for r in readings[:1]]
        if len(common) == 2:
            return [_unique([fixed[0], common[0]]), _unique([fixed[1], common[1]])], simplified[2:]
        return [[fixed[0]], [fixed[1]]], simplified[2:]
    first = simplified[:1]
    if first in SURNAME_READINGS:
        common = _syllables(first)
        readings = [SURNAME_READINGS[first]] + (common[0] if common else [])
        return [_unique(readings)], simplified[1:]
    return [], simplified


def _unique(items: Iterable[str]) -> list[str]:
    found = dict.fromkeys(items)
    found.pop("", None)
    return list(found)


def name_keys(name: str) -> list[str]:
    """Lowercase search tokens: as written, simplified, full pinyin ("zhangsan"), initials ("zs").

    The surname reading comes first; variants with the common reading follow (单 → shan…, dan…).
    """
    written = _WS.sub("", unicodedata.normalize("NFKC", name or ""))
    if not written:
        return []
    simplified = to_simplified(written)
    keys = [written.lower(), simplified.lower()]
    # "阿依古丽·买买提" is also found as "阿依古丽买买提".
    keys.append(_NAME_PUNCTUATION.sub("", simplified).lower())
    if not _HAN.search(simplified):
        return _unique(keys)
    syllables, rest = _surname_syllables(simplified)
    syllables += _syllables(rest)
    if syllables:
        # Compound surnames can mix fixed and common readings; keep the list short.
        for combo in islice(product(*syllables), _MAX_VARIANTS):
            keys.append("".join(combo))
            keys.append("".join([s[0] for s in combo]))
    return _unique(keys)


def search_text(name: str, extra: Iterable[str] = ()) -> str:
    """Space-delimited tokens, with a leading and trailing space, for LIKE '% q%' prefix matching."""
    tokens = name_keys(name) + [t for t in (_WS.sub("", str(e)).lower() for e in extra if e) if t]
    return " " + " ".join(_unique(tokens)) + " "


def normalize_query(q: str) -> str:
    """What the user typed, in the form of the tokens: "Zhang San" → "zhangsan", "張三" → "张三"."""
    value = _WS.sub("", unicodedata.normalize("NFKC", q or "")).lower()
    return to_simplified(value)
