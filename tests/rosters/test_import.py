"""The bad-file corpus and the commit rules: exact outcomes, and nothing written for what is rejected."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from jinqiu.core import crypto
from jinqiu.people.models import Membership, Person
from jinqiu.people.rosters import importer, reader
from tests.rosters.files import pid, row, with_dtd, write_csv, xlsx, zip_bomb

pytestmark = pytest.mark.django_db


def run(path, actor=None, *, write=False, **kw):
    """Messages in English here (they are asserted on); test_messages_are_chinese checks the users' language."""
    call = importer.commit if write else importer.analyse
    with translation.override("en"):
        return call(actor=actor, path=path, file_name=kw.pop("file_name", path.name), **kw)


def errors(a):
    return [(e["row"], e["column"], e["message"]) for e in a.errors]


def person_count():
    return Person.objects.count()


def test_clean_roster_with_title_footer_and_total_is_read(world, tmp_path):
    rows = [row("刘一", org=world.branch.name, joined="1975.07"),
            row("張桂蘭", pid(date(1948, 2, 1), "F", 22), gender="女", birth="1948年2月", retire="離休")]
    path = xlsx(tmp_path / "r.xlsx", rows)
    before = person_count()
    a = run(path, world.users["street"])
    assert (a.counts["new"], a.counts["rejected"], a.errors) == (2, 0, [])
    assert a.header_row == 3 and a.skipped_lines == 2
    assert person_count() == before  # a preview writes nothing
    a = run(path, world.users["street"], write=True)
    assert a.counts["new"] == 2
    liu = Person.objects.get(name="刘一")
    assert Membership.objects.get(person=liu).org == world.branch
    zhang = Person.objects.get(name="張桂蘭")  # stored exactly as written
    assert (zhang.retirement_type, zhang.gender, zhang.is_party_member) == ("lixiu", "F", False)
    again = run(path, world.users["street"], write=True)
    assert (again.counts["new"], again.counts["update"], again.counts["unchanged"]) == (0, 0, 2)


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"姓名": ""}, "姓名", "The name is missing."),
    ({"身份证号": ""}, "身份证号", "The ID number is missing."),
    ({"身份证号": "320706195003120112"}, "身份证号", "check digit"),
    ({"身份证号": "320706195002300013"}, "身份证号", "not a real date"),
    ({"出生年月": "1951.03"}, "出生年月", "does not agree with the ID number"),
    ({"性别": "女"}, "性别", "The gender does not agree"),
    ({"离退休时间": "去年春天"}, "离退休时间", "is not a date"),
    ({"健康状况": "还行"}, "健康状况", "is not one of"),
    ({"离/退休": "内退"}, "离/退休", "is not one of"),
    ({"所在党组织": "不存在的支部"}, "所在党组织", "No party organisation named"),
    ({"所在党组织": "河东社区离退休干部党支部"}, "所在党组织", "No party organisation named"),  # out of scope
    ({"所在党组织": "老年大学功能型党支部", "_as": "bureau"}, "所在党组织", "functional or temporary"),
    ({"联系电话": "1381234567"}, "联系电话", "11 digits"),
    ({"离/退休": ""}, "离/退休", "retirement type"),
])
def test_each_bad_cell_rejects_its_row_and_names_it(world, tmp_path, cells, column, message):
    good = row("好人", pid(date(1949, 1, 1), "M", 31))
    bad = {**row("坏人", pid(date(1950, 3, 12), "M", 11)), **cells}
    persona = bad.pop("_as", "street")
    path = xlsx(tmp_path / "r.xlsx", [good, bad])
    before = person_count()
    a = run(path, world.users[persona], write=True)
    assert a.counts["rejected"] == 1 and a.counts["new"] == 1
    [(r, col, msg)] = errors(a)
    assert (r, col) == (5, column)
    assert message in msg
    assert person_count() == before + 1
    assert not Person.objects.filter(name="坏人").exists()
    assert a.rejected_rows[0]["row"] == 5 and a.rejected_rows[0]["values"][1] == bad["姓名"]


def test_id_typed_as_a_number_is_rejected(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row("数字", 320706195003120111)])
    a = run(path)
    assert a.counts["rejected"] == 1
    assert "身份证号须为文本格式" in a.errors[0]["message"]


def test_formula_cells_are_rejected_never_evaluated(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row()], formulas=[("L4", '="新东"&"社区"')])
    a = run(path)
    assert errors(a)[0][:2] == (4, "所在党组织")
    assert "formula" in a.errors[0]["message"]


def test_export_escape_is_text_not_a_formula(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row(note="'=SUM(1)")])
    a = run(path, write=True)
    assert a.counts["new"] == 1
    assert Person.objects.get(name="刘一").note == "=SUM(1)"


def test_duplicate_id_rejects_every_such_row(world, tmp_path):
    same = pid(date(1950, 3, 12))
    path = xlsx(tmp_path / "r.xlsx", [row("甲", same), row("乙", pid(date(1951, 1, 1), seq=41)), row("丙", same)])
    a = run(path, write=True)
    assert a.counts == {"new": 1, "update": 0, "unchanged": 0, "rejected": 2, "skipped": 0}
    assert [(e["row"], "4、6" in e["message"]) for e in a.errors] == [(4, True), (6, True)]
    assert not Person.objects.filter(name__in=["甲", "丙"]).exists()


def test_fifteen_digit_id_is_converted_with_a_warning(world, tmp_path):
    eighteen = pid(date(1950, 3, 12))
    fifteen = eighteen[:6] + eighteen[8:17]
    path = xlsx(tmp_path / "r.xlsx", [row("老证", fifteen)])
    a = run(path, write=True)
    assert a.counts["new"] == 1 and a.warnings[0]["column"] == "身份证号"
    assert Person.objects.filter(id_number_index=crypto.blind_index(eighteen)).exists()


def test_normalising_before_validating(world, tmp_path):
    # A full-width ID number (full-width digits and Ｘ, cut by spaces) is the half-width number it stands for.
    number = next(n for n in (pid(date(1950, 3, 12), seq=s) for s in range(1, 999, 2)) if n.endswith("X"))
    full_width = number.translate({ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789X"})
    assert full_width.endswith("Ｘ") and full_width.isascii() is False
    typed = f"{full_width[:4]} {full_width[4:6]}\u3000{full_width[6:14]} {full_width[14:]}"
    path = xlsx(tmp_path / "r.xlsx", [row("全角", typed, birth="19500312", phone="138-1234 5678",
                                          joined="1975年7月", retired="2010/3")])
    a = run(path, write=True)
    assert a.errors == [] and a.counts["new"] == 1
    p = Person.objects.get(name="全角")
    assert p.id_number == number
    assert Person.objects.get(id_number_index=crypto.blind_index(number)) == p
    assert (p.mobile, p.joined_party_on, p.retirement_date) == ("13812345678", date(1975, 7, 1), date(2010, 3, 1))
    path = xlsx(tmp_path / "r2.xlsx", [row("座机", pid(date(1950, 3, 12), seq=59), phone="0518 - 8512 3456",
                                        birth="1950-3-12", joined="1975", retired="2010年3月")])
    a = run(path, write=True)
    assert a.errors == []
    p = Person.objects.get(name="座机")
    assert (p.phone, p.mobile, p.joined_party_on, p.retirement_date) == ("051885123456", "", date(1975, 1, 1),
                                                                          date(2010, 3, 1))


def test_lowercase_x_and_spaces_in_id(world, tmp_path):
    for seq in range(0, 999, 2):
        number = pid(date(1950, 3, 12), "F", seq)
        if number.endswith("X"):
            break
    path = xlsx(tmp_path / "r.xlsx", [row("小写", " " + number[:6] + " " + number[6:-1] + "x", gender="女")])
    a = run(path, write=True)
    assert a.errors == [] and Person.objects.filter(id_number_index=crypto.blind_index(number)).exists()


def test_merged_org_column_is_filled_down(world, tmp_path):
    rows = [row("一", pid(date(1950, 1, 1), seq=61), org=world.branch.name, joined="1970"),
            row("二", pid(date(1950, 1, 2), seq=63), org="", joined="1971"),
            row("三", pid(date(1950, 1, 3), seq=65), org="", joined="1972")]
    path = xlsx(tmp_path / "r.xlsx", rows, merges=["L4:L6"])
    a = run(path, world.users["street"], write=True)
    assert a.errors == [] and a.filled_down == {"所在党组织": 2}
    assert Membership.objects.filter(org=world.branch, person__name__in=["一", "二", "三"]).count() == 3


def test_ambiguous_org_lists_candidates(world, tmp_path):
    from tests.factories import make_org

    make_org(world.branch.name, "zhibu", world.street_org)
    path = xlsx(tmp_path / "r.xlsx", [row(org=world.branch.name, joined="1975")])
    a = run(path, world.users["street"])
    assert "ambiguous" in a.errors[0]["message"] and a.errors[0]["message"].count("#") == 2


def test_without_org_party_members_are_pending(world, tmp_path):
    path = write_csv(tmp_path / "r.csv", [row("待落实", joined="1980.05")])
    run(path, write=True)
    p = Person.objects.get(name="待落实")
    assert p.is_party_member and not p.memberships.exists()


def test_into_org_places_members(world, tmp_path):
    path = write_csv(tmp_path / "r.csv", [row("进来", joined="1980.05")], encoding="gb18030")
    run(path, world.users["street"], write=True, into_org=world.neighbor_branch)
    assert Membership.objects.get(person__name="进来").org == world.neighbor_branch


def test_csv_utf8_bom(world, tmp_path):
    path = write_csv(tmp_path / "r.csv", [row("有BOM")], encoding="utf-8-sig")
    assert run(path).counts["new"] == 1


def test_existing_person_update_shows_changed_fields(world, tmp_path):
    zhang = world.zhang
    path = xlsx(tmp_path / "r.xlsx", [row("张三", zhang.id_number, org=world.branch.name, joined="1975.07.01",
                                          address="新地址2号", unit="区教育局", phone="13812345678")])
    a = run(path, world.users["street"])
    assert a.counts["update"] == 1
    fields = {c["field"] for c in a.changes[0]["fields"]}
    assert "现居住地址" in fields and "所在党组织" not in fields
    run(path, world.users["street"], write=True)
    zhang.refresh_from_db()
    assert zhang.address == "新地址2号"


def test_person_in_another_scope_is_a_conflict(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row("王五", world.wang.id_number, birth="1935.01")])
    a = run(path, world.users["street"], write=True)
    assert a.counts["rejected"] == 1 and "please contact the district bureau" in a.errors[0]["message"]
    world.wang.refresh_from_db()
    assert world.wang.name == "王五" and world.wang.address == ""


def test_deceased_person_is_shown_not_overwritten(world, tmp_path):
    from jinqiu.people import services

    services.person_record_death(actor=None, person=world.li, died_on=date(2024, 1, 1))
    path = xlsx(tmp_path / "r.xlsx", [row("李四", world.li.id_number, gender="女", address="改了")])
    a = run(path, world.users["street"], write=True)
    assert a.counts["skipped"] == 1 and "not overwritten" in a.warnings[0]["message"]
    world.li.refresh_from_db()
    assert world.li.address == ""


@pytest.mark.parametrize("name", ["r.xlsm", "r.txt", "r.ods"])
def test_other_file_types_are_rejected_whole(world, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 whatever")
    with pytest.raises(reader.FileRejected, match="only .xlsx, .xls and .csv"):
        run(path)


def test_xlsm_renamed_to_xlsx_is_rejected(world, tmp_path):
    import zipfile

    path = xlsx(tmp_path / "r.xlsx", [row()])
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(reader.FileRejected, match="macros"):
        run(path)


def test_zip_bomb_is_refused_unread(world, tmp_path):
    with pytest.raises(reader.FileRejected, match="zip bomb"):
        run(zip_bomb(tmp_path / "bomb.xlsx"))
    assert person_count() == 4


def test_file_size_limit(world, tmp_path, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 1000
    path = write_csv(tmp_path / "r.csv", [row(f"人{i}", pid(date(1950, 1, 1), seq=i)) for i in range(30)])
    with pytest.raises(reader.FileRejected, match="at most"):
        run(path)


def test_row_limit_100001_rows(world, tmp_path, settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 100_000
    path = tmp_path / "big.csv"
    line = ",".join(["1", "某", "男", "汉族", pid(date(1950, 1, 1)), "", "", "", "退休"]) + "\n"
    path.write_text("花名册\n序号,姓名,性别,民族,身份证号,a,b,c,离/退休\n" + line * 100_001, encoding="utf-8")
    with pytest.raises(reader.FileRejected, match="more than 100000 rows"):
        run(path, write=True)
    assert person_count() == 4


def test_sheet_limit(world, tmp_path, settings):
    settings.ROSTER_IMPORT_MAX_SHEETS = 2
    path = xlsx(tmp_path / "r.xlsx", [row()], extra_sheets=["说明", "附表"])
    with pytest.raises(reader.FileRejected, match="sheets"):
        run(path)


def test_data_on_a_later_sheet_is_found(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row()], extra_sheets=["填表说明"])
    a = run(path)
    assert (a.sheet, a.counts["new"]) == ("花名册", 1)


def test_wrong_sheet_without_header_is_rejected(world, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["名字", "号码"])
    wb.active.append(["刘一", "320706195003120111"])
    wb.save(tmp_path / "r.xlsx")
    with pytest.raises(reader.FileRejected, match="roster header"):
        run(tmp_path / "r.xlsx")


def test_headers_with_spaces_breaks_and_fullwidth_brackets(world, tmp_path):
    headers = ["序 号", "姓\n名", "性别", "民族", "公民身份号码", "出生日期", "原单位", "原职务（职级）", "人员类别",
               "退休时间", "入党时间", "所在支部", "家庭住址", "手机", "健康状况", "居住情况", "备注", "社区"]
    from jinqiu.people.rosters.columns import map_header

    assert len(map_header(headers)) == 17
    data = {h: v for h, v in zip(headers[1:], row().values(), strict=True)}
    path = xlsx(tmp_path / "r.xlsx", [data], headers=headers)
    a = run(path)
    assert a.counts["new"] == 1, a.errors


def test_mapping_correction(world, tmp_path):
    headers = ["序号", "姓名", "证件", "离/退休", "性别", "居住社区"]
    path = xlsx(tmp_path / "r.xlsx", [{"姓名": "改映射", "证件": pid(date(1950, 1, 1)), "离/退休": "退休",
                                       "性别": "男", "居住社区": "新东社区"}], headers=headers, title=False)
    with pytest.raises(reader.MappingIncomplete, match="身份证号") as exc:
        run(path)
    assert exc.value.headers == headers and exc.value.header_row == 1
    a = run(path, mapping={1: "name", 2: "id_number", 3: "retirement_type", 4: "gender", 5: "region"})
    assert a.counts["new"] == 1


def test_messages_are_chinese(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row("数字", 320706195003120111), {**row("无名", pid(date(1949, 1, 1), seq=3)),
                                                                        "姓名": ""}])
    a = importer.analyse(actor=None, path=path, file_name="r.xlsx")
    assert [e["message"][:2] for e in a.errors] == ["身份", "缺少"]


def test_an_out_of_scope_person_is_neither_shown_nor_changed(world, tmp_path):
    """Issue 7, hole 1: an unplaced-by-party person of another street (no membership) was previewed as
    "old → new" and moved into the street's branch on commit."""
    import json

    from tests.factories import make_person

    sun = make_person("孙九", region=world.other_community, party=False, address="河东路1号", health="poor",
                      living="alone")
    path = xlsx(tmp_path / "r.xlsx", [row("孙九改", sun.id_number, org=world.branch.name, joined="1975.07",
                                          address="新东社区9号", health="良好", living="空巢")])
    with translation.override("zh-hans"):
        a = importer.analyse(actor=world.users["street"], path=path, file_name="r.xlsx")
    assert (a.counts["rejected"], a.counts["update"], a.changes) == (1, 0, [])
    assert [(e["column"], e["message"]) for e in a.errors] == [("身份证号", "该身份证号不能由您导入，请联系区委老干部局")]
    shown = json.dumps(a.as_json(), ensure_ascii=False)
    assert "孙九" not in shown.replace("孙九改", "") and "河东路" not in shown and "河东社区" not in shown
    run(path, world.users["street"], write=True)
    sun.refresh_from_db()
    assert (sun.name, sun.address, sun.region, sun.memberships.count()) == ("孙九", "河东路1号",
                                                                         world.other_community, 0)


def test_the_same_answer_whatever_the_reason(world, tmp_path):
    """A deceased out-of-scope person gets the very same message, and no "recorded as deceased" warning."""
    from jinqiu.people import services

    services.person_record_death(actor=None, person=world.wang, died_on=date(2024, 1, 1))
    path = xlsx(tmp_path / "r.xlsx", [row("王五", world.wang.id_number, birth="1935.01")])
    a = run(path, world.users["street"])
    assert a.warnings == [] and a.counts["skipped"] == 0
    assert [e["message"] for e in a.errors] == [
        "You cannot import this ID number: please contact the district bureau of veteran cadres."]


def test_a_row_nobody_could_see_is_rejected(world, tmp_path):
    """Issue 8: no 居住社区, no 所在党组织, no 管理服务单位 → "新增 2" and two 404s; now rejected."""
    rows = [row("无处一", pid(date(1949, 1, 1), seq=41), community=""),
            row("无处二", pid(date(1949, 1, 1), seq=43), community="", joined="1980.05")]
    for actor in (None, world.users["bureau"]):
        a = run(xlsx(tmp_path / "r.xlsx", rows), actor, write=True)
        assert (a.counts["new"], a.counts["rejected"]) == (0, 2)
        assert all("居住社区" in e["message"] and e["column"] == "居住社区" for e in a.errors)
    assert not Person.objects.filter(name__startswith="无处").exists()


def test_a_row_placed_outside_the_actors_scope_is_rejected(world, tmp_path):
    rows = [row("别处一", pid(date(1949, 1, 1), seq=45), community="河东社区"),
            row("别处二", pid(date(1949, 1, 1), seq=47), community="新西社区"),
            row("别处四", pid(date(1949, 1, 1), seq=53), community="河西社区"),
            # A member of the street's branch who lives in another street: the branch places him.
            row("别处五", pid(date(1949, 1, 1), seq=55), community="河东社区", org=world.branch.name, joined="1975")]
    a = run(xlsx(tmp_path / "r.xlsx", rows), world.users["street"], write=True)
    assert (a.counts["new"], a.counts["rejected"]) == (2, 2)
    assert [(r, c) for r, c, _m in errors(a)] == [(4, "居住社区"), (6, "居住社区")]
    assert "管理范围" in a.errors[0]["message"] or "scope" in a.errors[0]["message"]
    assert a.errors[1]["message"] == "No community or village is named “河西社区”."
    assert Person.objects.get(name="别处二").region == world.community2
    assert Person.objects.get(name="别处五").region == world.other_community
    # A secretary sees the branch's members, not the community: a non-member has nowhere to go.
    a = run(xlsx(tmp_path / "s.xlsx", [row("别处三", pid(date(1949, 1, 1), seq=49), community="")]),
            world.users["secretary"], write=True)
    assert a.counts["rejected"] == 1 and "scope" in a.errors[0]["message"]


def test_non_members_are_placed_by_the_unit_of_the_organisation_imported_into(world, tmp_path):
    from tests.factories import make_org

    org = make_org("区教育局离退休干部党支部", "zhibu", world.root, location_type="agency", unit=world.unit)
    path = xlsx(tmp_path / "r.xlsx", [row("单位里", pid(date(1949, 1, 1), seq=51), community="")])
    a = run(path, None, write=True, into_org=org)
    assert a.counts["new"] == 1
    assert Person.objects.get(name="单位里").service_unit == world.unit


def test_a_rejected_row_names_all_of_its_errors(world, tmp_path):
    """Issue 8: a bad ID, a bad date and an unknown organisation on one row → three messages."""
    bad = row("多错", "320706195003120112", org="不存在的支部", joined="1975", retired="去年春天")
    a = run(xlsx(tmp_path / "r.xlsx", [bad]), world.users["street"])
    assert [c for _r, c, _m in errors(a)] == ["身份证号", "离退休时间", "所在党组织"]
    assert a.rejected_rows[0]["error"].count("：") == 3


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml"])
def test_a_workbook_with_a_dtd_is_refused_with_a_message(world, tmp_path, member):
    """Issue 7, hole 10: a DTD (billion laughs) in the sheet XML gave a 500 and a stuck import."""
    path = with_dtd(tmp_path / "dtd.xlsx", member=member)
    with translation.override("zh-hans"), pytest.raises(reader.FileRejected) as exc:
        importer.analyse(actor=world.users["street"], path=path, file_name="dtd.xlsx")
    assert "DTD" in str(exc.value) and member in str(exc.value)
    assert person_count() == 4
