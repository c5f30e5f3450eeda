"""The only settings module. Every difference between environments comes from environment variables.

Environment:
    DEBUG            "1" turns on debug mode (off by default).
    SECRET_KEY       required when DEBUG is off.
    ALLOWED_HOSTS    comma-separated; defaults to loopback names.
    DATABASE_URL     postgres://user:pass@host:port/name -> PostgreSQL with Django's pool;
                     unset -> an embedded SQLite file (demo mode, no services needed).
    DB_POOL_MAX      maximum pooled PostgreSQL connections per process (default 10).
    REDIS_URL        redis://host:port/db -> django-redis cache behind a circuit breaker;
                     unset -> local-memory cache. Sessions are in the database either way.
    CACHE_KEY_PREFIX prefix for every cache key (tests use their own).
    CACHE_IGNORE_ERRORS  "1" (default): a Redis outage makes cache reads misses, not errors.
    CACHE_CONNECT_TIMEOUT, CACHE_SOCKET_TIMEOUT  seconds to wait for Redis (default 0.25 each).
    CACHE_BREAKER_SECONDS  after a Redis fault, skip Redis for this long (default 5).
    CACHE_TOKEN_SECONDS    how long a cached generation token is trusted (default 5): pages
                           show a change at most this long (plus PUBLIC_TOKEN_SECONDS) after
                           it commits, Redis or not.
    PUBLIC_TOKEN_SECONDS   how long a worker trusts the tokens it read for the public pages it
                           keeps (default 1): another process's change shows that much later.
    HTTPS            "1" when served behind TLS: secure cookies, HSTS, SSL redirect.
                     Defaults to on when DEBUG is off.
    MEDIA_ROOT       where uploaded and generated images live (default ./var/media).
    SERVE_MEDIA      "1" lets Django serve MEDIA_ROOT itself (config.media); default on only
                     with DEBUG or in tests: production serves media from the web server.
    HOMEPAGE_CACHE_SECONDS         how long a rendered live homepage is cached (default 300);
                                   0 renders it from the database on every request.
    PREVIEW_LINK_SECONDS           how long a preview link works, of a release, a moment or a
                                   homepage draft (default 7 days; the older
                                   RELEASE_PREVIEW_LINK_SECONDS and HOMEPAGE_PREVIEW_LINK_SECONDS
                                   are read when it is not set, in that order).
    PAYMENT_GATEWAY  dotted path of the payment gateway (default: the built-in test gateway).
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS
                     SMTP for e-mails; EMAIL_CONSOLE=1 prints them (the default with DEBUG).
    VAT_RATE, CURRENCY, CURRENCY_SYMBOL
                     prices include VAT at VAT_RATE percent.
    SITE_URL         the shop's own address, as shoppers reach it (default
                     http://127.0.0.1:8000, the demo's): the links in e-mails, and the
                     default --base-url of the commands that print links (release
                     preview-link, demo_staff).
    SHOP_CONTACT_EMAIL, SHOP_CONTACT_HOURS, RETURNS_DAYS
                     what the footer of every page says: where to write, when the shop
                     answers, and free returns within RETURNS_DAYS days (0: no promise).
    TRUSTED_PROXIES  comma-separated addresses or CIDRs (IPv4 or IPv6) of your own load
                     balancers and proxies; empty by default. A request from one of them is
                     from the rightmost X-Forwarded-For entry that is not one of them; from
                     anyone else, from REMOTE_ADDR, whatever its X-Forwarded-For says
                     (config/proxies.py). A bad entry stops the start with its name.
    COUPON_ATTEMPTS, COUPON_ATTEMPTS_PER_IP, COUPON_ATTEMPTS_WINDOW
                     wrong coupon codes allowed per session (5) and per client address (100)
                     in a window of seconds (600). The session's limit is the one a shopper
                     meets; the address's is a backstop that only answers wrong codes: a
                     valid code from a session that is not itself blocked is always accepted,
                     so other people at the same address never cost a shopper a discount.
    LOGIN_ATTEMPTS_PER_ACCOUNT, LOGIN_ATTEMPTS_PER_IP, LOGIN_ATTEMPTS_WINDOW
                     failed logins allowed per e-mail address (5) and per client address (50)
                     in a window of seconds (900). Both refuse before the password is
                     checked, even a right one: a credential-stuffing run meets only the
                     address's limit, and an answer that told right from wrong past it would
                     stop nothing (shop/views/accounts.py). 50 lets ten people behind one
                     office or carrier address use their whole per-account allowance.
"""

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.proxies import parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_from_url(url: str) -> dict:
    """Return a DATABASES entry for a postgres:// URL (PostgreSQL is our only server)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme!r}")
    from config.database import check_pooled_connection

    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        # The pool replaces persistent connections; CONN_MAX_AGE must stay 0 with it.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "pool": {
                "min_size": 1,
                "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
                # Check each connection as it is handed out, so connections the server
                # dropped (a restart, a failover, pg_terminate_backend) are replaced instead
                # of failing the request that gets them.
                "check": check_pooled_connection,
            },
            # Django's cursors bind parameters on the client and are never prepared; the one
            # server-binding cursor, the session read (shop.queries.visitor), is prepared on
            # its first use on each connection. (Behind PgBouncer, 1.21 or later.)
            "prepare_threshold": 0,
            **options,
        },
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
    }


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or "test" in sys.argv[1:2]

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-used-with-debug-or-tests"
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# The shop's own load balancers and proxies, parsed once: only their X-Forwarded-For entries
# are believed when working out a client's address (config/proxies.py).
TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("TRUSTED_PROXIES", ""))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "partials",
    "shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.store: the store this request shows (live, time travel or a preview link),
    # resolved lazily once it is read; needs the session and the user.
    "shop.moment.middleware.SetStore",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Previews of another moment (settings.PARTIALS_PREVIEW) are never cached or indexed.
    "partials.public.MarkPreviews",
    # Last, so it sees responses first: fills the per-visitor holes of shared pages.
    "partials.holes.FillHoles",
]
# Who is asking, for the holes of shared pages (partials.holes): the session, one query at most.
PARTIALS_VISITOR = "shop.queries.visitor.visitor_for"
# Whether a request shows the store at another moment (time travel, a release preview link):
# partials.public then neither uses nor fills the shared page cache and marks every response
# private, no-store and noindex.
PARTIALS_PREVIEW = "shop.moment.middleware.previewing"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "shop.context_processors.shop",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "storefront.sqlite3"))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
            # failing with "database is locked" when a read transaction upgrades to a write.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"),
            },
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "storefront")
# How long a generation token (shop.cache_tokens) is trusted from the cache before it is read
# from the database again: the bound on staleness when an invalidation could not reach Redis.
# Unit tests trust it for longer, so a slow test never sees a token expire between warming a
# page and counting its queries (the fault tests set their own).
CACHE_TOKEN_SECONDS = float(os.environ.get("CACHE_TOKEN_SECONDS", "300" if TESTING else "5"))
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis behind a circuit breaker (config/cache.py): a Redis fault is a miss,
            # and after one the process skips Redis for CACHE_BREAKER_SECONDS instead of waiting
            # for it on every call.
            "BACKEND": "config.cache.CircuitBreakerRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                # Redis answers in well under a millisecond: a slower answer is a fault.
                "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.25")),
                "SOCKET_TIMEOUT": float(os.environ.get("CACHE_SOCKET_TIMEOUT", "0.25")),
                "CIRCUIT_BREAKER_SECONDS": float(os.environ.get("CACHE_BREAKER_SECONDS", "5")),
                # A Redis outage turns cache reads into misses instead of errors: pages render
                # from the database and the failure counters of the rate limits start again
                # from zero.
                "IGNORE_EXCEPTIONS": env_bool("CACHE_IGNORE_ERRORS", True),
            },
        }
    }
    # The breaker logs the trip and the recovery once each; per-call logs would flood.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
# Sessions live in the database only, with or without Redis. A cached copy (cached_db) outlives
# a logout or a password change made while Redis is unreachable: the row goes, the copy stays
# and logs the old cookie in again when Redis returns. One primary-key read per request is the
# price of never trusting a copy that could not be invalidated.
SESSION_ENGINE = "config.sessions"  # database sessions, one statement a write

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# The shop speaks one language. Without the translation machinery every rendered number and
# string skips a language lookup: a new catalog filter state renders about 14 % faster.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
# WhiteNoise warns at start-up when STATIC_ROOT is missing (before the first collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Django serves MEDIA_ROOT itself only in development and tests: in production the web server
# or object storage does, with far-future caching for renditions (docs/production.md).
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG or TESTING)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security. Production-style environments (DEBUG off) get all of it by default.
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (django-permissions-policy): the shop uses none of the browser's powerful
# features, so none may be used, by its pages or by anything they embed. A hosted payment page
# is a redirect to the provider's own origin, which this header does not reach.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
        "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
        "idle-detection", "magnetometer", "microphone", "midi", "payment", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# Django's built-in CSP: scripts only from the shop's own files (htmx and site.js; no inline
# script at all, so no nonce: a shared page is the same HTML for every visitor), no inline
# styles, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

CATALOG_PAGE_SIZE = int(os.environ.get("CATALOG_PAGE_SIZE", "24"))
# Facet and category counts per filter state are cached (exactly invalidated on catalog
# changes); the timeout only bounds products whose publication time passes. 0 turns it off.
CATALOG_COUNTS_CACHE_SECONDS = int(os.environ.get("CATALOG_COUNTS_CACHE_SECONDS", "60"))
# Public pages (homepage, catalog, product and CMS pages) are cached whole, the same HTML for
# every visitor with per-visitor holes (partials.public, partials.holes), under generation
# tokens that change with what they show. These bound what no write announces: a product whose
# publication time passes (catalog pages), anything else (product pages).
PUBLIC_PAGE_CACHE = os.environ.get("PUBLIC_PAGE_CACHE", "1") == "1"
# Entries each worker also keeps in memory (checked against the tokens on every request).
PUBLIC_PAGE_MEMORY = int(os.environ.get("PUBLIC_PAGE_MEMORY", "256"))
# How long a worker trusts the tokens it read for the entries it keeps: a hit within that time
# costs no cache round trip, and another worker's change shows here at most this much later.
PUBLIC_TOKEN_SECONDS = float(os.environ.get("PUBLIC_TOKEN_SECONDS", "1"))
CATALOG_PAGE_SECONDS = int(os.environ.get("CATALOG_PAGE_SECONDS", "60"))
PRODUCT_PAGE_SECONDS = int(os.environ.get("PRODUCT_PAGE_SECONDS", "300"))
PARTIALS_TOKEN_READER = "shop.cache_tokens.read"
SITE_NAME = "Storefront"

# One handler, on the root logger. Django's default configuration also gives the "django"
# logger a console handler of its own under DEBUG, so its lines ("Not Found: …", "Watching for
# file changes with StatReloader") were printed twice: here it only propagates to the root.
# "django.server" (runserver's request lines) keeps Django's own handler and format: naming
# "django" here resets its children, so it is configured again as Django's defaults have it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

CURRENCY = os.environ.get("CURRENCY", "GBP")
CURRENCY_SYMBOL = os.environ.get("CURRENCY_SYMBOL", "£")
# Prices include VAT at this rate (percent); orders record the VAT inside their total.
VAT_RATE = os.environ.get("VAT_RATE", "20")
# The shop's own address: links in e-mails and the links management commands print.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The shop's footer, on every page (the same for every visitor): where shoppers write, when
# they hear back, and how long they have to send something back, free (0: no such promise).
SHOP_CONTACT_EMAIL = os.environ.get("SHOP_CONTACT_EMAIL", "hello@storefront.example")
SHOP_CONTACT_HOURS = os.environ.get(
    "SHOP_CONTACT_HOURS", "We answer within one working day (Monday to Friday, 9am to 5pm)."
)
RETURNS_DAYS = int(os.environ.get("RETURNS_DAYS", "30"))

# Payments: a gateway class with `authorise(...)` (see shop.services.payments).
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "shop.services.payments.TestGateway")
PAYMENT_TEST_TIMEOUT_SECONDS = float(os.environ.get("PAYMENT_TEST_TIMEOUT_SECONDS", "2"))

# Accounts: customers log in with their e-mail address on the storefront.
LOGIN_URL = "shop:login"
LOGIN_REDIRECT_URL = "shop:account"
LOGOUT_REDIRECT_URL = "shop:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
# Failed logins allowed per e-mail address and per client address in a window (seconds);
# both refuse before the password is checked (see the module docstring).
LOGIN_ATTEMPTS_PER_ACCOUNT = int(os.environ.get("LOGIN_ATTEMPTS_PER_ACCOUNT", "5"))
LOGIN_ATTEMPTS_PER_IP = int(os.environ.get("LOGIN_ATTEMPTS_PER_IP", "50"))
LOGIN_ATTEMPTS_WINDOW = int(os.environ.get("LOGIN_ATTEMPTS_WINDOW", "900"))

# Wrong coupon codes allowed per session, and per client address as a backstop that never
# refuses a valid code, in a window (seconds).
COUPON_ATTEMPTS = int(os.environ.get("COUPON_ATTEMPTS", "5"))
COUPON_ATTEMPTS_PER_IP = int(os.environ.get("COUPON_ATTEMPTS_PER_IP", "100"))
COUPON_ATTEMPTS_WINDOW = int(os.environ.get("COUPON_ATTEMPTS_WINDOW", "600"))

# E-mail (Django 6.1's MAILERS): SMTP to EMAIL_HOST (default: a local MTA on localhost:25);
# printed to the console in development and tests, or anywhere with EMAIL_CONSOLE=1.
MAILERS: dict[str, dict[str, Any]]
if os.environ.get("EMAIL_FILE_PATH"):  # each e-mail a file there (tests of the worker)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
        }
    }
elif env_bool("EMAIL_CONSOLE", DEBUG or TESTING) and not os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                # Only workers talk to the mail server: a hung one holds a worker this long.
                "timeout": float(os.environ.get("EMAIL_TIMEOUT", "10")),
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Storefront <shop@example.com>")

# Background work: Django's tasks framework on django-tasks-db. The queue is a table in the
# database, so a task enqueued inside a transaction commits or rolls back with it, and any
# number of `manage.py db_worker` processes on any number of hosts share it (they claim with
# SELECT ... FOR UPDATE SKIP LOCKED). TASKS_BACKEND=immediate runs each task at once in the
# process that enqueues it (the default for unit tests; tests of the worker use the queue).
TASK_QUEUES = ["default", "emails", "orders", "alerts"]
TASKS: dict[str, dict[str, Any]]
if os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database") == "immediate":
    TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": TASK_QUEUES,
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# Seconds before the 2nd, 3rd, ... attempt of a task that failed for a passing reason (a mail
# server down); after the last one it fails for good and shows in the admin, with a retry action.
TASK_RETRY_DELAYS = [
    float(s) for s in os.environ.get("TASK_RETRY_DELAYS", "30,120,600,1800").split(",") if s
]
# Orders still awaiting payment this long after they were placed are settled by the reconciler.
RECONCILE_AFTER_SECONDS = int(os.environ.get("RECONCILE_AFTER_SECONDS", "120"))

# Homepage layout and CMS pages (issue 5). Publishing and catalog changes invalidate the cached
# homepage at once; the timeout only bounds changes made without signals (queryset.update()).
HOMEPAGE_CACHE_SECONDS = int(os.environ.get("HOMEPAGE_CACHE_SECONDS", "300"))

# How long a preview link works (shop.moment.links): of a release or a moment (issue 12), or of a
# homepage draft. One setting since issue 19; the two it replaced are still read when it is unset.
PREVIEW_LINK_SECONDS = int(
    os.environ.get("PREVIEW_LINK_SECONDS")
    or os.environ.get("RELEASE_PREVIEW_LINK_SECONDS")
    or os.environ.get("HOMEPAGE_PREVIEW_LINK_SECONDS")
    or str(7 * 24 * 60 * 60)
)
