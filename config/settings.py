"""Settings for the signup site; every value that differs between machines comes from the environment."""

import datetime
import ipaddress
import os
import re
from email.utils import formataddr, parseaddr
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# GENERAL
# ------------------------------------------------------------------------------
# Off means production. `make run` turns it on; nothing else should.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "formtools",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
]
LOCAL_APPS = [
    "onboarding",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Outside the session and CSRF middleware, so it sees the Vary: Cookie they add.
    "onboarding.infra.middleware.PrivateCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onboarding.infra.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the body: a multipart body past the cap is refused unread, then a NUL byte in
    # the form data is (the CSRF check reads its token from it).
    "onboarding.infra.middleware.RefuseFileUploads",
    "onboarding.infra.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the locale and the user are known: Korean pages default to Korea's time.
    "onboarding.timezones.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onboarding.infra.middleware.StaffIdleTimeout",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onboarding.pages.context_processors.site",
                "onboarding.pages.context_processors.link_lifetimes",
            ],
        },
    },
]

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes a writing transaction take the lock up front, so two finishing
    # signups queue for it instead of one failing with "database is locked";
    # WAL lets page views read while a signup writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not Django's shared in-memory database, so that tests with real
    # threads and the browser tests meet SQLite's real locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
else:
    # Every wait on PostgreSQL ends well inside gunicorn's 30 s worker timeout, so a request gets our 503
    # page instead of being killed without an answer: connecting gives up after 3 s; the server cancels a
    # statement after DJANGO_DB_STATEMENT_TIMEOUT seconds (5; 0 = never, for big migrations) and a lock
    # wait after 3 s; a server that froze, which cancels nothing, is given up on 2 s after that by our
    # side (onboarding/postgres: the answer_timeout); TCP keepalives and tcp_user_timeout notice a
    # server or network that vanished, where the socket would wait for the kernel's 15-minute limit.
    # Worst case for a request on a frozen database: a 7 s wait, then a 3 s reconnect: our 503 in 10 s.
    DATABASES["default"]["ENGINE"] = "onboarding.infra.postgres"
    _statement_timeout = float(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT") or 5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": 3,
            "options": f"-c statement_timeout={int(_statement_timeout * 1000)} -c lock_timeout=3000 "
            "-c idle_in_transaction_session_timeout=60000",
            "answer_timeout": _statement_timeout + 2 if _statement_timeout else None,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 10_000,
        }
    )

# CACHES
# ------------------------------------------------------------------------------
# Redis is what several app servers share: sessions and rate-limit counters live
# there. Without it the general cache is each process's own memory, but the
# rate-limit counters must still be one count for every gunicorn worker: they go
# to a table in the database (made by a migration), with an atomic increment.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's own backend; redis-py parses replies with hiredis when it is installed.
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Every key this site writes; sites (or test runs) sharing one Redis database keep apart by it.
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX") or "signup",
            # A Redis that stops answering fails the request in seconds (our 503 page) instead of holding a
            # worker: 2 s per try, tried once more after a timeout (a stall of up to about 4 s is ridden
            # out), so a command gives up within about 6 s, well inside gunicorn's timeout.
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                "retry_on_timeout": True,
                "socket_keepalive": True,
            },
        }
    }
    CACHES["ratelimit"] = CACHES["default"]
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "onboarding.infra.cache.CounterCache",
            "LOCATION": "onboarding_ratelimit",
            # Counters expire within a period; culling (which could reset live ones) only past this many.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
RATELIMIT_USE_CACHE = "ratelimit"

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "onboarding.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "onboarding:account"
LOGOUT_REDIRECT_URL = "onboarding:landing"

# Argon2 first: new passwords are hashed with it (NFKC-normalised first, see onboarding/passwords.py);
# the others only verify old hashes.
PASSWORD_HASHERS = [
    "onboarding.passwords.NormalizingArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# NIST SP 800-63B-4 for a password that is the only factor: at least 15 characters, 64 or more
# allowed, no composition rules, checked against leaked and common passwords and the person's own
# details. The form lists these validators' help texts before typing.
SIGNUP_PASSWORD_MIN_LENGTH = int(os.environ.get("SIGNUP_PASSWORD_MIN_LENGTH") or 15)
if SIGNUP_PASSWORD_MIN_LENGTH < 8:
    raise ImproperlyConfigured("SIGNUP_PASSWORD_MIN_LENGTH must be at least 8 (NIST SP 800-63B-4).")
# A password reset link works once, for three hours.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "onboarding.passwords.MinimumLengthValidator"},
    {"NAME": "onboarding.passwords.MaximumLengthValidator"},
    {"NAME": "onboarding.passwords.VisibleCharactersValidator"},
    {"NAME": "onboarding.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "onboarding.passwords.BreachedPasswordValidator"},
    {"NAME": "onboarding.passwords.GuessablePasswordValidator"},
]

# SESSIONS
# ------------------------------------------------------------------------------
# The wizard keeps partial answers here for two weeks (Django's default), so a
# person who was interrupted can come back and carry on.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(60 * 60 * 24 * 14)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# With Redis, sessions live in Redis alone (the "cache" engine), not in Redis in front of
# the database ("cached_db"): a session holds a signup's draft answers, which
# become lasting only at "Create account", so copying every step into
# PostgreSQL would cost a database write per step and buy little; and with the
# database down the answers stay untouched, so "Create account" can simply be
# retried. The price: Redis must keep its data (persistence on, session keys
# never evicted), or people part-way through a signup start again. The wizard
# keeps a password hash in the session, never the password itself.
# onboarding.infra.sessions is Django's cache store that raises when Redis fails, instead of starting an
# empty session (our 503 page, the cookie untouched). Without Redis, onboarding.infra.db_sessions is Django's
# database store with a new key costing one UPDATE (the row renamed) instead of three write transactions,
# and an unchanged session not written.
SESSION_ENGINE = "onboarding.infra.sessions" if REDIS_URL else "onboarding.infra.db_sessions"

# A staff or superuser session ends after this many seconds without a request; 0 keeps it like any other.
SIGNUP_STAFF_IDLE_SECONDS = int(os.environ.get("SIGNUP_STAFF_IDLE_SECONDS") or 3600)

# SECURITY
# ------------------------------------------------------------------------------
# Production is HTTPS-only by default; DJANGO_HTTPS=0 serves plain HTTP on loopback.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # The __Host- prefix makes the browser refuse these cookies unless they come over HTTPS from this very
    # host, for the whole site (Secure, Path=/, no Domain): a neighbouring subdomain or a plain-HTTP
    # page cannot plant a session or a CSRF token on the site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/mail)?$"]
# Only our own files: the templates have no inline script or style, and keep it that way.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Bootstrap's CSS draws checkboxes and select arrows as data: SVG images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the site never uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        # Only features Chromium knows: an unknown one (ambient-light-sensor, bluetooth, web-share) is
        # an "Unrecognized feature" error in every page's console and switches nothing off.
        "accelerometer autoplay browsing-topics camera display-capture "
        "encrypted-media fullscreen geolocation gyroscope hid idle-detection magnetometer microphone midi "
        "payment picture-in-picture screen-wake-lock serial usb "
        "xr-spatial-tracking"
    ).split()
}
# Passkeys: logging in with one (navigator.credentials.get) on our own pages only, never in a frame of another site.
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]
CSRF_FAILURE_VIEW = "onboarding.pages.errors.csrf_failure"
# A request body far past what any of our forms sends is refused (our 400 page) before it is parsed.
# The wizard's biggest POST is under 10 KB (every field at its limit, Korean percent-encoded) and
# about a dozen fields; the admin's are the review actions on up to 100 selected users.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# No form here takes a file: a file part is refused, never written to disk (onboarding/middleware.py).
FILE_UPLOAD_HANDLERS = ["onboarding.infra.middleware.RefuseFilesHandler"]

# INTERNATIONALIZATION
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "onboarding" / "locale"]
# The header's language switch stores the choice here; it outlives the browser session.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "UTC"
# Our Korean formats (오전 8:32) over Django's (8:32 오전); English keeps Django's.
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

# STATIC FILES
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # With DEBUG off, pages link to hashed names (site.3f2a….css) that browsers may
    # keep for a year; WhiteNoise serves them, compressed, from STATIC_ROOT after
    # `collectstatic`. With DEBUG on, plain names straight from the apps.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Bootstrap's compiled files come from the pinned bootstrap-wrapper wheel.
STATICFILES_DIRS = [("bootstrap", Path(list(find_spec("bootstrap").submodule_search_locations)[0]))]

# FORMS
# ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# EMAIL
# ------------------------------------------------------------------------------
# EMAIL_URL names the mail server: smtp://host:port, smtp+tls://user:pass@host:587
# (STARTTLS; dj-email-url calls it submission://), smtp://host:465?ssl=1, console://.
# Unset: mail is printed to the console.
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip() or "console://"
_email = dj_email_url.parse(re.sub(r"^smtp\+tls://", "submission://", EMAIL_URL))
if "EMAIL_BACKEND" not in _email:
    raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtp+tls://, submission:// or console://.")
# Django's SMTP backend with a long wait for the reply after the message (onboarding/smtp.py).
EMAIL_BACKEND = {"django.core.mail.backends.smtp.EmailBackend": "onboarding.mail.smtp.EmailBackend"}.get(
    _email["EMAIL_BACKEND"], _email["EMAIL_BACKEND"]
)
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
# A mail server that stops answering fails the send (which is retried) instead of holding the worker.
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10
# Except the reply after the message itself: the server may be storing it, and a send given up on then
# would be sent again while the server kept it. 5 minutes (RFC 5321, 4.5.3.2.6, suggests 10; a worker
# waits that long on a server that froze mid-reply, so the queue would stall twice as long).
EMAIL_DATA_TIMEOUT = float(os.environ.get("EMAIL_DATA_TIMEOUT") or 300)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "signup@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL  # the bare address: error mail to the admins
# The origin links in mail point at, like https://signup.example.com. Required in production: a link
# built from the request's Host header would follow whatever host and port a client sent. With
# DJANGO_DEBUG on and SITE_URL unset, links use the address the person used (`make run`).
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/\s?#]+", SITE_URL):
    raise ImproperlyConfigured("SITE_URL must be an origin like https://signup.example.com (no path).")
if not DEBUG and not SITE_URL:
    raise ImproperlyConfigured(
        "Set SITE_URL to the site's public origin, like https://signup.example.com: with DJANGO_DEBUG off, "
        "links in mail are never built from the request's Host header."
    )
# A send that fails for a reason that may pass (server down, 4xx) is tried again
# after this many seconds, doubling each time up to an hour, MAIL_MAX_ATTEMPTS in all.
MAIL_RETRY_SECONDS = float(os.environ.get("DJANGO_MAIL_RETRY_SECONDS", "60"))
MAIL_MAX_ATTEMPTS = int(os.environ.get("DJANGO_MAIL_MAX_ATTEMPTS", "12"))
# A task RUNNING this long without a sign of life lost its worker (killed mid-send) and goes back to the
# queue, once: longer than any one send can take (EMAIL_DATA_TIMEOUT plus the other steps' timeouts).
MAIL_LEASE_SECONDS = float(os.environ.get("MAIL_LEASE_SECONDS") or EMAIL_DATA_TIMEOUT + 6 * EMAIL_TIMEOUT + 60)
# /healthz/mail answers 503 when the oldest mail due to be sent has waited longer than this (seconds).
MAIL_QUEUE_MAX_AGE = float(os.environ.get("MAIL_QUEUE_MAX_AGE") or 300)

# TASKS
# ------------------------------------------------------------------------------
# Mail leaves through Django's tasks API (the django-tasks backport). "database"
# (production's default) keeps tasks in a table that `manage.py db_worker` works
# through; "immediate" (the default with DEBUG on, so `make run` needs no second
# command) runs them in the web process after the request's transaction commits.
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "immediate" if DEBUG else "database").strip()
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured("DJANGO_TASKS_BACKEND must be immediate or database.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}

# SITE
# ------------------------------------------------------------------------------
# The name people know the site by: page titles, the header, emails and the admin.
SITE_NAME = os.environ.get("SITE_NAME", "").strip() or "Maru"
# Mail comes from the site by name ("Maru <signup@…>"), unless DJANGO_DEFAULT_FROM_EMAIL gives one itself.
if "<" not in DEFAULT_FROM_EMAIL:
    DEFAULT_FROM_EMAIL = formataddr((SITE_NAME, DEFAULT_FROM_EMAIL))
# One line under the name; unset, a default in the page's language.
SITE_TAGLINE = os.environ.get("SITE_TAGLINE", "")
# What the site is, in a sentence or two, on the landing page; unset, a default in the page's language.
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "").strip()
# Who runs the site and answers for it: named in the terms and the privacy notice (unset: "the team behind
# SITE_NAME"), with SIGNUP_CONTACT_EMAIL as the contact and LEGAL_EFFECTIVE_DATE (YYYY-MM-DD) as the date both
# documents take effect. PRIVACY_OFFICER is the person responsible for personal data (Korean law names one).
SITE_OPERATOR = os.environ.get("SITE_OPERATOR", "").strip()
PRIVACY_OFFICER = os.environ.get("PRIVACY_OFFICER", "").strip()
try:
    LEGAL_EFFECTIVE_DATE = datetime.date.fromisoformat(
        os.environ.get("LEGAL_EFFECTIVE_DATE", "").strip() or "2026-12-01"
    )
except ValueError:
    raise ImproperlyConfigured("LEGAL_EFFECTIVE_DATE must be a date like 2026-12-01.") from None

# SIGNUP
# ------------------------------------------------------------------------------
SIGNUP_REQUIRES_APPROVAL = env_bool("SIGNUP_REQUIRES_APPROVAL", False)
# The address people are told to write to when their signup was not approved or their account is off.
SIGNUP_CONTACT_EMAIL = os.environ.get("SIGNUP_CONTACT_EMAIL") or parseaddr(DEFAULT_FROM_EMAIL)[1]
# optional: a new account may log in at once; mandatory: only after confirming its email address.
SIGNUP_EMAIL_VERIFICATION = os.environ.get("SIGNUP_EMAIL_VERIFICATION", "optional").strip() or "optional"
if SIGNUP_EMAIL_VERIFICATION not in ("optional", "mandatory"):
    raise ImproperlyConfigured("SIGNUP_EMAIL_VERIFICATION must be optional or mandatory.")
# Who may sign up at all (onboarding/access/): open to anyone, only from an invitation link (invite, closed),
# or with a waitlist that staff invite from.
SIGNUP_MODE = os.environ.get("SIGNUP_MODE", "open").strip().lower() or "open"
if SIGNUP_MODE not in ("open", "invite", "waitlist", "closed"):
    raise ImproperlyConfigured("SIGNUP_MODE must be open, invite, waitlist or closed.")
# Days an invitation's link works.
SIGNUP_INVITATION_DAYS = int(os.environ.get("SIGNUP_INVITATION_DAYS") or 14)
if SIGNUP_INVITATION_DAYS < 1:
    raise ImproperlyConfigured("SIGNUP_INVITATION_DAYS must be at least 1.")
# Email domains, comma-separated; each also covers its subdomains. Blocked: refused at the account step.
# Allowed: when set, only these may sign up. Auto-approve: signups there are approved when created.
SIGNUP_BLOCKED_DOMAINS = env_list("SIGNUP_BLOCKED_DOMAINS")
SIGNUP_ALLOWED_DOMAINS = env_list("SIGNUP_ALLOWED_DOMAINS")
SIGNUP_AUTO_APPROVE_DOMAINS = env_list("SIGNUP_AUTO_APPROVE_DOMAINS")

# ABUSE LIMITS
# ------------------------------------------------------------------------------
# Wizard POSTs per client IP, "count/period" (s, m, h, d), counted in the cache,
# so shared by every app server when REDIS_URL is set; "0" lifts the limit.
SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "20/m").strip()
if not re.fullmatch(r"0|[1-9][0-9]*/[0-9]*[smhd]", SIGNUP_RATE_LIMIT):
    raise ImproperlyConfigured('SIGNUP_RATE_LIMIT must look like "20/m" (count/period: s, m, h, d), or be "0".')
# Behind a proxy every request comes from the proxy's address: name the header
# it sets to the client's address (like X-Forwarded-For), and the proxies' own
# addresses or networks. The header is believed only from those peers; a client
# that reaches the app server directly is counted by its own address.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "").strip()
try:
    TRUSTED_PROXIES = [ipaddress.ip_network(item, strict=False) for item in env_list("DJANGO_TRUSTED_PROXIES")]
except ValueError as error:
    raise ImproperlyConfigured(
        f"DJANGO_TRUSTED_PROXIES: {error} (list addresses or networks, comma-separated)."
    ) from None
if CLIENT_IP_HEADER and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "DJANGO_CLIENT_IP_HEADER is believed only from DJANGO_TRUSTED_PROXIES: set it to your proxies' addresses."
    )
# Logins per client address and per (username, client address), both login pages together: every
# POST counts, right or wrong. A username from anywhere gets LOGIN_USERNAME_RATE_LIMIT, which a browser
# that has logged in to that account before passes (onboarding/abuse.py), so guessing slows, owners keep in.
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/m").strip()
LOGIN_USERNAME_RATE_LIMIT = os.environ.get("LOGIN_USERNAME_RATE_LIMIT", "100/h").strip()
for _name in ("LOGIN_RATE_LIMIT", "LOGIN_USERNAME_RATE_LIMIT"):
    if not re.fullmatch(r"0|[1-9][0-9]*/[0-9]*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(f'{_name} must look like "10/m" (count/period: s, m, h, d), or be "0".')
# Mail a visitor can ask for (confirmation sent again, password reset, "finish later" link):
# per client address and per email address, "count/period" like SIGNUP_RATE_LIMIT; "0" lifts it.
EMAIL_RATE_LIMIT_PER_CLIENT = os.environ.get("EMAIL_RATE_LIMIT_PER_CLIENT", "10/h").strip()
EMAIL_RATE_LIMIT_PER_ADDRESS = os.environ.get("EMAIL_RATE_LIMIT_PER_ADDRESS", "3/h").strip()
for _name in ("EMAIL_RATE_LIMIT_PER_CLIENT", "EMAIL_RATE_LIMIT_PER_ADDRESS"):
    if not re.fullmatch(r"0|[1-9][0-9]*/[0-9]*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(f'{_name} must look like "3/h" (count/period: s, m, h, d), or be "0".')
RATELIMIT_IP_META_KEY = "onboarding.limits.client_ip"
RATELIMIT_VIEW = "onboarding.pages.errors.too_many_requests"
# django_ratelimit is used as a library, not an installed app: its system checks
# know cache backends only by name, and flag both of ours (the database counters
# with an atomic increment, and Django's own Redis backend), which work.

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (4xx) is one line: what, where and why, without a traceback.
    "filters": {"one_line_4xx": {"()": "onboarding.infra.logs.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_4xx"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "onboarding": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
