"""The REST API (django-ninja), mounted at /api/; OpenAPI at /api/openapi.json, docs at /api/docs.

Every operation takes a bearer token (integrations) or the browser session (with CSRF on unsafe
methods). The routers call the same services and scoped selectors as the web views; errors keep one
shape: `{"detail": "..."}`, or for 422 `{"detail": [{"field": name or null, "message": text}]}`.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from jinqiu.accounts.services import token_authenticate
from jinqiu.care.api import router as care_router
from jinqiu.organizations.api import router as orgs_router
from jinqiu.organizations.api import units_router
from jinqiu.orglife.api import router as orglife_router
from jinqiu.people.api import router as persons_router
from jinqiu.regions.api import router as regions_router


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>` with a key from `accounts.services.token_create`."""

    def authenticate(self, request, token: str):
        token = token.strip()
        if not token:
            return None
        return token_authenticate(token)


class BrowserSession(SessionAuth):
    """ninja's `django_auth` (session, CSRF enforced on unsafe methods), checked only when someone is logged in.

    Without a logged-in session there is nothing for CSRF to protect; the caller gets 401 rather than
    a misleading "CSRF check failed" (an integration whose token was revoked, for instance).
    """

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "properties": {"detail": {"type": "array", "items": {
            "type": "object",
            "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
            "required": ["field", "message"],
        }}},
        "required": ["detail"],
    },
}
# Every operation may answer these (the auth, the scope, the roles, the request's parsing and the services'
# checks are the same for all), so they are declared once here rather than in each router.
ERROR_RESPONSES = {
    "401": ("Authentication required", "Error"),
    "403": ("The caller's role does not allow this", "Error"),
    "404": ("Not found, or outside the caller's scope", "Error"),
    "422": ("The request or a value in it is not valid; `field` names it", "ValidationErrors"),
}


class JinqiuAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's schema, with the error answers of every operation declared (schemathesis checks them)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(ERROR_SCHEMAS)
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, (description, name) in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}})
        return schema


api = JinqiuAPI(
    title="金秋 API",
    version="1",
    description="Persons, party organisations, units and regions, within the caller's scope.",
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api",
)


def validation_details(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


@api.exception_handler(DjangoValidationError)
def on_validation_error(request, exc: DjangoValidationError):
    return api.create_response(request, {"detail": validation_details(exc)}, status=422)


# The routers name their body schema `payload` and their query schema `filters`.
SCHEMA_PARAMS = ("payload", "filters")


def request_error_message(error: dict[str, Any]) -> str:
    """A pydantic error in the user's language (pydantic's own messages are English only)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a value no greater than %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a value no less than %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("enum", "literal_error"):
        return _("Choose one of the listed values.")
    if kind.startswith(("int_", "float_", "decimal_")) or kind == "finite_number":
        return _("Enter a whole number.") if kind.startswith("int_") else _("Enter a number.")
    if kind.startswith(("date_", "datetime_", "time_")):
        return _("Enter a valid date or time (for example 2025-03-01 or 2025-03-01T14:00).")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind in ("string_type", "string_too_long", "string_too_short"):
        return _("Enter text of a suitable length.") if kind != "string_type" else _("Enter text.")
    if kind in ("model_type", "model_attributes_type", "dict_type", "list_type"):
        return _("The value does not have the expected shape.")
    return _("The value is not valid.")


@api.exception_handler(NinjaValidationError)
def on_request_error(request, exc: NinjaValidationError):
    """The payload or query did not parse: the same shape as a service's ValidationError."""
    details = []
    for error in exc.errors:
        # (source, name, ...): a schema parameter ("payload", "filters") names its field next.
        rest = list(error.get("loc", ()))[1:]
        if len(rest) > 1 and rest[0] in SCHEMA_PARAMS:
            rest = rest[1:]
        field = rest[0] if rest and isinstance(rest[0], str) and rest[0] not in SCHEMA_PARAMS else None
        details.append({"field": field, "message": request_error_message(error)})
    return api.create_response(request, {"detail": details}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    """ninja's own errors: a body that is not JSON (its 400) answers the 422 shape; others keep their status."""
    if exc.status_code == 400:
        message = _("The request body is not valid JSON.")
        return api.create_response(request, {"detail": [{"field": None, "message": message}]}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(PermissionError)
@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc: Exception):
    message = str(exc) or _("You do not have permission to do this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc: AuthenticationError):
    response = api.create_response(request, {"detail": _("Authentication required.")}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="jinqiu"'
    return response


api.add_router("/persons", persons_router)
api.add_router("/orgs", orgs_router)
api.add_router("/units", units_router)
api.add_router("/regions", regions_router)
api.add_router("/orglife", orglife_router)
api.add_router("/care", care_router)
