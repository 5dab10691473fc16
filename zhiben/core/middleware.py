"""Keeps the current request's id, IP and user where services and the audit log can read them."""

import contextvars
import uuid

_request_context = contextvars.ContextVar("zhiben_request", default=None)


def current_request_info():
    """Return {"request_id", "ip"} of the request being served, or empty values outside a request."""
    return _request_context.get() or {"request_id": "", "ip": None}


def client_ip(request):
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    from django.conf import settings

    if forwarded and settings.SECURE_PROXY_SSL_HEADER:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = _request_context.set({"request_id": request.request_id, "ip": client_ip(request)})
        try:
            response = self.get_response(request)
        finally:
            _request_context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
