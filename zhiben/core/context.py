"""Navigation by role: each entry shows only when the user holds its capability."""

from django.urls import NoReverseMatch, reverse

# (label, url name, capability or None). Order is the menu order.
NAV = [
    ("首页", "core:home", None),
    ("隐患台账", "hazards:list", "hazard.view"),
    ("上报隐患", "hazards:report", "hazard.report"),
    ("督办升级", "escalation:records", "escalation.view"),
    ("规则参数", "core:rules", "rule.manage"),
    ("公文", "documents:list", "document.view"),
    ("统计分析表", "duties:mine", "duty.submit"),
    ("统计报送", "duties:compliance", "duty.monitor"),
    ("行动方案", "plans:list", "plan.view"),
    ("生产经营单位", "enterprises:list", "enterprise.view"),
    ("行政区划", "regions:region_list", "region.view"),
    ("单位", "regions:unit_list", "unit.view"),
    ("用户", "accounts:user_list", "user.view"),
    ("账号安全", "accounts:security", "security.manage"),
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
        items.append({"label": label, "url": url, "active": False})
    # the entry whose URL is the longest prefix of the current path is the active one (/regions/units/ is 单位, not 行政区划)
    matches = [item for item in items if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": items}
