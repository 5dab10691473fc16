from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.point_list, name="list"),
    path("export/", views.point_export, name="export"),
    path("new/", views.point_new, name="new"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.point_detail, name="detail"),
    path("<int:pk>/edit/", views.point_edit, name="edit"),
    path("<int:pk>/do/<str:what>/", views.point_do, name="do"),
    path("measure/<int:pk>/remove/", views.measure_remove, name="measure_remove"),
    path("enterprise/<int:pk>/", views.enterprise_page, name="enterprise"),
    path("enterprise/<int:pk>/plan/", views.plan_upload, name="plan_upload"),
    path("plan/<int:pk>/", views.plan_image, name="plan_image"),
    path("cite/<int:hazard_pk>/", views.cite, name="cite"),
]
