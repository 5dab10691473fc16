"""Navigation by role: the menu entries modules registered, each shown only to users holding its capability."""

from django.urls import NoReverseMatch, reverse

from .registry import MENU_GROUPS, MENU_OTHER, ordered


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_groups": []}
    items = []
    for entry in ordered("menu"):
        if entry.capability and not user.can(entry.capability):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        group = entry.group if entry.group in MENU_GROUPS else MENU_OTHER
        items.append({"label": entry.label, "url": url, "active": False, "group": group})
    # the entry whose URL is the longest prefix of the current path is the active one (/regions/units/ is 单位, not 行政区划)
    matches = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": items, "nav_groups": group_menu(items)}


def group_menu(items):
    """The menu by task: [{"label", "items", "active"}] in MENU_GROUPS order, 其他 last, empty groups left out.
    A group of one entry is shown as that entry (首页 for a role that has nothing else there)."""
    groups = []
    for label in (*MENU_GROUPS, MENU_OTHER):
        members = [item for item in items if item["group"] == label]
        if members:
            groups.append({"label": label, "items": members, "active": any(item["active"] for item in members)})
    return groups
