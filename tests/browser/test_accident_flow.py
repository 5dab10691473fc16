"""A town's department records an accident reported by phone, sees its grade and the reporting clocks, and
closes the investigation only once all four "不放过" items are done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhiben.accidents import services
from zhiben.accidents.models import Accident
from zhiben.testing import build_cast

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def minute(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_record_an_accident_and_close_it_after_the_four_checks(live_server, page):
    cast = Cast()
    build_cast(cast)
    base = live_server.url
    occurred = timezone.now() - timedelta(minutes=40)

    # 1. erin takes the phone call and records it
    login(page, base, "erin")
    page.goto(f"{base}/accidents/")
    page.get_by_role("link", name="报告事故").click()
    page.wait_for_url(f"{base}/accidents/new/")
    page.fill("input[name=enterprise]", "凤凰化工有限公司")
    page.fill("input[name=occurred_at]", minute(occurred))
    page.fill("input[name=learned_at]", minute(occurred + timedelta(minutes=5)))
    page.fill("input[name=reported_at]", minute(occurred + timedelta(minutes=20)))
    page.fill("input[name=recipient]", "凤凰镇应急办值班室")
    page.select_option("select[name=type]", "explosion")
    page.fill("input[name=deaths]", "3")
    page.fill("input[name=serious_injuries]", "1")
    page.fill("textarea[name=account]", "反应釜升温失控发生爆炸，三名操作工当场死亡，一人重伤，现场已疏散并封控。")
    page.get_by_role("button", name="报告").click()
    page.locator("#grade").wait_for()  # the accident's page (the form is sent in the background: offline.js)
    accident = Accident.objects.get()
    assert page.inner_text("#grade").strip() == "较大事故"
    assert page.inner_text("#casualties").strip() == "死亡3人、重伤1人"
    clocks = page.inner_text("#clocks")
    assert "按时报告" in clocks  # the county, reported 15 minutes after learning
    assert "计时中" in clocks  # the city and the province
    assert "省级人民政府应急管理部门" in clocks
    assert page.inner_text("#status").strip() == "已接报"

    # 2. the investigation, kept short through the services: approved, parties dealt with, measures done
    alice = cast.alice
    services.investigation_start(
        actor=alice, accident=accident, data={"lead_unit": "沙坪坝区人民政府", "leader": "李明"}
    )
    services.investigation_update(
        actor=alice,
        accident=accident,
        data={"causes": "直接原因：温控联锁被摘除；间接原因：变更管理缺失，培训不到位。"},
    )
    services.investigation_submit(actor=alice, accident=accident, data={})
    services.accident_approve(actor=alice, accident=accident, data={"approval_number": "沙府复〔2026〕7号"})
    party = services.party_add(
        actor=alice,
        accident=accident,
        data={"name": "凤凰化工有限公司", "kind": "enterprise", "responsibility": "主体责任"},
    )
    services.party_handle(actor=alice, party=party, data={"handling": "罚款100万元"})
    measure = services.measure_add(
        actor=alice,
        accident=accident,
        data={
            "text": "恢复温控联锁并纳入变更管理",
            "responsible": "凤凰化工有限公司",
            "deadline": timezone.localdate(),
        },
    )
    services.measure_done(actor=alice, measure=measure)

    # 3. closing is refused while nobody has been educated
    page.reload()
    assert page.inner_text("#status").strip() == "已批复"
    page.click("#close-case")
    page.wait_for_load_state()
    assert "有关人员未受到教育不放过" in page.inner_text(".messages")
    assert page.inner_text("#status").strip() == "已批复"
    assert Accident.objects.get().status == "approved"

    # 4. the education is recorded on the page, then the case closes
    page.locator("details", has_text="调查情况（原因、警示教育）").locator("summary").click()
    form = page.locator(f"form[action$='/accidents/{accident.pk}/do/update/']")
    form.locator("input[name=education_on]").fill(timezone.localdate().isoformat())
    form.locator("input[name=education_note]").fill("全镇危化企业负责人警示教育会，96人参加")
    form.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已保存调查情况" in page.inner_text(".messages")
    assert "未做到" not in page.inner_text("#four-checks")
    page.click("#close-case")
    page.wait_for_load_state()
    assert page.inner_text("#status").strip() == "已结案"
    assert Accident.objects.get().status == "closed"
    assert page.locator("#close-case").count() == 0
