"""Writes of the roster import: the RosterImport log row, preview and commit (called by web, task and CLI)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from jinqiu.people.models import ImportStatus, RosterImport

from . import importer, reader


def roster_import_start(*, actor, path: Path, file_name: str, into_org=None, source: str = "web") -> RosterImport:
    """Log an upload (who, when, file name and hash) before anything is read."""
    path = Path(path)
    return RosterImport.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None, file_name=file_name[:200],
        file_hash=importer.file_hash(path), stored_path=str(path), into_org=into_org, source=source,
    )


def _mapping(imp: RosterImport) -> dict[int, str] | None:
    return {int(k): v for k, v in imp.mapping.items() if v} if imp.mapping else None


def _save_progress(imp: RosterImport, value: int) -> None:
    RosterImport.objects.filter(pk=imp.pk).update(progress=min(value, 100))


def roster_import_preview(*, imp: RosterImport, actor) -> RosterImport:
    """Read and check the file (no person is written); the outcome is kept on the row for the preview page."""
    RosterImport.objects.filter(pk=imp.pk).update(status=ImportStatus.READING, progress=1, error="")
    try:
        analysis = importer.analyse(actor=actor, path=Path(imp.stored_path), file_name=imp.file_name,
                                    into_org=imp.into_org, mapping=_mapping(imp),
                                    progress=lambda v: _save_progress(imp, v))
    except reader.MappingIncomplete as exc:
        imp.status, imp.error = ImportStatus.PREVIEWED, str(exc.message)
        imp.result = {"needs_mapping": True, "headers": exc.headers, "header_row": exc.header_row,
                      "sheet": exc.sheet, "mapping": {str(k): v for k, v in exc.mapping.items()}}
    except reader.FileRejected as exc:
        imp.status, imp.error, imp.result = ImportStatus.FAILED, str(exc.message), {}
    else:
        imp.status, imp.result, imp.error = ImportStatus.PREVIEWED, analysis.as_json(), ""
        imp.mapping = analysis.as_json()["mapping"]
    imp.progress = 100
    imp.save(update_fields=["status", "result", "error", "mapping", "progress"])
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
        analysis = importer.commit(actor=actor, path=Path(imp.stored_path), file_name=imp.file_name,
                                   into_org=imp.into_org, mapping=_mapping(imp))
    except reader.FileRejected as exc:
        imp.status, imp.error = ImportStatus.FAILED, str(exc.message)
        imp.save(update_fields=["status", "error"])
        return imp
    imp.status, imp.result, imp.committed_at = ImportStatus.COMMITTED, analysis.as_json(), timezone.now()
    imp.save(update_fields=["status", "result", "committed_at"])
    return imp
