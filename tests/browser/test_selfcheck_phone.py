"""An enterprise records a self-inspection on a phone-sized page; the town regulator's compliance view
moves the enterprise from 未完成 to 已完成."""

import pytest

from zhiben.selfchecks.models import Duty
from zhiben.testing import build_cast

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def standing(page, base, duty):
    page.goto(f"{base}/selfchecks/compliance/?duty={duty.pk}")
    row = page.locator("#compliance tbody tr", has_text="凤凰化工有限公司")
    return row.locator("td[data-label='总体']").inner_text().strip()


def test_phone_record_moves_the_enterprise_to_done(live_server, page):
    cast = Cast()
    build_cast(cast)
    base = live_server.url
    duty = Duty.objects.get(key="director_monthly")

    login(page, base, "erin")
    assert standing(page, base, duty) == "未完成"

    login(page, base, "emma")
    page.goto(f"{base}/selfchecks/")
    assert page.url.endswith("/selfchecks/mine/")
    page.get_by_role("link", name="记录一次自查").click()
    page.select_option("select[name=duty]", str(duty.pk))
    page.fill("input[name=inspector]", "王厂长")
    page.fill("input[name=scope]", "全厂")
    page.check("input[name=result][value=none]")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/selfchecks/mine/")
    assert page.get_by_text("已记录厂长月排查").count() == 1
    assert page.locator("#standing tr", has_text="厂长月排查").get_by_text("已完成").count() == 1

    login(page, base, "erin")
    assert standing(page, base, duty) == "已完成"
