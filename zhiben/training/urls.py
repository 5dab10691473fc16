from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("export/", views.session_export, name="session_export"),
    path("new/", views.session_new, name="session_new"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/attendance/", views.attendance_add, name="attendance_add"),
    path("<int:pk>/import/", views.attendance_import, name="attendance_import"),
    path("attendance-template/", views.attendance_template, name="attendance_template"),
    path("people/", views.person_list, name="people"),
    path("people/export/", views.person_export, name="person_export"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/file/", views.person_file_export, name="person_file_export"),
    path("people/<int:pk>/certificate/", views.certificate_new, name="certificate_new"),
    path("people/<int:pk>/hazard/", views.person_hazard, name="person_hazard"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/export/", views.certificate_export, name="certificate_export"),
    path("certificates/import/", views.certificate_import, name="certificate_import"),
    path("certificates/import/template/", views.certificate_template, name="certificate_template"),
    path("uncertified/", views.uncertified, name="uncertified"),
    path("enterprises/<int:pk>/", views.enterprise_file, name="enterprise_file"),
    path("enterprises/<int:pk>/export/", views.enterprise_file_export, name="enterprise_file_export"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<str:key>/", views.coverage_detail, name="coverage_detail"),
    path("coverage/<str:key>/export/", views.coverage_export, name="coverage_export"),
    path("bodies/", views.body_list, name="bodies"),
    path("bodies/new/", views.body_new, name="body_new"),
    path("bodies/<int:pk>/", views.body_edit, name="body_edit"),
]
