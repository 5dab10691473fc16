"""Zhiben settings: one file, driven by the environment.

SQLite is the embedded default; set DATABASE_URL=postgres://user:pass@host:port/name for PostgreSQL.

Two modes. Development (`manage.py` commands, the tests, `make run`): every ZHIBEN_* variable has a
default, so a fresh checkout runs with none of them set. Production (`ZHIBEN_DEBUG=0`, which is also
the default when a WSGI server loads `zhiben.wsgi`): the secrets must come from the environment
(ZHIBEN_SECRET_KEY, ZHIBEN_FIELD_KEYS, ZHIBEN_AUDIT_KEY) with ZHIBEN_ALLOWED_HOSTS, or the
process refuses to start (`check_production`). See README, "生产部署".
"""

import base64
import ipaddress
import os
import shutil
import sys
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
        if envbool("ZHIBEN_DB_PREPARE", True):  # core.db.prepared_cursor: the intake's statements planned once
            options["prepare_threshold"] = 5  # (ORM queries bind client-side and are never prepared)
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


DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"


def check_production(environ):
    """The secrets production needs, each from the environment: [] when all are there and usable,
    else one Chinese + English line per problem (raised together as ImproperlyConfigured)."""
    problems = []
    key = environ.get("ZHIBEN_SECRET_KEY", "")
    if not key:
        problems.append("未设置 ZHIBEN_SECRET_KEY / ZHIBEN_SECRET_KEY is not set")
    elif key == DEV_SECRET_KEY or key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5:
        problems.append(
            "ZHIBEN_SECRET_KEY 过短或是公开的开发密钥（至少 50 个随机字符）/ "
            "ZHIBEN_SECRET_KEY is too short or the published development key (50+ random characters)"
        )
    fields = environ.get("ZHIBEN_FIELD_KEYS", "")
    if not fields.strip():
        problems.append(
            "未设置 ZHIBEN_FIELD_KEYS（敏感字段加密密钥，格式 编号:base64密钥）/ ZHIBEN_FIELD_KEYS is not set"
        )
    else:
        for item in [part.strip() for part in fields.split(",") if part.strip()]:
            key_id, _, encoded = item.partition(":")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except ValueError:
                raw = b""
            if not key_id or len(raw) < 16:
                problems.append(
                    f"ZHIBEN_FIELD_KEYS 中的“{key_id or item[:8]}”不是 编号:base64密钥（至少 16 字节）/ "
                    "ZHIBEN_FIELD_KEYS entries must be id:base64key (16+ bytes)"
                )
    audit_key = environ.get("ZHIBEN_AUDIT_KEY", "")
    if not audit_key:
        problems.append("未设置 ZHIBEN_AUDIT_KEY（审计链密钥）/ ZHIBEN_AUDIT_KEY is not set")
    elif len(audit_key) < 32:
        problems.append("ZHIBEN_AUDIT_KEY 过短（至少 32 个随机字符）/ ZHIBEN_AUDIT_KEY is too short (32+ characters)")
    if not environ.get("ZHIBEN_ALLOWED_HOSTS", "").strip():
        problems.append("未设置 ZHIBEN_ALLOWED_HOSTS（对外域名）/ ZHIBEN_ALLOWED_HOSTS is not set")
    return problems


# A WSGI/ASGI server (gunicorn, granian, uWSGI) imports zhiben.wsgi before the settings: production
# by default. manage.py commands and the tests default to development; production sets ZHIBEN_DEBUG=0.
SERVED = "zhiben.wsgi" in sys.modules or "zhiben.asgi" in sys.modules
DEBUG = envbool("ZHIBEN_DEBUG", not SERVED)
# Django's technical 500 page (a traceback) only when asked for on a developer's machine: zhiben/core/errors.py
TRACEBACKS = DEBUG and envbool("ZHIBEN_TRACEBACKS", False)
PRODUCTION = not DEBUG  # fixed at start-up (the test runner turns DEBUG off, not this)
if PRODUCTION:
    _problems = check_production(os.environ)
    if _problems:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "生产模式（ZHIBEN_DEBUG=0）拒绝启动 / refusing to start in production mode (ZHIBEN_DEBUG=0):\n  - "
            + "\n  - ".join(_problems)
            + "\n密钥的生成与保管见 README“生产部署” / see README, section 生产部署, to generate and keep the keys."
            + "\n开发与演示请用 make run（或设置 ZHIBEN_DEBUG=1）/ for development use make run (or ZHIBEN_DEBUG=1)."
        )
SECRET_KEY = env("ZHIBEN_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = [
    h.strip()
    for h in env("ZHIBEN_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
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
    "zhiben.selfchecks",
    "zhiben.inspections",
    "zhiben.enforcement",
    "zhiben.campaigns",
    "zhiben.reports",
    "zhiben.watch",
    "zhiben.accidents",
    "zhiben.risk",
    "zhiben.monitoring",
    "zhiben.training",
    "zhiben.posts",
    "zhiben.drills",
    "zhiben.analytics",
    "zhiben.rankings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhiben.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhiben.core.middleware.RequestContextMiddleware",
    "zhiben.accounts.middleware.SecurityPolicyMiddleware",
    "zhiben.core.errors.ErrorPageMiddleware",
]

ROOT_URLCONF = "zhiben.urls"
WSGI_APPLICATION = "zhiben.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["zhiben.accounts.backends.UserBackend"]  # ModelBackend, the user read with its region
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

# Chinese only, whatever language the browser asks for: with Django's default list of languages and its
# LocaleMiddleware, a browser set to English got Django's own messages ("This field is required.") in English
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
FORMAT_MODULE_PATH = ["zhiben.formats"]  # ISO dates first in forms (see zhiben/formats/zh_Hans)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("ZHIBEN_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "zhiben" / "static"]
MEDIA_ROOT = Path(env("ZHIBEN_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# Development serves static files from the source folders; production from `collectstatic`'s output
# (compressed, with hashed names that may be cached for ever), still through whitenoise.
WHITENOISE_USE_FINDERS = DEBUG
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_KEEP_ONLY_HASHED_FILES = True
    # source maps of the API docs' bundles are never fetched by users: compressing them took most of
    # collectstatic's time (brotli on 5 MB)
    from whitenoise.compress import Compressor

    WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")  # until collectstatic has run

# Request size limits (imports are checked again by the importers with a Chinese message). Form fields
# and JSON bodies: DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a
# temporary file instead of memory; a whole request above REQUEST_MAX_BYTES is refused with 413 before
# it is read (core.middleware.RequestSizeLimitMiddleware). Evidence files have their own per-file rule.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("ZHIBEN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("ZHIBEN_FILE_MEMORY_MAX_BYTES", 5 * 1024 * 1024)
REQUEST_MAX_BYTES = envint("ZHIBEN_REQUEST_MAX_MB", 100) * 1024 * 1024
# Images above this many pixels are refused before they are decoded (decompression bombs).
IMAGE_MAX_PIXELS = envint("ZHIBEN_IMAGE_MAX_PIXELS", 64_000_000)
# Photos above 1 MB are re-drawn on the phone to at most this many pixels on their long side before they are sent
# (static/zhiben/uploads.js; a 12-megapixel photo of 5–8 MB becomes about 1 MB); 0 sends every photo as taken.
PHOTO_SHRINK_PX = envint("ZHIBEN_PHOTO_SHRINK_PX", 2560)
IMPORT_MAX_BYTES = envint("ZHIBEN_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = envint("ZHIBEN_IMPORT_MAX_ROWS", 100_000)
# Old Word (.doc, WPS .wps) and RTF files are converted to .docx by LibreOffice before their tables are read
# (core.convert); "" (or LibreOffice not installed) refuses them, asking for a .docx.
SOFFICE = os.environ.get("ZHIBEN_SOFFICE", shutil.which("soffice") or "")
CONVERT_TIMEOUT = envint("ZHIBEN_CONVERT_TIMEOUT", 60)
CONVERT_MEMORY_MB = envint("ZHIBEN_CONVERT_MEMORY_MB", 2048)  # LibreOffice's memory (MB; 0: no limit)
# An uploaded PDF or workbook is parsed in a process of its own with this much memory (MB; 0: in the web worker itself)
PARSE_MEMORY_MB = envint("ZHIBEN_PARSE_MEMORY_MB", 1024)

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
# The audit chain's HMAC-SHA256 key (zhiben/audit/services.py), kept outside the database so that
# database access alone cannot rewrite and re-seal the log; derived from SECRET_KEY when not given.
AUDIT_KEY = env("ZHIBEN_AUDIT_KEY", "")

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
    if _EMAIL_HOST or PRODUCTION  # production without a host: the local MTA (localhost:25)
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
# How long a computed figure table is reused (seconds) before it is counted again (analytics).
ANALYTICS_CACHE_SECONDS = int(env("ZHIBEN_ANALYTICS_CACHE_SECONDS", "60"))
# core.memo.ProcessCache, per process: rule overrides and supervising departments; the region tree and filter options
RULE_CACHE_SECONDS = int(env("ZHIBEN_RULE_CACHE_SECONDS", "30"))
REGION_CACHE_SECONDS = int(env("ZHIBEN_REGION_CACHE_SECONDS", "30"))
HOME_CACHE_SECONDS = int(env("ZHIBEN_HOME_CACHE_SECONDS", "60"))  # the home page's cards, per user
BATCH_MAX = envint("ZHIBEN_BATCH_MAX", 1000)  # the most records one batch takes: an intake, a workflow step on many
# threads a dashboard's figure sources run in at once on PostgreSQL (core.parallel; 0 or 1: one after another)
DB_READ_THREADS = int(env("ZHIBEN_DB_READ_THREADS", "3"))
NOTIFICATION_FILE = Path(env("ZHIBEN_NOTIFICATION_FILE", str(BASE_DIR / "var" / "notifications.jsonl")))

# --- HTTPS-ready (turned on by ZHIBEN_HTTPS=1 behind TLS) ---
HTTPS = envbool("ZHIBEN_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("ZHIBEN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("ZHIBEN_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind the intranet's TLS proxy: trust its X-Forwarded-Proto only when told to (ZHIBEN_BEHIND_PROXY=1),
# and only with the application reachable through that proxy alone (bound to 127.0.0.1 or a socket).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("ZHIBEN_BEHIND_PROXY") else None


def _networks(spec):
    try:
        return [str(ipaddress.ip_network(part.strip(), strict=False)) for part in spec.split(",") if part.strip()]
    except ValueError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"ZHIBEN_TRUSTED_PROXIES 含无效的地址或网段：{exc}") from None


# Proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma-separated). The audited client IP is
# the rightmost address not in this list; with the list empty, REMOTE_ADDR (core.middleware.client_ip).
TRUSTED_PROXIES = _networks(env("ZHIBEN_TRUSTED_PROXIES", ""))
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ZHIBEN_LOG_LEVEL", "WARNING")},
}
