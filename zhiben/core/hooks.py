"""The ground's own menu entries (registered from `CoreConfig.ready()`)."""

from .registry import MenuEntry, register

register(
    MenuEntry("首页", "core:home", None, order=0, group="日常工作"),
    MenuEntry("规则参数", "core:rules", "rule.manage", order=40, group="设置"),
)
