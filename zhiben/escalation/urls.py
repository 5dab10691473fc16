from django.urls import path

from . import views

app_name = "escalation"
urlpatterns = [
    path("", views.record_list, name="records"),
    path("export/", views.record_export, name="record_export"),
    path("ladder/", views.ladder_edit, name="ladder"),
]
