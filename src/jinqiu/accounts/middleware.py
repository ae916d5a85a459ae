from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .network import client_ip

OPEN_PREFIXES = ("/static/", "/api/", "/i18n/", "/health")


class LoginRequiredMiddleware:
    """Every page needs a login except the login page itself, static files and the API (own auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if not request.user.is_authenticated and not path.startswith(OPEN_PREFIXES):
            login_url = reverse(settings.LOGIN_URL)
            if path != login_url:
                return redirect(f"{login_url}?next={path}")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account whose password an administrator gave (new, or reset) sees only the password page until the
    user has chosen their own: the administrator must not know a password in use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False) \
                and not request.path.startswith(("/static/", "/i18n/", "/health")):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed:
                return redirect("accounts:password_change")
        return self.get_response(request)


class DefaultLanguageMiddleware:
    """The interface speaks zh-hans unless the user picked another language (the language cookie set by
    /i18n/setlang/); the browser's Accept-Language is not asked. Goes before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's, with the client address read through the trusted proxies only (its own takes the
    left-most X-Forwarded-For entry, which any client can write)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)
