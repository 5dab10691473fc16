"""The county 安委办 records a training of 主要负责人 on the pages, imports its attendance sheet (a bad
sheet first: its rows are named and nothing is written) and sees the coverage figure change."""

import pytest
from django.utils import timezone

from zhiben.core.excel import write_xlsx
from zhiben.testing import build_cast
from zhiben.training import services
from zhiben.training.models import Attendance

from .helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Cast:
    pass


def identity(serial):
    first = f"50010619800101{serial:03d}"
    return first + services.check_digit(first)


def sheet(rows):
    data = write_xlsx(["姓名", "身份证号", "到课", "成绩", "考试结果"], rows)
    data = data.getvalue() if hasattr(data, "getvalue") else data
    return {"name": "签到表.xlsx", "mimeType": XLSX, "buffer": data}


def test_record_a_training_import_attendance_and_see_coverage(live_server, page):
    cast = Cast()
    build_cast(cast)
    base = live_server.url
    for serial, name, enterprise in [(1, "甲总", cast.enterprise_a), (2, "建总", cast.enterprise_a_construction)]:
        services.person_save(
            actor=cast.alice,
            data={"name": name, "kind": "principal", "enterprise": enterprise.pk, "id_number": identity(serial)},
        )
    today = timezone.localdate()

    login(page, base, "alice")
    page.goto(f"{base}/training/coverage/")
    row = page.locator("tr", has_text="重点行业企业主要负责人培训覆盖率")
    assert "0.0%" in row.inner_text()

    # record the training on the page
    page.goto(f"{base}/training/")
    page.get_by_role("link", name="登记培训").click()
    page.fill("input[name=title]", f"{today.year}年主要负责人履职培训")
    page.select_option("select[name=kind]", "principal")
    page.fill("input[name=organiser]", "沙坪坝区安委办")
    page.fill("input[name=held_on]", today.isoformat())
    page.fill("input[name=hours]", "16")
    page.fill("textarea[name=topics]", "重大事故隐患判定标准")
    page.check("input[name=has_exam]")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/training/*/")
    assert "重大事故隐患判定标准" in page.content()

    # a bad sheet: the unknown person is named by row, nothing written
    page.get_by_role("link", name="导入签到表").click()
    page.set_input_files(
        "input[name=file]", sheet([["甲总", identity(1), "是", "90", "合格"], ["某人", identity(9), "是", "", ""]])
    )
    page.get_by_role("button", name="导入").click()
    page.wait_for_load_state()
    assert "第 3 行：" in page.content()
    assert "未写入任何参训记录" in page.content()
    assert not Attendance.objects.exists()

    # the good sheet
    page.set_input_files("input[name=file]", sheet([["甲总", identity(1), "是", "90", "合格"]]))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url(f"{base}/training/*/")
    assert "已导入 1 条参训记录" in page.content()
    assert identity(1) not in page.content()

    page.goto(f"{base}/training/coverage/")
    row = page.locator("tr", has_text="重点行业企业主要负责人培训覆盖率")
    assert "50.0%" in row.inner_text()
    assert "1 / 2" in row.inner_text()
