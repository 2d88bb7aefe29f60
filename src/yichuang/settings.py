"""The one settings module. Everything that differs between machines comes from
YICHUANG_* environment variables (see docs/deployment.md)."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("YICHUANG_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("YICHUANG_VAR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("YICHUANG_PRODUCTION")
# Off unless asked for (`make run` sets YICHUANG_DEBUG=1): a plain `yichuang
# serve` shows no tracebacks, and production never does.
DEBUG = env_bool("YICHUANG_DEBUG") and not PRODUCTION
TESTING = "pytest" in sys.modules or os.environ.get("YICHUANG_TESTING") == "1"


# A production secret shorter than this, or with fewer distinct characters,
# is refused at start: `YICHUANG_SECRET_KEY=x` signs sessions anyone can forge.
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 10


def _secret(name: str, filename: str, nbytes: int) -> str:
    """A secret from the environment; in development it is generated into var/."""
    value = os.environ.get(name)
    if value:
        if PRODUCTION and (len(value) < SECRET_MIN_LENGTH or len(set(value)) < SECRET_MIN_DISTINCT):
            raise RuntimeError(
                f"{name} is too weak for production: use at least {SECRET_MIN_LENGTH}"
                f" random characters ({SECRET_MIN_DISTINCT} or more distinct)"
            )
        return value
    if PRODUCTION:
        raise RuntimeError(f"{name} must be set when YICHUANG_PRODUCTION is on")
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    path.write_text(value)
    path.chmod(0o600)
    return value


SECRET_KEY = _secret("YICHUANG_SECRET_KEY", "secret_key", 50)
# Key for personal identifiers at rest (urlsafe base64 of 32 random bytes or any
# long random string; see yichuang.lib.crypto).
DATA_KEY = _secret("YICHUANG_DATA_KEY", "data_key", 32)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("YICHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
if DEBUG and not PRODUCTION:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "yichuang.accounts.admin_apps.ProjectAdminConfig",  # the admin on our sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "yichuang.lib",
    "yichuang.accounts",
    "yichuang.org",
    "yichuang.catalog",
    "yichuang.knowledge",
    "yichuang.queueing",
    "yichuang.cases",
    "yichuang.vault",
    "yichuang.feedback",
    "yichuang.insights",
    "yichuang.supervision",
    "yichuang.home",
    "yichuang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yichuang.lib.headers.SecurityHeadersMiddleware",
    "yichuang.lib.limits.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yichuang.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yichuang.lib.errors.DomainErrorMiddleware",
]

# Request bodies (yichuang.lib.limits): JSON and forms up to 2 MB, multipart
# uploads up to 10 MB; past them 413. Uploads past 2.5 MB spool to a file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

ROOT_URLCONF = "yichuang.urls"
WSGI_APPLICATION = "yichuang.wsgi.application"

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
                "yichuang.accounts.context.navigation",
            ],
        },
    }
]

# Database: SQLite (WAL) by default, PostgreSQL in production.
DATABASE_URL = os.environ.get("YICHUANG_DATABASE_URL", f"sqlite:///{VAR_DIR / 'yichuang.sqlite3'}")
# Connections persist; no health-check query at the start of every request (it
# would be one more round trip on each hall operation). A connection that broke
# (a database restart) fails one request and is then replaced.
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=False)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0 if TESTING else 600
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not :memory:) so that threads and the live server share it; one per
    # process so that concurrent test runs don't collide.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif os.environ.get("YICHUANG_DB_PREPARED", "1") == "1":
    # PostgreSQL parses a statement a connection runs for the fifth time once,
    # then reuses it (the hall queue runs the same few statements all day).
    # Plans stay custom: the ORM binds every value, and a generic plan, made
    # without the values, can't use a partial index such as the tickets at
    # windows (status IN ('called', 'serving')); measured, such a plan took
    # 70-80 ms where the custom one takes 0.1 ms. Set YICHUANG_DB_PREPARED=0
    # behind a pooler that can't keep prepared statements (PgBouncer in
    # transaction mode).
    _db["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5,
        "options": "-c plan_cache_mode=force_custom_plan",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The second gives the administrator roles their admin-site permissions
# (accounts.admin_roles); no account is a superuser.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "yichuang.accounts.admin_roles.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "yichuang.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
LOGIN_URL = "/"

# Sessions end after 30 idle minutes (docs/domain.md, "Security").
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Local rules that differ between counties (docs/domain.md); administrators
# change them in the database (org.Setting) and every change is audited. These are
# the defaults.
LOCKOUT_ATTEMPTS = 5
LOCKOUT_MINUTES = 15
AUDIT_RETENTION_DAYS = 180
API_TOKEN_DAYS = 30
TOTP_REQUIRED_FOR_ADMINS = PRODUCTION

# How long each worker reuses a queue's recent service times when it issues a
# ticket (seconds; docs/queueing.md, "Estimates"). They move only when tickets
# finish, and a few seconds' lag leaves a wait in whole minutes the same.
QUEUE_SERVICE_TIMES_SECONDS = float(
    os.environ.get("YICHUANG_SERVICE_TIMES_SECONDS", "0" if TESTING else "5")
)

# How many reverse proxies stand in front of the app (docs/deployment.md): 0 takes
# the socket's address and ignores X-Forwarded-For, which any client can write;
# N takes the N-th address from the right of that header (behind nginx: 1).
TRUSTED_PROXIES = int(os.environ.get("YICHUANG_TRUSTED_PROXIES", "0"))

# Abuse limits of the anonymous endpoints and of sign-in (yichuang.lib.throttle,
# docs/security.md): counted in the database per address, phone or ID hash.
SIGN_IN_FAILURES_PER_ADDRESS = int(os.environ.get("YICHUANG_SIGN_IN_FAILURES_PER_ADDRESS", "50"))
SIGN_IN_ADDRESS_MINUTES = 10
COMPLAINTS_PER_ADDRESS_HOUR = int(os.environ.get("YICHUANG_COMPLAINTS_PER_ADDRESS_HOUR", "5"))
COMPLAINTS_PER_PHONE_DAY = int(os.environ.get("YICHUANG_COMPLAINTS_PER_PHONE_DAY", "3"))
# A registered Open311 client (a 12345 bridge relays every caller from one
# server) has its own hourly budget instead of the per-address limit.
OPEN311_REQUESTS_PER_CLIENT_HOUR = int(
    os.environ.get("YICHUANG_OPEN311_REQUESTS_PER_CLIENT_HOUR", "600")
)
APPOINTMENT_CODES_PER_ADDRESS_HOUR = int(
    os.environ.get("YICHUANG_APPOINTMENT_CODES_PER_ADDRESS_HOUR", "10")
)
APPOINTMENT_CODES_PER_PHONE_DAY = int(
    os.environ.get("YICHUANG_APPOINTMENT_CODES_PER_PHONE_DAY", "5")
)
APPOINTMENT_CODE_MINUTES = 10
APPOINTMENTS_OPEN_PER_PHONE = int(os.environ.get("YICHUANG_APPOINTMENTS_OPEN_PER_PHONE", "2"))
MY_DATA_CODES_PER_ID = 3  # per ID number and MY_DATA_CODE_MINUTES, on record or not
MY_DATA_CODES_PER_ADDRESS_HOUR = int(
    os.environ.get("YICHUANG_MY_DATA_CODES_PER_ADDRESS_HOUR", "10")
)
MY_DATA_SMS_PER_PHONE_DAY = int(os.environ.get("YICHUANG_MY_DATA_SMS_PER_PHONE_DAY", "5"))
# A code request of /m/my-data answers no sooner than this (seconds), on record or not.
MY_DATA_ANSWER_SECONDS = 0.0 if TESTING else 0.5

SMS_BACKEND = os.environ.get("YICHUANG_SMS_BACKEND", "yichuang.lib.sms.ConsoleBackend")
# The site's public base URL, for links in messages that leave the system (SMS).
PUBLIC_URL = os.environ.get("YICHUANG_PUBLIC_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"yichuang": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Browser headers (yichuang.lib.headers adds the CSP on every response). In
# production the site is HTTPS only: HSTS for a year, and behind a trusted proxy
# its X-Forwarded-Proto says whether the client's connection was TLS.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
