"""Excel exports read back with openpyxl: columns, masking, escaping, scope, filters, access log, queries."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jinqiu.accounts.models import AccessAction, AccessLog
from jinqiu.core import idnumber, xlsx
from jinqiu.people import exports
from jinqiu.people import services as people_services
from tests.factories import make_person

COLUMNS = ["序号", "姓名", "性别", "民族", "身份证号", "出生年月", "原工作单位", "原职务(职级)", "离/退休", "离退休时间",
           "入党时间", "所在党组织", "现居住地址", "联系电话", "健康状况", "居住情况", "备注"]


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def rows_of(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def persons_in(ws) -> dict[str, dict]:
    """Data rows (between the header and the 合计 row) keyed by name."""
    rows = rows_of(ws)
    header = rows.index(COLUMNS)
    found = {}
    for row in rows[header + 1:]:
        if isinstance(row[0], str) and row[0].startswith("合计"):
            break
        found[row[1]] = dict(zip(COLUMNS, row, strict=True))
    return found


def cell_of(ws, name: str, column: str):
    for row in ws.iter_rows():
        if row[1].value == name:
            return row[COLUMNS.index(column)]
    raise AssertionError(name)


def test_list_export_columns_masked_values_total_and_footer(world, client_for):
    ws = sheet_of(client_for("bureau").get(reverse("people:export")))
    rows = rows_of(ws)
    assert rows[0][0] == "离退休干部名单"
    assert "A1:Q1" in {str(r) for r in ws.merged_cells.ranges}
    assert rows[1] == COLUMNS
    people = persons_in(ws)
    assert set(people) == {"张三", "李四", "王五", "赵六"}
    zhang = people["张三"]
    assert zhang["身份证号"] == world.zhang.id_number_masked == world.zhang.id_number[:6] + "********" + \
        world.zhang.id_number[-4:]
    assert zhang["联系电话"] == "138****5678"
    assert zhang["出生年月"] == "1950-05-01"
    assert zhang["入党时间"] == "1975-07-01"
    assert zhang["性别"] == "男" and people["李四"]["性别"] == "女"
    assert zhang["离/退休"] == "退休"
    assert zhang["所在党组织"] == world.branch.name
    assert zhang["原工作单位"] == "区教育局"
    assert people["赵六"]["居住情况"] == "独居" and people["赵六"]["所在党组织"] is None
    assert [p["序号"] for p in people.values()] == [1, 2, 3, 4]
    id_cell = cell_of(ws, "张三", "身份证号")
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    total, footer = rows[-2][0], rows[-1][0]
    assert total == "合计: 4人"
    assert footer.startswith("导出人:bureau 导出时间:")


def _id_ending_in_x() -> str:
    for sequence in range(1, 999, 2):
        number = idnumber.generate(region_code="110105", birth_date=date(1945, 3, 12), sequence=sequence, gender="M")
        if number.endswith("X"):
            return number
    raise AssertionError("no X")


def test_full_ids_survive_as_text_and_enumerations_in_chinese(world, client_for):
    number = _id_ending_in_x()
    make_person("钱七", retirement_type="lixiu", health="bedridden", living="spouse", region=world.community,
                org=world.branch, retirement_date=date(1985, 12, 1), id_number=number, birth=date(1945, 3, 12))
    response = client_for("bureau").post(reverse("people:export_full"), {"reason": "核对花名册", "query": "q=钱七"})
    ws = sheet_of(response)
    qian = persons_in(ws)["钱七"]
    assert qian["身份证号"] == number
    assert cell_of(ws, "钱七", "身份证号").data_type == "s"
    assert qian["离/退休"] == "离休" and qian["健康状况"] == "卧床" and qian["居住情况"] == "与配偶同住"
    assert qian["离退休时间"] == "1985-12-01" and qian["出生年月"] == "1945-03-12"


@pytest.mark.parametrize("field,value", [
    ("note", "=HYPERLINK(\"http://evil\",\"x\")"), ("address", "+86 1 Road"), ("original_position", "@SUM(A1)"),
    ("note", "-2+3"), ("address", "\t=1+1"), ("note", "\r=1"), ("note", "=A1<B1 & \"x\">"),
])
def test_formula_like_cells_are_escaped(world, client_for, field, value):
    make_person("孙八", region=world.community, org=world.branch, **{field: value})
    ws = sheet_of(client_for("bureau").get(reverse("people:export"), {"q": "孙八"}))
    column = {"note": "备注", "address": "现居住地址", "original_position": "原职务(职级)"}[field]
    cell = cell_of(ws, "孙八", column)
    assert cell.data_type == "s"
    # An XML reader may turn a bare CR into LF; the leading apostrophe is what matters.
    assert cell.value[0] == "'" and cell.value[1:] in (value, value.replace("\r", "\n"))


def test_control_characters_are_dropped_before_the_formula_check():
    writer = xlsx.SheetWriter("t")
    writer.append(["\x00=1+1", "a\x07b <&>", 5])
    ws = load_workbook(writer.save()).active
    assert [c.value for c in ws[1]] == ["'=1+1", "ab <&>", 5]


def test_harmless_text_is_not_escaped():
    assert xlsx.escape("1945-03-12") == "1945-03-12"
    assert xlsx.escape("张三") == "张三"
    assert xlsx.escape(3) == 3
    assert xlsx.escape("=1") == "'=1"


def test_filters_and_search_are_honoured(world, client_for):
    client = client_for("bureau")
    assert set(persons_in(sheet_of(client.get(reverse("people:export"), {"q": "张三"})))) == {"张三"}
    by_org = sheet_of(client.get(reverse("people:export"), {"org": world.neighbor_branch.pk}))
    assert set(persons_in(by_org)) == {"李四"}
    non_party = sheet_of(client.get(reverse("people:export"), {"party": "no"}))
    assert set(persons_in(non_party)) == {"赵六"}


def test_out_of_scope_persons_never_appear(world, client_for):
    street = persons_in(sheet_of(client_for("street").get(reverse("people:export"))))
    assert "王五" not in street and {"张三", "李四"} <= set(street)
    # Asking for an organisation outside the scope exports nothing at all (see test_export_filters.py).
    assert client_for("street").get(reverse("people:export"), {"org": world.other_branch.pk}).status_code == 400
    assert set(persons_in(sheet_of(client_for("secretary").get(reverse("people:export"))))) == {"张三"}
    assert set(persons_in(sheet_of(client_for("pair").get(reverse("people:export"))))) == {"张三"}


@pytest.mark.parametrize("persona", ["member", "sysadmin", "secadmin", "auditor"])
def test_who_may_not_export(world, client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("people:export")).status_code == 403
    assert client.get(reverse("people:pending_export")).status_code == 403
    assert AccessLog.objects.count() == 0


def test_every_export_is_logged_with_rows_and_filters(world, client_for):
    sheet_of(client_for("street").get(reverse("people:export"), {"q": "张", "party": "yes"}))
    entry = AccessLog.objects.get()
    assert entry.user == world.users["street"] and entry.action == AccessAction.EXPORT
    assert entry.field == "persons" and entry.reason == ""
    assert entry.detail == "离退休干部名单，脱敏，1行；搜索：张；是否党员：党员"


def test_full_values_only_with_a_reason(world, client_for):
    client = client_for("bureau")
    form = client.get(reverse("people:export_full") + "?q=张三")
    assert form.status_code == 200 and 'value="q=%E5%BC%A0%E4%B8%89"' in form.content.decode()
    refused = client.post(reverse("people:export_full"), {"reason": " ", "query": "q=张三"})
    assert refused.status_code == 200 and refused["Content-Type"].startswith("text/html")
    assert AccessLog.objects.count() == 0
    ws = sheet_of(client.post(reverse("people:export_full"), {"reason": "核对户籍", "query": "q=张三"}))
    zhang = persons_in(ws)["张三"]
    assert set(persons_in(ws)) == {"张三"}
    assert zhang["身份证号"] == world.zhang.id_number
    assert zhang["联系电话"] == "13812345678"
    entry = AccessLog.objects.get()
    assert entry.reason == "核对户籍" and entry.action == AccessAction.EXPORT and "搜索：张三" in entry.detail


@pytest.mark.parametrize("persona", ["secretary", "pair", "neighbor", "member", "auditor"])
def test_full_values_refused_to_roles_that_may_not_reveal(world, client_for, persona):
    client = client_for(persona)
    assert client.post(reverse("people:export_full"), {"reason": "核对", "query": ""}).status_code == 403
    response = client.post(reverse("organizations:roster_export_full", args=[world.branch.pk]), {"reason": "核对"})
    assert response.status_code in (403, 404)
    assert AccessLog.objects.count() == 0


def test_roster_layout_members_of_the_subtree_once(world, client_for):
    ws = sheet_of(client_for("street").get(reverse("organizations:roster_export", args=[world.street_org.pk])))
    rows = rows_of(ws)
    assert rows[0][0] == "新浦街道离退休干部党总支离退休干部花名册"
    assert "A1:Q1" in {str(r) for r in ws.merged_cells.ranges}
    assert rows[1] == COLUMNS
    names = [r[1] for r in rows[2:-2]]
    assert sorted(names) == ["张三", "李四"]
    assert rows[-2][0] == "合计: 2人"
    assert rows[-1][0].startswith("导出人:street 导出时间:")
    assert persons_in(ws)["李四"]["所在党组织"] == world.neighbor_branch.name
    entry = AccessLog.objects.get()
    assert entry.field == "roster"
    assert entry.detail == f"花名册，脱敏，2行；党组织：{world.street_org}"


def test_roster_counts_a_person_once_whatever_their_relations(world, client_for):
    # 李四 also takes part in the functional branch, which sits under the root too: still one row.
    people_services.membership_join(actor=None, person=world.li, org=world.functional, on=date(2020, 1, 1))
    ws = sheet_of(client_for("bureau").get(reverse("organizations:roster_export", args=[world.root.pk])))
    rows = rows_of(ws)
    assert sorted(r[1] for r in rows[2:-2]) == ["张三", "李四", "王五"]
    assert rows[-2][0] == "合计: 3人"
    functional = persons_in(sheet_of(client_for("bureau").get(
        reverse("organizations:roster_export", args=[world.functional.pk]))))
    assert set(functional) == {"李四"} and functional["李四"]["所在党组织"] == world.neighbor_branch.name


def test_roster_with_full_values_after_a_reason(world, client_for):
    url = reverse("organizations:roster_export_full", args=[world.branch.pk])
    client = client_for("street")
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200
    assert AccessLog.objects.count() == 0
    ws = sheet_of(client.post(url, {"reason": "年度核对"}))
    assert persons_in(ws)["张三"]["身份证号"] == world.zhang.id_number
    assert AccessLog.objects.get().reason == "年度核对"


def test_roster_outside_the_scope_is_404(world, client_for):
    assert client_for("street").get(
        reverse("organizations:roster_export", args=[world.other_branch.pk])).status_code == 404
    assert client_for("secretary").get(
        reverse("organizations:roster_export", args=[world.street_org.pk])).status_code == 404
    assert AccessLog.objects.count() == 0


def test_outside_organisation_name_and_pending_list(world, client_for):
    make_person("周九", region=world.community, outside="某企业离退休党支部")
    make_person("吴十", region=world.community)  # a party member with no relation: 待落实
    people = persons_in(sheet_of(client_for("bureau").get(reverse("people:export"))))
    assert people["周九"]["所在党组织"] == "某企业离退休党支部"
    ws = sheet_of(client_for("bureau").get(reverse("people:pending_export")))
    assert rows_of(ws)[0][0] == "待落实组织关系的离退休干部"
    assert set(persons_in(ws)) == {"吴十"}
    assert AccessLog.objects.filter(field="pending").count() == 1


def test_template_has_headers_and_a_fictitious_example(world, client_for):
    ws = sheet_of(client_for("street").get(reverse("people:export_template")))
    rows = rows_of(ws)
    assert rows[0] == COLUMNS
    assert len(rows) == 2
    example = dict(zip(COLUMNS, rows[1], strict=True))
    assert "示例" in example["姓名"]
    info = idnumber.parse(example["身份证号"])
    assert example["出生年月"] == info.birth_date.isoformat()
    assert example["性别"] == ("男" if info.gender == "M" else "女")
    assert ws.cell(2, 5).data_type == "s"


def test_units_export(world, client_for):
    ws = sheet_of(client_for("bureau").get(reverse("organizations:units_export"), {"q": "教育"}))
    rows = rows_of(ws)
    assert rows[0][0] == "单位"
    assert rows[1] == ["名称", "类型", "行政区划", "离退休人员", "离退休干部党组织"]
    assert rows[2][0] == "区教育局" and rows[2][3] == 1
    assert rows[-2][0] == "合计: 1行"
    assert AccessLog.objects.get().field == "units"


def _export_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        sheet_of(response)
    return len(ctx)


def test_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for("bureau")
    list_url = reverse("people:export")
    roster_url = reverse("organizations:roster_export", args=[world.root.pk])
    small = _export_queries(client, list_url), _export_queries(client, roster_url)
    for n in range(12):
        make_person(f"测试{n}", region=world.community, org=world.branch if n % 2 else world.neighbor_branch,
                    original_unit=world.unit)
    large = _export_queries(client, list_url), _export_queries(client, roster_url)
    assert large == small
    # Session, user, roles, scopes, the filter form, persons, one memberships query, the access log.
    assert small[0] <= 15 and small[1] <= 14, small


def test_chunks_fetch_memberships_once_per_chunk(world):
    from jinqiu.people.models import Person

    for n in range(7):
        make_person(f"块{n}", region=world.community, org=world.branch)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(exports.person_rows(Person.objects.all(), full=False, chunk_size=3))
    assert len(rows) == 11
    # 11 persons in chunks of 3: 4 chunks, each one query for memberships, plus the persons query.
    assert len(ctx) <= 1 + 4 + 1


def test_a_failing_export_leaves_no_file_and_no_log(world, client_for):
    """A row that cannot be written (here: an ID that no longer decrypts) aborts the whole export."""
    from jinqiu.core import crypto
    from jinqiu.people.models import Person

    Person.objects.filter(pk=world.zhang.pk).update(id_number_enc="not-a-token")
    with pytest.raises(crypto.DecryptionError):
        client_for("bureau").post(reverse("people:export_full"), {"reason": "核对", "query": ""})
    assert AccessLog.objects.count() == 0
