"""A committed roster import leaves one batch row per person it created or changed, and each person's change
history says so: "由花名册导入 #12（王科长）新增" / "…修改", linked to the import only for its uploader."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jinqiu.people.models import ImportedAction, ImportedPerson, Person, RosterImport
from jinqiu.people.rosters import importer
from tests.rosters.files import pid, row, xlsx

pytestmark = pytest.mark.django_db


def _upload_and_commit(client, path) -> RosterImport:
    with path.open("rb") as handle:
        client.post(reverse("rosters:list"), {"file": SimpleUploadedFile(path.name, handle.read())})
    imp = RosterImport.objects.latest("pk")
    client.post(reverse("rosters:commit", args=[imp.pk]))
    imp.refresh_from_db()
    return imp


def _page(client, person) -> str:
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def imported(world, client_for, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    street = world.users["street"]
    street.display_name = "王科长"
    street.save(update_fields=["display_name"])
    zhang_id = world.zhang.id_number
    path = xlsx(tmp_path / "花名册.xlsx", [
        row("新甲", pid(date(1950, 3, 12), seq=21), org=world.branch.name, joined="1975", phone="13900001111"),
        row("新乙", pid(date(1951, 4, 13), seq=23), org=world.branch.name, joined="1976", phone="13900002222"),
        row("张三", zhang_id, org=world.branch.name, joined="1975.07", note="导入时补记"),
    ])
    imp = _upload_and_commit(client_for("street"), path)
    assert imp.result["new"] == 2 and imp.result["update"] == 1, imp.result
    return imp, Person.objects.get(name="新甲"), Person.objects.get(name="新乙")


def test_batch_rows_name_every_person_created_or_changed(world, imported):
    imp, first, second = imported
    rows = set(ImportedPerson.objects.filter(roster_import=imp).values_list("person_id", "action"))
    assert rows == {(first.pk, ImportedAction.CREATED), (second.pk, ImportedAction.CREATED),
                    (world.zhang.pk, ImportedAction.UPDATED)}


def test_person_pages_show_the_import_sentence_to_the_bureau(world, imported, client_for):
    imp, first, second = imported
    bureau = client_for("bureau")
    created = f"由花名册导入 #{imp.pk}（王科长）新增"
    changed = f"由花名册导入 #{imp.pk}（王科长）修改"
    detail = reverse("rosters:detail", args=[imp.pk])
    for person in (first, second):
        page = _page(bureau, person)
        assert created in page and changed not in page
        assert f'href="{detail}"' not in page  # the import is its uploader's alone
        other = second if person == first else first
        assert other.name not in page and other.mobile not in page and other.mobile[-4:] not in page
    page = _page(bureau, world.zhang)
    assert changed in page and created not in page
    assert "新甲" not in page and "新乙" not in page
    untouched = _page(bureau, world.zhao)
    assert "由花名册导入" not in untouched and f"#{imp.pk}（" not in untouched


def test_uploader_gets_a_link_to_the_import(world, imported, client_for):
    imp, first, _second = imported
    page = _page(client_for("street"), first)
    assert f'<a href="{reverse("rosters:detail", args=[imp.pk])}">由花名册导入 #{imp.pk}（王科长）新增</a>' in page


def test_import_sentence_stands_in_time_order_among_the_other_entries(world, imported, client_for):
    from jinqiu.people import services as people_services

    imp, first, _second = imported
    people_services.person_update(actor=world.users["street"], person=first, fields={"note": "后来的修改"})
    page = _page(client_for("bureau"), first)
    history = page[page.index('<ol class="history">'):]
    sentence = f"由花名册导入 #{imp.pk}（王科长）新增"
    assert history.index("后来的修改") < history.index(sentence)  # newest first
    at = timezone.localtime(ImportedPerson.objects.get(person=first).at, ZoneInfo("Asia/Shanghai"))
    assert f'{at:%Y-%m-%d %H:%M}</time> · {sentence}' in history


def test_batch_rows_are_written_in_bulk(world, tmp_path):
    """No query per row: the batch rows of 60 new persons cost the same queries as those of 2."""
    def queries_for(n: int, start: int) -> int:
        path = xlsx(tmp_path / f"r{n}.xlsx", [row(f"人{start + i}", pid(date(1950, 1, 1), seq=start + 2 * i))
                                              for i in range(n)])
        imp = RosterImport.objects.create(actor=world.users["bureau"], file_name="r.xlsx", stored_path=str(path))
        with CaptureQueriesContext(connection) as captured:
            a = importer.commit(actor=world.users["bureau"], path=path, file_name="r.xlsx", roster_import=imp)
        assert a.counts["new"] == n, a.errors
        assert ImportedPerson.objects.filter(roster_import=imp).count() == n
        return len([q for q in captured.captured_queries if "imported" in q["sql"].lower()])

    assert queries_for(2, 300) == queries_for(60, 600) == 1


def test_a_commit_without_an_import_row_writes_no_batch_rows(world, tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [row("控制台", pid(date(1950, 1, 1), seq=501))])
    importer.commit(actor=None, path=path, file_name="r.xlsx")
    assert Person.objects.filter(name="控制台").exists() and not ImportedPerson.objects.exists()


def test_a_console_import_names_its_persons_too(world, tmp_path, capsys):
    from django.core.management import call_command

    path = xlsx(tmp_path / "r.xlsx", [row("控制台甲", pid(date(1950, 1, 1), seq=703))])
    call_command("import", "roster", str(path), "--commit", "--json", "--into", world.branch.name)
    imp = RosterImport.objects.get(source="cli")
    batch = ImportedPerson.objects.get(roster_import=imp)
    assert (batch.person.name, batch.action) == ("控制台甲", ImportedAction.CREATED)
