from django.urls import path

from . import views

app_name = "drills"
urlpatterns = [
    path("", views.drill_list, name="drills"),
    path("export/", views.drill_export, name="drill_export"),
    path("new/", views.drill_new, name="drill_new"),
    path("<int:pk>/", views.drill_detail, name="drill"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/export/", views.compliance_export, name="compliance_export"),
    path("teams/", views.team_list, name="teams"),
    path("teams/export/", views.team_export, name="team_export"),
    path("teams/new/", views.team_new, name="team_new"),
    path("stations/new/", views.station_new, name="station_new"),
    path("equipment/new/", views.equipment_new, name="equipment_new"),
    path("rates/", views.rates, name="rates"),
    path("rates/export/", views.rates_export, name="rates_export"),
]
