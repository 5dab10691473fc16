"""Evidence from a phone in the field (static/zhiben/uploads.js): a large photo is shrunk on the phone before it is
sent; a dropped network during a larger upload leaves the form filled in with a message (nothing saved), or, on a form
filled in offline, keeps the submission on the phone to be sent later; and the answers of a submission (the next page
with its message, or the form with the server's error) show as a plain post would show them."""

import io
import re

import pytest
from django.conf import settings
from PIL import Image

from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import png_bytes, report
from zhiben.reports.models import Report

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def camera_photo(width=4000, height=3000):
    """A 12-megapixel JPEG with a phone photo's grain: several MB, as phones take them."""
    grain = Image.effect_noise((width, height), 40)
    picture = Image.merge("RGB", (grain, Image.linear_gradient("L").resize((width, height)), grain))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.fixture
def page(routed_page):
    """This module drops the network with `page.route`: its pages run without the service worker (see conftest)."""
    return routed_page


@pytest.fixture
def report_form(live_server, page):
    """(cast, base URL), with gina, a village grid worker, on the hazard report form of her phone."""
    cast = cast_built()
    login(page, live_server.url, "gina")
    page.goto(f"{live_server.url}/hazards/report/")
    return cast, live_server.url


def fill_report(page, cast, description):
    page.select_option("select[name=enterprise]", str(cast.enterprise_a.pk))
    page.select_option("select[name=channel]", "supervision")
    page.fill("textarea[name=description]", description)
    page.fill("input[name=location]", "仓库")


def test_a_large_photo_is_shrunk_on_the_phone_before_it_is_sent(report_form, page):
    cast, _ = report_form
    photo = camera_photo()
    assert len(photo) > 3 * 1024 * 1024
    fill_report(page, cast, "仓库内电动车违规充电")
    page.set_input_files(
        "input[name=photos]", files=[{"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.click("button[type=submit]")  # while the photo is being shrunk: the form waits for it, then posts
    page.get_by_text("已上报").first.wait_for()

    hazard = Hazard.objects.get(description="仓库内电动车违规充电")
    assert page.url.rstrip("/").endswith(f"/hazards/{hazard.pk}")  # the address is the hazard's page, as after a post
    attachment = hazard.attachments.get()
    assert attachment.original_name == "IMG_0001.jpg"
    assert attachment.size < len(photo) / 3
    with attachment.file.open("rb") as f, Image.open(f) as stored:
        assert max(stored.size) == settings.PHOTO_SHRINK_PX
        assert stored.size == (settings.PHOTO_SHRINK_PX, settings.PHOTO_SHRINK_PX * 3 // 4)


def drop_posts(route):
    if route.request.method == "POST":
        route.abort("internetdisconnected")
    else:
        route.continue_()


def test_a_dropped_network_keeps_the_form_and_a_retry_saves_it_once(live_server, page):
    """On a form that is not kept offline (the public's report: nobody is signed in to keep it for), the upload that
    fails stays in the form, and a second press sends it."""
    from zhiben.reports.models import Report

    cast, base = cast_built(), live_server.url
    page.goto(f"{base}/report/?region={cast.town_a1.code}")
    form_url = re.compile(r"/report/(\?.*)?$")  # the form posts to its own address
    page.route(form_url, drop_posts)
    page.select_option("select[name=category]", "hazchem")
    page.locator("select.region-level").nth(2).select_option(cast.village_a1.code)
    page.fill("input[name=address]", "凤凰村工业路8号")
    page.fill("textarea[name=description]", "配电房门口堆放杂物，堵住了消防通道。")
    photo = camera_photo(1000, 750)  # over 256 KB (sent in the background), under 1 MB (not shrunk)
    assert 256 * 1024 < len(photo) < 1024 * 1024
    page.set_input_files("input[name=photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    upload = page.locator("#submit-report")
    page.wait_for_selector("#submit-report:enabled", timeout=60_000)  # the proof of work
    upload.click()
    error = page.locator(".upload-error")
    error.filter(has_text="网络中断").wait_for()
    assert page.eval_on_selector("input[name=photos]", "input => input.files.length") == 1
    assert page.input_value("textarea[name=description]") == "配电房门口堆放杂物，堵住了消防通道。"
    assert upload.is_enabled()
    assert not Report.objects.exists()

    page.unroute(form_url)
    upload.click()
    page.wait_for_url(f"{base}/report/done/")
    report = Report.objects.get()
    assert report.photos.get().size <= len(photo)  # sent once (EXIF stripped on the server)
    assert page.locator(".upload-error").count() == 0


def test_a_report_the_network_dropped_is_kept_on_the_phone_and_sent_once(report_form, page):
    """The hazard report is filled in offline (offline.js): a dropped upload is kept on the phone and sent later."""
    cast, base = report_form
    page.route("**/hazards/report/", drop_posts)
    fill_report(page, cast, "配电房门口堆放杂物")
    photo = camera_photo(1000, 750)
    page.set_input_files("input[name=photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.click("button[type=submit]")
    page.locator(".kept-note").filter(has_text="已保存在本机").wait_for()
    assert page.input_value("textarea[name=description]") == ""  # emptied for the next report
    assert not Hazard.objects.filter(description="配电房门口堆放杂物").exists()

    page.unroute("**/hazards/report/")
    page.goto(f"{base}/")
    page.locator(".sent-note").wait_for()
    hazard = Hazard.objects.get(description="配电房门口堆放杂物")
    assert hazard.attachments.get().size == len(photo)


def test_a_small_upload_is_posted_as_usual(report_form, page):
    cast, base = report_form
    hazard = report(cast.gina, cast.enterprise_a, description="灭火器过期")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    page.set_input_files(
        "input[name=files]", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes((200, 40, 40))}]
    )
    with page.expect_navigation():  # a plain post: the browser navigates, no progress bar
        page.get_by_role("button", name="上传").click()
    assert page.locator(".upload-progress").count() == 0
    assert hazard.attachments.count() == 1


def test_a_refused_file_comes_back_as_the_form_with_the_reason(report_form, page):
    cast, base = report_form
    fill_report(page, cast, "消防通道堵塞")
    fake = {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": "不是图片".encode() * 30_000}  # 360 KB
    page.set_input_files("input[name=photos]", files=[fake])
    page.click("button[type=submit]")
    page.get_by_text("扩展名显示为图片，但内容不是图片").wait_for()
    assert page.url == f"{base}/hazards/report/"
    assert page.input_value("textarea[name=description]") == "消防通道堵塞"  # the form as the server returned it
    assert not Hazard.objects.filter(description="消防通道堵塞").exists()


def test_a_public_report_with_a_phone_photo_reaches_its_receipt(live_server, page):
    """The public form (its own script solves the proof of work) sends a shrunk photo in the background and shows
    the receipt with the code, at the receipt's address."""
    cast = cast_built()
    base = live_server.url
    page.goto(f"{base}/report/?region={cast.town_a1.code}")
    page.select_option("select[name=category]", "hazchem")
    page.fill("input[name=address]", "工业路8号后门")
    page.fill("textarea[name=description]", "后门空地上堆了二十多桶油漆稀释剂，没有遮挡。")
    photo = camera_photo()
    page.set_input_files(
        "input[name=photos]", files=[{"name": "IMG_0002.JPG", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.locator(".upload-note").filter(has_text="已在本机压缩 1 张照片").wait_for()
    page.wait_for_selector("#submit-report:enabled", timeout=60_000)
    page.click("#submit-report")
    page.wait_for_url(f"{base}/report/done/")
    code = page.locator("#report-code").inner_text().strip()
    report = Report.objects.get(code=code)
    stored = report.photos.get()
    with stored.file.open("rb") as f, Image.open(f) as image:
        assert max(image.size) <= settings.PHOTO_SHRINK_PX
