"""Keeps the current request's id and client IP where services and the audit log can read them, and
refuses oversized requests before they are read."""

import contextvars
import ipaddress
import uuid
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse

_request_context = contextvars.ContextVar("zhiben_request", default=None)


def current_request_info():
    """Return {"request_id", "ip", "api"} of the request being served (api: an API request), or empty
    values outside a request."""
    return _request_context.get() or {"request_id": "", "ip": None, "api": False}


def api_request():
    """Whether the request being served is an API request: there a parameter a page would read as nothing is the
    caller's mistake (a 422 naming it)."""
    return current_request_info().get("api", False)


@lru_cache(maxsize=8)
def _trusted(spec):
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _address(text):
    """An IP address from one X-Forwarded-For entry or REMOTE_ADDR ("1.2.3.4", "1.2.3.4:5678",
    "[::1]:80", "::1"), or None when it is not one."""
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request):
    """The client's IP for the audit log.

    X-Forwarded-For is written by whoever sends the request, so it counts only when the request comes
    from a configured proxy (settings.TRUSTED_PROXIES, from ZHIBEN_TRUSTED_PROXIES). Each trusted proxy
    appends the address it received the request from; reading from the right, the first address that
    is not a trusted proxy is the client. Entries further left were sent by that client and are ignored.
    """
    remote = _address(request.META.get("REMOTE_ADDR"))
    networks = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if remote is None:
        return None

    def trusted(address):
        return any(address.version == net.version and address in net for net in networks)

    if not networks or not trusted(remote):
        return str(remote)
    nearest = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:  # garbage where an address should be: keep the last hop we could read
            break
        nearest = address
        if not trusted(address):
            break
    return str(nearest)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = _request_context.set(
            {"request_id": request.request_id, "ip": client_ip(request), "api": request.path.startswith("/api/")}
        )
        try:
            response = self.get_response(request)
        finally:
            _request_context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than settings.REQUEST_MAX_BYTES (all files and fields of
    one upload together) with 413, before anything reads it. Django's own limits then apply to what is
    let through: DATA_UPLOAD_MAX_MEMORY_SIZE for fields and JSON, DATA_UPLOAD_MAX_NUMBER_FILES, and each
    module's per-file size rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "REQUEST_MAX_BYTES", 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return request_too_large(request, length, limit)
        if request.path.startswith("/open311/"):  # answers in the GeoReport error format itself
            return self.get_response(request)
        bad = next(
            (key for key, value in request.GET.lists() if "\x00" in key or any("\x00" in v for v in value)), None
        )
        if bad is not None:
            return control_character(request, bad.replace("\x00", ""))
        return self.get_response(request)


def control_character(request, name):
    """A NUL in a query parameter: no column can hold it (PostgreSQL refuses it outright), so the request is
    refused before a query runs: 422 naming the parameter on the API, 400 on pages."""
    message = f"参数“{name}”含有不允许的控制字符（NUL）。"
    if request.path.startswith("/api/"):
        body = {"detail": message, "code": "invalid_request", "errors": [{"field": name, "message": message}]}
        return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def request_too_large(request, length, limit):
    message = f"提交的内容过大：{length / 1048576:.1f} MB，每次提交合计不能超过 {limit / 1048576:.0f} MB。请分批上传。"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
