"""Navigation by role: the menu entries modules registered, each shown only to users holding its capability."""

from django.urls import NoReverseMatch, reverse

from .registry import ordered


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    for entry in ordered("menu"):
        if entry.capability and not user.can(entry.capability):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "active": False})
    # the entry whose URL is the longest prefix of the current path is the active one (/regions/units/ is 单位, not 行政区划)
    matches = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": items}
