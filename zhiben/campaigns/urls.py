from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("export.xlsx", views.campaign_list_export, name="list_export"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/do/<str:action>/", views.campaign_transition, name="transition"),
    path("<int:pk>/targets/", views.campaign_targets, name="targets"),
    path("<int:pk>/targets.xlsx", views.campaign_targets_export, name="targets_export"),
    path("<int:pk>/checks/", views.campaign_checks, name="checks"),
    path("<int:pk>/checks/new/", views.check_create, name="check_create"),
    path("<int:pk>/ledger/", views.campaign_export, name="export"),
    path("<int:pk>/import/", views.check_import, name="import"),
    path("<int:pk>/import/template/", views.import_template_download, name="import_template"),
    path("checks/<int:pk>/", views.check_detail, name="check_detail"),
    path("checks/<int:pk>/photos/<int:photo_pk>/", views.check_photo, name="photo"),
    path("checks/<int:pk>/photos/<int:photo_pk>/thumb/", views.check_photo, {"thumb": True}, name="thumb"),
]
