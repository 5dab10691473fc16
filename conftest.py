"""Test-wide set-up: a fast password hasher, and a Chromium browser for the `browser` tests."""

import os

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop in the test thread

CHROMIUM = os.environ.get("ZHIBEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    import tempfile
    from pathlib import Path

    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    scratch = Path(tempfile.mkdtemp(prefix="zhiben-test-"))
    settings.MEDIA_ROOT = scratch / "media"
    settings.NOTIFICATION_FILE = scratch / "notifications.jsonl"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


def phone_page(browser, **options):
    """A page on a phone-sized screen, in a context of its own (closed with `page.context.close()`)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, **options)
    return context.new_page()


@pytest.fixture
def page(browser):
    page = phone_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def routed_page(browser):
    """A phone page whose every request `page.route` sees: without the service worker. A request a controlling
    service worker passes on to the network escapes the page's routes, and whether the worker controls the page
    yet is a race (a test dropping the network once saw its post go through)."""
    page = phone_page(browser, service_workers="block")
    yield page
    page.context.close()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process caches (core.memo.ProcessCache: rules, supervising units, region children, filter options; and
    the computed figure tables) start empty in every test: a test's rows are rolled back at its end without the
    signals that clear them."""
    from django.core.cache import cache

    from zhiben.core.memo import clear_process_caches

    clear_process_caches()
    cache.clear()  # analytics' figure tables


@pytest.hookimpl(optionalhook=True)  # without xdist (-p no:xdist) the hook does not exist
def pytest_xdist_make_scheduler(config, log):
    """The suite goes to the workers a class at a time, in collection order (tests/scheduling.py)."""
    from tests.scheduling import ScopeScheduling

    return ScopeScheduling(config, log)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="只运行使用数据库的测试（.ci/run 的 PostgreSQL 轮：其余测试与数据库无关，已在 SQLite 轮运行）",
    )


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def uses_database(item):
    """Whether a test reaches the test database: a Django TransactionTestCase (TestCase included), or a test asking
    for pytest-django's database fixtures, directly or through its own fixtures. pytest-django refuses any other
    test a query, so the rest run the same whatever the database."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if isinstance(cls, type) and issubclass(cls, TransactionTestCase):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) or bool(
        item.get_closest_marker("django_db")
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-tests-only"):
        return
    kept, dropped = [], []
    for item in items:
        (kept if uses_database(item) else dropped).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept
