from django.urls import path

from . import views

app_name = "watch"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("units/<int:unit_pk>/log/", views.log_add, name="log_add"),
    path("units/<int:unit_pk>/handover/", views.handover, name="handover"),
    path("units/<int:unit_pk>/days/<str:day>/", views.day, name="day"),
    path("roster/", views.roster, name="roster"),
    path("roster/edit/", views.roster_edit, name="roster_edit"),
    path("roster/import/", views.roster_import, name="roster_import"),
    path("roster/export/", views.roster_export, name="roster_export"),
    path("roster/template/", views.roster_template, name="roster_template"),
    path("log/", views.log_list, name="log"),
    path("log/export/", views.log_export, name="log_export"),
    path("reports/", views.report_list, name="reports"),
    path("reports/export/", views.report_export, name="report_export"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/pass/", views.report_pass_on, name="report_pass_on"),
    path("reports/<int:pk>/written/", views.report_written, name="report_written"),
    path("reports/<int:pk>/<str:kind>/", views.report_update, name="report_update"),
]
