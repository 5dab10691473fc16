"""What analytics offers the platform: capabilities analytics.view (the dashboard, the big screen, the
figures API) and analytics.manage (scorecards, bulletins, the map, the big-screen links), the menu entries
under 统计, the size rule of an uploaded map and how long a big-screen link lives."""

from zhiben.accounts.choices import ROLE_CAPABILITIES, Role
from zhiben.core.registry import MenuEntry, RuleDef, register

CAPABILITIES = {
    Role.COMMITTEE_ADMIN: {"analytics.view", "analytics.manage"},
    Role.REGULATOR: {"analytics.view"},
    Role.LEADER: {"analytics.view"},
    Role.GRID: {"analytics.view"},
}
for role, capabilities in CAPABILITIES.items():
    ROLE_CAPABILITIES[role] |= capabilities

register(
    MenuEntry("统计分析", "analytics:dashboard", "analytics.view", order=5, group="统计"),
    MenuEntry("大屏", "analytics:screen", "analytics.view", order=6, group="统计"),
    MenuEntry("统计地图", "analytics:maps", "analytics.manage", order=7, group="统计"),
    MenuEntry("大屏投放", "analytics:screen_links", "analytics.manage", order=8, group="统计"),
    RuleDef("analytics.map_max_mb", 10, "统计地图（GeoJSON）文件大小上限（MB）", "megabytes", "统计分析", order=200),
    RuleDef("analytics.screen_link_days", 365, "大屏投放链接有效期（天）", "days", "统计分析", order=201),
)
