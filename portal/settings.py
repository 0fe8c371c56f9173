"""Settings for the BTS candidate portal.

Everything that differs between a laptop and production comes from the environment
(django-environ), read here at the top. `.env.example` lists every variable.
Without configuration the portal runs on SQLite and an embedded Celery broker.
"""

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from common import log_format
from portal import error_reports
from portal.config import ConfigurationError

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError("SECRET_KEY est obligatoire quand DEBUG est désactivé.")
    SECRET_KEY = "dev-only-key-never-used-in-production-" + "x" * 20
# The keys before the current one, comma-separated: sessions, links and the codes printed on the
# confirmations they signed still verify while the new key takes over (documents/confirmation_code.py).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ConfigurationError("ALLOWED_HOSTS est obligatoire quand DEBUG est désactivé.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


def _database_from_url(url):
    """One DATABASES entry from DATABASE_URL; a malformed URL is a ConfigurationError."""
    engines = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
    try:
        with warnings.catch_warnings():  # an unknown scheme is reported below, in one line
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except Exception as error:  # django-environ raises several types for a bad URL
        raise ConfigurationError(f"DATABASE_URL est mal formée ({error}).") from None
    if config.get("ENGINE") not in engines or not config.get("NAME"):
        raise ConfigurationError(
            "DATABASE_URL est mal formée : attendu postgres://utilisateur@hôte:port/base "
            "ou sqlite:////chemin/absolu.sqlite3."
        )
    # django-prometheus' wrappers of the same engines time every query (README, « Métriques »).
    config["ENGINE"] = config["ENGINE"].replace("django.db.backends.", "django_prometheus.db.backends.")
    if config["ENGINE"] == "django_prometheus.db.backends.sqlite3":
        # The web process and the Celery worker share the file: wait for locks, write-ahead log.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not memory, so that a Celery worker started by a test sees the test database.
        config["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    else:
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
        # A server that no longer answers fails a new connection in 5 s (readiness, /sante/), not
        # after TCP's two minutes; DATABASE_URL's ?connect_timeout=… wins.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config


DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "portal",
    "candidates",
    "exams",
    "documents",
    "dsfr",
    "crispy_forms",
    "widget_tweaks",  # used by django-dsfr's radio and checkbox templates
    "django_celery_beat",
    "axes",
    "django_ratelimit",  # its system checks: the cache it counts in must be shared and atomic
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "import_export",
    "django_structlog",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",  # /metriques/ (portal/metrics.py; README, « Métriques (Prometheus) »)
]

MIDDLEWARE = [
    # django-prometheus: first, it times the whole stack; its second half is just above the
    # typography, so a view's latency and size include the typography's work on its page.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.middleware.ReceivedAtMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Cache-Control: private, no-store for every session's answers, including CommonMiddleware's
    # redirect to the final slash, which answers before AuthenticationMiddleware runs.
    "portal.middleware.PrivateNoStoreMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the user is known: binds request_id and user_id to every log line (portal/request_context.py).
    "portal.request_context.RequestMiddleware",  # django-structlog's, the query string left out
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.StaffIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    "portal.middleware.FrenchTypographyMiddleware",  # last: its response runs first (common/typography.py)
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.site_config.site_config",  # django-dsfr's, cached
                "candidates.context_processors.inbox",
                "candidates.context_processors.franceconnect",
                "portal.context_processors.candidate_space",  # the menu's entries, read once and only when drawn
            ],
        },
    },
]

# Forms: django-crispy-forms with the small DSFR pack in templates/dsfr_crispy/.
CRISPY_TEMPLATE_PACK = "dsfr_crispy"
CRISPY_ALLOWED_TEMPLATE_PACKS = ("dsfr_crispy",)
DSFR_MARK_OPTIONAL_FIELDS = True

# Accounts: one model for candidates and staff, the email is the login.
AUTH_USER_MODEL = "candidates.User"
LOGIN_URL = "candidates:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "portal.hashers.Argon2idSingleLaneHasher",  # also verifies (and upgrades) hashes of Django's Argon2 defaults
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_ACTIVATION_HOURS = env.int("ACCOUNT_ACTIVATION_HOURS", default=48)
PASSWORD_RESET_TIMEOUT = 3600  # the reset link is valid one hour
# The address in links sent by email (the portal's public URL, as candidates type it).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# The rectorate's examination office (DEC) mailbox, told of situation changes after a lock.
DEC_EMAIL = env.str("DEC_EMAIL", default="dec@localhost")
# The forms that email an address typed in (sign-up, new activation link, forgotten password,
# change of address), whichever form asks (candidates/limits.py):
# - from one client address, at most this many an hour: a class of 35 signing up together from
#   one school's address, with resends, stays under it;
EMAILS_PER_CLIENT_PER_HOUR = env.int("EMAILS_PER_CLIENT_PER_HOUR", default=60)
# - to one mailbox from one client, at most this many: a sign-up and two « renvoyer le lien »;
EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR = env.int("EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR", default=3)
# - to one mailbox from all clients together: too few to flood it, more than one client can use up.
EMAILS_PER_ADDRESS_PER_HOUR = env.int("EMAILS_PER_ADDRESS_PER_HOUR", default=6)

# FranceConnect (candidates/franceconnect.py; README, « FranceConnect »): the provider's issuer
# (e.g. https://fcp-low.integ01.dev-franceconnect.fr/api/v2 for the integration platform), the
# client id and secret FranceConnect's partner space gives the service, and the eIDAS level asked
# (eidas1, eidas2 or eidas3). Without the first three, the button does not show.
FRANCECONNECT_ISSUER = env.str("FRANCECONNECT_ISSUER", default="")
FRANCECONNECT_CLIENT_ID = env.str("FRANCECONNECT_CLIENT_ID", default="")
FRANCECONNECT_CLIENT_SECRET = env.str("FRANCECONNECT_CLIENT_SECRET", default="")
FRANCECONNECT_EIDAS_LEVEL = env.str("FRANCECONNECT_EIDAS_LEVEL", default="eidas1")
# Seconds the portal waits for each answer of the provider before telling the candidate it does not answer.
FRANCECONNECT_TIMEOUT = env.float("FRANCECONNECT_TIMEOUT", default=5)
# Data retention (RGPD): identity documents are deleted this many days after the session's
# results; accounts without a login for INACTIVE_ACCOUNT_DAYS are deleted, after a notice
# sent INACTIVITY_NOTICE_DAYS before.
IDENTITY_RETENTION_DAYS = env.int("IDENTITY_RETENTION_DAYS", default=365)
INACTIVE_ACCOUNT_DAYS = env.int("INACTIVE_ACCOUNT_DAYS", default=730)
INACTIVITY_NOTICE_DAYS = env.int("INACTIVITY_NOTICE_DAYS", default=14)
# Where candidates send the notification of an earlier accommodation to renew (the notice, E).
ACCOMMODATION_EMAIL = env.str("ACCOMMODATION_EMAIL", default="dec-amenagement-sup@ac-normandie.fr")
# Where a candidate makes a new request for accommodations (the notice, E: the rectorate's page).
ACCOMMODATION_REQUESTS_URL = env.str("ACCOMMODATION_REQUESTS_URL",
                                     default="https://www.ac-normandie.fr/brevet-de-technicien-superieur-121522")

# Staff sign in to admin with a second factor: a TOTP code from an authenticator app (django-otp).
OTP_TOTP_ISSUER = "Inscriptions BTS"
# A staff member who may view TOTP devices in admin never sees another one's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The audit trail (django-simple-history) is read-only in admin: no "revert to this version".
SIMPLE_HISTORY_REVERT_DISABLED = True

# Failed logins: 5 failures lock that email-and-address pair for 15 minutes (django-axes);
# beside it, a limit per client address across every account (LOGIN_FAILURES_PER_CLIENT_PER_HOUR, below).
AUTHENTICATION_BACKENDS = [
    "candidates.login_limits.LoginFailuresPerClientBackend",  # first: a client over its limit has no password checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the 15 minutes do not restart
AXES_LOCKOUT_CALLABLE = "candidates.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, which holds the email
AXES_USERNAME_CALLABLE = "candidates.views.login_attempt_email"  # any case counts as one account
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address"  # the portal's one client address
AXES_CLIENT_STR_CALLABLE = "candidates.login_limits.failure_log_client"  # its log lines name no one, no address

# French by default; every user-facing string goes through gettext, written in French.
LANGUAGE_CODE = "fr"
# The portal's date formats, written once (portal/locale_formats/fr/formats.py).
FORMAT_MODULE_PATH = ["common.locale_formats"]
# The portal's corrections to Django's French admin phrases (locale/fr/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise; uploads live under MEDIA_ROOT, which no URL serves:
# the documents app streams them after an ownership check.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # in development, serve from the apps without collectstatic
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # collectstatic fills it in production
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = ""
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# The review queue gives a piece to one staff member for this long (released on decision or « Passer »).
REVIEW_CLAIM_MINUTES = 10
# Behind nginx: serve private files with X-Accel-Redirect to this internal location (e.g. /protected/).
PRIVATE_FILES_X_ACCEL_PREFIX = env.str("PRIVATE_FILES_X_ACCEL_PREFIX", default="")
# Antivirus: every uploaded file is scanned by ClamAV's clamd, after commit, by a Celery task.
# tcp://host:3310 or unix:///run/clamav/clamd.ctl; empty (development) turns scanning off, and
# the admin says so on every page.
CLAMD_URL = env.str("CLAMD_URL", default="")
CLAMD_TIMEOUT_SECONDS = env.int("CLAMD_TIMEOUT_SECONDS", default=120)
# /sante/ tells anyone only whether the portal is up; a monitoring tool sending
# "Authorization: Bearer <this>" also gets the details (worker, antivirus). Empty: staff only.
HEALTH_CHECK_TOKEN = env.str("HEALTH_CHECK_TOKEN", default="")
# Prometheus (README, « Métriques (Prometheus) »): /metriques/ answers only a scraper sending
# "Authorization: Bearer <METRICS_TOKEN>" (empty: 404); the Celery worker serves its own
# metrics on CELERY_METRICS_PORT (empty: none). PROMETHEUS_MULTIPROC_DIR, read by
# prometheus_client from the process's environment, gathers the counts of every process.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=None)
# Uploads on S3-compatible object storage (django-storages) when a bucket is configured.
S3_BUCKET = env.str("S3_BUCKET", default="")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY", default=""),
            "secret_key": env.str("S3_SECRET_KEY", default=""),
            "region_name": env.str("S3_REGION", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    } if S3_BUCKET else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# Redis, when configured, carries the Celery broker and Django's cache.
# "local", in each process's memory, keeps page fragments that are the same for every visitor
# until the next deployment, or whose key holds every value they show (templates/base.html):
# nothing to clear there, and no round trip to Redis for them.
LOCAL_CACHE = {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache", "LOCATION": "portal-fragments",
               "OPTIONS": {"MAX_ENTRIES": 2000}}
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that died unacknowledged goes back to the queue after this
    # delay. It must exceed the longest retry countdown (32 minutes, the antivirus scan's last),
    # or a task waiting for its countdown would be delivered a second time meanwhile.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=60 * 60)}
    CACHES = {
        # django-redis rather than Django's own Redis backend, which builds a new redis-py
        # client (and its table of ~170 reply callbacks) for every read: ~0.3 ms each here.
        "default": {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",  # django-redis's, counting hits and misses
            "LOCATION": REDIS_URL,
            # A Redis that no longer answers fails a request (and /sante/) in seconds, not minutes.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 5},
        },
        "local": LOCAL_CACHE,
    }
else:
    # No server needed: kombu's filesystem transport, shared by web, worker and beat.
    BROKER_DIR = VAR_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        "local": LOCAL_CACHE,
    }

# Rate limits (django-ratelimit), counted in the shared default cache.
# The client's address, for them and for django-axes, is common.client_address: the entry that
# the outermost of TRUSTED_PROXY_COUNT reverse proxies appended to X-Forwarded-For (0: the peer).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "common.client_address.client_address"  # key "ip"; IPv6 counts by /64
RATELIMIT_USE_CACHE = "default"
if DEBUG and not REDIS_URL:
    # The file cache of a developer's machine increments by read-then-write (django_ratelimit.E003,
    # and W001, "not officially supported"): a lost count there is harmless. Production keeps the
    # error: its counts must be shared and atomic, so it needs REDIS_URL.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
elif REDIS_URL:
    # django-prometheus' RedisCache is django-redis's, subclassed to count reads: the backend
    # django-ratelimit supports, under a name its check does not know (W001, "not officially supported").
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# Failed logins from one client address across every account, per hour (candidates/login_limits.py),
# beside django-axes' 5 per email and address. A class of 35 behind one school's NAT, each
# mistyping up to 4 times (the 5th locks that account anyway), makes 140: 150 lets them all
# through, and stops one address from trying a few passwords on every account (170 in 28 s).
LOGIN_FAILURES_PER_CLIENT_PER_HOUR = env.int("LOGIN_FAILURES_PER_CLIENT_PER_HOUR", default=150)

CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True  # tasks record their outcome in the database
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are written to run twice safely, so a task is acknowledged only once done, and given
# back to the queue when its worker dies: nothing is lost to a killed worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one schedule of periodic tasks; each says when and why it runs.
CELERY_BEAT_SCHEDULE = {
    # Every minute: proves to operators (and to /sante/) that a worker and the scheduler run.
    "worker-heartbeat": {"task": "portal.tasks.record_worker_heartbeat", "schedule": 60.0},
    # Every 15 minutes: the notice deletes accounts not activated within 48 hours.
    "purge-unactivated-accounts": {
        "task": "candidates.tasks.purge_unactivated_accounts_task",
        "schedule": env.float("PURGE_INTERVAL_SECONDS", default=15 * 60),
    },
    # Every 5 minutes: queue again emails whose delivery task was lost (broker down…).
    "requeue-pending-messages": {"task": "candidates.tasks.requeue_pending_messages", "schedule": 5 * 60.0},
    # Every 5 minutes: after a deadline (plus 15 minutes for uploads under way), lock or cancel.
    "close-registrations": {"task": "documents.tasks.close_registrations_task", "schedule": 5 * 60.0},
    # Every hour: reminders 7 and 2 days before the deadline, each sent once per registration.
    "deadline-reminders": {"task": "documents.tasks.send_deadline_reminders_task", "schedule": 60 * 60.0},
    # Every 6 hours: ten days before a first épreuve, tell staff who has not opened the convocation (once).
    # Every night: scan again the files whose scan was lost (clamd or a worker down), and those
    # stored while scanning was off.
    "rescan-unscanned-files": {"task": "documents.tasks.requeue_unscanned_files", "schedule": crontab(hour=2, minute=30)},
    # Every day: delete what the retention policy says is kept no longer (identity documents, idle accounts).
    "data-retention": {"task": "portal.tasks.apply_retention_policy", "schedule": 24 * 60 * 60.0},
    "unopened-convocations": {"task": "exams.tasks.report_unopened_convocations", "schedule": 6 * 60 * 60.0},
}

# Email: the console in development; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Inscriptions BTS <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production (DEBUG off) passes `manage.py check --deploy` with no warning.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^sante/(vivant/)?$", r"^metriques/$"]  # health checks and Prometheus come over plain HTTP from inside
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): the candidate pages run only the portal's own scripts,
# never inline ones. Admin (staff only, behind the second factor) is left out: some of its
# packages' pages still use inline handlers.
_franceconnect_origin = "{0.scheme}://{0.netloc}".format(urlsplit(FRANCECONNECT_ISSUER)) if FRANCECONNECT_ISSUER else ""
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # FranceConnect's button and the logout are forms whose answer redirects to the provider.
        "form-action": ["'self'", *([_franceconnect_origin] if _franceconnect_origin else [])],
        "frame-ancestors": ["'none'"],
    },
}
# Sessions: staff are logged out after 30 minutes without a request; candidates keep theirs
# (their drafts are saved on the server at each step anyway).
STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Read from the shared cache first and written through to the database (Django's cached_db):
# a page does not query the sessions table, and a cache flushed or lost logs no one out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Logs (README, « Journaux et erreurs »): one JSON object a line in production, plain lines with
# `make run`; each line of a request or of a task it queued carries the request id, the user's id
# and the view (django-structlog), never a client address, an email or an account link's token.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ConfigurationError("LOG_FORMAT doit valoir json ou plain.")
LOGGING = log_format.logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))
log_format.configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True  # the request id travels in the task's headers
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # a client's address is personal data
# Errors to Sentry, scrubbed of personal data (portal/error_reports.py), only when SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    error_reports.init(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default=""),
                       release=env.str("SENTRY_RELEASE", default=""),
                       traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))
