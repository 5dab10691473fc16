"""Zhiben settings: one file, driven by the environment.

SQLite is the embedded default; set DATABASE_URL=postgres://user:pass@host:port/name for PostgreSQL.
Every ZHIBEN_* variable below has a sane default, so a fresh checkout runs with none of them set.
"""

import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_from_url(url):
    """Turn DATABASE_URL into a DATABASES entry (sqlite:///path or postgres://...)."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "zhiben.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # a file, not :memory:, so the browser tests' live server threads each get their own connection
            "TEST": {"NAME": BASE_DIR / "var" / "test_zhiben.sqlite3"},
        }
    parts = urlparse(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path[1:]) or ":memory:"}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options = (
            {"pool": {"min_size": 1, "max_size": envint("ZHIBEN_DB_POOL", 8)}}
            if envbool("ZHIBEN_DB_POOLING", True)
            else {}
        )
        options.update(query)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path[1:]),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
    raise ValueError(f"DATABASE_URL scheme not supported: {parts.scheme}")


DEBUG = envbool("ZHIBEN_DEBUG", True)
SECRET_KEY = env("ZHIBEN_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = [h for h in env("ZHIBEN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("ZHIBEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "zhiben.core",
    "zhiben.audit",
    "zhiben.regions",
    "zhiben.accounts",
    "zhiben.enterprises",
    "zhiben.hazards",
    "zhiben.plans",
    "zhiben.notifications",
    "zhiben.documents",
    "zhiben.duties",
    "zhiben.escalation",
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
    "zhiben.core.middleware.RequestContextMiddleware",
    "zhiben.accounts.middleware.SecurityPolicyMiddleware",
]

ROOT_URLCONF = "zhiben.urls"
WSGI_APPLICATION = "zhiben.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhiben" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhiben.core.context.navigation",
                "zhiben.notifications.context.unread",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "zhiben" / "static"]
MEDIA_ROOT = Path(env("ZHIBEN_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")  # until collectstatic has run

# Upload limits (imports are checked again by the importers with a Chinese message).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("ZHIBEN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
IMPORT_MAX_BYTES = envint("ZHIBEN_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = envint("ZHIBEN_IMPORT_MAX_ROWS", 100_000)

# --- Login security (等保2.0 三级 defaults; all overridable) ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("ZHIBEN_PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "zhiben.accounts.passwords.ComplexityValidator",
        "OPTIONS": {"min_classes": envint("ZHIBEN_PASSWORD_MIN_CLASSES", 3)},
    },
]
PASSWORD_MAX_AGE_DAYS = envint("ZHIBEN_PASSWORD_MAX_AGE_DAYS", 90)
LOGIN_MAX_FAILURES = envint("ZHIBEN_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = envint("ZHIBEN_LOGIN_LOCKOUT_MINUTES", 30)
SESSION_IDLE_TIMEOUT = envint("ZHIBEN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False  # the idle-timeout middleware refreshes the session once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
TOTP_REQUIRED_ROLES = [
    r for r in env("ZHIBEN_TOTP_ROLES", "anweiban_admin,sys_admin,sec_admin,audit_admin").split(",") if r
]
TOTP_ISSUER = env("ZHIBEN_TOTP_ISSUER", "治本")
# Field encryption at rest (zhiben/core/crypto.py): keys "id:base64,…" (the first encrypts, all decrypt),
# derived from SECRET_KEY when not given; cipher "aes" (AES-256-GCM) or "sm4" (SM4-GCM, 国密).
FIELD_ENCRYPTION_KEYS = env("ZHIBEN_FIELD_KEYS", "")
FIELD_CIPHER = env("ZHIBEN_FIELD_CIPHER", "aes")

# Notification senders per channel (dotted paths). A channel whose server/webhook is configured uses
# the real sender; otherwise messages go to the development file sender (var/notifications.jsonl).
_SENDERS = "zhiben.notifications.senders."
_EMAIL_HOST = env("ZHIBEN_EMAIL_HOST", "")
# Django 6.1 mailers (the EMAIL_HOST/EMAIL_PORT… settings are deprecated): SMTP when a host is given.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _EMAIL_HOST,
            "port": envint("ZHIBEN_EMAIL_PORT", 0) or None,
            "username": env("ZHIBEN_EMAIL_USER", ""),
            "password": env("ZHIBEN_EMAIL_PASSWORD", ""),
            "use_tls": envbool("ZHIBEN_EMAIL_TLS"),
            "use_ssl": envbool("ZHIBEN_EMAIL_SSL"),
            "timeout": envint("ZHIBEN_EMAIL_TIMEOUT", 10),
        },
    }
    if _EMAIL_HOST
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env("ZHIBEN_EMAIL_FROM", "治本平台 <noreply@localhost>")
WECOM_WEBHOOK_URL = env("ZHIBEN_WECOM_WEBHOOK", "")
DINGTALK_WEBHOOK_URL = env("ZHIBEN_DINGTALK_WEBHOOK", "")
DINGTALK_SECRET = env("ZHIBEN_DINGTALK_SECRET", "")
SITE_URL = env("ZHIBEN_SITE_URL", "")  # e.g. https://zhiben.example.gov.cn, for links in e-mail and chat messages
NOTIFICATION_SENDERS = {
    "sms": env("ZHIBEN_SMS_SENDER", _SENDERS + "FileSender"),
    "email": env("ZHIBEN_EMAIL_SENDER", _SENDERS + ("EmailSender" if _EMAIL_HOST else "FileSender")),
    "wecom": env("ZHIBEN_WECOM_SENDER", _SENDERS + ("WeComSender" if WECOM_WEBHOOK_URL else "FileSender")),
    "dingtalk": env("ZHIBEN_DINGTALK_SENDER", _SENDERS + ("DingTalkSender" if DINGTALK_WEBHOOK_URL else "FileSender")),
}
NOTIFICATION_FILE = Path(env("ZHIBEN_NOTIFICATION_FILE", str(BASE_DIR / "var" / "notifications.jsonl")))

# --- HTTPS-ready (turned on by ZHIBEN_HTTPS=1 behind TLS) ---
HTTPS = envbool("ZHIBEN_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("ZHIBEN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("ZHIBEN_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("ZHIBEN_BEHIND_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ZHIBEN_LOG_LEVEL", "WARNING")},
}
