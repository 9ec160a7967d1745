"""Arbiter settings: one module, configured from the environment.

Every variable is optional. Unset means the embedded default: SQLite and a filesystem Celery
broker under var/, console e-mail, DEBUG on with a development key.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.checks import refuse_development_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ARBITER_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEVELOPMENT_SECRET_KEY = "arbiter-development-key-not-for-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=True)
refuse_development_key(debug=DEBUG, secret_key=SECRET_KEY, development_key=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "core",
    "sellers",
    "disputes",
    "evidence",
    "reimbursements",
    "quality",
]

MIDDLEWARE = [
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sellers.middleware.SellerLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if env.bool("ARBITER_QUERY_COUNT_HEADER", default=False):
    MIDDLEWARE.insert(0, "core.middleware.QueryCountHeaderMiddleware")

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'arbiter.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs web, worker and beat against one file: WAL and immediate
    # transactions keep writers from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles any query it thinks costly, which costs the dashboards' grouped
    # reads more (50–100 ms each, measured at 1M disputes) than it ever saves them; and with
    # the default 4 MB of work_mem a 90-day dashboard read sorts on disk instead of hashing in
    # memory (168 ms against 76 ms at 1M).
    DB_WORK_MEM = env.str("DB_WORK_MEM", default="32MB")
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c jit=off -c work_mem={DB_WORK_MEM}"
    )
    # Server-side parameters let psycopg prepare a statement the fifth time it runs, so the
    # requests' repeated queries skip PostgreSQL's planner (off behind a transaction pooler
    # such as PgBouncer in transaction mode, which cannot keep prepared statements).
    DATABASES["default"]["OPTIONS"].setdefault(
        "server_side_binding", env.bool("DB_SERVER_SIDE_BINDING", default=True)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot enforce "one default SLA policy" (NULLS NOT DISTINCT); PostgreSQL does.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache that stops answering must cost a request a second, not the operating
            # system's connect timeout: the callers fail open (throttles, sessions).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any task (the longest, analytics rollups, takes minutes): a message is only
    # redelivered when its worker really died.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # Look for messages of dead workers every 10 s (kombu's default looks every 100 s).
        "unacked_restore_throttle": 1,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_DIR = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast exchanges (worker control) live here too, not in the working directory.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "disputes.complete_intake": {"queue": "checks"},
    "disputes.recheck": {"queue": "checks"},
    "disputes.recheck_many": {"queue": "checks"},
    "disputes.recheck_touching": {"queue": "checks"},
    "disputes.close_lapsed": {"queue": "sla"},
    "disputes.sla_sweep": {"queue": "sla"},
    "disputes.remind_sellers": {"queue": "sla"},
    "disputes.catch_up": {"queue": "sla"},
    "disputes.send_notification": {"queue": "notifications"},
    "quality.roll_up": {"queue": "analytics"},
    "quality.detect_trends": {"queue": "analytics"},
    "quality.send_weekly_report": {"queue": "analytics"},
    "quality.sample_for_qa": {"queue": "analytics"},
}
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {
        "task": "disputes.sla_sweep",
        "schedule": SLA_SWEEP_SECONDS,
        "options": {"expires": SLA_SWEEP_SECONDS},
    },
    "remind-sellers": {"task": "disputes.remind_sellers", "schedule": 300.0},
    "close-lapsed-disputes": {"task": "disputes.close_lapsed", "schedule": 300.0},
    "catch-up": {
        "task": "disputes.catch_up",
        "schedule": env.float("CATCH_UP_SECONDS", default=120.0),
    },
    # Incremental: a run reads only the timeline since the last one.
    "roll-up": {
        "task": "quality.roll_up",
        "schedule": env.float("ROLLUP_SECONDS", default=300.0),
        "options": {"expires": 300.0},
    },
    # Spikes of disputes filed: the window ends on the hour, tested a few minutes after it.
    "detect-trends": {
        "task": "quality.detect_trends",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000.0},
    },
    # The last complete week's report to the team leads, Monday morning (UTC, CELERY_TIMEZONE).
    "weekly-report": {
        "task": "quality.send_weekly_report",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # QA sampling of the previous day's decisions (UTC), after its last decisions have settled.
    "sample-for-qa": {
        "task": "quality.sample_for_qa",
        "schedule": crontab(minute=30, hour=1),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every sign-in (login page, admin, browsable API, token) goes through the one throttle.
AUTHENTICATION_BACKENDS = ["core.auth.ThrottledModelBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Evidence lives outside the web root and is served only through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_PERMISSIONS = 0o640
# The largest JSON or form body: a record import of its most rows (ARBITER's
# RECORD_IMPORT_MAX_ROWS) at 640 bytes a row; a ledger row with every column at its longest
# takes about 460. Files are not counted here but under MAX_REQUEST_BYTES, which is larger.
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Arbiter <disputes@arbiter.example>")
# The address people reach Arbiter at: e-mails are rendered by a worker, with no request to
# take the host from, and link to the case with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON only (multipart where a view takes files); deep nesting is a 400, not a crash.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserRateThrottle",
        "core.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="1200/minute"),
        "anon": env.str("API_RATE_ANON", default="60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Arbiter API",
    "DESCRIPTION": "Seller defect disputes: filing, records import, decisions, reimbursements.",
    "VERSION": "1.0.0",
    # Swagger UI's files come from the sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.add_error_responses",
        "core.api_schema.close_response_shapes",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "disputes.status.Status",
        "CurrencyEnum": "core.money.CURRENCY_CHOICES",
        "LanguageEnum": "sellers.models.Language",
        "ReimbursementStatusEnum": "reimbursements.status.ReimbursementStatus",
        "SellerPayoutStateEnum": "reimbursements.status.SellerPayoutState",
        "ReversalStatusEnum": "reimbursements.models.Reversal.Status",
    },
}

# --- Security (production shape) ------------------------------------------------------------
# Sessions are read from the cache (Redis when set) and written through to the database:
# one query less on every signed-in request, and nobody is signed out when Redis restarts.
# Django's cached_db, except that a cache outage falls back to the database instead of a 500.
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12  # a working day
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Only behind a proxy that terminates TLS and sets the header itself: trusted when gunicorn is
# reached directly, any client could claim its plain-HTTP request came over HTTPS.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Content-Security-Policy on every response (django-csp): scripts, styles, images, fonts and
# connections from our own origin only (htmx and Chart.js are vendored under static/vendor/), no
# inline script, no inline style (htmx's indicator styles are off, see base.html), no plugins, no
# framing. Views that need more say so themselves: the API docs page adds a nonce
# (core/views.py ApiDocsView), an evidence file sets its own sandboxing policy (evidence/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Arbiter policy defaults ----------------------------------------------------------------
ARBITER = {
    # Reimbursements above this many USD need a second person's approval.
    "APPROVAL_THRESHOLD_USD": "1000.00",
    "EVIDENCE_MAX_FILE_BYTES": 10 * 1024 * 1024,
    "EVIDENCE_MAX_DISPUTE_BYTES": 50 * 1024 * 1024,
    # A picture larger than this is refused before it is decoded (a decompression bomb).
    "EVIDENCE_MAX_IMAGE_PIXELS": 50_000_000,
    # No request can usefully be larger than a dispute's evidence plus its form.
    "MAX_REQUEST_BYTES": 52 * 1024 * 1024,
    # Rows per record import request, JSON or CSV (DATA_UPLOAD_MAX_MEMORY_SIZE holds them).
    "RECORD_IMPORT_MAX_ROWS": 50_000,
    # The rollups count case events this old or older; younger ones are counted live meanwhile.
    "ROLLUP_SETTLE_SECONDS": 120,
    # A notification whose sending began this long ago without finishing is sent again.
    "NOTIFICATION_LEASE_SECONDS": env.int("NOTIFICATION_LEASE_SECONDS", default=600),
    # Trend alerts (quality/trends.py says why): disputes filed in the last window per fulfilment
    # centre, carrier and claim type against the mean of the baseline days before it; a spike is
    # p < TREND_P_VALUE (one-sided Poisson), at least TREND_MIN_COUNT cases and at least
    # TREND_MIN_RATIO times the expected count, which is never below TREND_FLOOR_PER_WINDOW.
    "TREND_WINDOW_HOURS": 24,
    "TREND_BASELINE_DAYS": 28,
    "TREND_P_VALUE": 0.001,
    "TREND_MIN_COUNT": 5,
    "TREND_MIN_RATIO": 2.0,
    "TREND_FLOOR_PER_WINDOW": 1.0,
    # QA sampling (quality/qa/sampling.py): the share of each specialist's decisions sampled at
    # random, a higher share in their first QA_NEW_SPECIALIST_DAYS, at least QA_MIN_PER_WEEK
    # reviews per specialist per ISO week, and always decisions above QA_HIGH_AMOUNT_USD.
    "QA_SAMPLE_RATE": 0.05,
    "QA_NEW_SPECIALIST_RATE": 0.25,
    "QA_NEW_SPECIALIST_DAYS": 60,
    "QA_MIN_PER_WEEK": 2,
    "QA_HIGH_AMOUNT_USD": "1000.00",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
