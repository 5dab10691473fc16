"""Administrators' templates: placeholders checked on save and on render, nearest jurisdiction wins."""

from django.urls import reverse

from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Counter
from zhiben.documents import kinds, services
from zhiben.documents.models import Document, DocumentTemplate
from zhiben.hazards.documents import Kind
from zhiben.testing import CastTestCase

from .helpers import verified_hazard

NOTICE = Kind.RECTIFICATION_NOTICE


class TemplateRuleTests(CastTestCase):
    def test_defaults_are_seeded_for_every_registered_kind(self):
        seeded = set(DocumentTemplate.objects.filter(region_code="").values_list("kind", flat=True))
        self.assertEqual(seeded, {kind.key for kind in kinds.all_kinds()})
        self.assertLessEqual(set(Kind.values), seeded)  # the six hazard kinds
        for kind in kinds.all_kinds():
            services.placeholders.check(kind, **kind.template)  # every default passes its own check

    def test_unknown_placeholder_is_refused_on_save(self):
        with self.assertRaises(ApplicationError) as caught:
            services.template_save(actor=self.alice, kind=NOTICE, title="隐患整改通知书", body="请{{负责人电话}}联系。")
        self.assertIn("{{负责人电话}}", caught.exception.message)
        self.assertIn("隐患整改通知书", caught.exception.message)
        self.assertEqual(caught.exception.errors[0]["field"], "body")
        self.assertFalse(DocumentTemplate.objects.filter(region_code=self.county_a.code).exists())

    def test_kind_specific_placeholder_is_refused_for_another_kind(self):
        with self.assertRaisesMessage(ApplicationError, "{{约谈地点}}"):
            services.template_save(actor=self.alice, kind=NOTICE, title="通知", body="地点：{{约谈地点}}")
        services.template_save(
            actor=self.alice, kind=Kind.INTERVIEW_NOTICE, title="约谈通知书", body="地点：{{约谈地点}}"
        )

    def test_unclosed_placeholder_and_bad_table_are_refused(self):
        with self.assertRaisesMessage(ApplicationError, "不完整的占位符"):
            services.template_save(actor=self.alice, kind=NOTICE, title="通知", body="你单位{{单位名称 存在隐患")
        with self.assertRaisesMessage(ApplicationError, "应写作“栏目｜内容”"):
            services.template_save(
                actor=self.alice, kind=Kind.CLOSURE_FORM, title="销号审批表", body="", table="单位名称 {{单位名称}}"
            )

    def test_unknown_placeholder_is_refused_on_render_and_uses_no_number(self):
        hazard = verified_hazard(self)
        # a row written around the checks (e.g. by hand in the database) is caught when rendering
        DocumentTemplate.objects.create(
            kind=NOTICE, region_code=self.county_a.code, title="整改通知", body="{{单位名称}}：请{{罚款金额}}。"
        )
        with self.assertRaises(ApplicationError) as caught:
            services.document_issue(actor=self.alice, kind=NOTICE, subject=hazard)
        self.assertIn("{{罚款金额}}", caught.exception.message)
        self.assertFalse(Document.objects.exists())
        self.assertFalse(Counter.objects.filter(key__startswith="document:").exclude(value=0).exists())

    def test_nearest_jurisdiction_wins(self):
        hazard = verified_hazard(self)
        services.template_save(
            actor=self.alice, kind=NOTICE, title="沙坪坝区隐患整改通知书", body="{{单位名称}}请于{{整改期限}}前整改。"
        )
        town = services.document_issue(actor=self.erin, kind=NOTICE, subject=hazard)  # 凤凰镇 is inside 沙坪坝区
        self.assertEqual(town.title, "沙坪坝区隐患整改通知书")
        self.assertEqual(services.template_for(NOTICE, self.county_b.code)["title"], "隐患整改通知书")
        services.template_reset(actor=self.alice, kind=NOTICE)
        self.assertEqual(services.template_for(NOTICE, self.town_a1.code)["title"], "隐患整改通知书")

    def test_missing_value_prints_a_blank_to_fill_in(self):
        hazard = verified_hazard(self)
        document = services.document_issue(actor=self.alice, kind=Kind.INTERVIEW_NOTICE, subject=hazard)
        self.assertIn("约谈时间：＿＿＿＿＿＿", document.body)


class TemplatePageTests(CastTestCase):
    def url(self, kind=NOTICE):
        return reverse("documents:template_edit", args=[kind.value])

    def test_admin_edits_with_preview_and_unknown_placeholder_message(self):
        client = self.login(self.alice)
        page = client.get(reverse("documents:templates"))
        self.assertContains(page, "隐患整改通知书")
        page = client.get(self.url())
        self.assertContains(page, "{{单位名称}}")
        self.assertContains(page, "srcdoc=")
        bad = client.post(self.url(), {"title": "通知", "body": "请{{不存在的字段}}。", "save": "1"})
        self.assertEqual(bad.status_code, 200)
        self.assertContains(bad, "占位符“{{不存在的字段}}”不是“隐患整改通知书”可用的字段")
        self.assertFalse(DocumentTemplate.objects.filter(region_code=self.county_a.code).exists())
        preview = client.post(self.url(), {"title": "新通知", "body": "{{单位名称}}：请整改。", "preview": "1"})
        self.assertContains(preview, "示例化工有限公司")
        pdf = client.post(self.url(), {"title": "新通知", "body": "{{单位名称}}：请整改。", "pdf": "1"})
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        saved = client.post(self.url(), {"title": "新通知", "body": "{{单位名称}}：请整改。", "save": "1"})
        self.assertRedirects(saved, self.url())
        self.assertEqual(DocumentTemplate.objects.get(kind=NOTICE, region_code=self.county_a.code).title, "新通知")
        client.post(self.url(), {"reset": "1"})
        self.assertFalse(DocumentTemplate.objects.filter(region_code=self.county_a.code).exists())

    def test_only_template_administrators(self):
        for user in (self.dave, self.erin, self.emma):
            self.assertEqual(self.login(user).get(self.url()).status_code, 403)
