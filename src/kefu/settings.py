"""Django settings for Kefu.

Everything a deployment changes comes from the environment (see README,
"Configuration"); the defaults give a zero-setup SQLite development install.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KEFU_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("KEFU_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("KEFU_SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = os.environ.get("KEFU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KEFU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "huey.contrib.djhuey",
    "channels",
    "kefu.core",
    "kefu.customers",
    "kefu.processes",
    "kefu.contacts",
    "kefu.workorders",
    "kefu.sla",
    "kefu.complaints",
    "kefu.callbacks",
    "kefu.messaging",
    "kefu.telephony",
    "kefu.desk",
    "kefu.workforce",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kefu.desk.push.OneDeliveryMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"
ASGI_APPLICATION = "kefu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kefu.core.context_processors.navigation",
            ],
        },
    }
]


def _database_config():
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("TEST", {})["NAME"] = os.environ.get("KEFU_TEST_DB_NAME")
            if os.environ.get("KEFU_DB_POOL", "1") == "1":
                # Under ASGI persistent connections are not reused (every
                # request opened a session); psycopg's pool is.
                config["CONN_MAX_AGE"] = 0
                config["CONN_HEALTH_CHECKS"] = False
                config.setdefault("OPTIONS", {})["pool"] = {
                    "min_size": 1,
                    "max_size": int(os.environ.get("KEFU_DB_POOL_SIZE", "10")),
                }
        return config
    # SQLite: WAL lets readers work while one writer writes; IMMEDIATE
    # transactions take the write lock up front so concurrent writers queue
    # on the busy timeout instead of failing with "database is locked".
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("KEFU_SQLITE_PATH", str(VAR_DIR / "kefu.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-64000;"
                "PRAGMA mmap_size=268435456;"
            ),
        },
        "TEST": {"NAME": os.environ.get("KEFU_TEST_SQLITE_PATH")},
        # Kept by the threads that serve the PBX (kefu/asgi.py): a new
        # connection reads the whole schema before its first statement.
        "CONN_MAX_AGE": 600,
    }


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its translations in its own locale/ folder; the project
# folder holds those of the shared templates.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("KEFU_STATIC_ROOT", str(VAR_DIR / "static"))
# Vendored front-end libraries (Tabler, htmx, Alpine, ECharts): never a CDN.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("KEFU_MEDIA_ROOT", str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KEFU_ATTACHMENT_MAX_BYTES = int(os.environ.get("KEFU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))

# Phone numbers without a country code are read as numbers of this region.
KEFU_PHONE_REGION = os.environ.get("KEFU_PHONE_REGION", "CN")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kefu.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kefu API",
    "DESCRIPTION": (
        "Customer service center: customers, contacts, work orders.\n\n"
        "Authenticate with `Authorization: Token <token>` (see `POST /api/token/`) or a "
        "browser session. Every list and record is limited to what the user may see: "
        "their organisation unit and the units below it, or for department staff the "
        "orders dispatched to their department; anything else answers 404. Errors are "
        'JSON, `{"field": ["message"]}` or `{"detail": "message"}`, in the '
        "language of `Accept-Language` (Chinese by default, English)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package: users are offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "TAGS": [
        {"name": "auth", "description": "API tokens."},
        {"name": "customers", "description": "Customer files (客户档案), caller-ID lookup."},
        {"name": "contacts", "description": "Contact records (来电/接待记录)."},
        {"name": "work orders", "description": "Work orders (工单) and their closed loop."},
        {"name": "reference", "description": "The user, units, departments, types, processes."},
    ],
    # Several models have a "kind"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "kefu.core.models.OrgUnit.Kind",
        "DepartmentKindEnum": "kefu.core.models.Department.Kind",
        "CustomerKindEnum": "kefu.customers.models.Customer.Kind",
        "PhoneKindEnum": "kefu.customers.models.Phone.Kind",
        "StateKindEnum": "kefu.processes.models.State.Kind",
        "PriorityEnum": "kefu.workorders.models.Priority",
    },
}

REDIS_URL = os.environ.get("REDIS_URL")
HUEY_IMMEDIATE = os.environ.get("KEFU_HUEY_IMMEDIATE", "0") == "1"
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kefu",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kefu",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

EMAIL_BACKEND = os.environ.get(
    "KEFU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("KEFU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEFU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KEFU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEFU_EMAIL_PASSWORD", "")
# "tls" (STARTTLS, usually port 587), "ssl" (usually 465) or "" (none).
EMAIL_USE_TLS = os.environ.get("KEFU_EMAIL_SECURITY", "") == "tls"
EMAIL_USE_SSL = os.environ.get("KEFU_EMAIL_SECURITY", "") == "ssl"
DEFAULT_FROM_EMAIL = os.environ.get("KEFU_EMAIL_FROM", "kefu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind an HTTPS reverse proxy: trust its X-Forwarded-Proto header and send
# cookies over HTTPS only. HSTS stays off unless asked for, because a wrong
# value locks browsers out of a plain-HTTP intranet address for its duration.
if os.environ.get("KEFU_HTTPS", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("KEFU_HSTS_SECONDS", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEFU_LOG_LEVEL", "WARNING")},
}

KEFU_BRAND = _("Kefu Service Center")

# Messaging (SMS): backend "console" (writes var/sms-outbox.log) or "aliyun".
KEFU_SMS_BACKEND = os.environ.get("KEFU_SMS_BACKEND", "console")
KEFU_SMS_ALIYUN = {
    "access_key_id": os.environ.get("KEFU_SMS_ALIYUN_KEY_ID", ""),
    "access_key_secret": os.environ.get("KEFU_SMS_ALIYUN_KEY_SECRET", ""),
    "sign_name": os.environ.get("KEFU_SMS_SIGN_NAME", ""),
}
KEFU_SMS_WEBHOOK_SECRET = os.environ.get("KEFU_SMS_WEBHOOK_SECRET", "")
KEFU_SMS_DAILY_LIMIT = int(os.environ.get("KEFU_SMS_DAILY_LIMIT", "3"))
KEFU_SERVICE_PHONE = os.environ.get("KEFU_SERVICE_PHONE", "400-000-0000")
# Absolute links in messages (the satisfaction page), e.g. https://kefu.example.com
KEFU_PUBLIC_URL = os.environ.get("KEFU_PUBLIC_URL", "")
