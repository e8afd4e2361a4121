"""Settings shared by every environment; embedded defaults so `make run` needs no server.

Configuration comes from the environment (https://django-environ.readthedocs.io/).
"""

from pathlib import Path

import environ

from hub.addresses import trusted_networks
from hub.logs import logging_config
from hub.secret_key import embedded_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Local overrides for development, in a checkout's .env; production reads the real environment only. Only if the
# file is there: an installed hub's BASE_DIR is site-packages, and django-environ logs ".env not found" otherwise.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the hub writes at run time lives under one folder (database, broker, files).
VAR_DIR = Path(env.str("HUB_VAR_DIR", default=str(BASE_DIR / "var")))

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
# Unset (`make run`, local use): a random key made once and kept in HUB_VAR_DIR/secret-key.txt (hub/secret_key.py).
SECRET_KEY = env.str("SECRET_KEY", default="") or embedded_secret_key(VAR_DIR)
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env.bool("DEBUG", default=False)
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-trusted-origins
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
    "drf_spectacular",
    # Swagger UI's files served by the hub itself: /api/docs/ works without internet.
    "drf_spectacular_sidecar",
    "axes",
    "hub",
    "projects",
    "submissions",
    "compat",
    "accounts",
    "community",
    "learning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (the CSRF check reads it in process_view, after every middleware's request
    # phase), after the sender is known: a chunked body is read up to the upload limit and given its length.
    "hub.uploads.ChunkedBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.RequireVerifiedEmailMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its docs ask: it turns a locked-out sign-in into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.unread_notifications",
            ],
        },
    },
]

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hub.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at the same time: WAL lets readers go on while one writes, and
    # IMMEDIATE transactions take the write lock up front instead of failing with "database is locked" mid-way.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-cache-url
# Shared by every web process, so API rate limits count across gunicorn workers; e.g. redis://127.0.0.1:6379/1.
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# https://django-axes.readthedocs.io/en/latest/2_installation.html
AUTHENTICATION_BACKENDS = [
    "accounts.security.ThrottledSignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Sign-ins are throttled per account and address together: a classroom behind one address is not locked out by one
# learner's typos, and nobody can lock another learner out from elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
# https://django-axes.readthedocs.io/en/latest/4_configuration.html (the client's address, as the rate limits see it)
AXES_CLIENT_IP_CALLABLE = "hub.addresses.client_address"
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); from anyone else the header
# is ignored (hub/addresses.py, docs/deploying.md#https-behind-a-proxy).
HUB_TRUSTED_PROXIES = env.list("HUB_TRUSTED_PROXIES", default=[])
trusted_networks(tuple(HUB_TRUSTED_PROXIES))  # a value that is not addresses stops the start, naming it
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# https://docs.djangoproject.com/en/5.2/ref/settings/#storages
# "default" holds dataset files and submissions, "solutions" the hidden solutions; neither is public (hub/storage.py).
# Where they live: "local" (a folder under HUB_VAR_DIR) or "s3" (S3 or MinIO); see docs/storage.md.
HUB_STORAGE = env.str("HUB_STORAGE", default="local")
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html#settings (querystring_expire)
HUB_DOWNLOAD_URL_SECONDS = env.int("HUB_DOWNLOAD_URL_SECONDS", default=300)
if HUB_STORAGE == "local":
    # https://docs.djangoproject.com/en/5.2/ref/files/storage/#the-filesystemstorage-class
    # One folder that no URL maps to; solutions stay where earlier versions stored them (solutions/...).
    _local_files = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "storage"), "base_url": None},
    }
    STORAGES = {"default": _local_files, "solutions": _local_files}
elif HUB_STORAGE == "s3":
    # https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html#settings
    _endpoint = env.str("AWS_S3_ENDPOINT_URL", default=None)
    _s3_options = {
        "endpoint_url": _endpoint,
        # MinIO and most S3-compatible servers answer bucket names in the path, not in the host name.
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path" if _endpoint else None),
        "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
        # Unset: boto3 looks further (instance or pod role, ~/.aws/credentials).
        "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
        "signature_version": "s3v4",
        # No canned ACL: objects are as private as their bucket (buckets with ACLs disabled refuse any other).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": HUB_DOWNLOAD_URL_SECONDS,
        # As on local disk: a name already taken gets a suffix, never overwrites a file still in use.
        "file_overwrite": False,
        # Files the hub reads itself (zip, export, scoring) spill to a temporary file past this; 0 keeps them whole
        # in memory.
        "max_memory_size": 8 * 1024 * 1024,
    }
    _bucket = env.str("AWS_STORAGE_BUCKET_NAME")
    STORAGES = {
        "default": {
            "BACKEND": "hub.storage.S3FileStorage",
            "OPTIONS": {**_s3_options, "bucket_name": _bucket},
        },
        "solutions": {
            "BACKEND": "hub.storage.HiddenS3Storage",
            "OPTIONS": {
                **_s3_options,
                "bucket_name": env.str("HUB_SOLUTIONS_BUCKET", default=f"{_bucket}-solutions"),
            },
        },
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f'HUB_STORAGE is "{HUB_STORAGE}"; it must be "local" or "s3".')
# https://whitenoise.readthedocs.io/en/stable/django.html#add-compression-and-caching-support
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# https://docs.djangoproject.com/en/5.2/ref/settings/#file-upload-max-memory-size
# Uploads above this go to a temporary file, so a large CSV is never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# https://docs.djangoproject.com/en/5.2/ref/settings/#file-upload-handlers
# The first stops storing an upload once it passes the challenge's limit (hub/uploads.py); API views put a
# stricter one before it.
FILE_UPLOAD_HANDLERS = [
    "hub.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-number-files
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenOrBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # One JSON parser with a nesting limit (hub/parsers.py), with DRF's form and multipart parsers.
    "DEFAULT_PARSER_CLASSES": [
        "hub.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "hub.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hub.api_errors.exception_handler",
    # https://www.django-rest-framework.org/api-guide/throttling/
    "DEFAULT_THROTTLE_CLASSES": ["hub.throttling.AnonRateThrottle", "hub.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("HUB_API_RATE_ANON", default="120/minute"),
        "user": env.str("HUB_API_RATE_USER", default="600/minute"),
        # sign-in attempts at POST /api/v1/auth/token/ and the sign-in form, per client address (or user)
        "auth": env.str("HUB_API_RATE_AUTH", default="20/minute"),
        # password-reset requests per client address (hub.throttling.rate_limited_by_address)
        "password_reset": env.str("HUB_RATE_PASSWORD_RESET", default="20/hour"),
    },
}
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Practice Hub API",
    "DESCRIPTION": "Challenges, datasets, submissions and leaderboards of the practice hub. "
    "Send your token as `Authorization: Token <key>` (or `Bearer <key>`); get it at /accounts/token/ "
    "or from POST /api/v1/auth/token/. Every error is JSON: "
    '`{"error": "<what to change>", "detail": <specifics or null>, "code": "<machine-readable>"}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags from the first path part after /api/v1: auth, challenges, me, submissions.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Separate request and response components, so an upload's `file` is binary in the request.
    "COMPONENT_SPLIT_REQUEST": True,
    # https://drf-spectacular.readthedocs.io/en/latest/settings.html (ENUM_NAME_OVERRIDES)
    "ENUM_NAME_OVERRIDES": {
        "FileKindEnum": "projects.models.FileKind",
        "DatasetVisibilityEnum": "projects.models.Dataset.Visibility",
        "ChallengeVisibilityEnum": "projects.models.Visibility",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hub.schema.add_common_error_responses",
    ],
    # https://drf-spectacular.readthedocs.io/en/latest/settings.html#django-drf-spectacular-sidecar
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-soft-time-limit
CELERY_TASK_SOFT_TIME_LIMIT = env.int("SCORING_SOFT_TIME_LIMIT", default=120)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = env.int("SCORING_TIME_LIMIT", default=150)
# The embedded default is kombu's filesystem transport: it needs no server and works across processes.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        # https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.virtual.html (1 s by default)
        "polling_interval": 0.1,
    }
    # Created by the hub's transport on its first connection (hub/filesystem_broker.py), not here: reading the
    # settings writes nothing.
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis hands an unacknowledged task to another worker after this long: it must outlast the hard
        # time limit, or a slow task would run twice.
        "visibility_timeout": env.int("HUB_BROKER_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("HUB_BROKER_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("HUB_BROKER_RESTORE_THROTTLE", default=10),
        # A broker that vanishes without closing the connection must not hang an upload.
        "socket_timeout": 10,
        "socket_connect_timeout": 3,
    }
    if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= CELERY_TASK_TIME_LIMIT:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "HUB_BROKER_VISIBILITY_TIMEOUT must be longer than SCORING_TIME_LIMIT, or Redis redelivers tasks "
            "that are still running."
        )
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-concurrency
CELERY_WORKER_CONCURRENCY = env.int("WORKER_CONCURRENCY", default=None)
CELERY_TASK_IGNORE_RESULT = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-default-queue
CELERY_TASK_DEFAULT_QUEUE = env.str("HUB_CELERY_QUEUE", default="celery")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-max-retries
# A worker waits for the broker however long it is down, instead of exiting after 100 tries.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-cancel-long-running-tasks-on-connection-loss
# A task that loses the broker finishes and stores its score; the redelivery that may follow does nothing.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# https://github.com/celery/celery/blob/main/celery/fixups/django.py (closes connections around every task unless set)
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

# Hub rules
HUB_DEFAULT_MAX_UPLOAD_BYTES = env.int("HUB_DEFAULT_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# Any upload outside a challenge's own limit (a URL with no challenge in it) stops being stored past this.
HUB_MAX_UPLOAD_BYTES = env.int("HUB_MAX_UPLOAD_BYTES", default=HUB_DEFAULT_MAX_UPLOAD_BYTES)
# A host's challenge bundle (docs/hosting.md): the zip as uploaded, what it unpacks to, and its number of files.
HUB_MAX_BUNDLE_UPLOAD_BYTES = env.int("HUB_MAX_BUNDLE_UPLOAD_BYTES", default=500 * 1024 * 1024)
HUB_MAX_BUNDLE_BYTES = env.int("HUB_MAX_BUNDLE_BYTES", default=2 * 1024 * 1024 * 1024)
HUB_MAX_BUNDLE_FILES = env.int("HUB_MAX_BUNDLE_FILES", default=20_000)
# The largest max_upload_mb a host's bundle may give its challenge (an admin's import_challenge has no cap).
HUB_HOST_MAX_UPLOAD_BYTES = env.int("HUB_HOST_MAX_UPLOAD_BYTES", default=HUB_DEFAULT_MAX_UPLOAD_BYTES)
# Bearer token that /metrics asks for; unset, /metrics is open, but in production off (docs/deploying.md#metrics).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Whether /metrics is a 404 while METRICS_TOKEN is empty: production says yes (docs/deploying.md#metrics).
METRICS_NEED_TOKEN = False
# How often an open leaderboard page asks for fresh rows (htmx polling; pages work without it).
HUB_LEADERBOARD_POLL_SECONDS = env.int("HUB_LEADERBOARD_POLL_SECONDS", default=5)

# https://docs.djangoproject.com/en/5.2/topics/logging/#configuring-logging
LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="plain"), level=env.str("LOG_LEVEL", default="INFO")
)
# How long an upload waits for the broker before it is left to the sweeper (the row is already stored).
HUB_ENQUEUE_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Deliveries of one submission after which it fails instead of being tried again.
HUB_MAX_SCORING_ATTEMPTS = env.int("HUB_MAX_SCORING_ATTEMPTS", default=3)
# The sweeper enqueues again a submission still queued after this long (its message may have been lost).
HUB_SWEEP_QUEUED_AFTER_SECONDS = env.int("HUB_SWEEP_QUEUED_AFTER_SECONDS", default=120)
# A submission running this long past the hard time limit has lost its worker; the sweeper takes it back.
HUB_SWEEP_RUNNING_GRACE_SECONDS = env.int("HUB_SWEEP_RUNNING_GRACE_SECONDS", default=30)
# A claimed submission holds a lease of this many seconds that its worker renews while it holds the task
# (workers/leases.py); the sweeper takes back a submission whose lease ran out (docs/reliability-and-security.md).
HUB_SCORING_LEASE_SECONDS = env.int("HUB_SCORING_LEASE_SECONDS", default=10)
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {
        "task": "submissions.sweep",
        "schedule": env.float("HUB_SWEEP_EVERY_SECONDS", 5.0),
    },
}
# Practice problems that never end keep a rolling board of the submissions of this many days (0: keep all).
HUB_ROLLING_LEADERBOARD_DAYS = env.int("HUB_ROLLING_LEADERBOARD_DAYS", default=60)
CELERY_BEAT_SCHEDULE["roll-leaderboards"] = {
    "task": "leaderboards.roll",
    "schedule": env.float("HUB_ROLL_LEADERBOARDS_EVERY_SECONDS", 3600.0),
}
# E-mail (accounts/services/mail.py): sent by a Celery task from a stored row, retried with backoff.
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url (smtp://, smtp+tls://, consolemail://)
# Unset, each message is a file under var/mail/ (Django's file backend): `make run` needs no mail server.
# https://docs.djangoproject.com/en/5.2/topics/email/#file-backend
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
if env.str("EMAIL_URL", default=""):
    vars().update({k: v for k, v in env.email_url("EMAIL_URL").items() if v not in (None, "")})
# https://docs.djangoproject.com/en/5.2/ref/settings/#email-timeout (a server that hangs must not hold a worker)
EMAIL_TIMEOUT = 20
# https://docs.djangoproject.com/en/5.2/ref/settings/#default-from-email
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Practice Hub <hub@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Backoff after a failed delivery: HUB_MAIL_RETRY_SECONDS doubled each attempt, at most HUB_MAIL_RETRY_MAX_SECONDS,
# and HUB_MAIL_MAX_ATTEMPTS in all before the message is marked failed (the admin can send it again).
HUB_MAIL_RETRY_SECONDS = env.float("HUB_MAIL_RETRY_SECONDS", default=30.0)
HUB_MAIL_RETRY_MAX_SECONDS = env.float("HUB_MAIL_RETRY_MAX_SECONDS", default=3600.0)
HUB_MAIL_MAX_ATTEMPTS = env.int("HUB_MAIL_MAX_ATTEMPTS", default=12)
HUB_MAIL_SWEEP_GRACE_SECONDS = env.int("HUB_MAIL_SWEEP_GRACE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["sweep-outgoing-mail"] = {"task": "mail.sweep", "schedule": 60.0}
# https://docs.djangoproject.com/en/5.2/ref/settings/#password-reset-timeout
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)
# Password-reset requests per address asked for (accounts/rate_limits.py); per client address it is the
# "password_reset" rate of REST_FRAMEWORK above (HUB_RATE_PASSWORD_RESET).
HUB_PASSWORD_RESET_RATE_EMAIL = env.str("HUB_PASSWORD_RESET_RATE_EMAIL", default="3/hour")
# On: signing up asks for an e-mail address, and an account acts (submits, posts) only once it is verified.
HUB_REQUIRE_VERIFIED_EMAIL = env.bool("HUB_REQUIRE_VERIFIED_EMAIL", default=False)
# The hub's address as learners reach it, for links in messages sent by the worker (no request to ask).
HUB_SITE_URL = env.str("HUB_SITE_URL", default="") or "http://localhost:8000"
# New topics and replies per user (a 429 past it), e.g. 10/minute or 100/day.
HUB_POST_RATE = env.str("HUB_POST_RATE", default="10/minute")
# How long a link that verifies an e-mail address works.
HUB_EMAIL_VERIFY_SECONDS = env.int("HUB_EMAIL_VERIFY_SECONDS", default=60 * 60 * 24 * 3)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Datasets that learners publish (projects/dataset_services.py): what one user may store, and one file's limit.
HUB_DATASET_QUOTA_BYTES = env.int("HUB_DATASET_QUOTA_BYTES", default=2 * 1024**3)
HUB_DATASET_MAX_FILE_BYTES = env.int("HUB_DATASET_MAX_FILE_BYTES", default=512 * 1024**2)
# A version's zip that is not built yet is built in the request up to this total, else by the worker.
HUB_DATASET_ZIP_INLINE_BYTES = env.int("HUB_DATASET_ZIP_INLINE_BYTES", default=64 * 1024**2)
