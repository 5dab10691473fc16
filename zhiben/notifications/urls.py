from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.inbox_open, name="open"),
    path("read/", views.inbox_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="retry"),
    path("outbox/retry-failed/", views.outbox_retry_failed, name="retry_failed"),
]
