from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.device_list, name="devices"),
    path("export/", views.device_export, name="device_export"),
    path("new/", views.device_new, name="device_new"),
    path("ingest/", views.ingest_view, name="ingest"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/edit/", views.device_edit, name="device_edit"),
    path("devices/<int:pk>/token/", views.device_token, name="device_token"),
    path("devices/<int:pk>/active/", views.device_active, name="device_active"),
    path("devices/<int:pk>/rules/", views.rule_add, name="rule_add"),
    path("devices/<int:pk>/rules/<int:rule_pk>/remove/", views.rule_remove, name="rule_remove"),
    path("enterprise/<int:pk>/", views.enterprise_monitoring, name="enterprise"),
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/export/", views.alarm_export, name="alarm_export"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/<str:action>/", views.alarm_action, name="alarm_action"),
]
