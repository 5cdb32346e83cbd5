"""Django settings. Every value comes from the settings registry (beffroi.conf), which reads the
environment; nothing here is a place to configure an instance."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from beffroi import conf

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(conf.get("DATA_DIR")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = conf.get("DEBUG")
_secret = conf.get("SECRET_KEY")
if not _secret:
    if not DEBUG and conf.get("REQUIRE_SECRETS"):
        raise RuntimeError("BEFFROI_SECRET_KEY doit être défini en production.")
    _secret = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = _secret
ALLOWED_HOSTS = [*conf.get("ALLOWED_HOSTS"), "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "beffroi.core",
    "beffroi.workspace",
    "beffroi.connectors",
    "beffroi.connectors.website",
    "beffroi.veille",
    "beffroi.tasks",
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
    "beffroi.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "beffroi.web.urls"
WSGI_APPLICATION = "beffroi.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "beffroi.core.context.navigation",
            ],
        },
    }
]

_db_url = conf.get("DATABASE_URL")
if _db_url:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "beffroi.sqlite3"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Whether SQLite is the default file or named by BEFFROI_DATABASE_URL (worker processes, tests), several
    # processes write to it. IMMEDIATE: a transaction takes the write lock when it begins, so two writers queue
    # (busy timeout) instead of one failing at once with "database is locked" when it upgrades from reading.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
# The SQLite test database is a file (not in memory) so that worker processes started by the tests
# (embedded workers, Celery workers) see the same data.
_test_name = conf.get("TEST_DATABASE_NAME") or (None if _db_url else str(DATA_DIR / "test.sqlite3"))
DATABASES["default"]["TEST"] = {"NAME": _test_name}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = conf.get("LANGUAGE_CODE")
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = conf.get("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
WHITENOISE_USE_FINDERS = True  # serve static files without a collectstatic step (embedded mode)
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

EMAIL_HOST = conf.get("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = conf.get("EMAIL_PORT")
    EMAIL_HOST_USER = conf.get("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = conf.get("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = conf.get("EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = conf.get("EMAIL_FROM")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "beffroi.core.logging.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": conf.get("LOG_LEVEL")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

BEFFROI_BASE_URL = conf.get("BASE_URL")
