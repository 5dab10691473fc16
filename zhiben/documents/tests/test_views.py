"""Pages: scoped list/detail/files (404 outside the jurisdiction), issuing from the hazard page."""

from django.urls import reverse

from zhiben.documents import services
from zhiben.documents.models import Document
from zhiben.hazards.documents import Kind
from zhiben.hazards.tests.helpers import ready, report
from zhiben.testing import CastTestCase

from .helpers import verified_hazard


class DocumentPageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hazard = verified_hazard(cls)
        cls.document = services.document_issue(actor=cls.alice, kind=Kind.RECTIFICATION_NOTICE, subject=cls.hazard)
        other = ready(report(cls.alice, cls.enterprise_a_construction, description="脚手架未设置连墙件"), cls.erin)
        cls.other = services.document_issue(actor=cls.alice, kind=Kind.SUPERVISION_LETTER, subject=other)

    def urls(self, document):
        return [
            reverse("documents:detail", args=[document.pk]),
            reverse("documents:file", args=[document.pk, "pdf"]),
            reverse("documents:file", args=[document.pk, "docx"]),
        ]

    def test_other_county_gets_404_on_page_and_files(self):
        client = self.login(self.charlie)
        for url in self.urls(self.document):
            self.assertEqual(client.get(url).status_code, 404, url)
        page = client.get(reverse("documents:list"))
        self.assertNotContains(page, self.document.number)

    def test_in_scope_user_downloads_both_files(self):
        client = self.login(self.dave)
        pdf = client.get(reverse("documents:file", args=[self.document.pk, "pdf"]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn("attachment", pdf["Content-Disposition"])
        self.assertTrue(b"".join(pdf.streaming_content).startswith(b"%PDF"))
        docx = client.get(reverse("documents:file", args=[self.document.pk, "docx"]))
        self.assertTrue(b"".join(docx.streaming_content).startswith(b"PK"))
        self.assertEqual(
            client.get(reverse("documents:detail", args=[self.document.pk]) + "../file.exe").status_code, 404
        )

    def test_enterprise_sees_only_documents_addressed_to_it(self):
        client = self.login(self.emma)
        page = client.get(reverse("documents:list"))
        self.assertContains(page, self.document.number)
        self.assertNotContains(page, self.other.number)
        for url in self.urls(self.other):
            self.assertEqual(client.get(url).status_code, 404)

    def test_list_filters(self):
        client = self.login(self.alice)
        page = client.get(reverse("documents:list"), {"kind": Kind.SUPERVISION_LETTER})
        self.assertContains(page, self.other.number)
        self.assertNotContains(page, self.document.number)
        page = client.get(reverse("documents:list"), {"q": self.hazard.number})
        self.assertContains(page, self.document.number)
        self.assertNotContains(page, self.other.number)
        page = client.get(reverse("documents:list"), {"year": self.document.year - 1})
        self.assertContains(page, "没有符合条件的公文")
        page = client.get(reverse("documents:list"), {"unit": self.unit_office_a.pk, "year": self.document.year})
        self.assertContains(page, self.document.number)
        self.assertContains(page, "公文模板")
        # a unit or year no column holds lists none (the unit overflowed in the query: a 500); "²", which int()
        # refuses although str.isdigit() holds, is no filter (a 500 too)
        for query in ({"unit": "9" * 25}, {"year": "9" * 25}, {"subject_type": "hazards.hazard", "subject": "9" * 25}):
            self.assertContains(client.get(reverse("documents:list"), query), "没有符合条件的公文")
        for query in ({"unit": "²"}, {"year": "²"}, {"subject_type": "hazards.hazard", "subject": "²"}):
            self.assertContains(client.get(reverse("documents:list"), query), self.document.number)

    def test_the_list_sorts_from_its_headers(self):
        client = self.login(self.alice)

        def numbers(sort=None):
            page = client.get(reverse("documents:list"), {"sort": sort} if sort else {})
            return [d.number for d in page.context["page"]]

        latest_first = [self.other.number, self.document.number]
        self.assertEqual(numbers(), latest_first)
        self.assertEqual(numbers("issued"), latest_first[::-1])
        self.assertEqual(numbers("-issued"), latest_first)
        self.assertEqual(numbers("nonsense"), latest_first)
        self.assertEqual(sorted(numbers("unit")), sorted(latest_first))
        page = client.get(reverse("documents:list"), {"sort": "-issued", "kind": Kind.SUPERVISION_LETTER})
        self.assertContains(page, "签发时间 ▼")
        self.assertContains(page, f'href="?kind={Kind.SUPERVISION_LETTER}&amp;sort=issued"')
        self.assertContains(page, f'href="{reverse("documents:file", args=[self.other.pk, "docx"])}"')
        self.assertContains(page, f'href="{reverse("hazards:detail", args=[self.other.subject_id])}"')  # its subject

    def test_the_register_exports_what_the_list_shows(self):
        from io import BytesIO

        from openpyxl import load_workbook

        def numbers(user, **query):
            response = self.login(user).get(reverse("documents:export"), query)
            self.assertEqual(response.status_code, 200)
            rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
            self.assertEqual(rows[0][:3], ("发文字号", "公文种类", "标题"))
            return [r[0] for r in rows[1:]]

        self.assertEqual(numbers(self.alice), [self.document.number, self.other.number])  # oldest first
        self.assertEqual(numbers(self.alice, kind=Kind.SUPERVISION_LETTER), [self.other.number])
        self.assertEqual(numbers(self.emma), [self.document.number])  # addressed to her enterprise
        self.assertEqual(numbers(self.charlie), [])
        self.assertContains(self.login(self.alice).get(reverse("documents:list")), "导出发文登记")

    def test_detail_shows_downloads_and_frozen_context(self):
        page = self.login(self.alice).get(reverse("documents:detail", args=[self.document.pk]))
        self.assertContains(page, "下载 PDF")
        self.assertContains(page, self.document.pdf_sha256)
        self.assertContains(page, self.hazard.number)
        # 64-character hashes wrap on a phone (issue 25: they overflowed it by 136 px): code.hash breaks anywhere
        self.assertContains(page, f'<code class="hash" title="SHA-256">{self.document.pdf_sha256}</code>', html=False)

    def test_navigation_entry(self):
        self.assertContains(self.login(self.alice).get("/"), 'href="/documents/"')


class IssueFromHazardTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hazard = verified_hazard(cls)

    def test_hazard_page_lists_documents_and_issue_buttons(self):
        url = reverse("hazards:detail", args=[self.hazard.pk])
        page = self.login(self.alice).get(url)
        self.assertContains(page, "<h2>公文</h2>", html=True)
        self.assertContains(page, 'data-kind="rectification_notice"')
        self.assertNotContains(page, 'data-kind="listing_notice"')
        document = services.document_issue(actor=self.alice, kind=Kind.RECTIFICATION_NOTICE, subject=self.hazard)
        page = self.login(self.dave).get(url)
        self.assertContains(page, document.number)
        self.assertNotContains(page, "data-kind=")

    def test_issue_interview_notice_through_the_form(self):
        client = self.login(self.alice)
        url = reverse("documents:issue", args=["hazards.hazard", self.hazard.pk, Kind.INTERVIEW_NOTICE])
        self.assertContains(client.get(url), "约谈地点")
        response = client.post(
            url,
            {
                "联系人": "王敏",
                "联系电话": "023-65000000",
                "约谈时间": "2026年3月9日上午9时",
                "约谈地点": "区应急局301会议室",
            },
        )
        document = Document.objects.get()
        self.assertRedirects(response, reverse("documents:detail", args=[document.pk]))
        self.assertIn("约谈地点：区应急局301会议室。", document.body)
        self.assertIn("联系人：王敏", document.body)

    def test_leader_cannot_issue(self):
        url = reverse("documents:issue", args=["hazards.hazard", self.hazard.pk, Kind.RECTIFICATION_NOTICE])
        client = self.login(self.dave)
        self.assertEqual(client.get(url).status_code, 403)
        self.assertEqual(client.post(url, {}).status_code, 403)
        self.assertFalse(Document.objects.exists())

    def test_out_of_scope_hazard_is_404(self):
        url = reverse("documents:issue", args=["hazards.hazard", self.hazard.pk, Kind.RECTIFICATION_NOTICE])
        self.assertEqual(self.login(self.charlie).post(url, {}).status_code, 404)
        self.assertFalse(Document.objects.exists())

    def test_state_not_allowing_the_kind_shows_the_reason(self):
        url = reverse("documents:issue", args=["hazards.hazard", self.hazard.pk, Kind.CLOSURE_FORM])
        client = self.login(self.alice)
        self.assertContains(client.get(url), "申请销号或已销号后才能生成销号审批表")
        client.post(url, {})
        self.assertFalse(Document.objects.exists())

    def test_no_letter_urges_a_rectification_the_enterprise_reports_done(self):
        from zhiben.hazards.models import Hazard

        Hazard.objects.filter(pk=self.hazard.pk).update(status="submitted")  # 申请销号: its review waits
        client = self.login(self.alice)
        for kind, reason in (
            (Kind.SUPERVISION_LETTER, "只能对核实后、申请销号前（整改中）的隐患发督办函"),
            (Kind.INTERVIEW_NOTICE, "只能对核实后、申请销号前（整改中）的隐患发约谈通知书"),
        ):
            url = reverse("documents:issue", args=["hazards.hazard", self.hazard.pk, kind])
            self.assertContains(client.get(url), reason)
            client.post(url, {})
        self.assertFalse(Document.objects.exists())
