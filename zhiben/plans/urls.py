from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("export.xlsx", views.plan_list_export, name="export"),
    path("import/", views.plan_import, name="import"),
    path("drafts/<int:pk>/", views.draft_preview, name="draft"),
    path("drafts/<int:pk>/confirm/", views.draft_confirm, name="draft_confirm"),
    path("drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/export.xlsx", views.task_list_export, name="tasks_export"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("reports/", views.report_list, name="reports"),
    path("reports/export.xlsx", views.report_list_export, name="reports_export"),
    path("reports/batch/", views.report_batch, name="reports_batch"),
    path("reports/<int:pk>/do/<str:action>/", views.report_transition, name="report_transition"),
    path("reports/<int:pk>/attach/", views.report_attach, name="report_attach"),
    path("reports/<int:pk>/files/<int:attachment_pk>/", views.report_file, name="report_file"),
    path("reports/<int:pk>/files/<int:attachment_pk>/thumb/", views.report_file, {"thumb": True}, name="report_thumb"),
    path("indicators/<int:pk>/report/", views.indicator_report, name="indicator_report"),
    path("filings/", views.filings, name="filings"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/board/", views.plan_board, name="board"),
    path("<int:pk>/board.xlsx", views.plan_board_export, name="board_export"),
    path("<int:pk>/summary.docx", views.plan_summary, name="summary"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/delete/", views.plan_delete, name="delete"),
    path("<int:pk>/file/", views.plan_file, name="file"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/links/", views.plan_links, name="links"),
    path("<int:pk>/units/", views.plan_units, name="units"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/diff/<int:other>/", views.plan_diff, name="diff"),
]
