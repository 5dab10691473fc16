"""A village grid worker records a gas-campaign check on a phone-sized page: from the unchecked
targets to the form (checklist radios, the campaign's columns, a photo) to the check's page with the
hazard it found; the target then counts as checked."""

import os

import pytest

from zhiben.hazards.models import Hazard, Place
from zhiben.inspections.models import ChecklistTemplate, ChecklistTemplateItem
from zhiben.testing import build_cast

from .. import services
from ..models import CampaignCheck
from .base import campaign_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def test_a_grid_worker_records_a_check_on_a_phone(live_server, page, tmp_path):
    from tests.browser.helpers import login

    from .base import png

    cast = Cast()
    build_cast(cast)
    pipe = Place.objects.create(name="凤凰村燃气管道", kind="gas_pipe", region=cast.village_a1)
    template = ChecklistTemplate.objects.create(name="燃气管道检查表", region=cast.county_a)
    item = ChecklistTemplateItem.objects.create(template=template, sort=1, text="管道无占压、无锈蚀")
    campaign = services.campaign_create(actor=cast.alice, data=campaign_data(checklist=template.pk))
    services.campaign_transition(actor=cast.alice, campaign=campaign, action="activate")
    base = live_server.url

    login(page, base, "gina")
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="未检查对象（2）").click()
    row = page.locator("tbody tr", has_text="凤凰村燃气管道")
    row.get_by_role("link", name="登记检查").click()
    assert page.locator("h1").inner_text() == "登记检查：凤凰村燃气管道"
    page.check(f"input[name=item_{item.pk}][value=fail]")
    page.fill(f"input[name=item_{item.pk}_note]", "管道被违章搭建占压")
    page.select_option("select[name=col_user_type]", "燃气管道")
    page.check("input[name=col_problem_network][value='1']")
    photo = tmp_path / "现场.png"
    photo.write_bytes(png().read())
    page.set_input_files("input[name=photos]", str(photo))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width}px)"
    if os.environ.get("ZHIBEN_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["ZHIBEN_SCREENSHOTS"], "campaign_check_phone.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/campaigns/checks/**")
    assert page.get_by_text("发现问题已登记为 2 条隐患").count() == 1
    check = CampaignCheck.objects.get()
    assert check.place == pipe and check.photos.count() == 1
    for hazard in Hazard.objects.filter(campaign_checks=check):
        assert page.get_by_role("link", name=hazard.number).count() == 1
    assert page.locator(".gallery img").count() == 1
    if os.environ.get("ZHIBEN_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["ZHIBEN_SCREENSHOTS"], "campaign_check_detail.png"), full_page=True
        )
        login(page, base, "alice")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base}/campaigns/{campaign.pk}/")
        page.screenshot(path=os.path.join(os.environ["ZHIBEN_SCREENSHOTS"], "campaign_detail.png"), full_page=True)
        page.goto(f"{base}/campaigns/")
        page.screenshot(path=os.path.join(os.environ["ZHIBEN_SCREENSHOTS"], "campaign_list.png"), full_page=True)
        page.goto(f"{base}/campaigns/{campaign.pk}/edit/")
        page.screenshot(path=os.path.join(os.environ["ZHIBEN_SCREENSHOTS"], "campaign_edit.png"), full_page=True)
        login(page, base, "gina")
    page.goto(f"{base}/campaigns/{campaign.pk}/targets/?checked=0")
    assert page.locator("tbody tr", has_text="凤凰村燃气管道").count() == 0
