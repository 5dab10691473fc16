"""The REST API under /api/v1/: session auth for the browser, bearer tokens for integrations."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from zhiben.accounts.services import PASSWORD_CHANGE_REQUIRED, api_token_user, password_expired
from zhiben.core.exceptions import ApplicationError, ScopeError


class TokenAuth(HttpBearer):
    """A live token of an active, unlocked account (401 otherwise); 403 while its owner must change the password."""

    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            if password_expired(user):
                raise PermissionDenied(PASSWORD_CHANGE_REQUIRED)
            request.user = user
        return user


class SessionAuth(APIKeyHeader):
    """Django session (CSRF-checked for unsafe methods by ninja's django_auth)."""

    param_name = "X-Session"

    def __call__(self, request):
        return django_auth(request)

    def authenticate(self, request, key):  # pragma: no cover - __call__ is used
        return None


api = NinjaAPI(
    title="治本 API",
    version="1",
    description="安全生产治本攻坚平台接口。浏览器内使用登录会话；系统集成使用 `Authorization: Bearer <令牌>`，令牌在“接口令牌”页面创建。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ApplicationError)
def application_error(request, exc):
    status = 404 if isinstance(exc, ScopeError) else (403 if exc.code == "forbidden" else 400)
    return api.create_response(request, {"detail": exc.message, "code": exc.code, "errors": exc.errors}, status=status)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权进行此操作。"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "对象不存在或不在您的管辖范围内。"}, status=404)


api.add_router("/users", "zhiben.accounts.api.router")
api.add_router("/regions", "zhiben.regions.api.router")
api.add_router("/units", "zhiben.regions.api.unit_router")
api.add_router("/enterprises", "zhiben.enterprises.api.router")
api.add_router("/hazards", "zhiben.hazards.api.router")
api.add_router("/plans", "zhiben.plans.api.router")
api.add_router("/selfchecks", "zhiben.selfchecks.api.router")
api.add_router("/inspections", "zhiben.inspections.api.router")
api.add_router("/enforcement", "zhiben.enforcement.api.router")
api.add_router("/campaigns", "zhiben.campaigns.api.router")
