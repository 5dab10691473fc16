from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("screen/", views.screen, name="screen"),
    path("charts/<slug:kind>/export/", views.chart_export, name="chart_export"),
    path("maps/", views.maps, name="maps"),
    path("maps/upload/", views.map_upload, name="map_upload"),
    path("maps/delete/", views.map_delete, name="map_delete"),
    path("maps/<str:code>.json", views.map_geojson, name="map_geojson"),
]
