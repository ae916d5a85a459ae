"""Header words and the normalisers that turn a roster cell into a value, or a reason it cannot be one.

Nothing here touches the database. Every error is a user-facing sentence (lazily translated) naming
what is wrong; the importer adds the row and the column.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from jinqiu.core import text
from jinqiu.core.xlsx import FORMULA_STARTS
from jinqiu.people.models import Gender, Health, Living, RetirementType


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the canonical header, as the export writes it
    words: tuple[str, ...]  # every accepted header, after header_key()
    label: object  # translated label for the preview
    canonical: bool = True  # written by the export (and the template); the others are only read


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("姓名",), _("Name")),
    Column("gender", "性别", ("性别",), _("Gender")),
    Column("ethnicity", "民族", ("民族",), _("Ethnicity")),
    Column("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "身份证"), _("ID number")),
    Column("birth_date", "出生年月", ("出生年月", "出生日期"), _("Birth date")),
    Column("original_unit_name", "原工作单位", ("原工作单位", "原单位", "工作单位"), _("Original work unit")),
    # The export writes position and rank in one column, "局长(正处级)"; real rosters often keep them apart.
    Column("position_rank", "原职务(职级)", ("原职务(职级)", "原职务职级", "职务(职级)"), _("Original position (rank)")),
    Column("original_position", "原职务", ("原职务", "职务"), _("Original position"), canonical=False),
    Column("rank", "职级", ("职级",), _("Rank"), canonical=False),
    Column("retirement_type", "离/退休", ("离/退休", "离退休", "类别", "人员类别", "离退休类别"),
           _("Retirement type")),
    Column("retirement_date", "离退休时间", ("离退休时间", "离休时间", "退休时间"), _("Retirement date")),
    Column("joined_party_on", "入党时间", ("入党时间",), _("Joined the party")),
    Column("org", "所在党组织", ("所在党组织", "所在支部"), _("Party organisation")),
    # Where the person lives, by name (a 社区 or 村): what places a person who is not a party member.
    Column("region", "居住社区", ("居住社区", "所在社区", "社区", "居住社区(村)", "社区(村)"), _("Community of residence"),
           canonical=False),
    Column("address", "现居住地址", ("现居住地址", "住址", "家庭住址"), _("Address")),
    Column("phone", "联系电话", ("联系电话", "手机", "电话", "手机号码"), _("Phone")),
    Column("health", "健康状况", ("健康状况",), _("Health")),
    Column("living", "居住情况", ("居住情况",), _("Living situation")),
    Column("note", "备注", ("备注",), _("Note")),
)
BY_KEY = {c.key: c for c in COLUMNS}
CANONICAL_HEADERS = [c.header for c in COLUMNS if c.canonical]
FILL_DOWN_KEYS = {"org", "original_unit_name", "region"}

_SPACES = re.compile(r"\s+")


def header_key(value: object) -> str:
    """Header words compared without spaces, line breaks, full-width brackets or a trailing colon."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    s = _SPACES.sub("", s).replace("（", "(").replace("）", ")").rstrip(":")
    return s


_WORDS = {header_key(w): c.key for c in COLUMNS for w in c.words}


def column_for(header: object) -> str | None:
    return _WORDS.get(header_key(header))


def map_header(cells: list[object]) -> dict[int, str]:
    """Column index → field key for a header row; the first column with a word wins."""
    found: dict[int, str] = {}
    used: set[str] = set()
    for i, cell in enumerate(cells):
        key = column_for(cell)
        if key and key not in used:
            found[i] = key
            used.add(key)
    return found


def looks_like_header(cells: list[object]) -> bool:
    mapped = set(map_header(cells).values())
    return "name" in mapped and ("id_number" in mapped or len(mapped) >= 3)


class CellError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def clean_text(value: object) -> str:
    """A text cell as written (names stay 張桂蘭), trimmed; NFKC only for the comparison helpers."""
    if value is None:
        return ""
    return str(value).strip()


_TRAILING_BRACKET = re.compile(r"^(.*?)\s*[(（]([^()（）]*)[)）]$", re.DOTALL)


# What a rank looks like: 正处级, 副厅级, 享受副局级待遇, 正处, 副科, 科员, 办事员, 一级巡视员, 二级调研员.
_RANK = re.compile(r"级|^[正副][部省厅局司处县科股]$|(?:科员|办事员|巡视员|调研员)$")


def split_position(value: str) -> tuple[str, str]:
    """A 原职务(职级) cell: "局长(正处级)" → ("局长", "正处级"); "(正处级)" → ("", "正处级"); "局长" → ("局长", "").

    Only a bracket at the end holds the rank, as the column's header says (full-width brackets too), and
    only when what it holds looks like a rank: "主任(兼)" or "副主任（主持工作）" stay whole positions.
    """
    m = _TRAILING_BRACKET.match(value)
    if m is None or not _RANK.search(m.group(2).strip()):
        return value, ""
    return m.group(1).strip(), m.group(2).strip()


# ---- dates -----------------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})[.\-/年](?P<m>\d{1,2})(?:[.\-/月](?P<d>\d{1,2})日?|月)?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?"),
    re.compile(r"(?P<y>\d{4})年?"),
)


def parse_date(value: object) -> tuple[datetime.date, str]:
    """A date and its precision ("day", "month" or "year"); a month or year alone means its first day."""
    if value.__class__ is str:  # the usual cell
        return _parse_date_text(value)
    if isinstance(value, datetime.datetime):
        return value.date(), "day"
    if isinstance(value, datetime.date):
        return value, "day"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    return _parse_date_text(str(value or ""))


@lru_cache(maxsize=8192)  # a roster repeats its dates (every 1 July, every retirement month): read each once
def _parse_date_text(value: str) -> tuple[datetime.date, str]:
    s = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(s)
        if m:
            y, mo, d = int(m.group("y")), m.groupdict().get("m"), m.groupdict().get("d")
            try:
                day = datetime.date(y, int(mo or 1), int(d or 1))
            except ValueError:
                break
            if not 1890 <= y <= 2100:
                break
            return day, "day" if d else ("month" if mo else "year")
    raise CellError(_("“%(value)s” is not a date (write it as 1945.03, 1945年3月 or 1945-3-12).") % {"value": s})


# ---- enumerations ------------------------------------------------------------------------------

def _enum(mapping: dict[str, str]) -> dict[str, str]:
    out = {}
    for word, code in mapping.items():
        out[word] = code
        out[text.to_simplified(word)] = code
    return out


GENDERS = _enum({"男": Gender.MALE, "女": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE})
RETIREMENT = _enum({"离休": RetirementType.LIXIU, "離休": RetirementType.LIXIU, "离休干部": RetirementType.LIXIU,
                    "退休": RetirementType.TUIXIU, "退休干部": RetirementType.TUIXIU})
HEALTH = _enum({"良好": Health.GOOD, "健康": Health.GOOD, "好": Health.GOOD, "一般": Health.FAIR,
                "较差": Health.POOR, "較差": Health.POOR, "差": Health.POOR, "卧床": Health.BEDRIDDEN,
                "臥床": Health.BEDRIDDEN, "长期卧床": Health.BEDRIDDEN, "失能": Health.DISABLED,
                "残疾": Health.DISABLED, "殘疾": Health.DISABLED})
LIVING = _enum({"独居": Living.ALONE, "獨居": Living.ALONE, "空巢": Living.EMPTY_NEST,
                "与配偶同住": Living.WITH_SPOUSE, "與配偶同住": Living.WITH_SPOUSE, "夫妻同住": Living.WITH_SPOUSE,
                "与子女同住": Living.WITH_CHILDREN, "與子女同住": Living.WITH_CHILDREN,
                "养老机构": Living.CARE_HOME, "養老機構": Living.CARE_HOME, "敬老院": Living.CARE_HOME,
                "养老院": Living.CARE_HOME})
ENUMS = {"gender": GENDERS, "retirement_type": RETIREMENT, "health": HEALTH, "living": LIVING}


def parse_enum(key: str, value: str) -> str:
    code = _enum_code(key, value)
    if code is None:
        allowed = "、".join(dict.fromkeys(k for k in ENUMS[key] if k == text.to_simplified(k)))
        raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
    return str(code)


@lru_cache(maxsize=1024)
def _enum_code(key: str, value: str) -> str | None:
    word = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    code = ENUMS[key].get(word) or ENUMS[key].get(text.to_simplified(word))
    return None if code is None else str(code)


def enum_label(key: str, code: str) -> str:
    for word, c in ENUMS[key].items():
        if c == code:
            return word
    return code


# ---- export escape -----------------------------------------------------------------------------

ESCAPED_STARTS = FORMULA_STARTS  # the export's escape, read back


def unescape(value: str) -> str:
    """The export writes "'=SUM(1)" for a text cell beginning with = + - @ tab or CR: take the apostrophe off."""
    if len(value) >= 2 and value[0] == "'" and value[1] in ESCAPED_STARTS:
        return value[1:]
    return value
