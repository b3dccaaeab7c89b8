"""Settings for cica, read from the environment (12-factor).

With nothing set the project runs on a SQLite file in the project folder,
Celery runs tasks eagerly in-process and e-mail goes to the console. Set
``DATABASE_URL``, ``REDIS_URL``, ``EMAIL_URL``, ``SECRET_KEY``, ``DEBUG`` and
``ALLOWED_HOSTS`` to run on the real services.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # refused below when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment when DEBUG is off "
        "(for example: export SECRET_KEY="
        "$(python -c 'import secrets; print(secrets.token_urlsafe(50))'))."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "django_htmx",
    "import_export",
    "axes",
    "csp",
    "members",
    "measures",
    "secretariat",
    "implementation",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Refuses an upload over the limit before reading it (cica.uploads).
    "cica.middleware.UploadLimitMiddleware",
    # ETag on every GET answer and 304 for a matching If-None-Match: polling
    # clients download only what changed.
    "django.middleware.http.ConditionalGetMiddleware",
    "cica.middleware.ApiVaryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL characters, oversized bodies: refused where input enters (cica/input.py).
    "cica.input.InputCheckMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A write that answers 500 commits nothing (issue 13 item 1).
    "cica.middleware.AtomicWritesMiddleware",
    # The language cookie of the user's stored preference, set at sign-in (issue 16).
    "members.views.PreferredLanguageMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "web.urls"

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
                "web.context.header",
            ],
        },
    },
]

WSGI_APPLICATION = "cica.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections: a request (or a Celery task) reuses its worker's
# connection instead of opening one each time (issue 8: make bench).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# Before a request reuses its worker's connection, Django checks it still
# answers (one "SELECT 1" per request, not per query) and reconnects if not:
# after PostgreSQL restarts, a worker's first request is served instead of
# answering 503 (issue 13 item 19; its cost is a row of make bench).
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
# List pages run prepared (cica.pagination.prepared_rows): off behind a
# connection pooler in transaction mode that cannot keep prepared statements.
CICA_DB_PREPARE = env.bool("CICA_DB_PREPARE", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's cost of reading a page at random: PostgreSQL's default (4)
    # assumes spinning disks; on SSD or with the registers in memory, 1.1 (the
    # usual figure) lets it look rows up by key where it scanned whole small
    # tables for every row of a list page (the participants, the areas:
    # measures page 7.6 -> 3.9 ms, make bench data; issue 18). Empty keeps the
    # server's own setting.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _random_page_cost = env.str("CICA_DB_RANDOM_PAGE_COST", default="1.1")
    if _random_page_cost:
        _options["options"] = (
            f"{_options.get('options', '')} -c random_page_cost={float(_random_page_cost)}"
        ).strip()
    if CICA_DB_PREPARE:
        # psycopg prepares nothing on a connection without a threshold, not
        # even a statement asked for; Django's own cursors bind on the client
        # and never prepare, so a threshold no statement reaches changes
        # nothing for them.
        _options.setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while an account/address is locked out.
    "members.auth.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# CICA works in English and Russian; the source document is French.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("fr", _("French"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "fr", "ru")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk"
LOGOUT_REDIRECT_URL = "catalogue"

# Uploaded papers: PDF, DOCX or ODT by content, at most this size.
CICA_MAX_UPLOAD_BYTES = env.int("CICA_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# The largest request body accepted, refused by its Content-Length before it
# is read (0: one file at CICA_MAX_UPLOAD_BYTES and 64 KiB of form around it).
# Every file is also cut off as soon as it passes CICA_MAX_UPLOAD_BYTES.
CICA_MAX_REQUEST_BYTES = env.int("CICA_MAX_REQUEST_BYTES", default=0)
FILE_UPLOAD_HANDLERS = [
    "cica.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Register imports in the admin (CSV / XLSX): the largest file and the most rows.
CICA_IMPORT_MAX_BYTES = env.int("CICA_IMPORT_MAX_BYTES", default=1024 * 1024)
CICA_IMPORT_MAX_ROWS = env.int("CICA_IMPORT_MAX_ROWS", default=1000)
# A JSON body nested deeper than this is refused (400) before it reaches a serializer.
CICA_MAX_JSON_DEPTH = env.int("CICA_MAX_JSON_DEPTH", default=32)
# Uploads live under MEDIA_ROOT, which is never served as such: files go out
# only through views that check who may read them. Behind nginx or Apache set
# CICA_SENDFILE_HEADER=X-Accel-Redirect (or X-Sendfile) so the web server sends
# the bytes from an internal location (CICA_SENDFILE_PREFIX) after our check.
CICA_SENDFILE_HEADER = env.str("CICA_SENDFILE_HEADER", default="")
CICA_SENDFILE_PREFIX = env.str("CICA_SENDFILE_PREFIX", default="/protected-media/")

# Circulations and notifications.
CICA_REMINDER_DAYS_BEFORE = env.int("CICA_REMINDER_DAYS_BEFORE", default=3)
# Days a state named as co-submitting information has to confirm or decline.
CICA_CO_SUBMISSION_DAYS = env.int("CICA_CO_SUBMISSION_DAYS", default=14)
CICA_REQUEUE_AFTER_MINUTES = env.int("CICA_REQUEUE_AFTER_MINUTES", default=5)
CICA_WEBHOOK_TIMEOUT = env.int("CICA_WEBHOOK_TIMEOUT", default=5)
# A worker claims an e-mail or a webhook delivery before sending it (outside
# any transaction); a claim older than this was left by a worker that died
# mid-send, and the row counts as pending again. Keep it well above
# EMAIL_TIMEOUT and CICA_WEBHOOK_TIMEOUT.
CICA_OUTBOX_CLAIM_SECONDS = env.int("CICA_OUTBOX_CLAIM_SECONDS", default=300)
CICA_BENCH_VIEWS = env.bool("CICA_BENCH_VIEWS", default=False)


def calendar_domain_default(hosts: list[str]) -> str:
    """The first allowed host without a leading dot ("localhost" for "*" or
    none): the right-hand side of the calendar's UIDs."""
    first = (hosts[0] if hosts else "").lstrip(".")
    return "localhost" if first in ("", "*") else first


# The calendar's UIDs (meeting-<id>@<domain>) come from here, never from the
# request's Host: a feed subscribed under two names must not double its events.
CICA_CALENDAR_DOMAIN = env.str(
    "CICA_CALENDAR_DOMAIN", default=calendar_domain_default(ALLOWED_HOSTS)
)
# The site's address, for the links in e-mails (issue 16 item 3).
CICA_SITE_URL = env.str("CICA_SITE_URL", default=f"https://{CICA_CALENDAR_DOMAIN}")

# E-mail: the console unless EMAIL_URL names a server (smtp://user:pass@host:587).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds a mail server may take to answer before the send fails (and is retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="CICA secretariat <noreply@cica.example>"
)

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing fails fast when the broker is down: the notification stays in the
# outbox (pending) and the periodic re-queue hands it over later, so a web
# request never waits on a dead broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "max_retries": 0,
    # A task taken by a worker that died is handed out again after this many
    # seconds (tasks are idempotent: see secretariat.services).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connection before and after every
# task unless DB_REUSE_MAX is set (it ignores CONN_MAX_AGE): a new PostgreSQL
# connection per e-mail was most of a task's time (make bench, 4b). It now
# closes them every this many tasks; cica.celery closes a broken or expired
# connection after each task, as Django does after each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work (editable in the admin once beat has installed it).
CELERY_BEAT_SCHEDULE = {
    "requeue-pending-notifications": {
        "task": "secretariat.requeue_pending_notifications",
        "schedule": 60.0,
    },
    "requeue-webhooks": {"task": "secretariat.requeue_webhooks", "schedule": 60.0},
    "send-reminders": {"task": "secretariat.send_reminders", "schedule": 15 * 60.0},
    "summarise-deadlines": {"task": "secretariat.summarise_deadlines", "schedule": 15 * 60.0},
    "close-silence-procedures": {
        "task": "secretariat.close_silence_procedures",
        "schedule": 15 * 60.0,
    },
    # issue 17 v3: annual reporting, a reminder before the due date and a
    # summary after it (each once per cycle, whenever the task runs).
    "send-return-reminders": {
        "task": "implementation.send_return_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    "summarise-returns": {
        "task": "implementation.summarise_returns",
        "schedule": crontab(hour=6, minute=30),
    },
    # Readers who chose a daily digest: one e-mail a day (issue 16 item 3).
    "send-daily-digests": {
        "task": "secretariat.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Cache: with Redis, one cache for every process on every host, so whatever
# is counted in it (throttling, lock-outs) holds across gunicorn workers;
# without, Django's default, a local-memory cache per process. REDIS_CACHE_URL
# can name another Redis database: the cache's clear() empties its whole
# database, which must then not be the broker's.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "cica",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The client's address, for lock-outs and throttles alike (cica.client): the
# socket's, or behind CICA_TRUSTED_PROXIES proxies the Nth address from the
# right of X-Forwarded-For. 0 (the default) ignores X-Forwarded-For.
CICA_TRUSTED_PROXIES = env.int("CICA_TRUSTED_PROXIES", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["cica.filters.FilterBackend"],
    # JSON only; an upload's view sets multipart only (cica.input.parsers_for):
    # one content type per operation body, which generated clients need (issue 15).
    "DEFAULT_PARSER_CLASSES": ["cica.input.JSONParser"],
    # The tests' APIClient sends JSON unless told format="multipart" (an upload).
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Anonymous and user scopes in one class: one round trip to Redis (issue 18).
    "DEFAULT_THROTTLE_CLASSES": ["cica.throttling.ApiThrottle"],
    # Ours use cica.client.client_address; this keeps any DRF throttle on the
    # same rule (unset, DRF keys on the whole X-Forwarded-For: issue 13 item 14).
    "NUM_PROXIES": CICA_TRUSTED_PROXIES,
    "DEFAULT_PAGINATION_CLASS": "cica.pagination.PageSizePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "cica.schema.CicaAutoSchema",
    "EXCEPTION_HANDLER": "cica.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "cica.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CICA CBM coordination API",
    "DESCRIPTION": (
        "Registers of the Conference on Interaction and Confidence-Building Measures "
        "in Asia: participants, priority areas, measures of the Catalogue and "
        "coordinator offers. Reads are public; writes need a token "
        "(POST /api/v1/auth/token/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cica.schema.add_initiative_links",
        "cica.schema.document_conditional_gets",
        "cica.schema.nullable_references",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DocumentMediaTypeEnum": "cica.uploads.DOCUMENT_MEDIA_TYPES",
        "ParticipationStatusEnum": "members.models.ParticipationStatus",
        "InitiativeStatusEnum": "measures.workflow.Status",
        "OfferRoleEnum": "measures.models.CoordinatorRole",
        "DesignationRoleEnum": "measures.models.DesignationRole",
        "AudienceEnum": "secretariat.models.Audience",
        "BodyEnum": "secretariat.models.Body",
        "DecisionBodyEnum": "secretariat.models.DECISION_BODY_CHOICES",
        "ParticipantKindEnum": "members.models.ParticipantKind",
        "CirculationKindEnum": "secretariat.models.CirculationKind",
        "NotificationKindEnum": "secretariat.models.NotificationKind",
        "VisibilityEnum": "secretariat.models.Visibility",
        "InformationStatusEnum": "secretariat.models.InformationStatus",
        "InformationKindEnum": "secretariat.models.InformationKind",
        # Issue 15: every closed set in a response is an enum with a name of its own.
        "PaperKindEnum": "measures.models.PaperKind",
        "OfferScopeEnum": "measures.models.OfferScope",
        "ModalityEnum": "measures.models.Modality",
        "OutcomeEnum": "measures.workflow.Outcome",
        "InitiativeActionEnum": "measures.workflow.Action",
        "EventActionEnum": "measures.workflow.EVENT_CHOICES",
        "PositionEnum": "secretariat.models.Position",
        "DecisionProcedureEnum": "secretariat.models.DecisionProcedure",
        "SilenceStatusEnum": "secretariat.models.SilenceStatus",
        "EmailStatusEnum": "secretariat.models.EmailStatus",
        "LanguageEnum": "django.conf.settings.LANGUAGES",
        "TokenStateEnum": [("active", "active"), ("expired", "expired"), ("revoked", "revoked")],
        "CoSubmitterAnswerEnum": ["confirmed", "declined", "awaited"],
        # Issue 17 v4: the participation table's answers.
        "ParticipationAnswerEnum": ["report", "nil", "missing"],
        "ProgressAnswerEnum": ["report", "missing"],
        # issue 17 v3: annual reporting.
        "ImplementationVisibilityEnum": "implementation.models.Visibility",
        "ReturnKindEnum": "implementation.models.ReturnKind",
        "ReturnStatusEnum": "implementation.models.ReturnStatus",
        # Issue 17 (v1): action plans.
        "PlanStatusEnum": "implementation.models.PlanStatus",
        "ActivityKindEnum": "implementation.models.ActivityKind",
        "PlanActionEnum": "implementation.services.plans.PLAN_ACTION_CHOICES",
        # Issue 17 (v2): the activities register.
        "ActivityStatusEnum": "implementation.models.ActivityStatus",
        "ActivityDocumentKindEnum": "implementation.models.DocumentKind",
    },
}

# Demo accounts (``create_demo_users``): the password comes from the environment
# or is generated once and kept in this file, which git ignores.
CICA_DEMO_PASSWORD = env.str("CICA_DEMO_PASSWORD", default="")
CICA_DEMO_PASSWORD_FILE = BASE_DIR / ".demo-password"

# Exports of the registers are for the secretariat: they need the change right
# (the Chair's office has view rights only).
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"

# --- Security ---------------------------------------------------------------------
# With DEBUG off, `python manage.py check --deploy` is clean with these
# defaults; each can be relaxed from the environment (e.g. SECURE_SSL_REDIRECT=0
# behind a proxy that already redirects).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Only behind a proxy that sets X-Forwarded-Proto itself (see docs/deploy.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cica.errors.csrf_failure"

# Content-Security-Policy (django-csp): our pages load scripts and styles from
# our own origin only, no inline code. The API documentation pages, which
# ship inline styles, relax style-src for themselves only (web/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in lock-out (django-axes): after AXES_FAILURE_LIMIT failures for one
# username from one address, that pair is refused for AXES_COOLOFF_MINUTES.
# Attempts are kept in the database, so every process sees them.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cica.errors.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address for lock-outs too (see CICA_TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "cica.client.axes_client_address"

# API tokens expire after this many days (a client can ask for fewer).
CICA_TOKEN_TTL_DAYS = env.int("CICA_TOKEN_TTL_DAYS", default=30)
# API throttles (DRF rate syntax; "off" turns one off). Anonymous readers and
# signed-in clients are counted separately; sign-in has its own tight limit.
CICA_THROTTLE_RATES = {
    scope: (None if rate == "off" else rate)
    for scope, rate in {
        "anon": env.str("CICA_THROTTLE_ANON", default="600/min"),
        "user": env.str("CICA_THROTTLE_USER", default="1200/min"),
        "signin": env.str("CICA_THROTTLE_SIGNIN", default="20/min"),
    }.items()
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
