"""Open311 GeoReport v2 (`/open311/v2/`): see zhiben/reports/open311.py. Any other path under the prefix
answers the spec's JSON error array (404), never an HTML page."""

from django.urls import re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>\w+)$", open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)\.(?P<fmt>\w+)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>\w+)$", open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)\.(?P<fmt>\w+)$", open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>\w+)$", open311.token, name="token"),
    re_path(r"", open311.unknown, name="unknown"),
]
