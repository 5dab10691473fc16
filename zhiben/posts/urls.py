from django.urls import path

from . import views

app_name = "posts"
urlpatterns = [
    path("", views.post_list, name="posts"),
    path("export/", views.post_export, name="post_export"),
    path("new/", views.post_new, name="post_new"),
    path("<int:pk>/", views.post_detail, name="post"),
    path("<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("<int:pk>/cards/<str:kind>/", views.card_current, name="card"),
    path("<int:pk>/cards/<str:kind>/edit/", views.card_edit, name="card_edit"),
    path("<int:pk>/cards/<str:kind>/pdf/", views.card_pdf, name="card_pdf"),
    path("<int:pk>/briefing/", views.briefing_new, name="briefing_new"),
    path("versions/<int:pk>/", views.card_version, name="card_version"),
    path("briefings/", views.briefing_list, name="briefings"),
    path("briefings/export/", views.briefing_export, name="briefing_export"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
]
