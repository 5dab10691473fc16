"""A phone without a network (static/zhiben/offline.js, the service worker, core.offline): the hazard form opens from
what the phone kept, what is reported is kept on the phone, and it is sent once when the network is back; a report
the server sends back is opened again, corrected and sent; another user of the phone never sends it."""

import pytest

from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import png_bytes

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = "() => caches.open('zhiben-pages').then(c => c.match('/hazards/report/')).then(found => !!found)"
QUEUED = """() => new Promise(resolve => {
  const open = indexedDB.open('zhiben', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('queue', {keyPath: 'key'});
  open.onsuccess = () => { const all = open.result.transaction('queue').objectStore('queue').getAll();
    all.onsuccess = () => resolve(all.result.map(i => [i.summary, i.state, i.note])); };
})"""


def ready_offline(page, base, username="gina"):
    """Signed in on the phone, online, until it keeps the hazard form for offline use."""
    cast = cast_built()
    login(page, base, username)
    page.goto(f"{base}/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    for _ in range(100):  # the forms this user may fill in are kept once the service worker runs
        if page.evaluate(KEPT):
            return cast
        page.wait_for_timeout(100)
    raise AssertionError("the hazard form was not kept for offline use")


def report_offline(page, cast, description, *, level="general", photo=None):
    page.select_option("select[name=enterprise]", str(cast.enterprise_a.pk))
    page.fill("textarea[name=description]", description)
    page.select_option("select[name=level]", level)
    if photo:
        page.set_input_files("input[name=photos]", files=[photo])
    page.click("button[type=submit]")
    page.locator(".kept-note").filter(has_text=description[:10]).wait_for()


def test_hazards_reported_offline_are_sent_once_when_the_network_is_back(live_server, page):
    base = live_server.url
    cast = ready_offline(page, base)
    photo = {"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes((200, 40, 40))}

    page.context.set_offline(True)
    page.goto(f"{base}/hazards/report/")  # opens from what the phone kept
    assert page.locator("h1").inner_text() == "上报隐患"
    report_offline(page, cast, "村口加油站消防器材缺失", photo=photo)
    assert "待发送 1 条" in page.locator(".kept-note").inner_text()
    assert page.input_value("textarea[name=description]") == ""  # emptied for the next one
    report_offline(page, cast, "砖厂传送带防护罩缺失")
    assert "待发送 2 条" in page.locator(".kept-note").inner_text()

    page.goto(f"{base}/enterprises/")  # a page the phone did not keep: the offline page, with what waits
    assert page.locator("h1").inner_text() == "离线与待发送"
    queue = page.locator("[data-queue-list]")
    queue.get_by_text("砖厂传送带防护罩缺失").wait_for()
    assert "含 1 个文件" in queue.inner_text()
    assert not Hazard.objects.filter(description__in=["村口加油站消防器材缺失", "砖厂传送带防护罩缺失"]).exists()

    page.goto("about:blank")  # (an open page of the user's would send them itself, as the network comes back)
    page.context.set_offline(False)
    page.goto(f"{base}/")
    note = page.locator(".sent-note")
    note.wait_for()
    assert "已发送本机保存的 2 条内容" in note.inner_text()
    first = Hazard.objects.get(description="村口加油站消防器材缺失")  # one each: nothing twice
    assert Hazard.objects.filter(description="砖厂传送带防护罩缺失").count() == 1
    assert first.reporter == cast.gina
    with first.attachments.get().file.open("rb") as f:
        assert f.read() == photo["buffer"]
    assert page.evaluate(QUEUED) == []
    page.goto(f"{base}/offline/")
    page.locator("[data-sent-list]").get_by_text("村口加油站消防器材缺失").wait_for()

    # the queue sent again (a lost answer, a second tab): the server answers with the first save, saves nothing
    page.evaluate("() => window.ZhibenOffline.sync()")
    assert Hazard.objects.filter(description="村口加油站消防器材缺失").count() == 1


def test_a_report_sent_back_is_opened_corrected_and_sent(live_server, page):
    base = live_server.url
    cast = ready_offline(page, base)
    page.context.set_offline(True)
    page.goto(f"{base}/hazards/report/")
    report_offline(page, cast, "液氨储罐区未设置泄漏报警", level="major")  # a 重大 hazard needs its criteria
    page.context.set_offline(False)
    page.goto(f"{base}/")
    bar = page.locator(".queue-bar")
    bar.filter(has_text="1 条被退回需修改").wait_for()
    assert page.evaluate(QUEUED)[0][1:] == ["returned", "重大隐患须选择判定依据条款，或说明认定理由。"]

    bar.get_by_role("link", name="查看").click()
    page.get_by_text("重大隐患须选择判定依据条款").first.wait_for()
    page.get_by_role("button", name="打开修改").click()
    page.locator(".kept-note").filter(has_text="退回原因").wait_for()
    assert page.input_value("textarea[name=description]") == "液氨储罐区未设置泄漏报警"
    page.select_option("select[name=level]", "general")
    page.click("button[type=submit]")
    page.get_by_text("已上报").first.wait_for()
    assert Hazard.objects.filter(description="液氨储罐区未设置泄漏报警").count() == 1
    assert page.evaluate(QUEUED) == []


def test_what_one_user_kept_is_never_sent_as_another(live_server, page):
    base = live_server.url
    cast = ready_offline(page, base)
    page.context.set_offline(True)
    page.goto(f"{base}/hazards/report/")
    report_offline(page, cast, "网格员离线记录的隐患")
    page.context.set_offline(False)
    login(page, base, "erin")  # the phone handed over: gina's session ended without signing out
    page.goto(f"{base}/")
    page.wait_for_timeout(500)
    assert page.locator(".queue-bar").count() == 0
    assert not Hazard.objects.filter(description="网格员离线记录的隐患").exists()
    forms = page.evaluate(f"() => localStorage.getItem('zhiben:forms:{cast.gina.pk}')")
    assert forms is None  # the pages kept for gina (her enterprises, her token) were forgotten
    login(page, base, "gina")
    page.goto(f"{base}/")
    page.locator(".sent-note").wait_for()
    assert Hazard.objects.get(description="网格员离线记录的隐患").reporter == cast.gina


def test_rectification_photos_taken_where_the_network_drops_are_sent_once_later(live_server, page):
    from zhiben.hazards.tests.helpers import ready, report

    base = live_server.url
    cast = cast_built()
    hazard = ready(report(cast.gina, cast.enterprise_a), cast.emma, status="rectifying", with_photo=False)
    login(page, base, "emma")
    page.goto(f"{base}/hazards/{hazard.pk}/")  # opened in the office; the photos are taken at the spot
    form = page.locator("form[data-offline]")
    assert "网络不好也可以提交" in page.locator(".offline-help").inner_text()
    photo = {"name": "整改后.png", "mimeType": "image/png", "buffer": png_bytes((40, 160, 60))}

    page.context.set_offline(True)
    form.locator("select[name=kind]").select_option("after")
    form.locator("input[name=files]").set_input_files(files=[photo])
    form.get_by_role("button", name="上传").click()
    page.locator(".kept-note").wait_for()
    assert "待发送 1 条" in page.locator(".kept-note").inner_text()
    assert not hazard.attachments.exists()

    page.context.set_offline(False)
    page.goto(f"{base}/hazards/{hazard.pk}/")  # the queue is sent as a page of the user's opens online
    page.locator(".sent-note").wait_for()
    with hazard.attachments.get(kind="after").file.open("rb") as f:
        assert f.read() == photo["buffer"]
    assert page.evaluate(QUEUED) == []
    kept = "() => caches.open('zhiben-pages').then(c => c.keys()).then(keys => keys.map(k => k.url))"
    assert not [url for url in page.evaluate(kept) if f"/hazards/{hazard.pk}/" in url]  # a record's page is not kept


def test_an_inspection_item_recorded_where_the_network_drops_is_sent_once_later(live_server, page):
    from datetime import timedelta

    from django.utils import timezone

    from zhiben.inspections import services
    from zhiben.inspections.models import InspectorCredential

    base, cast = live_server.url, cast_built()
    InspectorCredential.objects.create(user=cast.erin, number="ZF1", valid_until=timezone.localdate() + timedelta(30))
    checklist = services.checklist_save(actor=cast.alice, data={"name": "危化品检查表"})
    services.checklist_add_items(actor=cast.alice, template=checklist, texts=["消防通道畅通", "灭火器在有效期内"])
    inspection = services.inspection_create(
        actor=cast.erin, data={"kind": "supervision", "enterprise": cast.enterprise_a.pk, "inspectors": [cast.erin.pk]}
    )
    inspection = services.inspection_transition(
        actor=cast.erin, inspection=inspection, action="start", checklist=checklist
    )
    first, second = inspection.items.order_by("sort")
    login(page, base, "erin")
    page.goto(f"{base}{inspection.get_absolute_url()}")
    assert page.locator("form[data-offline]").count() == 2
    assert page.locator(".offline-help").count() == 1  # said once for the page's forms
    photo = {"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes((200, 120, 40))}

    page.context.set_offline(True)
    form = page.locator(f"form[action$='/items/{second.pk}/']")
    form.locator("input[name=result][value=fail]").check()
    form.locator("textarea[name=note]").fill("灭火器过期")
    form.locator("input[name=photos]").set_input_files(files=[photo])
    form.get_by_role("button", name="保存").click()
    page.locator(".kept-note").wait_for()
    second.refresh_from_db()
    assert not second.result

    page.context.set_offline(False)
    page.goto(f"{base}{inspection.get_absolute_url()}")
    page.locator(".sent-note").wait_for()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.result, second.note, second.photos.count()) == ("fail", "灭火器过期", 1)
    assert not first.result  # the other item's form was left as it was
    assert page.evaluate(QUEUED) == []
