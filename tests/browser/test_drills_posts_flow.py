"""On a phone, an enterprise's safety manager records a drill with a site photo (the period's compliance turns
from 未演练 to 已演练) and opens the current 岗位应急处置卡 of one of the enterprise's posts: the latest
version, not the one it replaced, with its A6 print."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from zhiben.drills.models import Drill
from zhiben.posts import services as posts
from zhiben.testing import build_cast

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def png(name):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 80, 40)).save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def compliance_of(page, base, name):
    page.goto(f"{base}/drills/compliance/")
    return page.locator("tbody tr", has_text=name).locator("td[data-label='状态']").inner_text().strip()


def test_phone_records_a_drill_and_opens_the_current_emergency_card(live_server, page):
    cast = Cast()
    build_cast(cast)
    base = live_server.url
    post = posts.post_save(actor=cast.alice, data={"enterprise": cast.enterprise_a.pk, "name": "储罐区操作工"})
    posts.card_save(actor=cast.alice, post=post, kind="emergency", data={"items": "旧版：关闭总阀"})
    posts.card_save(
        actor=cast.alice,
        post=post,
        kind="emergency",
        data={"items": "发现泄漏立即报告班长\n关闭紧急切断阀\n佩戴空气呼吸器撤离至上风向", "note": "按新预案修订"},
    )
    today = timezone.localdate()

    login(page, base, "emma")
    assert compliance_of(page, base, "凤凰化工有限公司") == "未演练"

    # record the drill from the phone, with a photo taken on site
    page.goto(f"{base}/drills/")
    page.get_by_role("link", name="登记演练").click()
    assert page.locator("select[name=enterprise]").count() == 0  # an enterprise records its own
    page.select_option("select[name=kind]", "onsite")
    page.fill("input[name=held_on]", today.isoformat())
    page.fill("input[name=participants]", "12")
    page.fill("textarea[name=scenario]", "储罐区苯泄漏，现场人员按处置卡处置并疏散")
    page.fill("textarea[name=evaluation]", "处置及时，呼吸器佩戴动作需加强")
    page.set_input_files("input[name=photos]", files=[png("演练现场.png")])
    assert fits_the_screen(page)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/drills/*/")
    assert "演练已登记" in page.content()
    assert page.locator("img[alt='演练现场.png']").count() == 1
    assert fits_the_screen(page)
    drill = Drill.objects.get()
    assert (drill.enterprise_id, drill.participants, drill.photos.count()) == (cast.enterprise_a.pk, 12, 1)
    assert compliance_of(page, base, "凤凰化工有限公司") == "已演练"

    # the post's current 岗位应急处置卡
    page.goto(f"{base}/posts/")
    page.get_by_role("link", name="储罐区操作工").first.click()
    page.wait_for_url(f"{base}/posts/{post.pk}/")
    section = page.locator("section.card", has_text="岗位应急处置卡")
    section.get_by_role("link", name="现行版本").click()
    page.wait_for_url(f"{base}/posts/{post.pk}/cards/emergency/")
    text = page.locator("main").inner_text()
    assert "第2版" in text
    assert "佩戴空气呼吸器撤离至上风向" in text
    assert "旧版：关闭总阀" not in text
    assert "此为历史版本" not in text
    assert fits_the_screen(page)
    pdf = page.request.get(f"{base}{page.get_by_role('link', name='打印（A6 PDF）').get_attribute('href')}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
