from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("export/", views.hazard_export, name="export"),
    path("batch/", views.hazard_batch, name="batch"),
    path("report/", views.hazard_report, name="report"),
    path("import/", views.ledger_import, name="import"),
    path("criteria/", views.criteria_list, name="criteria"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/do/<str:action>/", views.hazard_transition, name="transition"),
    path("<int:pk>/plan/", views.hazard_plan, name="plan"),
    path("<int:pk>/attach/", views.hazard_attach, name="attach"),
    path("<int:pk>/list/", views.hazard_list_supervision, name="list_supervision"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("<int:pk>/extension/<int:extension_pk>/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_file, name="file"),
    path("<int:pk>/files/<int:attachment_pk>/thumb/", views.attachment_file, {"thumb": True}, name="thumb"),
]
