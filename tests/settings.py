"""Test settings: the project's own, plus a module that exists only in the tests (tests/platform_app)."""

from zhiben.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.platform_app"]  # noqa: F405
ROOT_URLCONF = "tests.urls"
