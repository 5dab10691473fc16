"""URLs of inspection plans (双随机 draws), the expert pool, inspector credentials and conflicts;
included from urls.py under the same namespace."""

from django.urls import path

from . import plan_views as views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/export/", views.plan_export, name="plan_export"),
    path("plans/new/", views.plan_edit, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("plans/<int:pk>/verify/", views.plan_verify, name="plan_verify"),
    path("plans/<int:pk>/confirm/", views.plan_confirm, name="plan_confirm"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("public/<str:token>/", views.plan_public, name="plan_public"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/export/", views.expert_export, name="expert_export"),
    path("experts/new/", views.expert_edit, name="expert_new"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/active/", views.expert_active, name="expert_active"),
    path("credentials/", views.credential_list, name="credential_list"),
    path("credentials/new/", views.credential_edit, name="credential_new"),
    path("credentials/<int:pk>/edit/", views.credential_edit, name="credential_edit"),
    path("conflicts/", views.conflict_list, name="conflict_list"),
    path("conflicts/new/", views.conflict_new, name="conflict_new"),
    path("conflicts/<int:pk>/remove/", views.conflict_remove, name="conflict_remove"),
]
