"""A plan published as PDF is read as text, its paragraphs put back together from the lines of the page
(`core.convert.pdf_text`): the geometric rules on hand-placed lines, and a real PDF through pdftotext."""

import io
import shutil
from pathlib import Path

import pytest
from django.test import override_settings

from zhiben.core.convert import _paragraphs, pdf_text
from zhiben.core.exceptions import ApplicationError
from zhiben.plans.parsing import parse_plan

FIXTURES = Path(__file__).parents[2] / "plans" / "tests" / "fixtures"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")

EM, LEFT, RIGHT, PITCH = 16.0, 90.0, 522.0, 28.0


def line(row, text, *, indent=0, short=0.0, page_top=100.0):
    """A line of 16-point text on row `row` of a page whose lines are 28 points apart: indented by `indent`
    characters, ending `short` characters before the right margin."""
    y0 = page_top + row * PITCH
    return (LEFT + indent * EM, RIGHT - short * EM, y0, y0 + EM, text)


def test_lines_run_on_until_a_short_line_an_indent_an_item_number_or_a_space():
    page = [
        [
            line(0, "关于开展安全生产大检查的通知", indent=8, short=8),  # a centred title
            line(1, "各村（社区）：为深入贯彻落实上级部署，结合", indent=2),
            line(2, "实际，制定本方案。"),  # the run-on line of a justified paragraph
            line(3, "一、工作任务", short=20),
            line(4, "镇应急办牵头开展全面排查，对照标准逐项", indent=2),
            line(5, "检查，2024 年 6 月底前完成。", short=12),
            line(6, "（一）建立台账。各村建立隐患台账，做到"),  # an item's number at the margin
            line(7, "底数清、情况明，每月更新一次，报镇安委办备案。"),  # full: it would run on
            line(9, "附件：检查表", short=22),  # but a line's worth of space sets this one apart
        ]
    ]
    assert _paragraphs([page]) == [
        "关于开展安全生产大检查的通知",
        "各村（社区）：为深入贯彻落实上级部署，结合实际，制定本方案。",
        "一、工作任务",
        "镇应急办牵头开展全面排查，对照标准逐项检查，2024 年 6 月底前完成。",
        "（一）建立台账。各村建立隐患台账，做到底数清、情况明，每月更新一次，报镇安委办备案。",
        "附件：检查表",
    ]


def test_a_paragraph_runs_on_over_a_page_break_and_a_left_aligned_line_may_end_short():
    first = [[line(0, "各村要落实网格员巡查责任，每周至少巡查", indent=2), line(1, "一次，发现隐患", short=2.5)]]
    second = [[line(0, "立即上报并跟踪整改。", page_top=80, short=10), line(1, "二、保障措施", page_top=80)]]
    assert _paragraphs([first, second]) == [
        "各村要落实网格员巡查责任，每周至少巡查一次，发现隐患立即上报并跟踪整改。",
        "二、保障措施",
    ]


def test_latin_words_keep_their_spaces_and_chinese_has_none():
    page = [[line(0, "Safety first 原则", indent=2), line(1, "ISO 45001 体系")]]
    assert _paragraphs([page]) == ["Safety first 原则ISO 45001 体系"]


@needs_poppler
def test_a_published_plan_pdf_gives_the_tasks_of_its_text():
    """Seed 003 typeset as a 公文 (仿宋 16 pt, justified, two-character indents, 28 pt lines, page numbers "— N —")
    and saved as PDF by LibreOffice: the same ten tasks as from its text, word for word."""
    from_pdf = parse_plan((FIXTURES / "003_b8649153a1699436.pdf").read_bytes(), "方案.pdf")
    from_text = parse_plan((FIXTURES / "003_b8649153a1699436.txt").read_bytes(), "方案.txt")
    assert len(from_text.tasks) == 10
    assert from_pdf.as_dicts() == from_text.as_dicts()
    assert "— 2 —" not in pdf_text((FIXTURES / "003_b8649153a1699436.pdf").read_bytes())


@needs_poppler
def test_a_scanned_pdf_is_refused_as_holding_no_text():
    from PIL import Image

    scan = io.BytesIO()
    Image.new("RGB", (600, 800), (250, 250, 250)).save(scan, "PDF")
    with pytest.raises(ApplicationError, match="没有可读取的文字（可能是扫描件或图片）"):
        parse_plan(scan.getvalue(), "扫描件.pdf")


@override_settings(PDFTOTEXT="")
def test_without_poppler_a_pdf_is_refused_asking_for_word_or_text():
    with pytest.raises(ApplicationError, match="未安装 PDF 读取程序"):
        parse_plan((FIXTURES / "003_b8649153a1699436.pdf").read_bytes(), "方案.pdf")
