"""On a phone a list folds into cards and its header row is gone; the headers' sort links stay, as one 排序 line
above the cards, and sort as on a desktop."""

import pytest

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sort_links_stay_above_the_cards(live_server, page):
    cast_built()
    login(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/regions/?q=凤凰")
    link = page.locator("thead a", has_text="名称")
    assert link.is_visible()
    names = lambda: page.locator("tbody td[data-label=名称]").all_inner_texts()  # noqa: E731
    assert names() == ["凤凰镇", "凤凰村"]
    link.click()
    page.wait_for_load_state()
    assert names() == ["凤凰村", "凤凰镇"]
