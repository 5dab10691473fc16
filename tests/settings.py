"""Test settings: the project's own, plus a module that exists only in the tests (tests/platform_app)."""

from zhiben.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.platform_app"]  # noqa: F405
ROOT_URLCONF = "tests.urls"

# Each run gets its own SQLite test database, so two runs in one checkout (or a run and a browser test)
# never share one file; xdist workers share their controller's number and add their own suffix.
# Django deletes the file at the end of the run.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    import os

    _test = DATABASES["default"].setdefault("TEST", {})  # noqa: F405
    if str(_test.get("NAME", "")).endswith("test_zhiben.sqlite3"):
        _run = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
        _test["NAME"] = BASE_DIR / "var" / f"test_zhiben_{_run}.sqlite3"  # noqa: F405
