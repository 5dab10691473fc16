"""A short document on one page when it can (issue 25: the automatic 约谈通知书 ran onto a second page that held
only its last lines and the 署名): the 信函格式 head (GB/T 9704-2012 §10.1) and, when needed, lines closer
together; longer documents, one-page ones and 审批表 keep the standard page."""

import io
import shutil
import unittest
from datetime import timedelta

from django.test import SimpleTestCase
from docx import Document as Docx

from zhiben.documents.render import (
    LETTER_PITCHES,
    LINE_PT,
    Layout,
    fit_one_page,
    page_count,
    render_docx,
    render_html,
    render_pdf,
)
from zhiben.escalation import services as escalation
from zhiben.escalation.models import EscalationRecord
from zhiben.hazards.choices import Status
from zhiben.hazards.tests.helpers import major, ready
from zhiben.testing import CastTestCase

from .helpers import pdf_text, read

POPPLER = shutil.which("pdftotext")

# the shape of the automatic 约谈通知书 of the demo: one long paragraph, three items, a request, the contact
NOTICE = [
    "你单位“配电箱未接地，电线私拉乱接（厂区东侧）”事故隐患（隐患编号：YH5001062026000011），整改期限为2026年"
    "10月20日，已逾期47天未完成整改。根据安全生产督办工作有关规定，决定对你单位有关负责人进行约谈。现将有关事项通知如下：",
    "一、约谈对象：主要负责人何秀娟、实际控制人罗磊。",
    "二、约谈时间：2026年12月11日上午9时。",
    "三、约谈地点：凤凰镇应急办会议室。",
    "请被约谈人员准时参加，并携带隐患整改情况、未按期完成的原因和下一步整改计划的书面材料。无正当理由不参加约谈的，将予以通报。",
    "联系人：凤凰镇应急办办公室；联系电话：由凤凰镇应急办另行电话告知。",
]


def layout(paragraphs, **extra):
    return Layout(
        issuer="凤凰镇应急办",
        number="凤应急〔2026〕18号",
        title="约谈通知书",
        date="2026年12月6日",
        addressee="重庆沙创水泥制品有限公司",
        paragraphs=paragraphs,
        **extra,
    )


def pages(pdf):
    return pdf_text(pdf).count("\f")


class FitTests(SimpleTestCase):
    def test_a_notice_spilling_onto_a_second_page_is_set_on_one_in_the_letter_format(self):
        standard = layout(NOTICE)
        self.assertEqual(page_count(standard), 2)
        fitted = fit_one_page(standard)
        self.assertIn(fitted.letter, LETTER_PITCHES)
        self.assertEqual(page_count(fitted), 1)
        page = render_html(fitted)
        self.assertIn('class="letter-rule"', page)  # the red double line under the 发文机关标志
        self.assertIn(f"line-height: {fitted.letter}pt", page)
        # the DOCX draws the same page: 30 mm from the top edge, the double line, the pitch, no page number
        doc = Docx(io.BytesIO(render_docx(fitted)))
        section = doc.sections[0]
        self.assertEqual(round(section.top_margin / 36000, 1), 30)
        issuer = doc.paragraphs[0]
        self.assertEqual(issuer.text, "凤凰镇应急办")
        self.assertIn('w:val="thickThinSmallGap"', issuer._p.xml)
        number = doc.paragraphs[1]
        self.assertEqual((number.text, number.alignment), ("凤应急〔2026〕18号", 2))  # flush right
        self.assertEqual(doc.paragraphs[-1].paragraph_format.line_spacing.pt, fitted.letter)
        self.assertNotIn("PAGE", section.footer.paragraphs[0]._p.xml)

    @unittest.skipUnless(POPPLER, "poppler-utils not installed")
    def test_the_letter_pdf_has_one_page_and_no_page_number(self):
        fitted = fit_one_page(layout(NOTICE))
        pdf = render_pdf(fitted)
        self.assertEqual(pages(pdf), 1)
        flat = "".join(pdf_text(pdf).split())
        self.assertNotIn("—1—", flat)
        self.assertIn("联系人：凤凰镇应急办办公室", flat)
        self.assertTrue(flat.endswith("凤凰镇应急办2026年12月6日"), flat[-40:])

    def test_what_does_not_need_it_or_cannot_fit_keeps_the_standard_page(self):
        short = layout(NOTICE[1:4])
        self.assertEqual(page_count(short), 1)
        self.assertEqual(fit_one_page(short).letter, 0)
        long = layout(NOTICE * 3)
        self.assertGreaterEqual(page_count(long), 2)
        self.assertEqual(fit_one_page(long).letter, 0)
        self.assertIn(f"line-height: {LINE_PT}pt", render_html(fit_one_page(long)))
        form = Layout(
            issuer="凤凰镇安委办",
            number="凤安办〔2024〕12号",
            title="事故隐患整改销号审批表",
            date="2024年6月12日",
            form=True,
            table=[("单位名称", "凤凰化工有限公司")] * 30,
        )
        self.assertIs(fit_one_page(form), form)
        doc = Docx(io.BytesIO(render_docx(long)))
        self.assertEqual(round(doc.sections[0].top_margin / 36000, 1), 37)
        self.assertIn("PAGE", doc.sections[0].footer.paragraphs[0]._p.xml)


@unittest.skipUnless(POPPLER, "poppler-utils not installed")
class AutomaticNoticeTests(CastTestCase):
    """The 约谈通知书 the escalation ladder issues by itself: one page, and no "____" left to fill in."""

    def test_the_automatic_interview_notice_fits_one_page_and_states_its_arrangements(self):
        hazard = ready(major(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        escalation.escalate("hazard", today=hazard.deadline + timedelta(days=30))
        document = EscalationRecord.objects.get(action="interview").document
        self.assertEqual(document.kind, "interview_notice")
        pdf = read(document.pdf)
        self.assertEqual(pages(pdf), 1)
        flat = "".join(pdf_text(pdf).split())
        for label in ("约谈时间：", "约谈地点：", "联系人：", "联系电话："):
            self.assertIn(label, flat)
        self.assertNotIn("____", flat)
        self.assertNotIn("—1—", flat)
        self.assertTrue(flat.endswith(document.context["fields"]["成文日期"]), flat[-30:])
        doc = Docx(io.BytesIO(read(document.docx)))
        self.assertEqual(round(doc.sections[0].top_margin / 36000, 1), 30)
        self.assertIn("thickThinSmallGap", doc.paragraphs[0]._p.xml)
