"""The header's menu groups open one at a time (static/zhiben/nav.js): on a desktop two open groups would lie over
one another. A click elsewhere on the page, or Esc, closes the open one."""

import pytest

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_groups(page):
    return page.locator("details.navgroup[open] > summary").all_inner_texts()


def test_opening_a_group_closes_the_others(live_server, browser):
    cast_built()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server.url, "alice")
        summaries = page.locator("details.navgroup > summary")
        first, second = summaries.nth(0), summaries.nth(1)
        names = [first.inner_text(), second.inner_text()]
        first.click()
        page.wait_for_function("document.querySelectorAll('details.navgroup[open]').length === 1")
        assert open_groups(page) == names[:1]
        second.click()
        page.wait_for_function("!document.querySelectorAll('details.navgroup')[0].open")
        assert open_groups(page) == names[1:]
        page.locator("h1").click()
        page.wait_for_function("!document.querySelector('details.navgroup[open]')")
        first.click()
        page.wait_for_function("document.querySelectorAll('details.navgroup[open]').length === 1")
        page.keyboard.press("Escape")
        page.wait_for_function("!document.querySelector('details.navgroup[open]')")
    finally:
        context.close()
