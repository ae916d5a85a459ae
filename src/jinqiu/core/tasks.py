"""Periodic housekeeping (huey); idempotent, safe to run on several workers at once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .idempotency import purge


@db_periodic_task(crontab(hour="3", minute="10"))
def purge_idempotency_keys() -> int:
    """One-time form tokens and API idempotency keys are kept a while, then forgotten."""
    return purge()
