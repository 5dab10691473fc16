"""Documents in the menu (registered from `DocumentsConfig.ready()`); the kinds come from the modules."""

from zhiben.core.registry import MenuEntry, register

register(MenuEntry("公文", "documents:list", "document.view", order=50, group="台账"))
