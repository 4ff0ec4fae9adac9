"""PartyHub settings: one module, driven by environment variables (django-environ).

Safe local defaults: SQLite file and eager Celery when DATABASE_URL / REDIS_URL are unset, the
console email backend, DEBUG on. Production is DJANGO_DEBUG=0 plus the variables that
`partyhub.checks` insists on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# A development key is only acceptable while DEBUG is on; partyhub.checks refuses it otherwise.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
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
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "treebeard",
    "simple_history",
    "partyhub.apps.PartyhubConfig",
    "members",
    "recruitment",
    "reports",
    "accounts",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that ask (all do): a province's dashboard is 415 KB of HTML at
    # 400,000 members (at 1.6 million, 1,399 KB and 84 KB gzipped), which counts on a phone. Below
    # WhiteNoise, which serves its own pre-compressed static files. Django's Heal The Breach padding and
    # the per-request masking of the CSRF token keep BREACH-style guessing of a page's secrets out of
    # reach (docs/security.md).
    "partyhub.middleware.GZipPages",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "partyhub.middleware.RenewActiveSessions",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): this session confirmed a second-factor code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Board staff, administrators and superusers see nothing before the second factor.
    "accounts.middleware.RequireSecondFactor",
    "simple_history.middleware.HistoryRequestMiddleware",
    "partyhub.middleware.NoStoreForSignedInUsers",
    # Last, as django-axes asks: turns a locked-out login into the lockout page (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

# A session ends after 2 hours without a request and when the browser closes: secretaries often share
# an office computer or a phone. Change with SESSION_IDLE_SECONDS. An active user's session is renewed
# at most every 5 minutes (partyhub.middleware.RenewActiveSessions), not written on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp): scripts only from this site's static files, no inline script,
# no eval, nothing framed, no form posting elsewhere. Styles from the site's files; the `style`
# attributes of a few templates (widths of progress bars) are allowed by style-src-attr. Images may
# be data: URIs (Bootstrap's form icons, the second-factor QR code). docs/security.md, finding 7.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "partyhub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's templates, then each reports capability's own (reports/<capability>/templates/,
        # e.g. reports/imports/templates/reports/imports/run.html): the app-directories loader below
        # looks only at <app>/templates/. Sorted, so the search order does not depend on the disk.
        "DIRS": [BASE_DIR / "templates", *sorted(BASE_DIR.glob("reports/*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.roles",
                "accounts.context_processors.second_factor_menu",
                "recruitment.context_processors.pipeline_menu",
            ],
        },
    },
]

WSGI_APPLICATION = "partyhub.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo province is written in large batches; a longer timeout avoids "database is locked"
    # when the dev server reads while load_demo writes.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every password set through a form (the change-password page, the admin): at least 12 characters,
# not like the username, name or email, not a common password, not only digits (docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Login: lockout after repeated failures (django-axes; docs/security.md "Login") ----------
# axes' AxesStandaloneBackend first: it refuses a locked-out login before the password is even
# checked (accounts.backends: the same, letting request-less calls of code on the server through).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A username is locked from one address after this many failures in a row, for this many minutes
# after the last attempt (each attempt during the lockout starts the wait again). A successful
# login clears the count. Other addresses, and other usernames from the same address, go on.
AXES_FAILURE_LIMIT = env.int("PARTYHUB_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PARTYHUB_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Failures and lockouts are logged (WARNING) with the username and address, so probing shows in the
# logs; passwords are always masked.
AXES_SENSITIVE_PARAMETERS: list[str] = []
# Proxies in front of gunicorn that append to X-Forwarded-For (docs/deployment.md: one nginx). The
# lockout counts by the browser's address, not the proxy's; 0 reads REMOTE_ADDR (the dev server).
PARTYHUB_PROXY_COUNT = env.int("PARTYHUB_PROXY_COUNT", default=0 if DEBUG else 1)
# Whom a locked-out user should ask, shown on the lockout page (e.g. "Văn phòng Ban Tổ chức Tỉnh
# ủy, ĐT 0123 456 789"); empty shows a generic "your unit's PartyHub administrator".
PARTYHUB_LOGIN_HELP = env.str("PARTYHUB_LOGIN_HELP", default="")

# --- Login: the second factor (django-otp; docs/security.md "Login") --------------------------
# Role values (members.vocabulary.Role) whose holders, and every superuser, confirm each login with
# a TOTP code or a recovery code. PARTYHUB_REQUIRE_OTP=0 empties it: nobody is asked (a local demo).
PARTYHUB_REQUIRE_OTP_ROLES: tuple[str, ...] = (
    ("board_staff", "administrator") if env.bool("PARTYHUB_REQUIRE_OTP", default=True) else ()
)
OTP_TOTP_ISSUER = "PartyHub"
# The Django admin never shows a device's secret or QR code, not even to a superuser.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Vietnamese first. Source strings are written in Vietnamese so the primary language can never
# fall back to an untranslated English phrase; locale/en holds the English catalogue.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (the scans of signed papers, recruitment.papers) are stored through Django's storage
# API: on local disk under MEDIA_ROOT by default (git-ignored var/media), or in any store given as JSON
# in PARTYHUB_FILE_STORAGE, e.g. an S3-compatible one with django-storages installed (docs/deployment.md,
# "Uploaded files"). They are never served from a public URL: a view checks the user's scope first.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": env.json(
        "PARTYHUB_FILE_STORAGE",
        default={"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}},
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Redis, Celery, cache -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Without Redis every job runs inline, so `make run` needs no worker.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The one beat schedule of the project (crontab times are in CELERY_TIMEZONE, Asia/Ho_Chi_Minh).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {"task": "partyhub.tasks.heartbeat", "schedule": crontab(minute="*/30")},
    # Every unit's progress snapshots for the current term, the current year and last month.
    "reports-recompute-snapshots": {
        "task": "reports.tasks.recompute_snapshots",
        "schedule": crontab(hour=1, minute=30),
    },
    # The recompute outbox (reports/progress/jobs.py): units whose figures changed, recomputed once
    # the coalescing window has passed; also what picks them up after a broker outage.
    "reports-recompute-outbox": {
        "task": "reports.progress.drain_recompute_outbox",
        "schedule": crontab(minute="*"),
    },
    # Import runs still waiting for a worker (their task never arrived): handed over again, or failed.
    "reports-requeue-waiting-imports": {
        "task": "reports.imports.requeue_waiting_imports",
        "schedule": crontab(minute="*/5"),
    },
    # Large exports still waiting for a worker: handed over again, or failed; old files cleared.
    "reports-requeue-waiting-exports": {
        "task": "reports.exports.requeue_waiting_exports",
        "schedule": crontab(minute="*/5"),
    },
    # The monthly digest: daily at 07:00, but the task sends only on the first working day of the month.
    "reports-monthly-digest": {
        "task": "reports.digest.tasks.send_monthly_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # Notifications (recruitment/notifications/): the weekly reminder of the coming two weeks' deadlines on
    # Monday morning, and a sweep that emails whatever a lost task left pending (a broker outage).
    "recruitment-weekly-reminder": {
        "task": "recruitment.notifications.weekly_reminder",
        "schedule": crontab(hour=7, minute=15, day_of_week="mon"),
    },
    "recruitment-notification-sweep": {
        "task": "recruitment.notifications.send_emails",
        "schedule": crontab(minute="*/5"),
    },
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIGURED = "EMAIL_URL" in env
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PartyHub <no-reply@partyhub.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Monthly digest (reports/digest/, docs/digest.md) -----------------------------------------
# The address people open PartyHub at: every link in an email is absolute, built from it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A claimed delivery older than this is taken to belong to a dead worker and is taken over.
DIGEST_CLAIM_LEASE_SECONDS = env.int("DIGEST_CLAIM_LEASE_SECONDS", default=600)
# Optional mailbox for `List-Unsubscribe: <mailto:...>` next to the one-click https link.
DIGEST_UNSUBSCRIBE_MAILTO = env.str("DIGEST_UNSUBSCRIBE_MAILTO", default="")

# --- Excel imports (reports/imports/, docs/import-format.md) ----------------------------------
# Scans of signed papers: larger files are refused with a message (recruitment.papers.attachments).
PARTYHUB_ATTACHMENT_MAX_BYTES = env.int("PARTYHUB_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
PARTYHUB_IMPORT_MAX_BYTES = env.int("PARTYHUB_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Hostile workbooks (reports/imports/guard.py, also for reconciliation uploads): the parts of an
# .xlsx may unpack to this much together, a part larger than 1 MiB may be packed at most this many
# times, and the shared-strings table (which openpyxl holds in memory whole) may unpack to this much.
PARTYHUB_IMPORT_MAX_UNPACKED_BYTES = env.int("PARTYHUB_IMPORT_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
PARTYHUB_IMPORT_MAX_UNPACKED_RATIO = env.int("PARTYHUB_IMPORT_MAX_UNPACKED_RATIO", default=100)
PARTYHUB_IMPORT_MAX_SHARED_STRINGS_BYTES = env.int("PARTYHUB_IMPORT_MAX_SHARED_STRINGS_BYTES", default=50 * 1024 * 1024)
# Larger imports run as a Celery task behind a progress bar; smaller ones within the request.
PARTYHUB_IMPORT_ASYNC_ROWS = env.int("PARTYHUB_IMPORT_ASYNC_ROWS", default=1000)
# The Celery queue of import runs (a deployment may give them workers of their own).
PARTYHUB_IMPORT_QUEUE = env.str("PARTYHUB_IMPORT_QUEUE", default="celery")
# Member lists and subtree exports of more members than this are made by a worker (reports/exports/jobs.py).
PARTYHUB_EXPORT_ASYNC_ROWS = env.int("PARTYHUB_EXPORT_ASYNC_ROWS", default=5000)
# The heavy pages' rendered parts (dashboards, tree, pipeline board, deadlines) are kept in the cache for
# this long, under a key that changes with the data under them (partyhub/pagecache.py); 0 turns it off.
PARTYHUB_PAGE_CACHE_SECONDS = env.int("PARTYHUB_PAGE_CACHE_SECONDS", default=3600)
# ...and the parts that read the records themselves (not a snapshot) at most this long.
PARTYHUB_LIVE_PAGE_CACHE_SECONDS = env.int("PARTYHUB_LIVE_PAGE_CACHE_SECONDS", default=60)
# A pass recomputing the snapshots of at least PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS units computes its
# reports in this many processes (0: one per core; 1: in the pass's own), reports/progress/parallel.py.
PARTYHUB_RECOMPUTE_PROCESSES = env.int("PARTYHUB_RECOMPUTE_PROCESSES", default=0)
PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS = env.int("PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS", default=500)
# Units per batch of a pass (a step of its progress bar, one transaction); 0: reports/progress/jobs.py's.
PARTYHUB_RECOMPUTE_BATCH = env.int("PARTYHUB_RECOMPUTE_BATCH", default=0)
# Keys of one installation apart from another's sharing the cache (each test gets its own).
PARTYHUB_PAGE_CACHE_SALT = env.str("PARTYHUB_PAGE_CACHE_SALT", default="")

# --- Production hardening (DJANGO_DEBUG=0) ---------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
