"""One 重大 hazard from a grid worker's phone to sign-off, then found closed in the ledger export."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import PLAN, png_bytes
from zhiben.testing import build_cast

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def png_file(name, color):
    return {"name": name, "mimeType": "image/png", "buffer": png_bytes(color)}


def act(page, action, note=""):
    if note:
        page.fill("#transition-form textarea[name=note]", note)
    page.click(f"button[data-action={action}]")
    page.wait_for_load_state()


def test_major_hazard_from_phone_report_to_closed_in_export(live_server, page, tmp_path):
    cast = Cast()
    build_cast(cast)
    base = live_server.url

    # 1. the grid worker reports from her phone, with a photo taken on site
    login(page, base, "gina")
    page.goto(f"{base}/hazards/report/")
    page.select_option("select[name=enterprise]", str(cast.enterprise_a.pk))
    page.select_option("select[name=channel]", "supervision")
    page.select_option("select[name=level]", "major")
    page.select_option(
        "select[name=criteria_item]",
        label=next(
            o for o in page.locator("select[name=criteria_item] option").all_inner_texts() if "第十一条第（六）项" in o
        ),
    )
    page.fill("textarea[name=description]", "粉尘爆炸危险场所使用非防爆电气设备")
    page.fill("input[name=location]", "抛光车间")
    page.set_input_files("input[name=photos]", files=[png_file("现场.png", (200, 40, 40))])
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    page.click("button[type=submit]")
    page.get_by_text("已上报").first.wait_for()  # the form is sent in the background (offline.js)
    hazard = Hazard.objects.get(description="粉尘爆炸危险场所使用非防爆电气设备")
    assert page.get_by_text(f"隐患 {hazard.number} 已上报").count() == 1
    assert hazard.attachments.count() == 1

    # 2. the department supervising the industry verifies
    login(page, base, "erin")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "verify", "现场核实属实")
    assert Hazard.objects.get(pk=hazard.pk).status == "verified"

    # 3. the county 安委办 lists it (挂牌督办)
    login(page, base, "alice")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    page.click("button[data-action=list]")
    page.wait_for_load_state()
    assert Hazard.objects.get(pk=hazard.pk).listed_unit == cast.unit_office_a

    # 4. the enterprise fills the plan, starts, uploads after-photos and applies for sign-off
    login(page, base, "emma")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    for name, value in PLAN.items():
        page.fill(f"[name={name}]", value)
    page.click("text=保存方案")
    page.wait_for_load_state()
    act(page, "start")
    assert Hazard.objects.get(pk=hazard.pk).status == "rectifying"
    page.select_option("select[name=kind]", "after")
    page.set_input_files("input[name=files]", files=[png_file("整改后.png", (40, 180, 60))])
    page.click("text=上传")
    page.get_by_text("已上传 1 个文件").first.wait_for()  # sent in the background (an offline form)
    act(page, "submit")
    assert Hazard.objects.get(pk=hazard.pk).status == "submitted"

    # 5. the listing unit signs it off
    login(page, base, "alice")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "close", "验收合格，同意销号")
    hazard.refresh_from_db()
    assert hazard.status == "closed"
    page.screenshot(path=str(tmp_path / "closed.png"), full_page=True)
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("上报", "核实确认", "挂牌督办", "开始整改", "上传证据", "申请销号", "审核销号"):
        assert step in timeline

    # 6. the ledger export of closed hazards contains it, marked 已销号
    with page.expect_download() as download:
        page.goto(f"{base}/hazards/?status=closed")
        page.click("text=导出Excel")
    rows = list(load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active.iter_rows(values_only=True))
    [row] = [r for r in rows[1:] if r[1] == hazard.number]
    assert row[rows[0].index("状态")] == "已销号"
    assert row[rows[0].index("挂牌督办")].startswith("沙坪坝区安委办")
