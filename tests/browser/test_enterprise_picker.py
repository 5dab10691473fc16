"""The enterprise picker on a phone (static/zhiben/picker.js): in a jurisdiction with more enterprises than a select
should hold, typing part of a name suggests the jurisdiction's enterprises only; tapping one fills the field and the
hazard is reported against it."""

import pytest

from zhiben.enterprises.selectors import picked_text
from zhiben.hazards.models import Hazard

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_part_of_a_name_suggests_and_a_tap_picks(live_server, page, monkeypatch):
    monkeypatch.setattr("zhiben.enterprises.forms.SELECT_LIMIT", 1)  # the cast's county "has many"
    cast = cast_built()
    base = live_server.url
    login(page, base, "alice")
    page.goto(f"{base}/hazards/report/")
    assert page.locator("select[name=enterprise]").count() == 0
    page.locator("input[name=enterprise]").press_sequentially("化工")
    suggestions = page.locator(".picker-list li")
    suggestions.first.wait_for()
    assert "凤凰化工有限公司" in suggestions.all_inner_texts()[0]
    assert not any("西彭" in text for text in suggestions.all_inner_texts())  # county B's namesake is not offered
    suggestions.filter(has_text="凤凰化工有限公司").click()
    assert page.input_value("input[name=enterprise]") == picked_text(cast.enterprise_a)
    assert page.locator(".picker-list").is_hidden()

    page.locator("input[name=enterprise]").fill("")
    page.locator("input[name=enterprise]").press_sequentially("没有这家")
    page.get_by_text("管辖范围内没有名称含“没有这家”").wait_for()
    page.locator("input[name=enterprise]").fill(picked_text(cast.enterprise_a))

    page.fill("textarea[name=description]", "危化品仓库未设置防火分隔")
    page.click("button[type=submit]")
    page.get_by_text("已上报").first.wait_for()
    assert Hazard.objects.get(description="危化品仓库未设置防火分隔").enterprise == cast.enterprise_a
