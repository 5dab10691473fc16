from django.urls import include, path  # noqa: F401

app_name = "inspections"
# the pages of checklists and inspections; plans, draws and the expert pool are in plan_urls.py
urlpatterns = [path("", include("zhiben.inspections.plan_urls"))]
