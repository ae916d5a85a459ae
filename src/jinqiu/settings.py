"""Settings for 金秋. One module; every knob comes from the environment through typed helpers.

With no environment at all the project runs on SQLite in ./data with a generated secret key.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str | None:
    """A string from NAME, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(env_str("JINQIU_DATA_DIR", str(Path.cwd() / "data"))).resolve()


def _generated_secret(file_name: str, length: int) -> str:
    """A secret generated once and kept in the data folder: only for the embedded default."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(length), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


DEBUG = env_bool("JINQIU_DEBUG", False)
SECRET_KEY = env_str("JINQIU_SECRET_KEY") or _generated_secret("secret_key", 50)
# Key for personal data at rest (AES-256-GCM) and its blind index; 32+ random characters.
FIELD_KEY = env_str("JINQIU_FIELD_KEY") or _generated_secret("field_key", 32)
ALLOWED_HOSTS = env_list("JINQIU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JINQIU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "csp",
    "ninja",
    "axes",
    "auditlog",
    "huey.contrib.djhuey",
    "jinqiu.core",
    "jinqiu.regions",
    "jinqiu.organizations",
    "jinqiu.people",
    "jinqiu.accounts",
    "jinqiu.notifications",
    "jinqiu.orglife",
    "jinqiu.care",
    "jinqiu.stats",
    "jinqiu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jinqiu.accounts.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jinqiu.core.middleware.RefuseUnstorableTextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jinqiu.accounts.middleware.AuditlogMiddleware",
    "jinqiu.accounts.middleware.LoginRequiredMiddleware",
    "jinqiu.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jinqiu.urls"
WSGI_APPLICATION = "jinqiu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jinqiu.accounts.context_processors.roles",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("JINQIU_DB_CONN_MAX_AGE", 60))}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "jinqiu.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;PRAGMA mmap_size=268435456;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jinqiu.accounts.passwords.StrongPasswordValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "jinqiu.accounts.passwords.ZxcvbnValidator", "OPTIONS": {"min_score": 3}},
]

# Lock out after 5 failures for 30 minutes, by username and, separately, by IP address.
AXES_FAILURE_LIMIT = env_int("JINQIU_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("JINQIU_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Proxies (nginx, a load balancer) in front of the app that append to X-Forwarded-For: the client address is
# read through this many of them, for lockout, the access log and the change history. 0: the header is ignored.
JINQIU_TRUSTED_PROXIES = env_int("JINQIU_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "jinqiu.accounts.network.client_ip"

# Idle timeout: the session lives 30 minutes after the last request.
SESSION_COOKIE_AGE = env_int("JINQIU_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Production behind HTTPS: secure cookies, redirect to HTTPS, HSTS (JINQIU_HSTS_SECONDS, default a year).
SECURE = env_bool("JINQIU_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = env_int("JINQIU_HSTS_SECONDS", 31_536_000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE and env_bool("JINQIU_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^health"]  # the load balancer's probe speaks plain HTTP

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("zh-hant", _("繁體中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("JINQIU_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "jinqiu",
        "url": REDIS_URL,
        "immediate": env_bool("JINQIU_HUEY_IMMEDIATE", False),
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "jinqiu",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("JINQIU_HUEY_IMMEDIATE", True),
    }

# Notifications: "console" (development), "sms" or "wechat" (HTTP gateways configured below).
JINQIU_NOTIFY_BACKEND = env_str("JINQIU_NOTIFY_BACKEND", "console")
JINQIU_SMS_URL = env_str("JINQIU_SMS_URL", "")
JINQIU_SMS_TOKEN = env_str("JINQIU_SMS_TOKEN", "")
JINQIU_WECHAT_URL = env_str("JINQIU_WECHAT_URL", "")
JINQIU_WECHAT_TOKEN = env_str("JINQIU_WECHAT_TOKEN", "")
JINQIU_UPLOAD_MAX_MB = env_int("JINQIU_UPLOAD_MAX_MB", 10)
# 联系卡: the bureau's service hotline printed on every card (12345 is the government service hotline).
JINQIU_CARE_HOTLINE = env_str("JINQIU_CARE_HOTLINE", "12345")

# Roster (花名册) import limits: file size, rows, sheets, zip expansion (a zip bomb is refused unread)
ROSTER_IMPORT_MAX_BYTES = env_int("JINQIU_ROSTER_MAX_MB", 50) * 1024 * 1024
ROSTER_IMPORT_MAX_ROWS = env_int("JINQIU_ROSTER_MAX_ROWS", 200_000)
ROSTER_IMPORT_MAX_SHEETS = env_int("JINQIU_ROSTER_MAX_SHEETS", 20)
ROSTER_IMPORT_MAX_ZIP_RATIO = env_int("JINQIU_ROSTER_MAX_ZIP_RATIO", 100)
ROSTER_IMPORT_MAX_ZIP_BYTES = env_int("JINQIU_ROSTER_MAX_ZIP_MB", 1024) * 1024 * 1024
# Uploaded roster files are deleted from the storage this many days after the upload (a nightly task).
JINQIU_ROSTER_RETENTION_DAYS = env_int("JINQIU_ROSTER_RETENTION_DAYS", 90)
# Files up to this many bytes are read in the request; larger ones by the background worker
ROSTER_IMPORT_BACKGROUND_BYTES = env_int("JINQIU_ROSTER_BACKGROUND_KB", 512) * 1024

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if JINQIU_TRUSTED_PROXIES:
    # The proxy tells whether the client spoke HTTPS (nginx: proxy_set_header X-Forwarded-Proto $scheme).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles only as files from static/ (HTMX, our js/ and
# css/); no inline script, style or eval. The vendored Alpine.js is not loaded by any page: its standard
# build needs 'unsafe-eval', so a page that ever needs it must use Alpine's CSP build.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Masked fields (phones) are stored in the change history as 138****5678, and an empty one stays empty.
AUDITLOG_MASK_CALLABLE = "jinqiu.core.history.mask_for_log"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_forbidden": {"()": "jinqiu.core.errors.OneLineForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JINQIU_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "ERROR"}, "django.request": {"filters": ["one_line_forbidden"]}},
}
