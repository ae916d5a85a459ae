"""The import's fast path gives the very persons the services give, and its explicit checks are the model's.

New persons go in as rows of one INSERT (no model instances, no clean_fields); names are read into
pinyin character by character where pypinyin's phrases cannot change the reading. Each shortcut is
compared here with the slow way it replaces.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation

from jinqiu.core import idnumber, text
from jinqiu.people import services as people_services
from jinqiu.people.models import Person
from jinqiu.people.rosters import checks, columns, importer
from tests.factories import make_person
from tests.rosters.files import HEADERS, pid, row, xlsx

pytestmark = pytest.mark.django_db

SNAPSHOT_SKIP = {"id", "created_at", "updated_at", "id_number_enc"}


def run(path, actor=None, *, write=False, **kw):
    call = importer.commit if write else importer.analyse
    with translation.override("en"):
        return call(actor=actor, path=path, file_name=path.name, **kw)


def snapshot(person: Person) -> dict:
    values = {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields
              if f.attname not in SNAPSHOT_SKIP}
    primary = person.memberships.filter(kind="primary", ended_on__isnull=True).select_related("org").first()
    return {**values, "id_number": person.id_number, "org": primary.org.name if primary else None,
            "since": primary.started_on if primary else None}


def test_imported_person_equals_the_service_created_one(world, tmp_path):
    """Every column of the INSERT row, derived ones included, is what people.services.person_create writes."""
    number = pid(date(1946, 11, 3), "F", 57)
    cells = row("單秀英", number, gender="女", birth="1946.11", org=world.branch.name, joined="1970年7月",
                retire="退休", unit="已撤销的区化肥厂", position="副厂长(副科级)", phone="0518-88123456转12",
                address="新东社区3号", note="+独居", health="一般", living="空巢", ethnicity="回族")
    a = run(xlsx(tmp_path / "r.xlsx", [cells]), world.users["street"], write=True)
    assert (a.counts["new"], a.errors) == (1, [])
    imported = Person.objects.get(name="單秀英")
    got = snapshot(imported)
    imported.delete()

    made = people_services.person_create(
        actor=world.users["street"], id_number=number, org=world.branch, relation_since=date(1970, 7, 1),
        fields={"name": "單秀英", "gender": "F", "ethnicity": "回族", "original_unit_name": "已撤销的区化肥厂",
                "original_position": "副厂长", "rank": "副科级", "retirement_type": "tuixiu",
                "retirement_date": date(2010, 3, 1), "is_party_member": True, "joined_party_on": date(1970, 7, 1),
                "address": "新东社区3号", "phone": "051888123456#12", "health": "fair", "living": "empty_nest",
                "note": "+独居", "region": world.community})
    assert got == snapshot(made)
    assert " shanxiuying " in got["search_text"] and " 单秀英 " in got["search_text"]


ROUND_TRIP = ("name", "gender", "ethnicity", "birth_date", "original_unit_name", "original_position", "rank",
              "retirement_type", "retirement_date", "is_party_member", "joined_party_on", "address", "mobile",
              "phone", "health", "living", "note", "id_number_index", "id_number_masked", "search_text", "id_number",
              "org")


def test_full_roster_round_trip_keeps_position_and_rank(world, client_for, tmp_path):
    """Export with full values as an allowed user, import into an empty registry: identical persons."""
    make_person("甲", org=world.branch, original_position="局长", rank="正处级")
    make_person("乙", org=world.branch, original_position="", rank="副科级")
    make_person("丙", org=world.neighbor_branch, original_position="科员")
    make_person("丁", org=world.branch, original_position="主任(兼)", rank="正科级")
    make_person("戊", org=world.branch, original_position="副主任（主持工作）", rank="")
    response = client_for("bureau").post(reverse("organizations:roster_export_full", args=[world.root.pk]),
                                         {"reason": "迁移到新系统"})
    assert response.status_code == 200
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"".join(response.streaming_content))

    members = Person.objects.filter(memberships__org__path__startswith=world.root.path,
                                    memberships__ended_on__isnull=True).distinct()
    before = {p.id_number: {k: v for k, v in snapshot(p).items() if k in ROUND_TRIP} for p in members}
    assert {v["name"] for v in before.values()} >= {"甲", "乙", "丙", "丁", "戊"}
    assert {v["name"]: (v["original_position"], v["rank"]) for v in before.values()}["乙"] == ("", "副科级")
    members.delete()

    a = importer.commit(actor=world.users["bureau"], path=path, file_name="roster.xlsx")
    assert (a.errors, a.counts["rejected"], a.counts["new"]) == ([], 0, len(before))
    after = {p.id_number: {k: v for k, v in snapshot(p).items() if k in ROUND_TRIP}
             for p in Person.objects.filter(name__in=[v["name"] for v in before.values()])}
    assert after == before
    again = importer.commit(actor=world.users["bureau"], path=path, file_name="roster.xlsx")
    assert (again.counts["new"], again.counts["update"], again.counts["unchanged"]) == (0, 0, len(before))


def test_plain_position_and_rank_columns_of_real_rosters(world, tmp_path):
    headers = [h for h in HEADERS if h != "原职务(职级)"] + ["原职务", "职级"]
    cells = {**row("刘一", pid(date(1950, 3, 12))), "原职务": "科长(兼)", "职级": "正科级"}
    run(xlsx(tmp_path / "a.xlsx", [cells], headers=headers), write=True)
    liu = Person.objects.get(name="刘一")
    assert (liu.original_position, liu.rank) == ("科长(兼)", "正科级")  # a plain 原职务 column is never split

    only_rank = [h for h in HEADERS if h != "原职务(职级)"] + ["职级"]
    cells = {**row("陈二", pid(date(1951, 4, 1), "M", 33)), "职级": "副处级"}
    run(xlsx(tmp_path / "b.xlsx", [cells], headers=only_rank), write=True)
    chen = Person.objects.get(name="陈二")
    assert (chen.original_position, chen.rank) == ("", "副处级")


@pytest.mark.parametrize(("value", "expected"), [
    ("局长(正处级)", ("局长", "正处级")), ("局长（正处级）", ("局长", "正处级")), ("(副科级)", ("", "副科级")),
    ("科员", ("科员", "")), ("主任(正科级)科员", ("主任(正科级)科员", "")), ("局长 ( 正处级 )", ("局长", "正处级")),
    ("主任(兼)", ("主任(兼)", "")), ("副主任（主持工作）", ("副主任（主持工作）", "")), ("局长(副处)", ("局长", "副处")),
    ("(一级调研员)", ("", "一级调研员")), ("主任(兼)(正科级)", ("主任(兼)", "正科级")), ("()", ("()", "")),
])
def test_split_position(value, expected):
    assert columns.split_position(value) == expected


def test_explicit_checks_are_the_models_limits():
    """What clean_fields checked: each settable text field's max_length, and every enumeration code a choice."""
    for key in (*importer.COMPARED, "gender"):
        field = Person._meta.get_field(key)
        if isinstance(field, models.CharField) and not field.choices:
            assert checks.MAX_LEN[key] == field.max_length, key
        if field.choices:
            choices = {str(c) for c, _label in field.choices}
            assert set(map(str, columns.ENUMS[key].values())) <= choices, key
    assert isinstance(Person._meta.get_field("note"), models.TextField)  # no model limit; the importer's is 2000


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"原职务(职级)": "长" * 61}, "原职务(职级)", "at most 60 characters"),
    ({"原职务(职级)": "局长(" + "级" * 41 + ")"}, "原职务(职级)", "at most 40 characters"),
    ({"姓名": "名" * 51}, "姓名", "at most 50 characters"),
    ({"民族": "族" * 21}, "民族", "at most 20 characters"),
    ({"原工作单位": "单" * 121}, "原工作单位", "at most 120 characters"),
    ({"现居住地址": "址" * 201}, "现居住地址", "at most 200 characters"),
    ({"入党时间": "1949.05"}, "入党时间", "before the birth date"),
])
def test_what_clean_fields_and_clean_rejected_is_still_rejected(world, tmp_path, cells, column, message):
    bad = {**row("坏人", pid(date(1950, 3, 12))), **cells}
    good = row("好人", pid(date(1949, 1, 1), "M", 31), position="长" * 60)
    before = Person.objects.count()
    a = run(xlsx(tmp_path / "r.xlsx", [good, bad]), write=True)
    assert (a.counts["new"], a.counts["rejected"]) == (1, 1)
    assert {(e["row"], e["column"]) for e in a.errors} == {(5, column)} and message in a.errors[0]["message"]
    assert Person.objects.count() == before + 1


def test_longest_normal_phone_fits_the_field():
    """normalize_phone's longest form (12-digit landline, 6-digit extension) fits the 20 characters of the model."""
    from jinqiu.core import phones

    longest = phones.normalize_phone("0518-88123456转123456")
    assert len(longest) <= Person._meta.get_field("phone").max_length


def test_character_readings_equal_pypinyins_phrase_readings():
    """Over pypinyin's whole phrase dictionary: read by character wherever allowed, the same as read whole."""
    from pypinyin.constants import PHRASES_DICT

    checked = 0
    for phrase in PHRASES_DICT:
        if all(text._char_syllable(c) is not None for c in phrase):
            checked += 1
            assert text._syllables(phrase) == text._syllables_of(phrase), phrase
    assert checked > 10000
    assert "长" in text.phrase_sensitive() and "强" in text.phrase_sensitive()


@pytest.mark.parametrize("name", ["单田芳", "曾国藩", "王桂兰", "长孙无忌", "吕强", "欧阳修", "阿依古丽·买买提", "张长江",
                                  "重阳", "乐嘉", "李Mary"])
def test_name_keys_unchanged(name):
    written = text.unicodedata.normalize("NFKC", name)
    simplified = text.to_simplified(written)
    surname, rest = text._surname_syllables(simplified)
    assert text._syllables(rest) == text._syllables_of(rest)
    assert text.search_text(name).strip().split()[0] == written.lower()


def test_fifteen_digit_number_is_stored_as_eighteen(world, tmp_path):
    eighteen = pid(date(1950, 3, 12))
    fifteen = eighteen[:6] + eighteen[8:17]
    run(xlsx(tmp_path / "r.xlsx", [row("刘一", fifteen)]), write=True)
    person = Person.objects.get(name="刘一")
    assert person.id_number == eighteen and person.id_number_masked == idnumber.mask(eighteen)


def test_segment_readings_equal_pypinyins_whole_readings():
    """`text._pinyin` (pypinyin's segments, each read once and remembered) is `lazy_pinyin` of the whole."""
    import random

    from pypinyin import lazy_pinyin
    from pypinyin.constants import PHRASES_DICT

    phrases = sorted(PHRASES_DICT)
    rng = random.Random(3)
    chars = "王李张刘陈杨黄吴周朱胡郭何高罗兰建国秀英志强德明玉淑华长重行乐朝单曾解仇区朴查覃盖会还大都调数和"
    for i in range(6000):
        if i % 3 == 0:
            s = "".join(rng.choice(chars) for _ in range(rng.randint(1, 4)))
        elif i % 3 == 1:
            s = rng.choice(phrases) + rng.choice(phrases)
        else:
            s = rng.choice(chars) + rng.choice(phrases) + "A·" + rng.choice(chars)
        assert text._pinyin(s) == lazy_pinyin(s), s


@pytest.mark.parametrize("name", ["王桂兰", "單秀英", "欧阳修", "阿依古丽·买买提", "李Mary", "1234", "x", "曾国藩", "", "张 三"])
def test_search_keys_of_the_writer_are_the_services(name):
    """The writer reads each distinct name's keys once: the same search_text as refresh_search_text."""
    from jinqiu.people.rosters.writer import SearchKeys

    keys = SearchKeys()
    for number in (pid(date(1950, 3, 12)), pid(date(1948, 1, 1), "M", 33)[:17] + "X", "11000019500312123X"):
        expected = Person(name=name)
        people_services.refresh_search_text(expected, number)
        assert keys(name, number) == expected.search_text, (name, number)
        assert keys(name, number) == expected.search_text  # the second time from the cache
    assert keys("1234", "110000195003121234") == " 1234 "  # the last four already a key: once


def test_batch_crypto_equals_the_one_value_functions():
    from jinqiu.core import crypto

    encrypt, index = crypto.encrypter(), crypto.blind_indexer()
    for number in (pid(date(1950, 3, 12)), "11000019500312123X", "张三"):
        assert index(number) == crypto.blind_index(number)
        token = encrypt(number)
        assert token.startswith(crypto.VERSION) and token != encrypt(number)  # a fresh nonce each time
        assert crypto.decrypt(token) == number


def test_check_digit_is_mod_11_2():
    """GB 11643's check character, computed the long way for a spread of numbers."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    for n in range(0, 10 ** 17, 10 ** 17 // 997):
        first17 = f"{n:017d}"
        expected = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
        assert idnumber.check_digit(first17) == expected, first17
