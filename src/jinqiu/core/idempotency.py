"""Create once: a resubmitted form or a retried API call makes one record, not two.

The pattern every app copies for its create operations:

**Forms.** The form carries a one-time token in a hidden field, issued with the form
(`TokenField`, whose initial value is a fresh random token). The view runs the service through
`once(...)` with that token::

    class MeetingForm(forms.ModelForm):
        once = idempotency.TokenField()

    result = idempotency.once(user=request.user, scope="orglife.meeting_create",
                              key=form.cleaned_data["once"], create=lambda: services.meeting_create(...))
    if result.replayed:          # back and submit again: show what the first submit made
        messages.info(request, _("This was already saved; here it is."))
    return redirect(result.obj_url...)   # result.object_id is the record made the first time

**API.** A create operation reads the `Idempotency-Key` header (`API_HEADER`) and runs the service
through `once(...)` with it and a fingerprint of the payload: the same key answers the same record
(with the same status), the same key with another payload is refused (field "Idempotency-Key"), and
no header means no protection, as clients without retries expect.

**Why it holds.** The key is claimed by inserting a row (`core.IdempotencyKey`, unique on user, scope
and key) in the same transaction as the create. Two submits racing on two app servers both insert;
the database lets one commit and the other waits, then fails on the unique constraint and reads the
first one's record: the same on SQLite (writes are serialised) and PostgreSQL (the second insert
waits on the first's uncommitted row). A create that fails (a form error) rolls the claim back with
it, so the user corrects the form and submits the same token again. Nothing is kept in process
memory or a per-process cache. Tokens are per user: another user's token claims nothing of theirs.
Rows older than `KEEP` are removed by `purge()` (a periodic job may call it); a token is only
useful while the page that holds it is open.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import IdempotencyKey

API_HEADER = "Idempotency-Key"
KEEP = timedelta(days=2)
MAX_KEY = 128


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenField(forms.CharField):
    """The hidden one-time token of a create form; a fresh one each time the form is drawn unbound."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_KEY)
        kwargs.setdefault("initial", new_token)
        super().__init__(**kwargs)


@dataclass
class Outcome:
    object_id: int
    obj: Any = None  # the record made now; None when replayed (fetch it by object_id, in scope)
    replayed: bool = False


def fingerprint(payload: Any) -> str:
    """A hash of what was asked, so that one key cannot stand for two different requests."""
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def once(*, user, scope: str, key: str | None, create: Callable[[], Any], fingerprint: str = "",
         field: str = API_HEADER) -> Outcome:
    """Run `create` (which returns a saved model instance) once per (user, scope, key).

    Without a key it simply runs. With a key already used it does not run and returns the first record's id.
    """
    key = (key or "").strip()
    if not key:
        obj = create()
        return Outcome(object_id=obj.pk, obj=obj)
    if len(key) > MAX_KEY:
        raise ValidationError({field: [_("The key is longer than %(n)d characters.") % {"n": MAX_KEY}]})
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the failed insert leaves the outer transaction usable
                claim = IdempotencyKey.objects.create(user=user, scope=scope, key=key, fingerprint=fingerprint)
        except IntegrityError:
            first = IdempotencyKey.objects.get(user=user, scope=scope, key=key)
            if first.fingerprint != fingerprint:
                raise ValidationError({field: [_("This key was already used for a different request.")]}) from None
            return Outcome(object_id=first.object_id, replayed=True)
        obj = create()
        claim.object_id = obj.pk
        claim.save(update_fields=["object_id"])
        return Outcome(object_id=obj.pk, obj=obj)


def purge(older_than: timedelta = KEEP) -> int:
    """Forget keys older than `older_than`; returns how many."""
    return IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()[0]
