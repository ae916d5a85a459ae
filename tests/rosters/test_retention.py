"""Uploaded roster files are not kept for ever: a nightly task deletes, through the storage, every file
uploaded more than JINQIU_ROSTER_RETENTION_DAYS days ago; the import's log row stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from jinqiu.people import tasks
from jinqiu.people.models import ImportStatus, RosterImport
from jinqiu.people.rosters import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def _upload(days_ago: int, status=ImportStatus.COMMITTED) -> RosterImport:
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        imp = services.roster_import_start(actor=None, file_name="花名册.csv",
                                           stored_name=services.store_file(ContentFile(b"x"), "花名册.csv"))
    RosterImport.objects.filter(pk=imp.pk).update(status=status)
    imp.refresh_from_db()
    return imp


def test_files_older_than_the_retention_are_deleted_and_the_rows_stay(memory_storage, settings):
    settings.JINQIU_ROSTER_RETENTION_DAYS = 90
    old, waiting = _upload(91), _upload(120, ImportStatus.PREVIEWED)
    recent = _upload(89)
    names = {imp.pk: imp.stored_path for imp in (old, waiting, recent)}
    assert all(default_storage.exists(name) for name in names.values())

    with translation.override("en"):
        assert tasks.roster_files_expire.call_local() == 2

    assert not default_storage.exists(names[old.pk]) and not default_storage.exists(names[waiting.pk])
    assert default_storage.exists(names[recent.pk])
    rows = {imp.pk: imp for imp in RosterImport.objects.all()}
    assert set(rows) == set(names)  # the log rows stay, their file hash and counts with them
    assert rows[old.pk].stored_path == "" and rows[old.pk].status == ImportStatus.COMMITTED
    assert rows[old.pk].file_hash == old.file_hash
    assert rows[waiting.pk].status == ImportStatus.FAILED and "upload it again" in rows[waiting.pk].error
    assert rows[recent.pk].stored_path == names[recent.pk] and rows[recent.pk].status == ImportStatus.COMMITTED

    with translation.override("en"):
        assert tasks.roster_files_expire.call_local() == 0  # nothing left to delete: a second night is a no-op


def test_retention_follows_the_setting(memory_storage, settings):
    settings.JINQIU_ROSTER_RETENTION_DAYS = 7
    imp = _upload(8)
    assert tasks.roster_files_expire.call_local() == 1
    assert not default_storage.exists(imp.stored_path)


def test_the_task_runs_every_day():
    from datetime import datetime

    validate = tasks.roster_files_expire.task_class().validate_datetime
    start = datetime.combine(timezone.localdate(), datetime.min.time())
    runs = [start + timedelta(minutes=m) for m in range(2 * 24 * 60) if validate(start + timedelta(minutes=m))]
    assert len(runs) == 2 and runs[1] - runs[0] == timedelta(days=1)
