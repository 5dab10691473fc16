"""Tables and pictures in a document's body (any kind may use them): "｜…｜" lines become one table in the
DOCX and the PDF, "![说明](documents/images/…)" a picture stored by content; a picture that cannot be
read prints as a bracketed note, never an error; column widths follow the text."""

import base64
import io
import shutil
import subprocess
import tempfile
import unittest

from django.test import SimpleTestCase, override_settings
from docx import Document as Docx
from PIL import Image

from zhiben.documents.render import (
    BLOCK_W,
    IMAGE_DIR,
    Layout,
    body_blocks,
    column_widths,
    image_line,
    pdf_bytes,
    render_docx,
    render_html,
    render_pdf,
    table_line,
)

from .helpers import pdf_text

MEDIA = tempfile.mkdtemp(prefix="zhiben-render-")


def png(size=(600, 300), colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def layout(paragraphs):
    return Layout(
        issuer="沙坪坝区安委办",
        number="沙安办〔2026〕3号",
        title="关于2026年11月安全生产隐患排查治理情况的通报",
        date="2026年12月2日",
        addressee="各镇人民政府、街道办事处",
        paragraphs=paragraphs,
    )


RANKING = [
    table_line(["名次", "镇街", "按期整改率（%）", "得分", "等次"]),
    table_line([1, "凤凰镇", 95, "98.50", "A"]),
    table_line([2, "青木关｜镇", 80, "61.00", "C"]),
]


@override_settings(MEDIA_ROOT=MEDIA)
class BodyBlockTests(SimpleTestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_table_lines_make_one_table_with_a_header(self):
        self.assertEqual(RANKING[2], "｜2｜青木关／镇｜80｜61.00｜C｜")  # a separator inside a cell is kept out
        blocks = body_blocks(["一、排名情况", *RANKING, "以上为本期排名。"])
        self.assertEqual([b.kind for b in blocks], ["text", "table", "text"])
        self.assertEqual(blocks[1].rows[0], ["名次", "镇街", "按期整改率（%）", "得分", "等次"])
        self.assertEqual(len(blocks[1].rows), 3)
        ragged = body_blocks(["｜a｜b｜c｜", "｜1｜"])[0]
        self.assertEqual(ragged.rows[1], ["1", "", ""])
        self.assertEqual([b.kind for b in body_blocks(["｜", "不是表格｜", "|一|二|"])], ["text", "text", "table"])

    def test_docx_and_html_draw_the_table(self):
        doc = Docx(io.BytesIO(render_docx(layout(["排名如下：", *RANKING]))))
        self.assertEqual(len(doc.tables), 1)
        table = doc.tables[0]
        self.assertEqual([c.text for c in table.rows[0].cells], ["名次", "镇街", "按期整改率（%）", "得分", "等次"])
        self.assertEqual([c.text for c in table.rows[1].cells], ["1", "凤凰镇", "95", "98.50", "A"])
        self.assertIn("w:tblHeader", table.rows[0]._tr.xml)  # the header repeats on the next page
        page = render_html(layout(["排名如下：", *RANKING]))
        self.assertIn('<table class="grid"', page)
        self.assertIn("<th>按期整改率（%）</th>", page)
        self.assertIn("<td class=c>凤凰镇</td>", page)

    def test_picture_is_stored_by_content_and_drawn_in_both_files(self):
        data = png()
        line = image_line(data, "图1 各镇街综合得分")
        self.assertRegex(line, r"^!\[图1 各镇街综合得分\]\(documents/images/[0-9a-f]{2}/[0-9a-f]{64}\.png\)$")
        self.assertEqual(image_line(data, "图1 各镇街综合得分"), line)  # the same picture, the same file
        blocks = body_blocks([line])
        self.assertEqual(blocks[0].kind, "image")
        self.assertEqual(blocks[0].size, (BLOCK_W, BLOCK_W / 2))
        doc = Docx(io.BytesIO(render_docx(layout(["见下图。", line]))))
        self.assertEqual(len(doc.inline_shapes), 1)
        self.assertEqual(round(doc.inline_shapes[0].width / 36000), BLOCK_W)
        picture = next(p for p in doc.paragraphs if p._p.xml.count("<pic:pic"))
        self.assertNotIn('w:lineRule="exact"', picture._p.xml)  # an exact line height would clip it
        self.assertIn("图1 各镇街综合得分", [p.text for p in doc.paragraphs])
        self.assertIn('src="data:image/png;base64,', render_html(layout([line])))
        if shutil.which("pdfimages"):
            with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
                f.write(render_pdf(layout(["见下图。", line])))
                f.flush()
                listed = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, text=True).stdout
            self.assertEqual(len(listed.strip().splitlines()), 3)  # two header lines, one picture
        tall = body_blocks([image_line(png((300, 900)), "")])[0]
        self.assertEqual(tall.size[1], 200)  # never taller than 200 mm
        self.assertLess(tall.size[0], BLOCK_W)

    @unittest.skipUnless(shutil.which("pdfimages"), "poppler-utils not installed")
    def test_a_pdf_draws_data_pictures_and_never_reads_a_file_or_the_network(self):
        def pictures(html):
            with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
                f.write(pdf_bytes(html))
                f.flush()
                listed = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, text=True).stdout
            return len(listed.strip().splitlines()) - 2  # two header lines

        data = png()
        with tempfile.NamedTemporaryFile(suffix=".png") as picture:
            picture.write(data)
            picture.flush()
            inline = "data:image/png;base64," + base64.b64encode(data).decode()
            self.assertEqual(pictures(f'<p>图</p><img src="{inline}">'), 1)
            self.assertEqual(pictures(f'<p>图</p><img src="file://{picture.name}">'), 0)
            self.assertEqual(pictures('<p>图</p><img src="http://127.0.0.1:9/x.png">'), 0)

    def test_a_picture_that_cannot_be_read_is_a_note(self):
        for line in (
            "![缺失](documents/images/00/none.png)",
            "![越界](documents/images/../../settings.py)",
            "![别处](hazards/2026/photo.png)",
            "![坏数据](data:image/png;base64,bm90IGFuIGltYWdl)",
        ):
            with self.subTest(line=line):
                block = body_blocks([line])[0]
                self.assertEqual(block.kind, "text")
                self.assertTrue(block.text.startswith("［图片无法显示："))
        with self.assertRaises(ValueError):
            image_line(b"not a picture")
        self.assertTrue(IMAGE_DIR.startswith("documents/"))

    def test_column_widths_keep_codes_whole_and_fill_the_block(self):
        rows = [
            ["序号", "隐患编号", "单位/场所", "区划", "隐患描述", "整改期限", "逾期天数"],
            [
                "1",
                "YH5001062026000012",
                "凤凰化工有限公司",
                "凤凰村",
                "粉尘爆炸危险场所电气设备不防爆" * 2,
                "2026-11-24",
                "12",
            ],
        ]
        widths = column_widths(rows)  # seven columns: 五号 (10.5 pt)
        self.assertAlmostEqual(sum(widths), BLOCK_W)
        mm_per_char = 10.5 * 25.4 / 72
        self.assertGreater(widths[1], 18 * 0.55 * mm_per_char)  # the code on one line
        self.assertGreater(widths[5], 10 * 0.55 * mm_per_char)  # the date on one line
        self.assertGreater(widths[3], 3 * mm_per_char)  # a short name keeps its width
        self.assertGreaterEqual(widths[4], widths[2])  # the long texts share what is left, and wrap
        self.assertGreater(widths[4], widths[3])
        short = column_widths([["a", "b"], ["1", "2"]], 14)
        self.assertAlmostEqual(short[0], BLOCK_W / 2)

    @unittest.skipUnless(shutil.which("pdftotext"), "poppler-utils not installed")
    def test_pdf_text_of_a_table(self):
        text = "".join(pdf_text(render_pdf(layout(["排名如下：", *RANKING]))).split())
        self.assertIn("名次镇街按期整改率（%）得分等次", text)
        self.assertIn("1凤凰镇9598.50A", text)
