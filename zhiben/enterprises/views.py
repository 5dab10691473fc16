"""Enterprise pages: list with filters, detail."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhiben.core.views import paginate, query_without, require_capability

from . import selectors


@login_required
def enterprise_list(request):
    require_capability(request.user, "enterprise.view")
    qs = selectors.enterprise_list(user=request.user, filters=request.GET)
    page = paginate(request, qs)
    return render(request, "enterprises/enterprise_list.html", {
        "page": page, "query": query_without(request, "page"), "sort_query": query_without(request, "page", "sort"),
    })


@login_required
def enterprise_detail(request, pk):
    require_capability(request.user, "enterprise.view")
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    return render(request, "enterprises/enterprise_detail.html", {"enterprise": enterprise})
