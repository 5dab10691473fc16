"""What analytics offers the platform: capabilities analytics.view (the dashboard, the figures API) and
analytics.manage (scorecards, bulletins, the map), and the menu entries under 统计."""

from zhiben.accounts.choices import ROLE_CAPABILITIES, Role
from zhiben.core.registry import MenuEntry, register

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
)
