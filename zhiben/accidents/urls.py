from django.urls import path

from . import views

app_name = "accidents"
urlpatterns = [
    path("", views.accident_list, name="list"),
    path("export/", views.accident_export, name="export"),
    path("new/", views.accident_new, name="new"),
    path("figures/", views.figures, name="figures"),
    path("targets/", views.targets, name="targets"),
    path("<int:pk>/", views.accident_detail, name="detail"),
    path("<int:pk>/do/<str:what>/", views.accident_do, name="do"),
    path("party/<int:pk>/handle/", views.party_handle, name="party_handle"),
    path("measure/<int:pk>/<str:what>/", views.measure_do, name="measure_do"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
]
