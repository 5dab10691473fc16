"""Idle timeout and forced password change for browser sessions (the API included)."""

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .services import logout_recorded, password_expired

PASSWORD_CHANGE_REQUIRED = (
    "您须先修改密码才能继续使用平台（首次登录、密码已重置或已过期）：请登录网页修改密码后再调用接口。"
)


@functools.cache
def exempt_prefixes():
    """What a user who must change the password may still open: static files, logout, the password pages
    (the change form, and a one-time link under it)."""
    return settings.STATIC_URL, reverse("accounts:logout"), reverse("accounts:password_change")


@functools.cache
def api_prefix():
    return reverse("api:api-root")


def password_change_required_response():
    """The API's answer to a user who must change their password first (403, JSON, Chinese)."""
    return JsonResponse({"detail": PASSWORD_CHANGE_REQUIRED, "code": "password_change_required"}, status=403)


LAST_SEEN_RESOLUTION = 60  # seconds
IDLE_LOGOUT = "长时间未操作，已自动退出，请重新登录。"
BACKGROUND_HEADER = "X-Zhiben-Background"  # sent by charts.js with its reads


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout_recorded(user=user)
                logout(request)
                if request.path.startswith(api_prefix()):
                    return JsonResponse({"detail": IDLE_LOGOUT, "code": "session_expired"}, status=401)
                messages.warning(request, IDLE_LOGOUT)
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            # a page's own background reads (the charts refreshing themselves) are not the user's activity
            background = request.headers.get(BACKGROUND_HEADER) == "1"
            if not background and (last is None or now - last >= LAST_SEEN_RESOLUTION):
                request.session["last_seen"] = now  # written at most once a minute: no session UPDATE per request
            if not request.path.startswith(exempt_prefixes()) and password_expired(user):
                if request.path.startswith(api_prefix()):
                    return password_change_required_response()
                return redirect("accounts:password_change")
        return self.get_response(request)
