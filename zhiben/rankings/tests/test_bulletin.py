"""The 晾晒通报 issued through the documents layer: numbered and archived, the PDF's text (pdftotext) holds
the title, the headline figures, the ranking rows, the red-listed towns and the overdue 重大 hazard; the
DOCX holds the tables and the chart as a picture. Also: who may issue it, a superseded run, the font."""

import io
import os
import re
import shutil
import tempfile
import unittest
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from docx import Document as Docx

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.documents import services as documents
from zhiben.documents.models import Document
from zhiben.documents.tests.helpers import pdf_text, read
from zhiben.hazards.models import Hazard
from zhiben.rankings import chart, services
from zhiben.rankings.documents import KEY

from .helpers import RankingTestCase, card_data

POPPLER = shutil.which("pdftotext")
MEDIA = tempfile.mkdtemp(prefix="zhiben-rankings-")


def flat(text):
    """The text without spaces, line breaks and page numbers (— 2 —), which fall anywhere in a sentence."""
    return re.sub(r"—\d+—", "", "".join(text.split()))


@unittest.skipUnless(POPPLER, "poppler-utils (pdftotext) not installed")
@override_settings(MEDIA_ROOT=MEDIA)
class BulletinTests(RankingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        cls.major = Hazard.objects.create(
            number="YH-TEST-0001",
            enterprise=cls.enterprise_a,
            region=cls.enterprise_a.region,
            industry=cls.enterprise_a.industry,
            channel="supervision",
            level="major",
            description="粉尘爆炸危险场所电气设备不防爆",
            found_date=today - timedelta(days=60),
            status="verified",
            deadline=today - timedelta(days=12),
        )
        Hazard.objects.create(  # county B's: never in county A's bulletin
            number="YH-TEST-B001",
            enterprise=cls.enterprise_b,
            region=cls.enterprise_b.region,
            industry=cls.enterprise_b.industry,
            channel="supervision",
            level="major",
            description="液氨储罐区未设置泄漏报警",
            found_date=today - timedelta(days=60),
            status="verified",
            deadline=today - timedelta(days=5),
        )
        cls.card = services.scorecard_save(actor=cls.alice, data=card_data())
        services.ranking_score(actor=cls.alice, scorecard=cls.card, period="2025-10")
        cls.november = services.ranking_score(actor=cls.alice, scorecard=cls.card, period="2025-11")
        with override_settings(MEDIA_ROOT=MEDIA):
            cls.document = documents.document_issue(actor=cls.alice, kind=KEY, subject=cls.november)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_numbered_and_archived(self):
        document = Document.objects.get(kind=KEY)
        self.assertEqual(document.pk, self.document.pk)
        self.assertRegex(document.number, r"^沙安办〔\d{4}〕1号$")
        self.assertEqual((document.subject_type, document.subject_id), ("rankings.rankingrun", self.november.pk))
        self.assertEqual(document.region_id, self.county_a.code)
        self.assertEqual(document.title, "关于2025年11月安全生产隐患排查治理情况的通报")
        self.assertEqual(document.addressee, "各镇人民政府、街道办事处")
        page = self.login(self.alice).get(f"/rankings/runs/{self.november.pk}/")
        self.assertContains(page, document.number)
        self.assertEqual(self.login(self.charlie).get(f"/documents/{document.pk}/").status_code, 404)

    def test_pdf_text_has_headline_ranking_red_list_and_overdue_major(self):
        text = flat(pdf_text(read(self.document.pdf)))
        self.assertIn("关于2025年11月安全生产隐患排查治理情况的通报", text)
        self.assertIn(self.document.number, text)
        self.assertIn("各镇人民政府、街道办事处：", text)
        # headline figures of the county for the period
        self.assertIn("测试整改率78.5%", text)
        self.assertIn("测试逾期数21条", text)
        # the ranking rows: rank, town, values, score, tier, change
        for row in (
            "1凤凰镇900100.00A↑3",
            "2井口镇90292.00A↑2",
            "3歌乐山镇75454.00D↓1",
            "4中梁镇—520.00D↓1",
            "5青木关镇60100.00D↓4",
        ):
            self.assertIn(row, text)
        self.assertIn("测试整改率（60分）、测试逾期数（40分）", text)
        # red list: tier D
        self.assertIn(
            "列入红色名单的镇街为：歌乐山镇（54.00分，第3名）、中梁镇（20.00分，第4名）、青木关镇（0.00分，第5名）",
            text,
        )
        # the overdue 重大 hazard of county A, not county B's
        self.assertIn("YH-TEST-0001", text)
        self.assertIn("凤凰化工有限公司", text)
        self.assertNotIn("YH-TEST-B001", text)
        self.assertIn("图1沙坪坝区2025年11月各镇街综合得分", text)

    def test_docx_has_the_tables_and_the_chart(self):
        doc = Docx(io.BytesIO(read(self.document.docx)))
        self.assertEqual(len(doc.tables), 2)
        ranking = doc.tables[0]
        self.assertEqual(
            [c.text for c in ranking.rows[0].cells],
            ["名次", "镇街", "测试整改率（%）", "测试逾期数（条）", "得分", "等次", "名次变化"],
        )
        self.assertEqual([c.text for c in ranking.rows[1].cells], ["1", "凤凰镇", "90", "0", "100.00", "A", "↑3"])
        self.assertEqual(len(ranking.rows), 6)
        overdue = doc.tables[1]
        self.assertIn("YH-TEST-0001", [c.text for c in overdue.rows[1].cells])
        self.assertEqual(len(doc.inline_shapes), 1)
        blob = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = doc.part.related_parts[blob].blob
        self.assertEqual(image[:8], b"\x89PNG\r\n\x1a\n")
        self.assertIn("图1 沙坪坝区2025年11月各镇街综合得分", [p.text for p in doc.paragraphs])

    def test_who_may_issue_and_when(self):
        with self.assertRaises(ScopeError):  # a department has document.issue but not analytics.manage
            documents.document_issue(actor=self.erin, kind=KEY, subject=self.november)
        with self.assertRaises(ScopeError):
            documents.document_issue(actor=self.charlie, kind=KEY, subject=self.november)
        self.assertEqual(
            self.login(self.erin).get(f"/documents/issue/rankings.rankingrun/{self.november.pk}/{KEY}/").status_code,
            404,
        )
        rescored = services.ranking_score(actor=self.alice, scorecard=self.card, period="2025-11")
        with self.assertRaisesMessage(ApplicationError, "请就现行版本签发通报"):
            documents.document_issue(actor=self.alice, kind=KEY, subject=self.november)
        page = self.login(self.alice).get(f"/documents/issue/rankings.rankingrun/{rescored.pk}/{KEY}/")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(Document.objects.filter(kind=KEY).count(), 1)

    def test_template_preview_shows_the_sample_table(self):
        page = self.login(self.alice).get(f"/documents/templates/{KEY}/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "{{排名表}}")
        self.assertContains(page, "&lt;table class=&quot;grid&quot;")  # the preview (escaped into its frame)
        self.assertContains(page, "示例镇")

    def test_no_overdue_major_and_no_lowest_tier(self):
        Hazard.objects.filter(pk=self.major.pk).update(deadline=timezone.localdate() + timedelta(days=30))
        card = services.scorecard_save(
            actor=self.alice,
            data=card_data(
                name="目标评分",
                tiers=[{"name": "优秀", "value": "80"}, {"name": "合格", "value": "30"}, {"name": "不合格"}],
                items=[{"figure": "test_rank.overdue", "weight": "100", "method": "target", "target": "4"}],
            ),
        )
        run = services.ranking_score(actor=self.alice, scorecard=card, period="2025-11")
        # overdue ≤4 full marks, else 100×4/v: 凤凰镇 100, 井口镇 100, 歌乐山镇 100, 中梁镇 80, 青木关镇 40
        document = documents.document_issue(actor=self.alice, kind=KEY, subject=run)
        text = flat(pdf_text(read(document.pdf)))
        self.assertIn("本期无镇街评为不合格等。排名末位的是：青木关镇（40.00分，第5名）", text)
        self.assertIn("沙坪坝区无逾期未整改的重大事故隐患", text)


class FontTests(unittest.TestCase):
    def test_a_font_that_draws_chinese_is_found(self):
        path, index = chart.find_cjk_font()
        png = chart.bar_chart([("凤凰镇", 92.5, "A"), ("青木关镇", 40, "D")], tiers=["A", "D"], font=(path, index))
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")

    def test_no_chinese_font_is_a_clear_message(self):
        latin = [p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",) if os.path.exists(p)]
        with self.assertRaises(ApplicationError) as caught:
            chart.find_cjk_font(["/nonexistent/font.ttc", *latin])
        self.assertIn("fonts-noto-cjk", caught.exception.message)
        self.assertIn("ZHIBEN_CJK_FONT", caught.exception.message)
