from django.urls import path

from . import views

app_name = "rankings"
urlpatterns = [
    path("", views.scorecard_list, name="list"),
    path("new/", views.scorecard_new, name="scorecard_new"),
    path("<int:pk>/", views.scorecard_detail, name="scorecard"),
    path("<int:pk>/edit/", views.scorecard_edit, name="scorecard_edit"),
    path("<int:pk>/score/", views.scorecard_score, name="scorecard_score"),
    path("<int:pk>/history/<str:code>/", views.subject_history, name="history"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
]
