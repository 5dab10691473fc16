from django.urls import path

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
    path("rules/", views.rules, name="rules"),
]
