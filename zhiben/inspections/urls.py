from django.urls import include, path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("export/", views.inspection_export, name="export"),
    path("new/", views.inspection_new, name="new"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/team/", views.inspection_member, name="member"),
    path("<int:pk>/<str:action>/", views.inspection_transition, name="transition"),
    path("<int:pk>/items/<int:item_pk>/", views.item_record, name="item"),
    path("<int:pk>/items/<int:item_pk>/hazard/", views.item_hazard, name="item_hazard"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/export.xlsx", views.checklist_export, name="checklist_export"),
    path("checklists/new/", views.checklist_edit, name="checklist_new"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<int:pk>/edit/", views.checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/add/", views.checklist_add, name="checklist_add"),
    path("checklists/<int:pk>/items/<int:item_pk>/remove/", views.checklist_remove, name="checklist_remove"),
    path("checklists/<int:pk>/items/<int:item_pk>/move/", views.checklist_move, name="checklist_move"),
    path("checklists/<int:pk>/active/", views.checklist_active, name="checklist_active"),
    # plans, draws and the expert pool
    path("", include("zhiben.inspections.plan_urls")),
]
