"""Home page per role, health check, and the shared helpers every list view uses."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

PAGE_SIZES = (20, 50, 100)


def require_capability(user, capability):
    if not user.can(capability):
        raise PermissionDenied("您的角色无权进行此操作。")


def paginate(request, queryset, default=20):
    try:
        size = int(request.GET.get("per_page", default))
    except ValueError:
        size = default
    size = size if size in PAGE_SIZES else default
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def query_without(request, *keys):
    """The current query string minus `keys` (for sort links and pagination)."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


@login_required
def home(request):
    from .selectors import home_summary

    return render(request, "core/home.html", {"summary": home_summary(user=request.user)})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
