"""A member of the public reports a hazard anonymously from a phone, with a photo; the town's department
verifies it into a hazard; the reporter, with only the code and secret, reads the outcome."""

import io

import pytest

from zhiben.hazards.models import Hazard
from zhiben.reports.models import Report
from zhiben.testing import build_cast

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def photo_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_anonymous_phone_report_is_verified_and_the_reporter_reads_the_outcome(live_server, page):
    cast = Cast()
    build_cast(cast)
    base = live_server.url

    # the poster's QR code opens the form with the town chosen
    page.goto(f"{base}/report/?region={cast.town_a1.code}")
    page.select_option("select[name=category]", "hazchem")
    page.locator("select.region-level").nth(2).select_option(cast.village_a1.code)
    assert page.input_value("input[name=region]") == cast.village_a1.code
    page.fill("input[name=address]", "凤凰村工业路8号后门")
    page.fill("textarea[name=description]", "后门空地上堆了二十多桶油漆稀释剂，没有遮挡，旁边有人抽烟。")
    page.set_input_files(
        "input[name=photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    assert page.is_checked("input[name=anonymous][value='1']")
    assert page.locator("#named-fields").is_hidden()
    page.wait_for_selector("#submit-report:enabled", timeout=60_000)  # the proof of work, in the page's own JS
    page.click("#submit-report")
    page.wait_for_url(f"{base}/report/done/")
    code = page.inner_text("#report-code").strip()
    secret = page.inner_text("#report-secret").strip()
    report = Report.objects.get(code=code)
    assert report.anonymous and report.reporter_name == "" and report.photos.count() == 1
    assert report.unit == cast.unit_emergency_a1  # 危险化学品 → the department supervising it (管行业必须管安全)

    # the department accepts it and verifies it into a hazard
    login(page, base, "erin")
    page.goto(f"{base}/reports/")
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="受理").click()
    page.wait_for_load_state()
    page.locator("details", has_text="核查属实").locator("summary").click()
    form = page.locator("form[action$='/act/verify/']")
    form.locator("textarea[name=hazard_description]").fill(
        "工业路8号后门露天堆放油漆稀释剂约20桶，未设防火分隔，现场有吸烟痕迹"
    )
    form.locator("textarea[name=reply]").fill(
        "经现场核查，反映情况属实，已责令该单位立即清理转移，纳入隐患台账跟踪整改。"
    )
    form.get_by_role("button", name="核查属实").click()
    page.wait_for_load_state()
    assert page.get_by_text("已形成隐患").count() == 1
    report.refresh_from_db()
    hazard = Hazard.objects.get(pk=report.hazard_id)
    assert hazard.channel == "public" and hazard.source_ref == code and hazard.found_by == "群众举报"

    # the reporter comes back with the code and secret only
    page.context.clear_cookies()
    page.goto(f"{base}/report/track/")
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.fill("input[name=secret]", secret)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"{base}/report/track/status/")
    assert page.inner_text("#report-status").strip() == "属实"
    assert "已责令该单位立即清理转移" in page.inner_text("#replies")
    assert "凤凰镇应急办" in page.inner_text("#replies")
