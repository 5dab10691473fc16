"""A village grid worker, on a phone-sized screen, cannot open another county's enterprise."""

import pytest

from zhiben.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_village_user_gets_404_on_other_county_page_and_api(live_server, page):
    cast = Cast()
    build_cast(cast)
    base = live_server.url
    login(page, base, "gina")
    assert "赵" not in page.title()
    page.goto(f"{base}/enterprises/")
    assert page.get_by_text("凤凰化工有限公司").count() == 1
    assert page.get_by_text("西彭化工有限公司").count() == 0

    response = page.goto(f"{base}/enterprises/{cast.enterprise_b.pk}/")
    assert response.status == 404
    assert page.get_by_text("不在您的管辖范围内").count() == 1

    api = page.request.get(f"{base}/api/v1/enterprises/{cast.enterprise_b.pk}")
    assert api.status == 404
    own = page.request.get(f"{base}/api/v1/enterprises/{cast.enterprise_a.pk}")
    assert own.status == 200 and own.json()["name"] == "凤凰化工有限公司"
