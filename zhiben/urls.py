from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),  # first: integrations post at a rate no page is asked for
    path("", include("zhiben.core.urls")),
    path("accounts/", include("zhiben.accounts.urls")),
    path("regions/", include("zhiben.regions.urls")),
    path("enterprises/", include("zhiben.enterprises.urls")),
    path("hazards/", include("zhiben.hazards.urls")),
    path("audit/", include("zhiben.audit.urls")),
    path("documents/", include("zhiben.documents.urls")),
    path("notifications/", include("zhiben.notifications.urls")),
    path("duties/", include("zhiben.duties.urls")),
    path("plans/", include("zhiben.plans.urls")),
    path("escalation/", include("zhiben.escalation.urls")),
    path("selfchecks/", include("zhiben.selfchecks.urls")),
    path("inspections/", include("zhiben.inspections.urls")),
    path("enforcement/", include("zhiben.enforcement.urls")),
    path("campaigns/", include("zhiben.campaigns.urls")),
    path("reports/", include("zhiben.reports.urls")),
    path("report/", include("zhiben.reports.public_urls")),
    path("watch/", include("zhiben.watch.urls")),
    path("open311/v2/", include("zhiben.reports.open311_urls")),
    path("accidents/", include("zhiben.accidents.urls")),
    path("risk/", include("zhiben.risk.urls")),
    path("monitoring/", include("zhiben.monitoring.urls")),
    path("training/", include("zhiben.training.urls")),
    path("posts/", include("zhiben.posts.urls")),
    path("drills/", include("zhiben.drills.urls")),
    path("analytics/", include("zhiben.analytics.urls")),
    path("rankings/", include("zhiben.rankings.urls")),
]

handler404 = "zhiben.core.errors.not_found"
handler403 = "zhiben.core.errors.forbidden"
handler400 = "zhiben.core.errors.bad_request"
handler500 = "zhiben.core.errors.server_error"
