"""The files themselves: PDF text and fonts (pdftotext, pdffonts), DOCX page geometry and fonts."""

import io
import shutil
import unittest

from django.test import SimpleTestCase
from docx import Document as Docx
from docx.oxml.ns import qn

from zhiben.documents import services
from zhiben.documents.render import LINE_PT, Layout, paragraph_runs, render_docx, render_html, render_pdf
from zhiben.hazards.documents import Kind
from zhiben.testing import CastTestCase

from .helpers import listed_hazard, pdf_fonts, pdf_text, read

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")


@unittest.skipUnless(POPPLER, "poppler-utils (pdftotext, pdffonts) not installed")
class IssuedFileTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hazard = listed_hazard(cls)
        cls.document = services.document_issue(
            actor=cls.alice,
            kind=Kind.LISTING_NOTICE,
            subject=cls.hazard,
            extra={"联系人": "王敏", "联系电话": "023-65000000"},
        )

    def test_pdf_has_the_chinese_title_and_number_as_text(self):
        text = pdf_text(read(self.document.pdf))
        flat = "".join(text.split())
        self.assertIn("重大事故隐患挂牌督办通知书", flat)
        self.assertIn(self.document.number, flat)
        self.assertRegex(self.document.number, r"^沙安办〔\d{4}〕1号$")
        self.assertIn("沙坪坝区安委办", flat)
        self.assertIn("凤凰化工有限公司：", flat)
        self.assertIn(self.hazard.number, flat)
        self.assertIn("联系人：王敏", flat)
        self.assertIn("—1—", flat)

    def test_pdf_embeds_cjk_fonts_only(self):
        fonts = pdf_fonts(read(self.document.pdf))
        self.assertTrue(fonts)
        for row in fonts:
            name = row[0]
            self.assertRegex(name, r"CJK|WenQuanYi|ZenHei", f"非中文字体：{name}")
            self.assertEqual(row[-5], "yes", f"字体未嵌入：{name}")

    def test_docx_is_a4_with_gbt9704_margins_and_chinese_fonts(self):
        doc = Docx(io.BytesIO(read(self.document.docx)))
        section = doc.sections[0]

        def mm(emu):
            return round(emu / 36000, 1)

        self.assertEqual((mm(section.page_width), mm(section.page_height)), (210, 297))  # A4
        self.assertEqual((mm(section.top_margin), mm(section.left_margin)), (37, 28))
        self.assertEqual(mm(section.page_width - section.left_margin - section.right_margin), 156)  # text block
        self.assertEqual(mm(section.page_height - section.top_margin - section.bottom_margin), 225)
        grid = section._sectPr.find(qn("w:docGrid"))
        self.assertEqual(grid.get(qn("w:linePitch")), str(round(LINE_PT * 20)))
        texts = [p.text for p in doc.paragraphs]
        self.assertIn("重大事故隐患挂牌督办通知书", texts)
        self.assertIn(self.document.number, texts)
        fonts = {r.element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs}
        self.assertLessEqual({"方正小标宋简体", "仿宋_GB2312", "黑体"}, fonts)
        issuer = next(p for p in doc.paragraphs if p.text == "沙坪坝区安委办")
        self.assertEqual(str(issuer.runs[0].font.color.rgb), "FF0000")
        number = next(p for p in doc.paragraphs if p.text == self.document.number)
        self.assertIn("FF0000", number._p.xml.split("w:pBdr")[1])  # the red separator line
        title = next(p for p in doc.paragraphs if p.text == "重大事故隐患挂牌督办通知书")
        self.assertEqual(title.runs[0].font.size.pt, 22)
        footer = section.footer.paragraphs[0]
        self.assertIn("PAGE", footer._p.xml)
        self.assertTrue(doc.settings.odd_and_even_pages_header_footer)


class LayoutTests(SimpleTestCase):
    layout = Layout(
        issuer="凤凰镇安委办",
        number="凤安办〔2024〕12号",
        title="事故隐患整改销号审批表",
        date="2024年6月12日",
        form=True,
        table=[("单位名称", "凤凰化工有限公司"), ("审核意见", "同意销号")],
        paragraphs=["注：附照片。"],
    )

    def test_form_has_a_table_and_no_red_header(self):
        page = render_html(self.layout)
        self.assertIn("<table>", page)
        self.assertIn("签字（盖章）", page)
        self.assertNotIn('class="issuer"', page)
        doc = Docx(io.BytesIO(render_docx(self.layout)))
        self.assertEqual(len(doc.tables), 1)
        self.assertEqual(doc.tables[0].cell(0, 0).text, "单位名称")
        texts = [p.text for p in doc.paragraphs]
        self.assertLessEqual(
            {"编号：凤安办〔2024〕12号", "制表单位：凤凰镇安委办", "制表日期：2024年6月12日"}, set(texts)
        )

    def test_heading_rules(self):
        self.assertEqual(paragraph_runs("一、落实治理责任"), [("一、落实治理责任", "hei")])
        self.assertEqual(
            paragraph_runs("（二）限期整改。该隐患须按期整改。"),
            [("（二）限期整改。", "kai"), ("该隐患须按期整改。", "body")],
        )
        self.assertEqual(paragraph_runs("四、逾期未整改的，将予以通报。"), [("四、逾期未整改的，将予以通报。", "body")])
        self.assertEqual(paragraph_runs("经检查，你单位存在隐患。"), [("经检查，你单位存在隐患。", "body")])
        long_first = "一、请被约谈人员准时参加并携带隐患整改情况和下一步计划的书面材料。无故不参加的予以通报。"
        self.assertEqual(paragraph_runs(long_first), [(long_first, "body")])

    def test_text_is_escaped_in_html(self):
        layout = Layout(
            issuer="单位",
            number="X〔2024〕1号",
            title="<b>标题</b>",
            date="2024年1月1日",
            paragraphs=["<script>x</script>"],
        )
        page = render_html(layout)
        self.assertNotIn("<script>x", page)
        self.assertIn("&lt;b&gt;标题", page)

    @unittest.skipUnless(POPPLER, "poppler-utils not installed")
    def test_form_pdf_text(self):
        flat = "".join(pdf_text(render_pdf(self.layout)).split())
        self.assertIn("事故隐患整改销号审批表", flat)
        self.assertIn("凤安办〔2024〕12号", flat)
