from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhiben.core.views import paginate, require_capability

from .models import Region, Unit


@login_required
def region_list(request):
    require_capability(request.user, "region.view")
    qs = Region.objects.for_user(request.user)
    return render(request, "regions/region_list.html", {"page": paginate(request, qs, default=50)})


@login_required
def unit_list(request):
    require_capability(request.user, "unit.view")
    qs = Unit.objects.for_user(request.user).select_related("region").prefetch_related("industries")
    return render(request, "regions/unit_list.html", {"page": paginate(request, qs, default=50)})
