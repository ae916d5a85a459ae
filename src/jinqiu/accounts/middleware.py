from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

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
