"""Idle timeout and forced password change for browser sessions."""

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .services import logout_recorded, password_expired


@functools.cache
def exempt_prefixes():
    """What a user who must change the password may still open: static files, logout, the password page, the API."""
    return settings.STATIC_URL, reverse("accounts:logout"), reverse("accounts:password_change"), reverse("api:api-root")


LAST_SEEN_RESOLUTION = 60  # seconds


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
                messages.warning(request, "长时间未操作，已自动退出，请重新登录。")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if last is None or now - last >= LAST_SEEN_RESOLUTION:
                request.session["last_seen"] = now  # written at most once a minute: no session UPDATE per request
            if not request.path.startswith(exempt_prefixes()) and password_expired(user):
                return redirect("accounts:password_change")
        return self.get_response(request)
