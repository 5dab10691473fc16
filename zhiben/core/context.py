"""What every page of a signed-in user is given: the menu entries modules registered, each shown only to users
holding its capability; the registered offline forms they may fill in (kept by the browser, core.offline); and
whether the query filters the list on the page."""

from functools import lru_cache
from html import escape as esc

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

from .registry import MENU_GROUPS, MENU_OTHER, ordered


@lru_cache(maxsize=512)
def _menu_url(url_name, prefix, urlconf):
    """The URL of a menu entry (None when it has none), reversed once per process: every page shows the
    menu, and reversing its ~70 entries took ~1.5 ms a page."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_groups": []}
    items = []
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    for entry in ordered("menu"):
        if entry.capability and not user.can(entry.capability):
            continue
        url = _menu_url(entry.url_name, prefix, urlconf)
        if url is None:
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
    groups = group_menu(items)
    offline = [
        url
        for form in ordered("offline_forms")
        if not form.capability or user.can(form.capability)
        if (url := _menu_url(form.key, prefix, urlconf)) is not None
    ]
    return {
        "nav": items,
        "nav_groups": groups,
        "nav_html": menu_html(groups),
        "offline_urls": " ".join(offline),
        "filtering": filtering(request),
    }


NOT_FILTERS = frozenset({"page", "page_size", "count", "sort"})  # a list's paging and order, not what it shows


def filtering(request):
    """Whether the query narrows the list (its filter panel then opens on a phone): paging or sorting does not."""
    return any(value for key, value in request.GET.items() if key not in NOT_FILTERS)


ACTIVE = ' class="active"'


def menu_html(groups):
    """The top bar's menu: a <details> per group (open on a phone, a drop-down on a desk), the current page's entry
    and group marked active. Written here rather than in base.html's loops: every page shows it (~45 entries for an
    安委办, 0.7 ms a page in the template)."""
    out = []
    for group in groups:
        links = "".join(
            f'<a href="{esc(item["url"])}"{ACTIVE if item["active"] else ""}>{esc(item["label"])}</a>'
            for item in group["items"]
        )
        active = " active" if group["active"] else ""
        out.append(
            f'<details class="navgroup{active}"><summary>{esc(group["label"])}</summary>'
            f'<div class="navmenu">{links}</div></details>'
        )
    return SafeString("".join(out))


def group_menu(items):
    """The menu by task: [{"label", "items", "active"}] in MENU_GROUPS order, 其他 last, empty groups left out.
    A group of one entry is shown as that entry (首页 for a role that has nothing else there)."""
    groups = []
    for label in (*MENU_GROUPS, MENU_OTHER):
        members = [item for item in items if item["group"] == label]
        if members:
            groups.append({"label": label, "items": members, "active": any(item["active"] for item in members)})
    return groups
