"""批量处理 on a phone (static/zhiben/batch.js): the chosen step offers only the rows it applies to, 全选本页 takes
those, a step that needs a reason asks for it before sending, and the ledger comes back saying what was done."""

import pytest

from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import ready, report

from .helpers import cast_built, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choose_the_rows_a_step_applies_to_and_give_the_reason_it_needs(live_server, page):
    cast = cast_built()
    new = [report(cast.gina, cast.enterprise_a, description=f"新报隐患{n}") for n in (1, 2)]
    rectifying = ready(
        report(cast.gina, cast.enterprise_a, description="整改中的隐患"), cast.alice, status="rectifying"
    )
    login(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/hazards/")
    box = lambda hazard: page.locator(f'input[name=ids][value="{hazard.pk}"]')  # noqa: E731
    chosen = page.locator("[data-chosen]")

    page.select_option("select[name=action]", "verify")
    assert box(rectifying).is_disabled() and not box(new[0]).is_disabled()
    page.get_by_text("全选本页").wait_for()  # the cards have no header row: 全选 stands above them
    page.locator("th.choose input").check()
    assert box(new[0]).is_checked() and box(new[1]).is_checked() and not box(rectifying).is_checked()
    assert chosen.inner_text().startswith("已选 2 条")

    page.select_option("select[name=action]", "reject")
    assert page.get_attribute("input[name=note]", "placeholder") == "须填写理由"
    page.click("form#batch button[type=submit]")  # no reason: the browser asks for it, nothing is sent
    assert page.evaluate("document.querySelector('input[name=note]').validity.valueMissing")
    assert {Hazard.objects.get(pk=h.pk).status for h in new} == {Status.REPORTED}

    page.fill("input[name=note]", "经核查不属于事故隐患")
    page.click("form#batch button[type=submit]")
    page.get_by_text("已对 2 条隐患执行“不予认定”").wait_for()
    assert {Hazard.objects.get(pk=h.pk).status for h in new} == {Status.REJECTED}
    assert Hazard.objects.get(pk=rectifying.pk).status == Status.RECTIFYING


def test_ticked_messages_marked_read_without_a_note(live_server, page):
    from zhiben.notifications.models import Notification
    from zhiben.notifications.services import notify

    cast = cast_built()
    for n in range(3):
        notify(subject=f"隐患消息{n}", users=[cast.alice])
    notes = list(Notification.objects.filter(recipient=cast.alice, channel="inbox").order_by("subject"))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_text("全选本页").wait_for()
    assert page.locator("form#batch input[name=note]").count() == 0
    page.click("form#batch button[type=submit]")  # nothing ticked: told so, nothing sent
    assert page.locator("[data-chosen]").inner_text() == "请先勾选要处理的消息。"
    for note in notes[:2]:
        page.locator(f'input[type=checkbox][name=ids][value="{note.pk}"]').check()
    assert page.locator("[data-chosen]").inner_text().startswith("已选 2 条")
    page.click("form#batch button[type=submit]")
    page.get_by_text("已将 2 条消息标为已读").wait_for()
    unread = Notification.objects.filter(recipient=cast.alice, read_at__isnull=True)
    assert list(unread.values_list("subject", flat=True)) == ["隐患消息2"]
    assert errors == []
