"""Documents about any registered subject: the generic subject, the registry's kinds, the subject filter,
a kind defined only here (as a new module would), and the migration from the hazard foreign key."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.registry import DocumentKind, register, unregister
from zhiben.documents import kinds, selectors, services
from zhiben.documents.models import Document, DocumentTemplate
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.documents import Kind
from zhiben.testing import CastTestCase, build_cast

from .helpers import verified_hazard

HAZARD = "hazards.hazard"


class HazardSubjectTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hazard = verified_hazard(cls)
        cls.document = services.document_issue(actor=cls.alice, kind=Kind.RECTIFICATION_NOTICE, subject=cls.hazard)

    def test_the_subject_is_stored_generically(self):
        document = Document.objects.get(pk=self.document.pk)
        self.assertEqual((document.subject_type, document.subject_id), (HAZARD, self.hazard.pk))
        self.assertEqual(document.subject, self.hazard)
        self.assertEqual(document.subject_repr, str(self.hazard))
        self.assertEqual(document.subject_label, "事故隐患")
        self.assertEqual(document.subject_url, reverse("hazards:detail", args=[self.hazard.pk]))
        self.assertEqual(document.get_absolute_url(), reverse("documents:detail", args=[document.pk]))
        self.assertEqual(document.get_kind_display(), "隐患整改通知书")
        event = AuditEvent.objects.get(action="document.issue")
        self.assertEqual((event.data["subject_type"], event.data["subject_id"]), (HAZARD, self.hazard.pk))

    def test_a_document_about_a_hazard_is_found_by_the_subject_filter(self):
        # a document about something else (as another module's kind would store it) is left out
        other = services.document_issue(actor=self.alice, kind=Kind.SUPERVISION_LETTER, subject=self.hazard)
        Document.objects.filter(pk=other.pk).update(subject_type="plans.task", subject_id=1)

        found = selectors.document_list(user=self.alice, filters={"subject_type": HAZARD})
        self.assertEqual(list(found), [self.document])
        found = selectors.document_list(
            user=self.alice, filters={"subject_type": HAZARD, "subject": str(self.hazard.pk)}
        )
        self.assertEqual(list(found), [self.document])
        self.assertFalse(
            selectors.document_list(
                user=self.alice, filters={"subject_type": HAZARD, "subject": str(self.hazard.pk + 1)}
            )
        )

        page = self.login(self.alice).get(reverse("documents:list"), {"subject_type": HAZARD})
        self.assertContains(page, f'<option value="{HAZARD}" selected>事故隐患</option>', html=True)
        self.assertContains(page, self.document.number)
        self.assertNotContains(page, other.number)
        self.assertContains(page, f'href="{reverse("hazards:detail", args=[self.hazard.pk])}"')

    def test_the_free_text_search_finds_the_subject(self):
        page = self.login(self.alice).get(reverse("documents:list"), {"q": self.hazard.number})
        self.assertContains(page, self.document.number)

    def test_the_detail_links_to_the_subject(self):
        page = self.login(self.alice).get(self.document.get_absolute_url())
        self.assertContains(page, "<dt>事故隐患</dt>", html=True)
        self.assertContains(page, f'href="{reverse("hazards:detail", args=[self.hazard.pk])}"')

    def test_unknown_kind_is_refused_in_chinese(self):
        with self.assertRaises(ApplicationError) as caught:
            services.document_issue(actor=self.alice, kind="fine_notice", subject=self.hazard)
        self.assertEqual(caught.exception.message, "未知的公文种类“fine_notice”。")
        with self.assertRaisesMessage(ApplicationError, "未知的公文种类“fine_notice”"):
            services.template_save(actor=self.alice, kind="fine_notice", title="罚款通知", body="")
        self.assertEqual(Document.objects.count(), 1)
        client = self.login(self.alice)
        self.assertEqual(
            client.get(reverse("documents:issue", args=[HAZARD, self.hazard.pk, "fine_notice"])).status_code, 404
        )
        self.assertEqual(client.get(reverse("documents:template_edit", args=["fine_notice"])).status_code, 404)

    def test_a_subject_of_another_model_is_refused(self):
        with self.assertRaisesMessage(ApplicationError, "“隐患整改通知书”不能针对生产经营单位签发"):
            services.document_issue(actor=self.alice, kind=Kind.RECTIFICATION_NOTICE, subject=self.enterprise_a)
        self.assertEqual(
            self.login(self.alice)
            .get(reverse("documents:issue", args=["enterprises.enterprise", self.hazard.pk, Kind.RECTIFICATION_NOTICE]))
            .status_code,
            404,
        )

    def test_the_system_and_a_pk_as_subject(self):
        document = services.document_issue(
            actor=None,
            kind=Kind.SUPERVISION_LETTER,
            subject=self.hazard.pk,
            unit=self.unit_office_a,
            extra={"逾期天数": 3, "督办措施": "函告企业"},
        )
        self.assertEqual(document.subject, self.hazard)
        with self.assertRaises(ScopeError):
            services.document_issue(actor=self.alice, kind=Kind.SUPERVISION_LETTER, subject=self.hazard.pk + 1000)


# ---------------------------------------------------------------- a kind only this test registers


def _enterprise(pk, user):
    qs = Enterprise.objects.all() if user is None else Enterprise.objects.for_user(user)
    return qs.select_related("region").filter(pk=pk).first()


WARNING = DocumentKind(
    key="test_safety_warning",
    label="安全提示函",
    subject_model="enterprises.enterprise",
    get_subject=_enterprise,
    build=lambda enterprise, unit: {"单位名称": enterprise.name, "提示事项": ""},
    available=lambda enterprise: "该单位已关闭" if enterprise.status == "closed" else None,
    placeholders=(("单位名称", "生产经营单位名称"), ("提示事项", "提示的安全事项")),
    template={"title": "安全提示函", "body": "请你单位注意：{{提示事项}}。", "table": ""},
    sample={"主送": "示例化工有限公司", "单位名称": "示例化工有限公司", "提示事项": "汛期防范"},
    addressee=lambda enterprise: enterprise.name,
    region_code=lambda enterprise: enterprise.region_id,
    enterprise=lambda enterprise: enterprise,
    inputs=(("提示事项", "提示事项", True),),
    order=900,
)


class RegisteredSubjectTests(CastTestCase):
    """A module that is not hazards registers a kind about its own subject: issuing, the list, the templates."""

    def setUp(self):
        register(WARNING)
        self.addCleanup(unregister, "document_kinds", WARNING.key)

    def test_a_new_kind_goes_through_issuing_listing_and_templates(self):
        self.assertIn(("enterprises.enterprise", "生产经营单位"), kinds.subject_types())
        self.assertEqual([k.key for k in kinds.available_kinds(self.enterprise_a)], ["test_safety_warning"])
        client = self.login(self.alice)
        url = reverse("documents:issue", args=["enterprises.enterprise", self.enterprise_a.pk, WARNING.key])
        self.assertContains(client.get(url), "提示事项")
        self.assertContains(client.post(url, {"提示事项": ""}), "这个字段是必填项")
        response = client.post(url, {"提示事项": "汛期防范地质灾害"})
        document = Document.objects.get(kind=WARNING.key)
        self.assertRedirects(response, document.get_absolute_url())
        self.assertEqual(
            (document.subject_type, document.subject_id, document.enterprise),
            ("enterprises.enterprise", self.enterprise_a.pk, self.enterprise_a),
        )
        self.assertIn("请你单位注意：汛期防范地质灾害。", document.body)
        self.assertEqual(document.get_kind_display(), "安全提示函")
        self.assertEqual(document.sequence, 1)  # one sequence per unit and year, whatever the subject

        page = client.get(reverse("documents:list"), {"subject_type": "enterprises.enterprise"})
        self.assertContains(page, document.number)
        self.assertContains(page, f'href="{self.enterprise_a.get_absolute_url()}"')
        self.assertContains(
            self.login(self.emma).get(reverse("documents:list")), document.number
        )  # the enterprise's own users
        self.assertNotContains(self.login(self.charlie).get(reverse("documents:list")), document.number)

        self.assertContains(client.get(reverse("documents:templates")), "安全提示函")
        services.template_save(
            actor=self.alice, kind=WARNING.key, title="区安全提示函", body="{{单位名称}}：{{提示事项}}。"
        )
        self.assertEqual(DocumentTemplate.objects.get(kind=WARNING.key).title, "区安全提示函")
        preview = client.get(reverse("documents:template_edit", args=[WARNING.key]))
        self.assertContains(preview, "汛期防范")
        with self.assertRaisesMessage(ApplicationError, "{{隐患编号}}"):
            services.template_save(actor=self.alice, kind=WARNING.key, title="提示", body="{{隐患编号}}")

    def test_availability_is_the_kinds(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(status="closed")
        with self.assertRaisesMessage(ApplicationError, "该单位已关闭"):
            services.document_issue(
                actor=self.alice, kind=WARNING.key, subject=self.enterprise_a, extra={"提示事项": "防汛"}
            )


# ---------------------------------------------------------------- the migration


class SubjectMigrationTests(TransactionTestCase):
    """0004 copies each document's hazard into (subject_type, subject_id); 0005 drops the foreign key."""

    before = [("documents", "0003_document_subject")]

    def setUp(self):
        build_cast(self)
        self.hazard = verified_hazard(self)

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def test_hazard_becomes_the_subject_and_back(self):
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes("documents")
        try:
            old = self.migrate(self.before)
            OldDocument = old.get_model("documents", "Document")
            common = {
                "year": 2024,
                "title": "通知",
                "issuing_unit_id": self.unit_office_a.pk,
                "region_id": self.hazard.region_id,
                "issued_at": timezone.now(),
                "docx": "a.docx",
                "pdf": "a.pdf",
                "docx_sha256": "0" * 64,
                "pdf_sha256": "0" * 64,
            }
            about = OldDocument.objects.create(
                kind="rectification_notice", number="沙安办〔2024〕1号", sequence=1, hazard_id=self.hazard.pk, **common
            )
            alone = OldDocument.objects.create(
                kind="supervision_letter", number="沙安办〔2024〕2号", sequence=2, **common
            )

            self.migrate(latest)
            about, alone = Document.objects.get(pk=about.pk), Document.objects.get(pk=alone.pk)
            self.assertEqual((about.subject_type, about.subject_id), (HAZARD, self.hazard.pk))
            self.assertEqual(about.subject_repr, str(self.hazard))
            self.assertEqual(about.subject, self.hazard)
            self.assertEqual((alone.subject_type, alone.subject_id, alone.subject), ("", None, None))

            old = self.migrate(self.before)  # and back
            self.assertEqual(old.get_model("documents", "Document").objects.get(pk=about.pk).hazard_id, self.hazard.pk)
        finally:
            self.migrate(latest)
