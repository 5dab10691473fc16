from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhiben.core.views import paginate, require_capability

from .models import AuditEvent


@login_required
def audit_list(request):
    require_capability(request.user, "audit.view")
    qs = AuditEvent.objects.for_user(request.user)
    if request.GET.get("action"):
        qs = qs.filter(action__startswith=request.GET["action"])
    return render(request, "audit/audit_list.html", {"page": paginate(request, qs, default=50)})
