"""Search keys for Chinese names: pinyin, initials, surname readings, traditional characters."""

import pytest

from jinqiu.core.text import name_keys, normalize_query, search_text, to_simplified


def test_plain_name_gives_pinyin_and_initials():
    keys = name_keys("张三")
    assert keys[0] == "张三"
    assert {"zhangsan", "zs"} <= set(keys)


def test_traditional_name_also_gives_the_simplified_form():
    keys = name_keys("張三")
    assert {"張三", "张三", "zhangsan", "zs"} <= set(keys)
    assert {"張桂蘭", "张桂兰", "zhangguilan", "zgl"} <= set(name_keys("張桂蘭"))


def test_surname_reading_comes_first_with_the_common_reading_as_variant():
    keys = name_keys("单雄信")
    assert {"shanxiongxin", "sxx", "danxiongxin", "dxx"} <= set(keys)
    assert keys.index("shanxiongxin") < keys.index("danxiongxin")


def test_zeng_as_a_surname():
    keys = name_keys("曾国藩")
    assert "zengguofan" in keys
    assert "zgf" in keys


def test_compound_surname():
    keys = name_keys("欧阳修")
    assert {"ouyangxiu", "oyx"} <= set(keys)
    assert "ycg" in name_keys("尉迟恭")
    assert "yuchigong" in name_keys("尉迟恭")


def test_lv_is_found_as_lv_and_lu():
    assert {"lvbu", "lubu"} <= set(name_keys("吕布"))


def test_name_with_a_middle_dot_is_found_without_it():
    keys = name_keys("阿依古丽·买买提")
    assert "阿依古丽买买提" in keys
    assert "ayigulimaimaiti" in keys


def test_empty_name_has_no_keys():
    assert name_keys("") == []
    assert name_keys("   ") == []


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("Zhang San", "zhangsan"),
        ("ZHANGSAN", "zhangsan"),
        (" zhang  san ", "zhangsan"),
        ("張三", "张三"),
        ("ＺＳ", "zs"),
        ("張 桂 蘭", "张桂兰"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_normalize_query(typed, query):
    assert normalize_query(typed) == query


def test_every_query_form_is_a_prefix_of_a_token_of_search_text():
    haystack = search_text("張三", ["002X"])
    assert haystack.startswith(" ") and haystack.endswith(" ")
    for typed in ("张三", "張三", "zhangsan", "Zhang San", "zs", "zhang", "002X", "002x"):
        assert " " + normalize_query(typed) in haystack, typed


def test_to_simplified_leaves_other_characters_alone():
    assert to_simplified("張桂蘭 Lee 123") == "张桂兰 Lee 123"
    assert to_simplified("") == ""
