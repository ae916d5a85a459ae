"""Finding people in the staff lists: name, pinyin, initials, traditional characters, ID number; filters."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jinqiu.accounts.scoping import visible_persons
from jinqiu.core import idnumber
from jinqiu.people import services
from jinqiu.people.selectors import PersonFilters, filter_persons
from tests import factories

# tests.factories.new_id can hand out the same number twice (two consecutive sequences nudged to the same
# parity), so these extra persons get numbers from their own region code and sequence.
_sequences = iter(range(0, 1000, 2))


def make_person(name, *, birth=date(1950, 5, 1), gender="M", **fields):
    if "id_number" not in fields:
        fields["id_number"] = idnumber.generate(region_code="320707", birth_date=birth,
                                                sequence=next(_sequences) + (gender == "M"), gender=gender)
    return factories.make_person(name, birth=birth, gender=gender, **fields)


def found(user, **filters) -> set[str]:
    return set(filter_persons(visible_persons(user), PersonFilters(**filters)).values_list("name", flat=True))


@pytest.fixture
def street(world):
    return world.users["street"]


@pytest.mark.parametrize("q", ["张三", "zs", "zhangsan", "Zhang San", "ZHANG", "張三", " 张 三 "])
def test_zhang_san_is_found_by_name_pinyin_initials_and_traditional_form(world, street, q):
    assert found(street, q=q) == {"张三"}


def test_found_by_the_last_four_characters_of_the_id_number(world, street):
    last4 = world.zhang.id_number[-4:]
    persons = filter_persons(visible_persons(street), PersonFilters(q=last4))
    assert world.zhang in persons
    assert all(p.id_number_masked.endswith(last4) for p in persons)


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in s)


def test_found_by_the_full_id_number_however_typed(world, street):
    number = world.zhang.id_number
    for typed in (number, number.lower(), _full_width(number), f"{number[:6]} {number[6:14]} {number[14:]}"):
        assert list(filter_persons(visible_persons(street), PersonFilters(q=typed))) == [world.zhang], typed


def test_id_number_ending_in_x_is_found_when_typed_with_a_lowercase_x(world, street):
    person = make_person("张建国", region=world.community, id_number="11010519491231002X", gender="F",
                         birth=date(1949, 12, 31))
    for typed in ("11010519491231002x", "１１０１０５１９４９１２３１００２ｘ", "002x", "002X"):
        assert person in filter_persons(visible_persons(street), PersonFilters(q=typed)), typed


def test_surname_readings_and_traditional_names(world, street):
    make_person("单田芳", region=world.community)
    make_person("曾国藩", region=world.community)
    person = make_person("張桂蘭", region=world.community, gender="F")
    assert person.name == "張桂蘭"
    assert found(street, q="shan") == {"单田芳"}
    assert found(street, q="stf") == {"单田芳"}
    assert found(street, q="dantianfang") == {"单田芳"}
    assert found(street, q="zeng") == {"曾国藩"}
    assert found(street, q="张桂兰") == {"張桂蘭"}
    assert found(street, q="張桂蘭") == {"張桂蘭"}
    assert found(street, q="zgl") == {"張桂蘭"}


def test_search_never_reaches_outside_the_scope(world, street):
    wang_id = world.wang.id_number
    for q in ("王五", "wangwu", "ww", wang_id):
        assert found(street, q=q) == set(), q
        assert found(world.users["bureau"], q=q) == {"王五"}, q


def test_no_match_gives_an_empty_list(world, street):
    assert found(street, q="诸葛亮") == set()


def test_filter_by_org_subtree(world):
    bureau = world.users["bureau"]
    assert found(bureau, org_path=world.street_org.path) == {"张三", "李四"}
    assert found(bureau, org_path=world.branch.path) == {"张三"}
    assert found(bureau, org_path=world.root.path) == {"张三", "李四", "王五"}


def test_filter_by_region_subtree(world):
    bureau = world.users["bureau"]
    assert found(bureau, region_path=world.street.path) == {"张三", "李四", "赵六"}
    assert found(bureau, region_path=world.community.path) == {"张三", "赵六"}
    assert found(bureau, region_path=world.other_street.path) == {"王五"}


def test_filter_by_unit(world):
    make_person("钱七", region=world.community, party=False, original_unit=world.unit)
    assert found(world.users["bureau"], unit_id=world.unit.pk) == {"张三", "钱七"}


def test_filter_by_retirement_type(world):
    make_person("孙八", region=world.community, retirement_type="lixiu", birth=date(1928, 2, 2))
    bureau = world.users["bureau"]
    assert found(bureau, retirement_type="lixiu") == {"孙八"}
    assert "孙八" not in found(bureau, retirement_type="tuixiu")


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_age_band_with_a_frozen_clock(world):
    bureau = world.users["bureau"]
    with time_machine.travel(datetime(2026, 6, 15, 9, 0, tzinfo=SHANGHAI), tick=False):
        make_person("周明天", region=world.community, party=False, birth=date(1946, 6, 16))
        make_person("吴今天", region=world.community, party=False, birth=date(1946, 6, 15))
        seventies = found(bureau, age_band="70")
        eighties = found(bureau, age_band="80")
        assert "周明天" in seventies and "周明天" not in eighties
        assert "吴今天" in eighties and "吴今天" not in seventies
        # 张三 born 1950-05-01 is 76; 李四 1940-03-03 is 86; 王五 1935-01-09 is 91.
        assert {"张三", "赵六"} <= seventies
        assert "李四" in eighties
        assert found(bureau, age_band="90") == {"王五"}
    with time_machine.travel(datetime(2026, 6, 16, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert "周明天" in found(bureau, age_band="80")
        assert "周明天" not in found(bureau, age_band="70")


def test_age_band_just_after_midnight_in_china(world):
    """At 00:30 in Shanghai it is still the day before in UTC: the birthday counts by the local date."""
    make_person("郑生日", region=world.community, party=False, birth=date(1946, 6, 16))
    with time_machine.travel(datetime(2026, 6, 16, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert "郑生日" in found(world.users["bureau"], age_band="80")


def test_filter_by_situation_flags(world):
    make_person("冯卧床", region=world.community, party=False, health="disabled", living="empty_nest")
    make_person("陈困难", region=world.community, party=False, hardship=True)
    bureau = world.users["bureau"]
    assert found(bureau, situations=["alone"]) == {"赵六"}
    assert found(bureau, situations=["bedridden"]) == {"冯卧床"}
    assert found(bureau, situations=["empty_nest"]) == {"冯卧床"}
    assert found(bureau, situations=["hardship"]) == {"陈困难"}
    assert found(bureau, situations=["bedridden", "hardship"]) == set()


def test_filter_by_status(world):
    bureau = world.users["bureau"]
    services.person_record_death(actor=bureau, person=world.li, died_on=date(2024, 1, 1))
    assert "李四" not in found(bureau)
    assert found(bureau, status="deceased") == {"李四"}
    assert "李四" in found(bureau, status="")


def test_filter_by_party_membership(world):
    bureau = world.users["bureau"]
    assert found(bureau, party="no") == {"赵六"}
    assert found(bureau, party="yes") == {"张三", "李四", "王五"}


def test_pending_relation_lists_party_members_without_an_active_primary(world):
    bureau = world.users["bureau"]
    person = make_person("褚待定", region=world.community)
    assert found(bureau, pending=True) == {"褚待定"}
    services.membership_transfer(actor=bureau, person=person, org=world.branch, on=date(2024, 1, 1))
    assert found(bureau, pending=True) == set()
