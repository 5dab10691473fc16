from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("screen/", views.screen, name="screen"),
    path("screen/links/", views.screen_links, name="screen_links"),
    path("screen/links/<int:pk>/revoke/", views.screen_link_revoke, name="screen_link_revoke"),
    path("screen/k/<str:key>/", views.screen_link_show, name="screen_link_show"),
    path("screen/k/<str:key>/<slug:kind>.json", views.screen_link_data, name="screen_link_data"),
    path("charts/<slug:kind>/export/", views.chart_export, name="chart_export"),
    path("maps/", views.maps, name="maps"),
    path("maps/upload/", views.map_upload, name="map_upload"),
    path("maps/delete/", views.map_delete, name="map_delete"),
    path("maps/<str:code>.json", views.map_geojson, name="map_geojson"),
]
