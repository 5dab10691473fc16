from django.urls import path

from . import views

app_name = "selfchecks"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.record_new, name="new"),
    path("records/", views.record_list, name="records"),
    path("records/export/", views.record_export, name="export"),
    path("records/<int:pk>/", views.record_detail, name="detail"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/export/", views.compliance_export, name="compliance_export"),
    path("blind-spots/", views.blind_spots, name="blind_spots"),
    path("import/", views.import_records, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("duties/", views.duty_list, name="duties"),
    path("duties/export.xlsx", views.duty_export, name="duty_export"),
    path("duties/new/", views.duty_edit, name="duty_new"),
    path("duties/<int:pk>/", views.duty_edit, name="duty_edit"),
]
