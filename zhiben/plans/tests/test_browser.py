"""In a browser: import a plan (.docx, merged cells), correct one cell in the preview, commit;
a department user reports progress; the 一张表 changes colour; the 安委办 accepts; it turns green."""

import io
from datetime import date

import pytest

from zhiben.plans.models import Plan, ProgressReport
from zhiben.testing import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Cast:
    pass


def plan_docx(year):
    """A town's annual task list as Word tables do it: the 行动 cell merged down its rows."""
    from docx import Document

    doc = Document()
    doc.add_paragraph(f"凤凰镇{year}年安全生产重点工作任务清单")
    rows = [
        (
            "一、隐患排查治理",
            "开展重大事故隐患大排查，建立台账",
            f"{year}年12月底前",
            "应急",
        ),  # a typo to correct in the preview
        ("一、隐患排查治理", "开展燃气安全专项整治", f"{year + 1}年", "应急办"),
        ("二、宣传教育", "开展安全生产月活动", "每年", "应急办"),
    ]
    table = doc.add_table(rows=1 + len(rows), cols=5)
    for cell, text in zip(table.rows[0].cells, ("序号", "行动名称", "具体任务", "完成时限", "责任单位")):
        cell.text = text
    for i, (action, content, when, unit) in enumerate(rows, start=1):
        cells = table.rows[i].cells
        cells[0].text, cells[2].text, cells[3].text, cells[4].text = str(i), content, when, unit
        if i in (1, 3):
            cells[1].text = action
    table.cell(1, 1).merge(table.cell(2, 1))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def cell_state(page, task_id, column):
    return page.locator(f"tr[data-task='{task_id}'] td.cell").nth(column).get_attribute("data-state")


def test_import_correct_commit_report_and_watch_the_board(live_server, page, tmp_path):
    from tests.browser.helpers import login

    cast = Cast()
    build_cast(cast)
    base = live_server.url
    year = date.today().year

    login(page, base, "alice")
    page.goto(f"{base}/plans/import/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "任务清单.docx",
                "buffer": plan_docx(year),
                "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            }
        ],
    )
    page.select_option("select[name=kind]", "annual_list")
    page.select_option("select[name=region]", cast.town_a1.code)
    page.click("text=上传并预览")
    page.wait_for_load_state()
    assert "/plans/drafts/" in page.url
    assert page.get_by_text("确认导入（3 条任务）").count() == 1
    assert Plan.objects.count() == 0
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    # correct the first row's unit cell ("应急" → "应急办")
    first = page.locator("table.draft-table tbody tr").first
    first.locator("summary").click()
    first.locator("input[name=responsible]").fill("应急办")
    first.locator("button[name=op][value=edit]").click()
    page.wait_for_load_state()
    assert page.locator("table.draft-table tbody tr").first.locator("td").nth(5).inner_text() == "应急办"
    page.click("#confirm-import")
    page.wait_for_load_state()
    plan = Plan.objects.get()
    assert page.url.endswith(f"/plans/{plan.pk}/")
    assert plan.is_published and plan.tasks.count() == 3
    task = plan.tasks.get(sort=1)
    assert task.due_dates == [f"{year}-12-31"]
    assert {a.unit_id for a in task.assignments.all()} == {cast.unit_emergency_a1.pk}

    page.goto(f"{base}/plans/{plan.pk}/board/")
    assert cell_state(page, task.pk, 0) == "not_started"

    # the department reports progress from its phone
    login(page, base, "erin")
    page.goto(f"{base}/plans/tasks/{task.pk}/")
    page.fill("input[name=percentage]", "100")
    page.fill("textarea[name=text]", "全镇企业排查完毕，建立隐患台账")
    page.click("button[data-action=report]")
    page.wait_for_load_state()
    assert ProgressReport.objects.get().status == "pending"
    page.goto(f"{base}/plans/{plan.pk}/board/")
    assert cell_state(page, task.pk, 0) == "in_progress"
    page.screenshot(path=str(tmp_path / "board-reported.png"), full_page=True)

    # the 安委办 accepts the report: the milestone is completed, the cell turns green
    login(page, base, "alice")
    page.goto(f"{base}/plans/reports/")
    page.fill("input[name=note]", "属实")
    page.click("button[data-action=accept]")
    page.wait_for_load_state()
    page.goto(f"{base}/plans/{plan.pk}/board/")
    assert cell_state(page, task.pk, 0) == "completed"
    colour = page.locator(f"tr[data-task='{task.pk}'] td.cell").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour == "rgb(198, 239, 206)"
