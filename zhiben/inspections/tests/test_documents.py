"""现场检查记录 renders to DOCX and PDF with its title and number."""

import io
import shutil
import unittest

from docx import Document as Docx

from zhiben.documents import services as documents
from zhiben.documents.tests.helpers import pdf_text, read
from zhiben.enterprises.models import Enterprise
from zhiben.inspections import services

from .test_inspections import InspectionTestCase


@unittest.skipUnless(shutil.which("pdftotext"), "poppler-utils not installed")
class SiteRecordTests(InspectionTestCase):
    def test_site_inspection_record(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(address="凤凰镇工业园8号")
        inspection = self.started(kind="enforcement", inspectors=[self.erin.pk, self.frank.pk])
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.erin, item=item, result="fail", note="通道堆放纸箱")
        document = documents.document_issue(actor=self.erin, kind="site_inspection_record", subject=inspection)
        flat = "".join(pdf_text(read(document.pdf)).split())
        self.assertIn("现场检查记录", flat)
        self.assertIn(document.number, flat)
        self.assertIn(inspection.number, flat)
        self.assertIn("执法证号ZF0", flat)
        self.assertIn("消防通道畅通：通道堆放纸箱", flat)
        self.assertIn("执法证号ZF1", flat)
        self.assertIn("（未检查）；2.消防通道畅通（不符合）", flat)  # every item with its result
        docx = Docx(io.BytesIO(read(document.docx)))
        cells = "".join(c.text for t in docx.tables for r in t.rows for c in r.cells)
        paragraphs = "".join(p.text for p in docx.paragraphs)
        self.assertIn("凤凰化工有限公司", cells)
        self.assertIn("凤凰镇工业园8号", cells)
        self.assertIn("现场检查记录", paragraphs)
        self.assertIn(document.number, paragraphs)
        self.assertIn(inspection.number, cells)

    def test_not_before_the_inspection_starts(self):
        from zhiben.core.exceptions import ApplicationError

        with self.assertRaises(ApplicationError):
            documents.document_issue(actor=self.erin, kind="site_inspection_record", subject=self.create())


class FindingTextTests(unittest.TestCase):
    def test_the_items_full_stop_is_dropped_before_the_note(self):
        from zhiben.inspections.services import finding_text

        self.assertEqual(finding_text("安全距离不足。", "现场发现"), "安全距离不足：现场发现")
        self.assertEqual(finding_text("安全距离不足。", " "), "安全距离不足。")
