from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "duties"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("open/", views.report_open, name="open"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="regenerate"),
    path("<int:pk>/attest/", views.report_attest, name="attest"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/export/", views.compliance_export, name="export"),
    # the rules moved to the platform's rules page
    path("rules/", RedirectView.as_view(pattern_name="core:rules", permanent=True, query_string=True), name="rules"),
]
