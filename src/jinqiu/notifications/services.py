"""Every write to messages and reminders."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .backends import Backend, Outgoing, get_backend
from .models import Message, Reminder


def _mobile(user) -> str:
    person = getattr(user, "person", None)
    return (person.mobile if person else "") or ""


@transaction.atomic
def message_send(*, recipients: Iterable, title: str, body: str = "", link: str = "",
                 backend: Backend | None = None) -> list[Message]:
    """An in-app message to each recipient, also pushed through the configured backend."""
    recipients = [u for u in recipients if u.is_active]
    messages = Message.objects.bulk_create(
        [Message(recipient=u, title=title[:120], body=body, link=link) for u in recipients])
    backend = backend or get_backend()
    for user in recipients:
        # The push happens after commit: a rolled-back reminder sends nothing.
        outgoing = Outgoing(user.username, _mobile(user), title, body)
        transaction.on_commit(lambda o=outgoing: backend.send(o))
    return messages


def reminder_send_once(*, key: str, recipients: Iterable, title: str, body: str = "", link: str = "",
                       backend: Backend | None = None) -> bool:
    """Send unless a reminder with this key went out before; True when it was sent now."""
    recipients = list(recipients)
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key[:120], recipients=len(recipients))
            message_send(recipients=recipients, title=title, body=body, link=link, backend=backend)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def message_mark_read(*, actor, message: Message) -> Message:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message
