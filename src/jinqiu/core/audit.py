"""Who did it: every service runs its writes inside `acting(actor)` so the change history names them."""

from contextlib import contextmanager

from auditlog.context import set_actor


@contextmanager
def acting(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        yield
        return
    with set_actor(actor):
        yield
