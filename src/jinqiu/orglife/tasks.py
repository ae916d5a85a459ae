"""Periodic jobs of organisational life (huey); idempotent: reminders are keyed per meeting and period."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .reminders import send_reminders


@db_periodic_task(crontab(hour="8", minute="30"))
def remind_secretaries() -> int:
    return send_reminders()
