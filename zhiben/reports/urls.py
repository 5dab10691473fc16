from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("export/", views.report_export, name="export"),
    path("batch/", views.report_batch, name="batch"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/message/", views.report_message, name="message"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/reward/", views.reward_propose, name="reward_propose"),
    path("<int:pk>/act/<str:action>/", views.report_action, name="action"),
    path("photo/<int:pk>/", views.photo, name="photo"),
    path("photo/<int:pk>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
    path("rewards/", views.reward_list, name="rewards"),
    path("rewards/export.xlsx", views.reward_export, name="reward_export"),
    path("rewards/<int:pk>/<str:action>/", views.reward_action, name="reward_action"),
    path("routing/", views.routing, name="routing"),
    path("routing/<int:pk>/delete/", views.routing_delete, name="routing_delete"),
    path("keepers/", views.keepers, name="keepers"),
    path("enterprise-poster/<int:pk>/", views.enterprise_poster, name="enterprise_poster"),
    path("enterprise-qr/<int:pk>.<str:fmt>", views.enterprise_qr, name="enterprise_qr"),
]
