"""Refuse text that no database can store before any view, form or log reads it.

A NUL character is refused by PostgreSQL ("A string literal cannot contain NUL"), and a lone surrogate
(a JSON body may hold "\\ud800") cannot be encoded as UTF-8 by either database: both answered 500 from
wherever they first reached a query (a search box, a form, the login's lockout record, an API body).
One check at the door covers every app, the query string, form posts and JSON bodies alike: the API
answers its usual 422 naming the field, a page answers a 400 page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
API_PREFIX = "/api/"


def unstorable(text: str) -> bool:
    """Whether the text holds a NUL character or a lone surrogate."""
    return bool(UNSTORABLE.search(text))


def _json_strings(value: Any, field: str | None) -> Iterator[tuple[str | None, str]]:
    """(top-level field, text) for every key and string value in a parsed JSON document."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = field if field is not None else key
            yield name, key
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, field)


def _query_strings(query) -> Iterator[tuple[str | None, str]]:
    for key, values in query.lists():
        yield key, key
        for value in values:
            yield key, value


def _json_body(request: HttpRequest) -> Any:
    """The body as JSON where the API would parse it (ninja reads any non-form body as JSON)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.content_type in FORM_TYPES:
        return None
    try:
        return json.loads(request.body)
    except ValueError:  # not JSON (or not UTF-8): the API answers that itself
        return None


def bad_field(request: HttpRequest) -> tuple[bool, str | None]:
    """(found, field name) for the first text in the request that cannot be stored."""
    if unstorable(request.path):
        return True, None
    sources = [_query_strings(request.GET)]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(_query_strings(request.POST))
    elif request.path.startswith(API_PREFIX):
        sources.append(_json_strings(_json_body(request), None))
    for source in sources:
        for field, text in source:
            if unstorable(text):
                return True, field
    return False, None


class RefuseUnstorableTextMiddleware:
    """Answer 422 (API) or 400 (pages) to a request carrying NUL characters or lone surrogates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        found, field = bad_field(request)
        if not found:
            return self.get_response(request)
        message = _("Contains characters that cannot be saved (a NUL character or an invalid Unicode "
                    "character). Remove them and try again.")
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": [{"field": field, "message": message}]}, status=422)
        return render(request, "core/bad_input.html", {"message": message}, status=400)
