from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("export/", views.document_export, name="export"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/file.<str:fmt>", views.document_file, name="file"),
    path("issue/<str:subject_type>/<int:pk>/<str:kind>/", views.document_issue, name="issue"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:kind>/", views.template_edit, name="template_edit"),
]
