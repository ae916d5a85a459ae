"""Background jobs of the people app: reading a large roster off the request."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

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
