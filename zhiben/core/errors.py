"""The error pages, in Chinese, and never a traceback whatever DEBUG is.

Django shows its technical pages (traceback, settings, URL patterns, in English) when DEBUG is on; the
platform is toured and demonstrated with DEBUG on, so `ErrorPageMiddleware` answers every error with these
pages in both modes: exceptions raised by a view (process_exception) and Django's own debug pages for
errors raised outside one (an unknown address, an exception in a middleware). The API answers in JSON
(zhiben.api handles its own exceptions; the middleware's JSON is for errors before the API's view runs).
The traceback is still logged (django.request) and reported as Django reports it."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger("django.request")

MESSAGES = {
    400: "请求有误，无法处理。",
    403: "无权进行此操作。",
    404: "对象不存在或不在您的管辖范围内。",
    500: "系统出错了，错误已记录。请稍后重试或联系管理员。",
}


def _mark(response):
    response.zhiben_error_page = True
    return response


def not_found(request, exception=None):
    return _mark(render(request, "errors/404.html", status=404))


def forbidden(request, exception=None):
    return _mark(render(request, "errors/403.html", {"reason": str(exception or "")}, status=403))


def bad_request(request, exception=None):
    return _mark(render(request, "errors/400.html", status=400))


def server_error(request):
    """A page that needs nothing the failure may have broken (no context processors, no database)."""
    return _mark(HttpResponse(render_to_string("errors/500.html"), status=500))


def api_error(status, detail=None):
    body = {"detail": detail or MESSAGES[status], "code": "server_error" if status == 500 else "error"}
    return _mark(JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}))


class ErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and not _tracebacks() and _is_debug_page(response):
            # Django's technical 404/500 page for an error raised outside a view.
            status = response.status_code if response.status_code in MESSAGES else 500
            return self.answer(request, status)
        return response

    def process_exception(self, request, exception):
        if _tracebacks():
            return None  # a developer asked for Django's technical page (ZHIBEN_TRACEBACKS=1 with DEBUG)
        if isinstance(exception, Http404):
            return self.answer(request, 404, exception)
        if isinstance(exception, PermissionDenied):
            return self.answer(request, 403, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError)):
            logging.getLogger("django.security").error(str(exception), extra={"status_code": 400, "request": request})
            return self.answer(request, 400, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        got_request_exception.send(sender=None, request=request)
        response = self.answer(request, 500)
        response._has_been_logged = True
        return response

    def answer(self, request, status, exception=None):
        if request.path.startswith("/api/"):
            detail = str(exception) if status == 403 and exception and str(exception) else None
            return api_error(status, detail)
        if status == 500:
            return server_error(request)
        try:
            return {400: bad_request, 403: forbidden, 404: not_found}[status](request, exception)
        except Exception:  # the page itself failed (a broken context processor): the bare page
            return server_error(request)


def _tracebacks():
    return settings.DEBUG and getattr(settings, "TRACEBACKS", False)


def _is_debug_page(response):
    if getattr(response, "zhiben_error_page", False) or response.status_code not in (400, 403, 404, 500):
        return False
    if response.streaming or not response.get("Content-Type", "").startswith(("text/html", "text/plain")):
        return False
    body = response.content[:2000]
    return b'name="robots" content="NONE,NOARCHIVE"' in body or (
        response.status_code == 500 and response.get("Content-Type", "").startswith("text/plain")
    )
