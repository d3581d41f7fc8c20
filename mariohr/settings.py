"""MarioHR settings: everything comes from environment variables with working defaults.

The defaults run the whole product on one machine with nothing but Python (SQLite, a
filesystem Celery broker, local file storage). Production sets DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL (Redis) and AWS_STORAGE_BUCKET_NAME (S3). The README lists every variable.
"""

import ipaddress
import logging
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as _csp
import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MARIOHR_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envints(name: str, default: str, *, low: int = 0, high: int | None = None) -> list[int]:
    """A non-empty comma-separated list of integers, each within low..high."""
    items = envlist(name, default)
    if not items:
        raise ImproperlyConfigured(f"{name} must list at least one integer, got nothing")
    values = []
    for item in items:
        try:
            value = int(item)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be integers, got {item!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"{low}..{high}" if high is not None else f"at least {low}"
            raise ImproperlyConfigured(f"{name} entries must be {bounds}, got {value}")
        values.append(value)
    return values


_RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def envrate(name: str, default: str) -> tuple[int, int] | None:
    """'3000/min', '60/5min' or 'off' → (requests, seconds), or None for off."""
    value = os.environ.get(name, default).strip().lower()
    if value == "off":
        return None
    match = re.fullmatch(r"([1-9]\d*)/([1-9]\d*)?(s|sec|m|min|h|hour|d|day)", value)
    if not match:
        raise ImproperlyConfigured(f"{name} must look like 3000/min, 60/5min or off, got {value!r}")
    return int(match[1]), int(match[2] or 1) * _RATE_UNITS[match[3][0]]


def _default_secret_key() -> str:
    # Development only: a random key persisted under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def envfernetkeys(name: str) -> list[str]:
    keys = envlist(name)
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # Never echo the value: it is a secret.
            raise ImproperlyConfigured(
                f"{name}: entry {position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes, e.g. from `python manage.py fernet_key`)."
            ) from None
    return keys


# The production switch (README "Security"): explicit secrets, DEBUG off, HTTPS only.
MARIOHR_PRODUCTION = envbool("MARIOHR_PRODUCTION", "False")
DEBUG = envbool("DEBUG", "False")
# Production never invents a key: every process and release must share the operator's.
SECRET_KEY = os.environ.get("SECRET_KEY") or ("" if MARIOHR_PRODUCTION else _default_secret_key())
# Old secret keys still accepted for sessions and signed links after rotating SECRET_KEY.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

MARIOHR_BASE_URL = os.environ.get("MARIOHR_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
try:
    _base = urlsplit(MARIOHR_BASE_URL)
    # .port raises ValueError on a port that is not one (":abc", ":99999").
    _base_ok = _base.scheme in ("http", "https") and bool(_base.hostname) and _base.port != 0
except ValueError:
    _base_ok = False
if not _base_ok:
    raise ImproperlyConfigured(
        f"MARIOHR_BASE_URL must be an http:// or https:// URL with a host, got {MARIOHR_BASE_URL!r}"
    )
MARIOHR_CALLBACK_PORTS = envints("MARIOHR_CALLBACK_PORTS", "443,8443", low=1, high=65535)
MARIOHR_CALLBACK_ALLOWLIST = envlist("MARIOHR_CALLBACK_ALLOWLIST")
MARIOHR_MAX_REQUEST_BYTES = envint("MARIOHR_MAX_REQUEST_BYTES", str(256 * 1024))
MARIOHR_INVITATION_DAYS = envint("MARIOHR_INVITATION_DAYS", "14")
# Late answers accepted after a test's time limit (the page's own auto-submit in flight).
MARIOHR_SUBMIT_GRACE_SECONDS = envint("MARIOHR_SUBMIT_GRACE_SECONDS", "60")
# Candidate reminders and the expiry notice (assessments.reminders): at most BATCH emails of
# each kind a sweep; a reminder slot stays open WINDOW_HOURS after it is due; a claim whose
# send failed is retried after RETRY_MINUTES; an expiry notice goes out for invitations that
# expired in the last EXPIRY_NOTICE_HOURS.
MARIOHR_REMINDER_BATCH = envint("MARIOHR_REMINDER_BATCH", "200")
MARIOHR_REMINDER_WINDOW_HOURS = envint("MARIOHR_REMINDER_WINDOW_HOURS", "12")
MARIOHR_REMINDER_RETRY_MINUTES = envint("MARIOHR_REMINDER_RETRY_MINUTES", "15")
MARIOHR_EXPIRY_NOTICE_HOURS = envint("MARIOHR_EXPIRY_NOTICE_HOURS", "24")
for _name, _value in {
    "MARIOHR_REMINDER_BATCH": MARIOHR_REMINDER_BATCH,
    "MARIOHR_REMINDER_WINDOW_HOURS": MARIOHR_REMINDER_WINDOW_HOURS,
    "MARIOHR_REMINDER_RETRY_MINUTES": MARIOHR_REMINDER_RETRY_MINUTES,
    "MARIOHR_EXPIRY_NOTICE_HOURS": MARIOHR_EXPIRY_NOTICE_HOURS,
}.items():
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1, got {_value}")
MARIOHR_ERROR_REPORT_RETENTION_DAYS = envint("MARIOHR_ERROR_REPORT_RETENTION_DAYS", "7")
# The partner-API request log (integrations.request_log): rows wait in each web process and
# leave in batches of BUFFER_ROWS, or after FLUSH_SECONDS; bodies are kept up to
# MAX_BODY_BYTES each after redaction; beat deletes rows past RETENTION_DAYS, PURGE_BATCH
# rows a statement and at most PURGE_MAX_BATCHES statements a run.
MARIOHR_REQUEST_LOG_ENABLED = envbool("MARIOHR_REQUEST_LOG_ENABLED", "True")
MARIOHR_REQUEST_LOG_RETENTION_DAYS = envint("MARIOHR_REQUEST_LOG_RETENTION_DAYS", "14")
MARIOHR_REQUEST_LOG_BUFFER_ROWS = envint("MARIOHR_REQUEST_LOG_BUFFER_ROWS", "500")
MARIOHR_REQUEST_LOG_FLUSH_SECONDS = envint("MARIOHR_REQUEST_LOG_FLUSH_SECONDS", "2")
MARIOHR_REQUEST_LOG_MAX_BODY_BYTES = envint("MARIOHR_REQUEST_LOG_MAX_BODY_BYTES", "16384")
MARIOHR_REQUEST_LOG_PURGE_BATCH = envint("MARIOHR_REQUEST_LOG_PURGE_BATCH", "5000")
MARIOHR_REQUEST_LOG_PURGE_MAX_BATCHES = envint("MARIOHR_REQUEST_LOG_PURGE_MAX_BATCHES", "100")
# Celery queue for the log's write task; empty means Celery's default queue.
MARIOHR_REQUEST_LOG_QUEUE = os.environ.get("MARIOHR_REQUEST_LOG_QUEUE", "")
# Fernet key(s) for secrets at rest (outbound credentials). Comma-separated for rotation;
# the first encrypts. Derived from SECRET_KEY when unset (development only; production mode
# requires them). `manage.py rotate_fernet_keys` re-encrypts everything with the first.
MARIOHR_FERNET_KEYS = envfernetkeys("MARIOHR_FERNET_KEYS")

# Session recordings (assessments.recordings). Presigned and signed links live at most 7 days,
# the longest S3 SigV4 allows.
MARIOHR_RECORDING_URL_TTL = envint("MARIOHR_RECORDING_URL_TTL", str(7 * 24 * 3600))
if not 0 < MARIOHR_RECORDING_URL_TTL <= 7 * 24 * 3600:
    raise ImproperlyConfigured("MARIOHR_RECORDING_URL_TTL must be 1..604800 seconds")
MARIOHR_RECORDING_MAX_CHUNK_BYTES = envint("MARIOHR_RECORDING_MAX_CHUNK_BYTES", str(16 << 20))
MARIOHR_RECORDING_MAX_BYTES = envint("MARIOHR_RECORDING_MAX_BYTES", str(4 << 30))
MARIOHR_RECORDING_TRANSCRIBER = os.environ.get(
    "MARIOHR_RECORDING_TRANSCRIBER", "assessments.recordings.transcribe.pocketsphinx_transcribe"
)
# Candidate data (assessments.privacy): recordings and personal data follow each organization's
# CandidatePolicy; delivery bodies their own days. Purges work in batches of
# MARIOHR_PRIVACY_PURGE_BATCH rows, at most MARIOHR_PRIVACY_PURGE_MAX_BATCHES a run.
MARIOHR_DELIVERY_BODY_RETENTION_DAYS = envint("MARIOHR_DELIVERY_BODY_RETENTION_DAYS", "30")
MARIOHR_PRIVACY_PURGE_BATCH = envint("MARIOHR_PRIVACY_PURGE_BATCH", "200")
MARIOHR_PRIVACY_PURGE_MAX_BATCHES = envint("MARIOHR_PRIVACY_PURGE_MAX_BATCHES", "50")
if min(MARIOHR_DELIVERY_BODY_RETENTION_DAYS, MARIOHR_PRIVACY_PURGE_BATCH) < 1:
    raise ImproperlyConfigured("MARIOHR_DELIVERY_BODY_RETENTION_DAYS and _PURGE_BATCH must be >= 1")
if MARIOHR_PRIVACY_PURGE_MAX_BATCHES < 1:
    raise ImproperlyConfigured("MARIOHR_PRIVACY_PURGE_MAX_BATCHES must be at least 1")

# Similarity between submissions of a test (assessments.similarity): pairs whose estimated
# Jaccard similarity (word 5-shingles, MinHash) reaches the threshold are shown to reviewers;
# texts of fewer words than the minimum are not compared (too short to mean anything).
try:
    MARIOHR_SIMILARITY_THRESHOLD = float(os.environ.get("MARIOHR_SIMILARITY_THRESHOLD", "0.8"))
except ValueError:
    raise ImproperlyConfigured("MARIOHR_SIMILARITY_THRESHOLD must be a number") from None
if not 0.1 <= MARIOHR_SIMILARITY_THRESHOLD <= 1.0:
    raise ImproperlyConfigured("MARIOHR_SIMILARITY_THRESHOLD must be between 0.1 and 1")
MARIOHR_SIMILARITY_MIN_WORDS = envint("MARIOHR_SIMILARITY_MIN_WORDS", "12")

INSTALLED_APPS = [
    "mariohr.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "assessments",
    "assessments.recordings",
    "assessments.privacy",
    "assessments.similarity",
    "integrations",
    "integrations.delivery",
    "integrations.request_log",
    "integrations.sandbox",
    # ATS plug-ins (integrations/plugins.py): one line each.
    "integrations.greenhouse",
    "integrations.ashby",
    "integrations.workable",
    "integrations.recruitee",
    "integrations.teamtailor",
    "mariohr.lockout_admin.AxesConfig",  # django-axes, its admin without unchecked actions
]

MIDDLEWARE = [
    # First of all: the request id (X-Request-ID) every log line and task carries.
    "mariohr.request_id.RequestIdMiddleware",
    # Then partner API calls take the shorter stack below (mariohr/partner_api_stack.py).
    "mariohr.partner_api_stack.PartnerAPIMiddleware",
    # Counts partner API calls in the stack below; pages are counted by django-prometheus.
    "mariohr.metrics.PartnerApiMetricsMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mariohr.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and views: NUL in a path, query, header or form is a 404/400, not a 500.
    "mariohr.middleware.RefuseUnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Captures calls to /api/<ats>/ only; the bodies are redacted after the response.
    "integrations.request_log.middleware.RequestLogMiddleware",
    # django-prometheus's, with its method label bounded (mariohr/metrics.py).
    "mariohr.metrics.PagesMetricsAfterMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The partner API (Basic keys, JSON; no cookies, sessions, forms or static files) runs
# without the browser middleware; every middleware that shapes its responses stays.
# Every ATS plug-in lives under /api/<ats>/; the schema and the legacy report redirects
# beside them use no session either.
MARIOHR_PARTNER_API_PREFIXES = ["/api/"]
MARIOHR_PARTNER_API_MIDDLEWARE = [
    "mariohr.request_id.RequestIdMiddleware",
    "mariohr.metrics.PartnerApiMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mariohr.csp.ContentSecurityPolicyMiddleware",
    "mariohr.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "integrations.request_log.middleware.RequestLogMiddleware",
]

ROOT_URLCONF = "mariohr.urls"
WSGI_APPLICATION = "mariohr.wsgi.application"
# The partner API answers with and without a trailing slash itself; never redirect a POST.
APPEND_SLASH = False

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
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mariohr.sqlite3'}")
try:
    _database = dj_database_url.parse(
        _database_url,
        # Persistent connections: a Celery task or request must not pay for a new one.
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
except ValueError:  # dj_database_url.UnknownSchemeError, or a port that is not a number
    _database = {}
if not _database.get("ENGINE"):
    # Only the scheme is echoed: the rest of the URL may hold the password.
    _scheme, _sep, _ = _database_url.partition("://")
    raise ImproperlyConfigured(
        "DATABASE_URL must be a database URL such as postgres://user:password@host:5432/name "
        "or sqlite:///path, got " + (f"scheme {_scheme!r}" if _sep else "no URL")
    )
DATABASES = {"default": _database}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
    # web, worker and beat queue for it instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests: a file per test run, not :memory:, so a real Celery worker process can share
    # the test database (the delivery tests start one).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_mariohr_{os.getpid()}.sqlite3")}
elif envbool("DATABASE_PREPARED_STATEMENTS", "True"):
    # Lets the delivery engine run its hot statements as server-side prepared statements
    # (integrations/delivery/prepared.py); every other query still binds client-side. Set
    # false behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # Private bucket: objects are only ever reached through presigned URLs.
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # SigV4: presigned URLs carry X-Amz-Expires (at most 7 days) and work in every region.
            "signature_version": "s3v4",
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if envbool("MARIOHR_PLAIN_STATIC", "False")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Content-Security-Policy on every response (django-csp; mariohr/csp.py adds the media
# storage's origin to media-src, so recordings play from presigned S3 links). Scripts only
# from our own static files: no inline scripts or handlers anywhere. Styles allow inline
# attributes, which the admin and the scoring page use.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_csp.SELF],
        "script-src": [_csp.SELF],
        "style-src": [_csp.SELF, _csp.UNSAFE_INLINE],
        "img-src": [_csp.SELF, "data:"],
        "media-src": [_csp.SELF],
        "connect-src": [_csp.SELF],
        "worker-src": [_csp.SELF],
        "object-src": [_csp.NONE],
        "base-uri": [_csp.NONE],
        "form-action": [_csp.SELF],
        "frame-ancestors": [_csp.NONE],
        "report-uri": os.environ.get("MARIOHR_CSP_REPORT_URI") or None,
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MarioHR <no-reply@mariohr.local>")
# Seconds an SMTP connection may hang: a candidate notice claimed by a sweep that hangs longer
# than MARIOHR_REMINDER_RETRY_MINUTES could be taken over and sent twice.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
if EMAIL_TIMEOUT >= MARIOHR_REMINDER_RETRY_MINUTES * 60:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be shorter than MARIOHR_REMINDER_RETRY_MINUTES.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.api.IsOrganization"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["integrations.api.CappedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "integrations.api.JSONFirstNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "integrations.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["integrations.throttling.ApiKeyRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}
# Abuse limits (README "Security"). Counters live in the default cache, which every process
# must share: Redis when MARIOHR_CACHE_URL is set (production), else files under var/cache
# (gunicorn workers do not share a LocMemCache).
MARIOHR_CACHE_URL = os.environ.get("MARIOHR_CACHE_URL", "")
if MARIOHR_CACHE_URL and not MARIOHR_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("MARIOHR_CACHE_URL must be a redis://, rediss:// or unix:// URL")
CACHES = {
    "default": (
        {"BACKEND": "mariohr.cache.RedisCache", "LOCATION": MARIOHR_CACHE_URL}
        if MARIOHR_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Culling drops a random third of the entries: keep it far away.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}
MARIOHR_BEHIND_PROXY = envbool("MARIOHR_BEHIND_PROXY")
MARIOHR_API_RATE_LIMIT = envrate("MARIOHR_API_RATE_LIMIT", "3000/min")
MARIOHR_AUTH_FAILURE_LIMIT = envrate("MARIOHR_AUTH_FAILURE_LIMIT", "60/5min")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login lockout (django-axes). The database handler: attempts are shared by every
# process, visible in the admin, and `axes_reset` can clear them all.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = envint("MARIOHR_ADMIN_LOCKOUT_FAILURES", "5")
_lockout_minutes = envint("MARIOHR_ADMIN_LOCKOUT_MINUTES", "15")
if AXES_FAILURE_LIMIT < 1 or _lockout_minutes < 1:
    raise ImproperlyConfigured(
        "MARIOHR_ADMIN_LOCKOUT_FAILURES and MARIOHR_ADMIN_LOCKOUT_MINUTES must be at least 1"
    )
AXES_COOLOFF_TIME = timedelta(minutes=_lockout_minutes)
# Each entry locks on its own (either trips the lock); "username+ip_address" locks the pair.
_lockout_by = envlist("MARIOHR_ADMIN_LOCKOUT_BY", "ip_address,username")
if not set("+".join(_lockout_by).split("+")) <= {"ip_address", "username"}:
    raise ImproperlyConfigured("MARIOHR_ADMIN_LOCKOUT_BY takes ip_address, username, a+b")
AXES_LOCKOUT_PARAMETERS = [entry.split("+") if "+" in entry else entry for entry in _lockout_by]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "mariohr.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "mariohr.lockout.admin_lockout_response"
AXES_VERBOSE = False

SPECTACULAR_SETTINGS = {
    "TITLE": "MarioHR partner API",
    "DESCRIPTION": "Assessment-partner endpoints, one tag per installed ATS plug-in.",
    "VERSION": "1.0.0",
    # The description lists the partner API only, not /api/schema/ itself.
    "SERVE_INCLUDE_SCHEMA": False,
}

# Outbound delivery (integrations.delivery): retry schedule in seconds after each attempt
# (the first entry is the first attempt), +/- jitter percent, per-attempt timeout, the lease
# that marks an attempt in flight (must exceed the timeout), and how long the sweeper trusts
# an enqueued message before enqueueing the row again.
MARIOHR_DELIVERY_RETRY_SCHEDULE = envints(
    "MARIOHR_DELIVERY_RETRY_SCHEDULE", "0,5,300,1800,7200,18000,36000,50400,72000,86400"
)
MARIOHR_DELIVERY_JITTER_PERCENT = envint("MARIOHR_DELIVERY_JITTER_PERCENT", "10")
MARIOHR_DELIVERY_TIMEOUT_SECONDS = envint("MARIOHR_DELIVERY_TIMEOUT_SECONDS", "15")
MARIOHR_DELIVERY_LEASE_SECONDS = envint("MARIOHR_DELIVERY_LEASE_SECONDS", "60")
MARIOHR_DELIVERY_REENQUEUE_SECONDS = envint("MARIOHR_DELIVERY_REENQUEUE_SECONDS", "30")
MARIOHR_DELIVERY_SWEEP_SECONDS = envint("MARIOHR_DELIVERY_SWEEP_SECONDS", "5")
MARIOHR_DELIVERY_MAX_RESPONSE_BYTES = envint("MARIOHR_DELIVERY_MAX_RESPONSE_BYTES", "65536")
MARIOHR_DELIVERY_FAILING_ENDPOINT_DAYS = envint("MARIOHR_DELIVERY_FAILING_ENDPOINT_DAYS", "5")
# Celery queue for delivery tasks; empty means Celery's default queue.
MARIOHR_DELIVERY_QUEUE = os.environ.get("MARIOHR_DELIVERY_QUEUE", "")
if MARIOHR_DELIVERY_LEASE_SECONDS <= MARIOHR_DELIVERY_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("MARIOHR_DELIVERY_LEASE_SECONDS must exceed the timeout.")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange tables too, or kombu writes ./control/ in whatever directory it runs from.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Kombu polls the folder (default once a second); a cheap listdir, so poll faster.
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connection around every task unless this is
# set: a new PostgreSQL backend per delivery attempt (its catalog caches cold) cost more
# than the attempt. Connections then live as in a web process (mariohr/ops_celery.py closes
# old or broken ones after each task, by DATABASE_CONN_MAX_AGE); this many tasks at most.
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", "1000")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")
# Recording processing (remux, transcription: minutes) has its own queue and worker
# (Procfile "recorder"), so deliveries on the default queue never wait behind it.
CELERY_TASK_ROUTES = {"assessments.recordings.tasks.*": {"queue": "recordings"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# Log lines carry the request id (mariohr/request_id.py); "json" (production: one object a
# line for the log shipper) or "plain" (make run). Celery workers follow (mariohr/ops_celery.py).
MARIOHR_LOG_FORMAT = os.environ.get("MARIOHR_LOG_FORMAT", "plain").strip().lower()
if MARIOHR_LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(
        f"MARIOHR_LOG_FORMAT must be plain or json, got {MARIOHR_LOG_FORMAT!r}"
    )
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in logging.getLevelNamesMapping():
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got {LOG_LEVEL!r}"
    )
LOGGING_CONFIG = "mariohr.logging_config.logging_configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mariohr.logging_config.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "mariohr.logging_config.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": MARIOHR_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Operations (README "Operating MarioHR"). Every process of this host writes its Prometheus
# samples under PROMETHEUS_MULTIPROC_DIR and /metrics adds them up: set here, before
# prometheus-client is first imported (it reads the variable then).
MARIOHR_METRICS_DIR = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))
)
MARIOHR_METRICS_DIR.mkdir(parents=True, exist_ok=True)
# /metrics answers a bearer token or a source network (CIDRs); with neither, loopback only in
# development and 404 in production.
MARIOHR_METRICS_TOKEN = os.environ.get("MARIOHR_METRICS_TOKEN", "")
MARIOHR_METRICS_NETWORKS = envlist("MARIOHR_METRICS_NETWORKS")
for _network in MARIOHR_METRICS_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"MARIOHR_METRICS_NETWORKS: {_network!r} is not a network (10.0.0.0/8, ::1)"
        ) from None
# Each /readyz check (database, broker, storage) gets this long.
MARIOHR_READYZ_TIMEOUT_SECONDS = envint("MARIOHR_READYZ_TIMEOUT_SECONDS", "2")

# Production mode: refuse to start on what only development may rely on, listing every
# problem at once; then HTTPS only. Each HTTPS setting can be overridden on its own.
if MARIOHR_PRODUCTION:
    _problems = []
    if not SECRET_KEY:
        _problems.append("SECRET_KEY is not set.")
    elif (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    ):
        # Django's own bar (check --deploy, security.W009).
        _problems.append("SECRET_KEY is weak: use at least 50 random characters.")
    if not MARIOHR_FERNET_KEYS:
        _problems.append(
            'MARIOHR_FERNET_KEYS is not set (see README "Security", key rotation, to move '
            "from the development key derived from SECRET_KEY)."
        )
    if DEBUG:
        _problems.append("DEBUG is on.")
    if not MARIOHR_BASE_URL.startswith("https://"):
        _problems.append("MARIOHR_BASE_URL must start with https://.")
    if not os.environ.get("MARIOHR_CACHE_URL"):
        # File counters on one host would let each web host grant its own rate limit.
        _problems.append("MARIOHR_CACHE_URL is not set (Redis, shared by every web host).")
    if MARIOHR_CALLBACK_ALLOWLIST:
        _problems.append("MARIOHR_CALLBACK_ALLOWLIST is set: it bypasses the SSRF guard.")
    if _problems:
        raise ImproperlyConfigured(
            "Production mode (MARIOHR_PRODUCTION=true) refuses to start:\n- "
            + "\n- ".join(_problems)
        )
_https_only = "True" if MARIOHR_PRODUCTION else "False"
SECURE_SSL_REDIRECT = envbool("MARIOHR_SSL_REDIRECT", _https_only)
# Load balancers probe /healthz over plain HTTP from inside the network: answer, not 301.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = envint("MARIOHR_HSTS_SECONDS", "31536000" if MARIOHR_PRODUCTION else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("MARIOHR_HSTS_INCLUDE_SUBDOMAINS", _https_only)
SECURE_HSTS_PRELOAD = envbool("MARIOHR_HSTS_PRELOAD", _https_only)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if MARIOHR_BEHIND_PROXY else None
SESSION_COOKIE_SECURE = envbool(
    "MARIOHR_SECURE_COOKIES",
    str(MARIOHR_PRODUCTION or (not DEBUG and MARIOHR_BASE_URL.startswith("https://"))),
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# No cross-origin Referer: candidate and report URLs carry their access tokens.
SECURE_REFERRER_POLICY = os.environ.get("MARIOHR_REFERRER_POLICY", "same-origin")
# Nothing embeds MarioHR's pages.
X_FRAME_OPTIONS = "DENY"

CELERY_BEAT_SCHEDULE = {
    "sweep-recordings": {
        "task": "assessments.recordings.tasks.sweep_recordings",
        "schedule": 300.0,
    },
    "purge-partner-requests": {
        "task": "integrations.request_log.tasks.purge_partner_requests",
        "schedule": 600.0,
    },
    "purge-error-reports": {
        "task": "integrations.tasks.purge_error_reports",
        "schedule": 3600.0,
    },
    # Retention: recordings, candidates' personal data, delivery bodies (assessments.privacy).
    "purge-expired-candidate-data": {
        "task": "assessments.privacy.tasks.purge_expired_candidate_data",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # The outbox sweeper: due deliveries whose message was lost or whose worker died.
    "sweep-deliveries": {
        "task": "integrations.delivery.tasks.sweep_deliveries",
        "schedule": float(MARIOHR_DELIVERY_SWEEP_SECONDS),
        "options": {"expires": float(MARIOHR_DELIVERY_SWEEP_SECONDS)},
    },
    "expire-interviews": {
        "task": "assessments.tasks.expire_interviews",
        "schedule": 60.0,
    },
    # Reminders before an invitation's deadline and the notice once it expired.
    "send-candidate-notices": {
        "task": "assessments.tasks.send_candidate_notices",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}
