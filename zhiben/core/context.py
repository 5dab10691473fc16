"""Navigation by role: each entry shows only when the user holds its capability."""

from django.urls import NoReverseMatch, reverse

NAV = [
    ("首页", "core:home", None),
    ("生产经营单位", "enterprises:list", "enterprise.view"),
    ("单位", "regions:unit_list", "unit.view"),
    ("行政区划", "regions:region_list", "region.view"),
    ("用户", "accounts:user_list", "user.view"),
    ("审计日志", "audit:list", "audit.view"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    for label, name, capability in NAV:
        if capability and not user.can(capability):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url or (url != "/" and request.path.startswith(url))})
    return {"nav": items}
