"""Issuing: numbering per unit and year without gaps, permissions, scope, state rules, the system actor."""

from datetime import datetime
from unittest import mock

from django.db import transaction
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.documents import services
from zhiben.documents.models import Document
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Status
from zhiben.hazards.documents import Kind
from zhiben.testing import CastTestCase

from .helpers import listed_hazard, verified_hazard


def at(year, month=6, day=1):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


class NumberingTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hazard = verified_hazard(cls)

    def issue(self, kind=Kind.RECTIFICATION_NOTICE, actor=None, **kwargs):
        return services.document_issue(actor=actor or self.alice, kind=kind, subject=self.hazard, **kwargs)

    def test_numbers_run_per_unit_and_year_whatever_the_kind(self):
        a = self.issue(issued_at=at(2024))
        b = self.issue(Kind.SUPERVISION_LETTER, issued_at=at(2024, 7))
        c = self.issue(issued_at=at(2025, 1, 2))
        d = self.issue(Kind.INTERVIEW_NOTICE, issued_at=at(2024, 12, 30), extra={"约谈时间": "2024年12月31日上午9时"})
        self.assertEqual(
            [a.number, b.number, c.number, d.number],
            ["沙安办〔2024〕1号", "沙安办〔2024〕2号", "沙安办〔2025〕1号", "沙安办〔2024〕3号"],
        )
        self.assertEqual([(x.year, x.sequence) for x in (a, b, c, d)], [(2024, 1), (2024, 2), (2025, 1), (2024, 3)])

    def test_each_unit_has_its_own_sequence(self):
        mine = self.issue(issued_at=at(2024))
        theirs = self.issue(actor=self.erin, issued_at=at(2024))
        self.assertEqual(mine.sequence, 1)
        self.assertEqual(theirs.sequence, 1)
        # a unit without a 发文机关代字 numbers under its name
        self.assertEqual(theirs.number, "凤凰镇应急办〔2024〕1号")

    def test_rollback_leaves_no_gap(self):
        first = self.issue(issued_at=at(2024))
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.issue(issued_at=at(2024))
            raise RuntimeError("调用方在签发后失败")
        with (
            mock.patch("zhiben.documents.services.render_pdf", side_effect=OSError("字体缺失")),
            self.assertRaises(OSError),
        ):
            self.issue(issued_at=at(2024))
        second = self.issue(issued_at=at(2024))
        self.assertEqual((first.sequence, second.sequence), (1, 2))
        self.assertEqual(
            list(Document.objects.order_by("sequence").values_list("number", flat=True)),
            ["沙安办〔2024〕1号", "沙安办〔2024〕2号"],
        )

    def test_stores_files_hashes_context_and_audit(self):
        document = self.issue()
        self.assertEqual(len(document.pdf_sha256), 64)
        self.assertEqual(len(document.docx_sha256), 64)
        self.assertTrue(document.pdf.name.endswith(document.pdf_sha256 + ".pdf"))
        import hashlib

        with document.pdf.open("rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), document.pdf_sha256)
        self.assertEqual(document.addressee, "凤凰化工有限公司")
        self.assertEqual(document.enterprise, self.enterprise_a)
        self.assertEqual(document.region_id, self.hazard.region_id)
        self.assertEqual(document.context["fields"]["隐患编号"], self.hazard.number)
        self.assertEqual(document.context["fields"]["发文字号"], document.number)
        self.assertIn(self.hazard.description.rstrip("。"), document.body)
        event = AuditEvent.objects.get(action="document.issue")
        self.assertEqual(event.data["number"], document.number)
        self.assertEqual(event.data["pdf_sha256"], document.pdf_sha256)
        self.assertEqual(event.actor_id, self.alice.pk)

    def test_rerender_from_frozen_context_gives_the_same_words(self):
        document = self.issue()
        from zhiben.documents.models import DocumentTemplate

        DocumentTemplate.objects.filter(kind=Kind.RECTIFICATION_NOTICE).update(title="改过的标题")
        hazard = self.hazard
        hazard.description = "改过的描述"
        hazard.save()
        layout = services.layout_from_context(document.context)
        self.assertEqual(layout.title, "隐患整改通知书")
        self.assertEqual("\n".join(layout.paragraphs), document.body)


class PermissionTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hazard = verified_hazard(cls)

    def test_leader_cannot_issue(self):
        with self.assertRaises(ApplicationError) as caught:
            services.document_issue(actor=self.dave, kind=Kind.RECTIFICATION_NOTICE, subject=self.hazard)
        self.assertEqual(caught.exception.code, "forbidden")
        self.assertIn("无权签发", caught.exception.message)
        self.assertFalse(Document.objects.exists())

    def test_out_of_scope_hazard_is_refused(self):
        with self.assertRaises(ScopeError):
            services.document_issue(actor=self.charlie, kind=Kind.RECTIFICATION_NOTICE, subject=self.hazard)

    def test_only_in_the_name_of_ones_own_unit(self):
        with self.assertRaisesMessage(ApplicationError, "只能以本单位名义签发公文"):
            services.document_issue(
                actor=self.erin, kind=Kind.RECTIFICATION_NOTICE, subject=self.hazard, unit=self.unit_office_a
            )

    def test_user_without_unit_cannot_issue(self):
        with self.assertRaisesMessage(ApplicationError, "未隶属任何单位"):
            services.document_issue(actor=self.bob, kind=Kind.RECTIFICATION_NOTICE, subject=self.hazard)

    def test_system_actor_needs_a_unit_and_may_issue_with_one(self):
        with self.assertRaisesMessage(ApplicationError, "须指定发文单位"):
            services.document_issue(actor=None, kind=Kind.SUPERVISION_LETTER, subject=self.hazard)
        document = services.document_issue(
            actor=None,
            kind=Kind.SUPERVISION_LETTER,
            subject=self.hazard,
            unit=self.unit_office_a,
            extra={"逾期天数": 7, "督办措施": "函告企业"},
        )
        self.assertEqual(document.issued_by_name, "系统")
        self.assertIsNone(document.issued_by)
        self.assertIn("已逾期7天", document.body)

    def test_unknown_extra_field_is_refused(self):
        with self.assertRaisesMessage(ApplicationError, "字段“约谈时间”不是“隐患整改通知书”可填写的内容"):
            services.document_issue(
                actor=self.alice, kind=Kind.RECTIFICATION_NOTICE, subject=self.hazard, extra={"约谈时间": "明天"}
            )
        with self.assertRaisesMessage(ApplicationError, "发文字号"):
            services.document_issue(
                actor=self.alice,
                kind=Kind.RECTIFICATION_NOTICE,
                subject=self.hazard,
                extra={"发文字号": "假〔2024〕1号"},
            )


class StateRuleTests(CastTestCase):
    def test_kinds_follow_the_hazard_state(self):
        from zhiben.documents.kinds import available_kinds

        def keys(hazard):
            return [kind.key for kind in available_kinds(hazard)]

        hazard = verified_hazard(self)
        self.assertEqual(keys(hazard), [Kind.RECTIFICATION_NOTICE, Kind.SUPERVISION_LETTER, Kind.INTERVIEW_NOTICE])
        with self.assertRaisesMessage(ApplicationError, "挂牌督办后"):
            services.document_issue(actor=self.alice, kind=Kind.LISTING_NOTICE, subject=hazard)
        with self.assertRaisesMessage(ApplicationError, "没有延期申请"):
            services.document_issue(actor=self.alice, kind=Kind.EXTENSION_FORM, subject=hazard)
        with self.assertRaisesMessage(ApplicationError, "申请销号或已销号后"):
            services.document_issue(actor=self.alice, kind=Kind.CLOSURE_FORM, subject=hazard)

        listed = listed_hazard(self)
        self.assertIn(Kind.LISTING_NOTICE, keys(listed))
        document = services.document_issue(actor=self.alice, kind=Kind.LISTING_NOTICE, subject=listed)
        self.assertIn("区县挂牌督办", document.body)
        self.assertIn("工贸企业重大事故隐患判定标准", document.body)

    def test_extension_and_closure_forms(self):
        hazard = verified_hazard(self)
        due = hazard.deadline
        extension = hazard_services.hazard_request_extension(
            actor=self.emma, hazard=hazard, new_deadline=due.replace(year=due.year + 1), reason="设备采购周期长"
        )
        hazard_services.hazard_decide_extension(actor=self.erin, extension=extension, grant=True, note="同意延期")
        form = services.document_issue(actor=self.erin, kind=Kind.EXTENSION_FORM, subject=hazard)
        rows = dict(services.layout_from_context(form.context).table)
        self.assertIn("设备采购周期长", rows["延期理由"])
        self.assertEqual(rows["审批意见"], "已批准。同意延期")
        self.assertTrue(services.layout_from_context(form.context).form)

        from zhiben.hazards.models import Hazard

        Hazard.objects.filter(pk=hazard.pk).update(status=Status.RECTIFYING)
        hazard_services.hazard_transition(actor=self.emma, hazard=hazard, action="submit")
        hazard_services.hazard_transition(actor=self.erin, hazard=hazard, action="close", note="经现场核查，同意销号")
        closure = services.document_issue(actor=self.erin, kind=Kind.CLOSURE_FORM, subject=hazard)
        rows = dict(services.layout_from_context(closure.context).table)
        self.assertEqual(rows["审核意见"], "经现场核查，同意销号")
        self.assertEqual((form.sequence, closure.sequence), (1, 2))
