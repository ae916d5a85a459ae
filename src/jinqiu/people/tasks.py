"""Background jobs of the people app: reading a large roster off the request, and forgetting old uploads."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import ImportStatus, RosterImport


@db_task()
def roster_preview(import_id: int) -> None:
    """Read and check an uploaded roster; progress is saved on the RosterImport row as it goes."""
    from .rosters import services

    imp = RosterImport.objects.select_related("actor", "into_org").filter(pk=import_id).first()
    if imp is None:
        return  # deleted meanwhile: nothing to read
    try:
        services.roster_import_preview(imp=imp, actor=imp.actor)
    except Exception:
        # The service ends every reading failure itself; this is the last guard: never "reading 1%" forever.
        RosterImport.objects.filter(pk=imp.pk).update(status=ImportStatus.FAILED, progress=100,
                                                      error=services.unreadable_message())
        raise


@db_periodic_task(crontab(hour="3", minute="40"))
def roster_files_expire() -> int:
    """Every night: uploaded roster files older than JINQIU_ROSTER_RETENTION_DAYS are deleted from the storage
    (the import's log row, its counts and its batch rows stay)."""
    from .rosters import services

    return services.roster_files_expire()
