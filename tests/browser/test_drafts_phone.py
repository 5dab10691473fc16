"""Drafts of field forms on a phone (static/zhiben/drafts.js): what was typed survives the page being dropped (the
camera opened from the photo field) and is restored with one tap; a submission answered with success drops it, as does
one the network did not carry (kept by offline.js to be sent); another user of the same browser never sees it."""

import pytest

from zhiben.hazards.models import Hazard

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(routed_page):
    """This module drops the network with `page.route`: its pages run without the service worker (see conftest)."""
    return routed_page


def test_a_dropped_page_is_filled_in_again_with_one_tap(live_server, page):
    cast = cast_built()
    base = live_server.url
    login(page, base, "gina")
    page.goto(f"{base}/hazards/report/")
    page.select_option("select[name=enterprise]", str(cast.enterprise_a.pk))
    page.fill("textarea[name=description]", "二号仓库电动叉车在通道内充电")
    page.select_option("select[name=level]", "major")
    page.wait_for_timeout(600)  # kept as it is typed (300 ms after the last key)
    page.goto(f"{base}/hazards/report/")  # the phone reloads the dropped tab
    bar = page.locator(".draft-bar")
    assert "发现未提交的内容" in bar.inner_text()
    assert page.input_value("textarea[name=description]") == ""
    bar.get_by_role("button", name="恢复").click()
    assert page.input_value("textarea[name=description]") == "二号仓库电动叉车在通道内充电"
    assert page.input_value("select[name=level]") == "major"
    assert page.input_value("select[name=enterprise]") == str(cast.enterprise_a.pk)
    assert bar.count() == 0

    # a submission the network did not carry is kept to be sent later (offline.js): no draft is offered for it
    page.route(
        "**/hazards/report/", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
    )
    page.select_option("select[name=level]", "general")
    page.click("button[type=submit]")
    page.locator(".kept-note").wait_for()
    page.unroute("**/hazards/report/")
    page.goto("about:blank")
    page.goto(f"{base}/hazards/report/")  # the queue is sent as the page opens
    assert page.locator(".draft-bar").count() == 0
    page.locator(".sent-note").wait_for()
    assert Hazard.objects.filter(description="二号仓库电动叉车在通道内充电").count() == 1

    page.select_option("select[name=enterprise]", str(cast.enterprise_a.pk))
    page.fill("textarea[name=description]", "三号仓库灭火器压力不足")
    # answered with success: nothing is offered any more
    page.click("button[type=submit]")
    page.locator("h1").filter(has_text="YH").wait_for()  # the new hazard's page
    assert Hazard.objects.filter(description="三号仓库灭火器压力不足").count() == 1
    page.goto(f"{base}/hazards/report/")
    assert page.locator(".draft-bar").count() == 0


def test_another_user_of_the_browser_never_sees_a_draft(live_server, page):
    cast_built()
    base = live_server.url
    login(page, base, "gina")
    page.goto(f"{base}/hazards/report/")
    page.fill("textarea[name=description]", "某村自建房违规加层")
    page.wait_for_timeout(600)
    page.goto(f"{base}/")
    page.click("label.navbutton")  # the phone's menu
    page.get_by_role("button", name="退出").click()  # signing out drops this user's drafts
    page.wait_for_load_state()
    kept = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('zhiben:draft:'))")
    assert kept == []
    login(page, base, "alice")
    page.goto(f"{base}/hazards/report/")
    assert page.locator(".draft-bar").count() == 0
