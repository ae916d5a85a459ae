"""Small helpers shared by the thin views of every app."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form


def apply_service(form: Form, call: Callable[[], Any]) -> Any | None:
    """Run a service; put its ValidationError on the form's fields (or the form) and return None."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return None


def require(condition: bool) -> None:
    """Roles grant actions: an in-scope object the user may not change answers 403."""
    if not condition:
        raise PermissionDenied


def paginate(request, queryset, per_page: int = 50, *, count_from_first_page: bool = False):
    """A page of the queryset. With `count_from_first_page` (searches: usually a few hits), the first page is
    read with one row more, and when it is not full its length is the count: no COUNT over the table."""
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page")
    if count_from_first_page and number in (None, "", "1"):
        first = list(queryset[: per_page + 1])
        if len(first) <= per_page:
            paginator.count = len(first)  # overrides the cached property
        return Page(first[:per_page], 1, paginator)
    return paginator.get_page(number)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def client_ip(request) -> str | None:
    """The client's address, for lockout, the access log and the change history.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so with N
    trusted proxies (JINQIU_TRUSTED_PROXIES) the client is the N-th address from the right of
    [X-Forwarded-For..., REMOTE_ADDR]; what lies further left was written by the client and is ignored.
    With 0 (the default: no proxy) the header is never read.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "JINQIU_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    chain = [*forwarded, remote or ""]
    if len(chain) <= proxies:
        return remote  # not through all our proxies: only the connecting address is known
    try:
        return str(ipaddress.ip_address(chain[-1 - proxies].strip()))
    except ValueError:
        return remote
