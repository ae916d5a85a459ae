"""Who did it: every service runs its writes inside `acting(actor)` so the change history names them."""

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor


@contextmanager
def acting(actor):
    """Name the actor, keeping the client address the request's middleware found (auditlog's `set_actor`
    alone would replace it with nothing), and give the request's context back afterwards."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        yield
        return
    outer = auditlog_value.get(None)
    try:
        with set_actor(actor, remote_addr=(outer or {}).get("remote_addr"),
                       remote_port=(outer or {}).get("remote_port")):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
