from django.urls import path

from . import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("export/", views.case_export, name="case_export"),
    path("typical/", views.typical_list, name="typical"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/<str:action>/", views.case_transition, name="case_transition"),
    path("orders/", views.order_list, name="orders"),
    path("orders/export/", views.order_export, name="order_export"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/review/", views.order_review, name="order_review"),
    path("statistics/", views.statistics, name="statistics"),
]
