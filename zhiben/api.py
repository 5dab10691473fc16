"""The REST API under /api/v1/: session auth for the browser, bearer tokens for integrations."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from zhiben.accounts.services import PASSWORD_CHANGE_REQUIRED, api_token_user, password_expired
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.filters import InvalidFilter

logger = logging.getLogger("django.request")


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


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return api.create_response(
        request, {"detail": "未登录或接口令牌无效、已过期、已吊销。", "code": "unauthenticated"}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# Why a parameter or body field was refused, by pydantic's error type (the rest: INVALID_VALUE).
VALIDATION_MESSAGES = {
    "missing": "必须填写。",
    "int_parsing": "须为整数。",
    "int_type": "须为整数。",
    "int_from_float": "须为整数。",
    "float_parsing": "须为数字。",
    "float_type": "须为数字。",
    "decimal_parsing": "须为数字。",
    "decimal_type": "须为数字。",
    "bool_parsing": "须为 true 或 false。",
    "bool_type": "须为 true 或 false。",
    "string_type": "须为文本。",
    "date_parsing": "须为日期（YYYY-MM-DD）。",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）。",
    "date_type": "须为日期（YYYY-MM-DD）。",
    "datetime_parsing": "须为时间（ISO 8601）。",
    "datetime_from_date_parsing": "须为时间（ISO 8601）。",
    "datetime_type": "须为时间（ISO 8601）。",
    "list_type": "须为列表。",
    "dict_type": "须为对象。",
    "model_type": "须为对象。",
    "model_attributes_type": "须为对象。",
    "literal_error": "不是可选值之一。",
    "enum": "不是可选值之一。",
    "greater_than_equal": "超出允许范围。",
    "less_than_equal": "超出允许范围。",
    "greater_than": "超出允许范围。",
    "less_than": "超出允许范围。",
    "string_too_long": "过长。",
    "too_long": "过长。",
    "json_invalid": "不是有效的 JSON。",
}
INVALID_VALUE = "取值不符合要求。"


@api.exception_handler(ValidationError)
def invalid_request(request, exc):
    """A malformed parameter or body (wrong type, missing field, not JSON): 422, each field named."""
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "payload")]
        errors.append(
            {
                "field": ".".join(location),
                "message": VALIDATION_MESSAGES.get(error.get("type"), INVALID_VALUE),
            }
        )
    return api.create_response(
        request, {"detail": "请求参数格式不正确。", "code": "invalid_request", "errors": errors}, status=422
    )


@api.exception_handler(InvalidFilter)
def invalid_filter(request, exc):
    """A list filter given a value it cannot read (`enterprise=abc`, an unknown status, a non-date)."""
    return api.create_response(
        request,
        {
            "detail": f"请求参数格式不正确：{exc.name}{exc.message}",
            "code": "invalid_request",
            "errors": [{"field": exc.name, "message": exc.message}],
        },
        status=422,
    )


@api.exception_handler(Exception)
def server_error(request, exc):
    """Anything unforeseen: logged with its traceback (and reported as Django reports it), answered with
    a JSON 500 that names no code or path, whatever DEBUG is."""
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request}
    )
    got_request_exception.send(sender=None, request=request)
    return api.create_response(
        request,
        {"detail": "系统出错了，错误已记录。请稍后重试或联系管理员。", "code": "server_error"},
        status=500,
    )


@api.exception_handler(DataError)
def value_out_of_range(request, exc):
    """A value that passed validation but no column can hold (a NUL in a text, a number past the column's
    range): the database refused it and the write was rolled back, so it is the caller's 422, not a 500."""
    return api.create_response(
        request, {"detail": "提交的取值超出系统允许的范围或含有不允许的字符。", "code": "invalid_request"}, status=422
    )


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
api.add_router("/accidents", "zhiben.accidents.api.router")
api.add_router("/risk", "zhiben.risk.api.router")
api.add_router("/watch", "zhiben.watch.api.router")
api.add_router("/training", "zhiben.training.api.router")
api.add_router("/drills", "zhiben.drills.api.router")
api.add_router("/posts", "zhiben.posts.api.router")
api.add_router("/duties", "zhiben.duties.api.router")
api.add_router("/monitoring", "zhiben.monitoring.api.router")
api.add_router("/analytics", "zhiben.analytics.api.router")
