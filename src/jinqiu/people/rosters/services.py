"""Writes of the roster import: the RosterImport log row, preview and commit (called by web, task and CLI)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jinqiu.people.models import ImportStatus, RosterImport

from . import importer, reader

logger = logging.getLogger(__name__)


def _access_log(imp: RosterImport, actor, words) -> None:
    """Every upload, preview and commit goes to the access log, in Chinese words whoever clicked (the log
    is read later, by the auditor): "花名册导入 #12：预览：新增3，修改5，拒绝2". The console without a user
    has nobody to log. `words` is called with Chinese active."""
    if not getattr(actor, "is_authenticated", False):
        return
    from jinqiu.accounts.models import AccessAction  # accounts sits above people: imported when used
    from jinqiu.accounts.services import access_log_record

    with translation.override("zh-hans"):
        detail = _("Roster import #%(id)s: %(what)s") % {"id": imp.pk, "what": words()}
        reason = _("Roster import")
    access_log_record(actor=actor, action=AccessAction.IMPORT, reason=reason, detail=detail)


def _counts(counts: dict, keys=("new", "update", "unchanged", "rejected", "skipped")) -> str:
    labels = {"new": _("new %(n)s"), "update": _("changed %(n)s"), "unchanged": _("unchanged %(n)s"),
              "rejected": _("rejected %(n)s"), "skipped": _("skipped %(n)s")}
    return "，".join(labels[k] % {"n": f"{counts.get(k, 0):,}"} for k in keys)


def log_preview(*, imp: RosterImport, actor, analysis: importer.Analysis | None = None, error: str = "") -> None:
    if analysis is not None:
        _access_log(imp, actor, lambda: _("preview: %(counts)s") % {"counts": _counts(analysis.counts)})
    else:
        _access_log(imp, actor, lambda: _("preview failed: %(error)s") % {"error": error[:120]})


def log_commit(*, imp: RosterImport, actor, analysis: importer.Analysis | None = None, error: str = "") -> None:
    if analysis is not None:
        _access_log(imp, actor, lambda: _("commit: %(counts)s") % {"counts": _counts(
            analysis.counts, ("new", "update", "rejected"))})
    else:
        _access_log(imp, actor, lambda: _("commit failed: %(error)s") % {"error": error[:120]})


def store_file(content, file_name: str) -> str:
    """Save an uploaded roster through the storage API (never a local path: a worker on another machine reads
    it too) under rosters/YYYY/MM/<random>.<suffix>; returns the storage name kept on the RosterImport."""
    name = f"{timezone.localtime():rosters/%Y/%m}/{uuid.uuid4().hex}{Path(file_name).suffix.lower()}"
    return default_storage.save(name, content)


def _hash_and_size(name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _storage_name(stored: str) -> str:
    """The storage name of an import's file; a row written before files went through the storage holds an
    absolute path under MEDIA_ROOT, which is that name on the default file-system storage."""
    path = Path(stored)
    if path.is_absolute():
        with contextlib.suppress(ValueError):
            return path.relative_to(settings.MEDIA_ROOT).as_posix()
    return stored


@contextlib.contextmanager
def local_copy(imp: RosterImport) -> Iterator[Path]:
    """The import's file as a private temporary file, read through the storage (which may be anything but
    this machine's disk), deleted afterwards. The readers need a real file (zip, OLE, calamine); the size
    limit is checked before copying, so the copy is bounded too."""
    name = _storage_name(imp.stored_path)
    reader.check_size(default_storage.size(name))
    with tempfile.NamedTemporaryFile(prefix="jinqiu-roster-", suffix=Path(imp.file_name).suffix.lower()) as copy:
        with default_storage.open(name, "rb") as source:
            shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


def roster_import_start(*, actor, file_name: str, stored_name: str = "", path: Path | None = None, into_org=None,
                        source: str = "web") -> RosterImport:
    """Log an upload (who, when, file name and hash) before anything is read.

    The file is named by `stored_name` (already saved by `store_file`), or given as a local `path` (the
    console: the operator's own file), which is then saved through the storage like an upload, so that a
    preview of it can be committed later from the web pages, on whatever machine.
    """
    if path is not None:
        with Path(path).open("rb") as handle:
            stored_name = store_file(File(handle), file_name)
    digest, size = _hash_and_size(stored_name)
    imp = RosterImport.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None, file_name=file_name[:200],
        file_hash=digest, stored_path=stored_name, into_org=into_org, source=source,
    )
    _access_log(imp, actor, lambda: _("upload, %(size)s KB") % {"size": f"{max(1, round(size / 1024)):,}"})
    return imp


def expired_message(days: int) -> str:
    return _("The uploaded file was deleted %(days)s days after the upload: upload it again.") % {"days": days}


def roster_files_expire() -> int:
    """Delete the stored file of every import uploaded more than JINQIU_ROSTER_RETENTION_DAYS days ago, through
    the storage; the RosterImport row stays (who, when, the file's name and hash, the counts, the batch rows in
    each person's history). An import still waiting for its commit cannot be committed any more, and says so.
    Returns how many files were deleted."""
    days = settings.JINQIU_ROSTER_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    for imp in RosterImport.objects.filter(created_at__lt=cutoff).exclude(stored_path="").only("pk", "stored_path"):
        name = _storage_name(imp.stored_path)
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
        RosterImport.objects.filter(pk=imp.pk).update(stored_path="")
        RosterImport.objects.filter(pk=imp.pk, status__in=[ImportStatus.UPLOADED, ImportStatus.PREVIEWED]).update(
            status=ImportStatus.FAILED, error=expired_message(days))
    return deleted


def _mapping(imp: RosterImport) -> dict[int, str] | None:
    return {int(k): v for k, v in imp.mapping.items() if v} if imp.mapping else None


def _save_progress(imp: RosterImport, value: int) -> None:
    RosterImport.objects.filter(pk=imp.pk).update(progress=min(value, 100))


def unreadable_message() -> str:
    return _("The file could not be read to the end: nothing was imported. Save it again as a plain .xlsx "
             "workbook (or .csv) and upload it again; if it still fails, send it to the bureau.")


def roster_import_preview(*, imp: RosterImport, actor) -> RosterImport:
    """Read and check the file (no person is written); the outcome is kept on the row for the preview page.

    Whatever goes wrong while reading ends the import as failed with a message: never "reading 1%" forever.
    """
    RosterImport.objects.filter(pk=imp.pk).update(status=ImportStatus.READING, progress=1, error="")
    analysis = None
    try:
        with local_copy(imp) as path:
            analysis = importer.analyse(actor=actor, path=path, file_name=imp.file_name,
                                        into_org=imp.into_org, mapping=_mapping(imp),
                                        progress=lambda v: _save_progress(imp, v))
    except reader.MappingIncomplete as exc:
        imp.status, imp.error = ImportStatus.PREVIEWED, str(exc.message)
        imp.result = {"needs_mapping": True, "headers": exc.headers, "header_row": exc.header_row,
                      "sheet": exc.sheet, "mapping": {str(k): v for k, v in exc.mapping.items()}}
    except reader.FileRejected as exc:
        imp.status, imp.error, imp.result = ImportStatus.FAILED, str(exc.message), {}
    except Exception:  # a file no check foresaw: the import fails with a message, the trace goes to the log
        logger.exception("roster import #%s: reading failed", imp.pk)
        imp.status, imp.error, imp.result = ImportStatus.FAILED, unreadable_message(), {}
    else:
        imp.status, imp.result, imp.error = ImportStatus.PREVIEWED, analysis.as_json(), ""
        imp.mapping = analysis.as_json()["mapping"]
    imp.progress = 100
    imp.save(update_fields=["status", "result", "error", "mapping", "progress"])
    log_preview(imp=imp, actor=actor, analysis=analysis, error=imp.error)
    return imp


def roster_import_commit(*, imp: RosterImport, actor) -> RosterImport:
    """Write every accepted row in one transaction, or nothing; the counts go on the log row."""
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=imp.pk)
        if locked.status != ImportStatus.PREVIEWED or locked.result.get("needs_mapping"):
            return locked
        locked.status = ImportStatus.COMMITTING
        locked.save(update_fields=["status"])
    try:
        with local_copy(imp) as path:
            analysis = importer.commit(actor=actor, path=path, file_name=imp.file_name,
                                       into_org=imp.into_org, mapping=_mapping(imp), roster_import=imp)
    except reader.FileRejected as exc:
        message = str(exc.message)
    except Exception:  # the transaction is rolled back: nothing written, and the import says so
        logger.exception("roster import #%s: commit failed", imp.pk)
        message = unreadable_message()
    else:
        imp.status, imp.result, imp.committed_at = ImportStatus.COMMITTED, analysis.as_json(), timezone.now()
        imp.save(update_fields=["status", "result", "committed_at"])
        log_commit(imp=imp, actor=actor, analysis=analysis)
        return imp
    imp.status, imp.error = ImportStatus.FAILED, message
    imp.save(update_fields=["status", "error"])
    log_commit(imp=imp, actor=actor, error=message)
    return imp
