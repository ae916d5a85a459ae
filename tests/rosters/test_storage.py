"""Issue 8: roster uploads go through Django's storage API, never by a local path, so that a worker on
another machine reads what an app server received. Proved with a storage that is no disk at all."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jinqiu.people.models import ImportStatus, Person, RosterImport
from jinqiu.people.rosters import services
from tests.rosters.files import pid, row, write_csv, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_storage(settings, tmp_path, monkeypatch):
    """The default storage in memory; MEDIA_ROOT and the temporary folder watched for leftovers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*")), "something was written under MEDIA_ROOT"
    assert not any(scratch.iterdir()), "a temporary copy of a roster was left behind"


def _file(kind: str, folder: Path, name: str, org: str) -> Path:
    rows = [row(name, pid(date(1950, 3, 12), seq=31), org=org, joined="1970")]
    if kind == "xlsx":
        return xlsx(folder / "花名册.xlsx", rows)
    if kind == "csv":
        return write_csv(folder / "花名册.csv", rows)
    from tests.rosters.test_xls import xls

    return xls(folder / "花名册.xls", rows)


def _upload(client, path):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("rosters:list"), {"file": upload, "into_org": ""})


@pytest.mark.parametrize("background", [False, True], ids=["in-request", "huey-task"])
@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
def test_upload_preview_commit_never_touch_the_local_disk(world, client_for, tmp_path, settings, memory_storage,
                                                          kind, background):
    if background:
        settings.ROSTER_IMPORT_BACKGROUND_BYTES = 10  # every file goes to huey (immediate mode in tests)
    name = f"存储{kind}{int(background)}"
    source = tmp_path / "upload"
    source.mkdir()
    path = _file(kind, source, name, world.branch.name)
    client = client_for("street")
    client.post(reverse("rosters:list"))  # nothing to store: the form only
    response = _upload(client, path)
    assert response.status_code == 302
    imp = RosterImport.objects.get()
    assert imp.stored_path.startswith("rosters/") and imp.stored_path.endswith(f".{kind}")
    assert not Path(imp.stored_path).is_absolute()
    assert default_storage.exists(imp.stored_path)
    with default_storage.open(imp.stored_path, "rb") as handle:
        assert handle.read() == path.read_bytes()
    assert imp.status == ImportStatus.PREVIEWED, imp.error
    assert imp.result["new"] == 1 and len(imp.file_hash) == 64
    client.post(reverse("rosters:commit", args=[imp.pk]))
    imp.refresh_from_db()
    assert imp.status == ImportStatus.COMMITTED, imp.error
    assert Person.objects.filter(name=name).exists()


def test_the_storage_name_is_dated_and_random(world, memory_storage):
    first = services.store_file(ContentFile(b"a,b\n"), "花名册.CSV")
    second = services.store_file(ContentFile(b"a,b\n"), "花名册.CSV")
    assert first != second and first.endswith(".csv") and first.count("/") == 3
    assert "花名册" not in first  # the user's file name is kept on the row, not in the storage


def test_a_file_missing_from_the_storage_fails_with_a_message(world, memory_storage):
    name = services.store_file(ContentFile(b"x"), "r.csv")
    imp = services.roster_import_start(actor=world.users["street"], stored_name=name, file_name="r.csv")
    default_storage.delete(name)
    services.roster_import_preview(imp=imp, actor=world.users["street"])
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED and imp.error and imp.progress == 100


def test_a_file_grown_past_the_limit_in_the_storage_is_not_copied(world, memory_storage, settings):
    name = services.store_file(ContentFile(b"a,b\n" * 100), "r.csv")
    imp = services.roster_import_start(actor=world.users["street"], stored_name=name, file_name="r.csv")
    settings.ROSTER_IMPORT_MAX_BYTES = 10
    services.roster_import_preview(imp=imp, actor=world.users["street"])
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED and "MB" in imp.error


def test_cli_reads_the_operators_file_and_keeps_a_copy_in_the_storage(world, tmp_path, memory_storage, capsys):
    import json

    from django.core.management import call_command

    path = xlsx(tmp_path / "r.xlsx", [row("命令存储", pid(date(1950, 3, 12), seq=41), org=world.branch.name, joined="1970")])
    call_command("import", "roster", str(path), "--json", "--user", world.users["street"].username)
    assert json.loads(capsys.readouterr().out)["new"] == 1
    imp = RosterImport.objects.get(source="cli")
    assert imp.stored_path.startswith("rosters/") and default_storage.exists(imp.stored_path)
    # the console's preview can be committed later from the web pages, by a worker anywhere
    services.roster_import_commit(imp=imp, actor=world.users["street"])
    imp.refresh_from_db()
    assert imp.status == ImportStatus.COMMITTED and Person.objects.filter(name="命令存储").exists()


def test_an_import_from_before_keeps_working_from_its_absolute_path(world, tmp_path, settings):
    """Rows written before uploads went through the storage hold an absolute path under MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = xlsx(tmp_path / "r.xlsx", [row("旧行", pid(date(1950, 3, 12), seq=51))])
    imp = services.roster_import_start(actor=world.users["street"], path=path, file_name="r.xlsx")
    RosterImport.objects.filter(pk=imp.pk).update(stored_path=str(Path(settings.MEDIA_ROOT) / imp.stored_path))
    imp.refresh_from_db()
    services.roster_import_preview(imp=imp, actor=world.users["street"])
    imp.refresh_from_db()
    assert imp.status == ImportStatus.PREVIEWED and imp.result["new"] == 1
