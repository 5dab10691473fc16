from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    # under password/ so the forced-change middleware lets a signed-in user reach it too
    path("password/set/<str:key>/", views.password_set_view, name="password_set"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/export/", views.user_export, name="user_export"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/grant/", views.user_grant, name="user_grant"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-totp/", views.user_reset_totp, name="user_reset_totp"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("security/", views.security_overview, name="security"),
    path("requests/", views.role_requests, name="role_requests"),
    path("requests/<int:pk>/approve/", views.role_request_decide, {"decision": "approve"}, name="role_request_approve"),
    path("requests/<int:pk>/refuse/", views.role_request_decide, {"decision": "refuse"}, name="role_request_refuse"),
    path(
        "requests/<int:pk>/withdraw/", views.role_request_decide, {"decision": "withdraw"}, name="role_request_withdraw"
    ),
]
