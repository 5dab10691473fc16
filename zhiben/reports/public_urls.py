from django.urls import path

from . import public_views as views

app_name = "report_public"
urlpatterns = [
    path("", views.report_form, name="form"),
    path("done/", views.report_done, name="done"),
    path("track/", views.track, name="track"),
    path("track/status/", views.status, name="status"),
    path("track/add/", views.add, name="add"),
    path("track/claim/", views.claim, name="claim"),
    path("track/leave/", views.leave, name="leave"),
    path("track/photo/<int:pk>/", views.photo, name="photo"),
    path("track/photo/<int:pk>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
    path("regions/", views.regions, name="regions"),
    path("qr/<str:code>.<str:fmt>", views.region_qr, name="region_qr"),
    path("poster/<str:code>/", views.poster, name="poster"),
    path("posters/", views.posters, name="posters"),
]
