"""The project's URLs plus the test-only module's page (its subjects link somewhere, as a real module's do)."""

from django.urls import include, path

from zhiben.urls import handler403, handler404  # noqa: F401  (the project's error pages)
from zhiben.urls import urlpatterns as project_urls

urlpatterns = [*project_urls, path("test-drills/", include("tests.platform_app.urls"))]
