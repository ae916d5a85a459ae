"""Background jobs of the people app: reading a large roster off the request."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .models import RosterImport


@db_task()
def roster_preview(import_id: int) -> None:
    """Read and check an uploaded roster; progress is saved on the RosterImport row as it goes."""
    from .rosters import services

    imp = RosterImport.objects.select_related("actor", "into_org").get(pk=import_id)
    services.roster_import_preview(imp=imp, actor=imp.actor)
