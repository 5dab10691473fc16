"""Inspections: checklist history, results, failed items filed as hazards, transitions, team rules, scope."""

import json
import unittest
from datetime import timedelta

from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.hazards.models import CriteriaItem, Hazard
from zhiben.inspections import services
from zhiben.inspections.models import Conflict, Inspection, InspectorCredential
from zhiben.inspections.workflow import TRANSITIONS
from zhiben.testing import CastTestCase, at_once, build_cast, make_user


class InspectionTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()
        cls.frank = make_user("frank", Role.REGULATOR, cls.town_a1, unit=cls.unit_emergency_a1)
        for n, user in enumerate((cls.erin, cls.frank)):
            InspectorCredential.objects.create(user=user, number=f"ZF{n}", valid_until=cls.today + timedelta(days=30))
        cls.criteria = CriteriaItem.objects.order_by("id").first()

    def checklist(self):
        template = services.checklist_save(actor=self.alice, data={"name": "危化品检查表"})
        services.checklist_add_items(
            actor=self.alice, template=template, criteria_ids=[self.criteria.pk], texts=["消防通道畅通"]
        )
        return template

    def create(self, actor=None, **data):
        values = {"kind": "supervision", "enterprise": self.enterprise_a.pk, "inspectors": [self.erin.pk]}
        values.update(data)
        return services.inspection_create(actor=actor or self.erin, data=values)

    def started(self, **data):
        inspection = self.create(**data)
        return services.inspection_transition(
            actor=self.erin, inspection=inspection, action="start", checklist=self.checklist()
        )


class ChecklistHistoryTests(InspectionTestCase):
    def test_an_inspection_keeps_the_items_it_was_started_with(self):
        template = self.checklist()
        inspection = services.inspection_transition(
            actor=self.erin, inspection=self.create(), action="start", checklist=template
        )
        template.items.filter(criteria_item__isnull=True).update(text="改过的内容")
        services.checklist_add_items(actor=self.alice, template=template, texts=["新增条目"])
        texts = list(inspection.items.values_list("text", flat=True))
        self.assertEqual(texts, [self.criteria.text, "消防通道畅通"])
        self.assertEqual(inspection.items.first().criteria_item, self.criteria)
        self.assertEqual(inspection.checklist_name, "危化品检查表")

    def test_a_town_inspector_may_apply_the_county_checklist_not_another_countys(self):
        template = self.checklist()
        other = services.checklist_save(actor=self.charlie, data={"name": "九龙坡检查表"})
        services.checklist_add_items(actor=self.charlie, template=other, texts=["x项"])
        with self.assertRaises(ApplicationError):
            services.inspection_transition(actor=self.erin, inspection=self.create(), action="start", checklist=other)
        services.inspection_transition(actor=self.erin, inspection=self.create(), action="start", checklist=template)

    def test_nothing_to_add_is_refused(self):
        template = services.checklist_save(actor=self.alice, data={"name": "空表"})
        with self.assertRaises(ApplicationError):
            services.checklist_add_items(actor=self.alice, template=template, texts=["  "])
        with self.assertRaises(ApplicationError):
            services.checklist_save(actor=self.dave, data={"name": "x"})


class FindingTests(InspectionTestCase):
    def test_a_failed_criteria_item_becomes_a_major_hazard_with_the_item(self):
        inspection = self.started()
        item = inspection.items.get(criteria_item=self.criteria)
        services.item_record(actor=self.erin, item=item, result="fail", note="未设置泄漏报警")
        hazard = services.item_to_hazard(actor=self.erin, item=item)
        self.assertEqual((hazard.level, hazard.criteria_item, hazard.channel), ("major", self.criteria, "supervision"))
        self.assertIn("未设置泄漏报警", hazard.description)
        self.assertEqual(hazard.source_ref, inspection.number)
        self.assertEqual(list(inspection.hazards.all()), [hazard])
        page = self.login(self.alice).get(reverse("hazards:detail", args=[hazard.pk]))
        self.assertContains(page, f'监督检查：<a href="{inspection.get_absolute_url()}">{inspection.number}')
        with self.assertRaises(ApplicationError):
            services.item_to_hazard(
                actor=self.erin, item=Inspection.objects.get(pk=inspection.pk).items.get(pk=item.pk)
            )

    def test_channels_follow_the_kind_of_inspection(self):
        inspection = self.started(unannounced="1")
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.erin, item=item, result="fail", note="堆放杂物")
        hazard = services.item_to_hazard(actor=self.erin, item=item, level="general")
        self.assertEqual((hazard.channel, hazard.level), ("unannounced", "general"))

    def test_only_failed_items_and_only_while_in_progress(self):
        inspection = self.started()
        item = inspection.items.first()
        with self.assertRaises(ApplicationError):
            services.item_record(actor=self.erin, item=item, result="fail")  # no note, no photo
        services.item_record(actor=self.erin, item=item, result="pass")
        with self.assertRaises(ApplicationError):
            services.item_to_hazard(actor=self.erin, item=item)
        self.assertEqual(Hazard.objects.count(), 0)


class TransitionTests(InspectionTestCase):
    def test_every_transition_allowed_and_refused(self):
        for action, (sources, target, _, _) in TRANSITIONS.items():
            for status in ("planned", "in_progress", "completed", "cancelled"):
                inspection = self.create()
                Inspection.objects.filter(pk=inspection.pk).update(status=status)
                if status in sources:
                    if action == "complete":
                        inspection.items.all().delete()
                    done = services.inspection_transition(actor=self.erin, inspection=inspection, action=action)
                    self.assertEqual(done.status, target)
                else:
                    with self.assertRaises(ApplicationError):
                        services.inspection_transition(actor=self.erin, inspection=inspection, action=action)
                    self.assertEqual(Inspection.objects.get(pk=inspection.pk).status, status)

    def test_complete_needs_every_item_answered_and_no_future_date(self):
        inspection = self.started()
        with self.assertRaises(ApplicationError) as caught:
            services.inspection_transition(actor=self.erin, inspection=inspection, action="complete")
        self.assertIn("2 项检查内容未填写结果", caught.exception.message)
        for item in inspection.items.all():
            services.item_record(actor=self.erin, item=item, result="na")
        future = (self.today + timedelta(days=1)).isoformat()
        with self.assertRaises(ApplicationError):
            services.inspection_transition(actor=self.erin, inspection=inspection, action="complete", date=future)
        done = services.inspection_transition(actor=self.erin, inspection=inspection, action="complete")
        self.assertEqual((done.status, done.date), ("completed", self.today))

    def test_others_cannot_record(self):
        inspection = self.create()
        with self.assertRaises(ApplicationError):
            services.inspection_transition(actor=self.emma, inspection=inspection, action="start")
        with self.assertRaises(ScopeError):
            services.inspection_transition(actor=self.charlie, inspection=inspection, action="start")


class TeamTests(InspectionTestCase):
    def assertRefused(self, message, actor=None, **data):
        before = Inspection.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            self.create(actor=actor, **data)
        self.assertIn(message, caught.exception.message)
        self.assertEqual(Inspection.objects.count(), before)

    def test_enforcement_needs_two_valid_credentials(self):
        self.assertRefused("至少 2 名持有效执法证", kind="enforcement")
        self.create(kind="enforcement", inspectors=[self.erin.pk, self.frank.pk])
        InspectorCredential.objects.filter(user=self.frank).update(valid_until=self.today - timedelta(days=1))
        self.assertRefused("现有 1 名", kind="enforcement", inspectors=[self.erin.pk, self.frank.pk])

    def test_the_same_inspector_twice_is_refused(self):
        self.assertRefused("不能重复", inspectors=[self.erin.pk, self.erin.pk])

    def test_conflicts_and_own_staff_are_refused(self):
        Conflict.objects.create(user=self.frank, enterprise=self.enterprise_a, reason="近亲属任职")
        self.assertRefused("应当回避", inspectors=[self.erin.pk, self.frank.pk])
        self.assertRefused("不能参加检查", inspectors=[self.emma.pk])

    def test_experts_tied_to_the_enterprise_or_from_another_pool_are_refused(self):
        from zhiben.inspections.models import Expert

        pooled = Expert.objects.create(name="钱专家", region=self.county_a)
        employed = Expert.objects.create(name="孙专家", region=self.county_a, enterprise=self.enterprise_a)
        declared = Expert.objects.create(name="李专家", region=self.county_a)
        Conflict.objects.create(expert=declared, enterprise=self.enterprise_a, reason="曾为其提供咨询服务")
        elsewhere = Expert.objects.create(name="周专家", region=self.county_b)
        self.assertRefused("专家孙专家与被检查单位存在利害关系", experts=[employed.pk])
        self.assertRefused("专家李专家与被检查单位存在利害关系", experts=[declared.pk])
        self.assertRefused("不属于您可选用的专家库", experts=[elsewhere.pk])
        self.assertRefused("同一专家不能重复选择", experts=[pooled.pk, pooled.pk])
        inspection = self.create(experts=[pooled.pk])
        self.assertEqual(list(inspection.experts.all()), [pooled])
        with self.assertRaises(ApplicationError):
            services.inspection_add_member(actor=self.erin, inspection=inspection, expert=employed)
        self.assertEqual(list(inspection.experts.all()), [pooled])

    def test_out_of_scope_subjects_and_people(self):
        self.assertRefused("不在您的管辖范围内", enterprise=self.enterprise_b.pk)
        self.assertRefused("不在您的管辖范围内", enterprise=self.enterprise_a_construction.pk)  # not erin's industry
        self.assertRefused("不存在或不在您的管辖范围内", inspectors=[self.charlie.pk])

    def test_ids_that_are_no_ids_are_refused_not_a_500(self):
        """str.isdigit() holds for "²", which int() refuses; a number no id column holds overflowed in pk__in."""
        self.assertRefused("请选择被检查单位", enterprise="²")  # as any text that is no id
        self.assertRefused("请选择被检查单位", enterprise="", place="²")
        self.assertRefused("所选生产经营单位不存在", enterprise="9" * 25)
        self.assertRefused("所选检查人员不存在", inspectors=[self.erin.pk, "9" * 25])
        self.assertRefused("所选检查人员不存在", inspectors=[self.erin.pk, "²"])
        self.assertRefused("所选专家不存在", experts=["9" * 25])

    def test_numbers(self):
        first, second = self.create(), self.create()
        self.assertEqual(first.number, f"JC500106{self.today.year}000001")
        self.assertEqual(second.number, f"JC500106{self.today.year}000002")


class PageAndApiTests(InspectionTestCase):
    def test_pages(self):
        inspection = self.started()
        client = self.login(self.erin)
        self.assertContains(client.get(reverse("inspections:list")), inspection.number)
        # a unit no id column holds overflowed in the query (a 500): no inspection has it
        for unit in ("9" * 25, "²"):
            page = client.get(reverse("inspections:list"), {"unit": unit})
            self.assertEqual(page.status_code, 200)
            self.assertNotContains(page, inspection.number)
        page = client.get(reverse("inspections:detail", args=[inspection.pk]))
        self.assertContains(page, "消防通道畅通")
        item = inspection.items.get(criteria_item__isnull=True)
        response = client.post(
            reverse("inspections:item", args=[inspection.pk, item.pk]), {"result": "fail", "note": "堆物"}
        )
        self.assertEqual(response.status_code, 302)
        client.post(reverse("inspections:item_hazard", args=[inspection.pk, item.pk]), {"level": "general"})
        self.assertEqual(Inspection.objects.get(pk=inspection.pk).hazards.count(), 1)
        response = client.post(
            reverse("inspections:new"),
            {
                "kind": "supervision",
                "enterprise": self.enterprise_a.credit_code,
                "planned_date": self.today.isoformat(),
                "inspectors": [self.erin.pk],
            },
        )
        self.assertEqual(response.status_code, 302)
        export = client.get(reverse("inspections:export"))
        self.assertEqual(export.status_code, 200)

    def test_scope(self):
        inspection = self.started()
        self.assertEqual(
            self.login(self.charlie).get(reverse("inspections:detail", args=[inspection.pk])).status_code, 404
        )
        self.assertEqual(self.login(self.charlie).get(f"/api/v1/inspections/{inspection.pk}").status_code, 404)
        self.assertEqual(self.login(self.charlie).get("/api/v1/inspections/").json()["count"], 0)
        self.assertEqual(
            self.login(self.emma).get(reverse("inspections:detail", args=[inspection.pk])).status_code, 200
        )
        body = self.login(self.alice).get(f"/api/v1/inspections/{inspection.pk}").json()
        self.assertEqual(len(body["items"]), 2)
        template = inspection.items.first()
        self.assertTrue(template)
        checklist_pk = self.checklist().pk
        self.assertEqual(
            self.login(self.charlie).get(reverse("inspections:checklist_detail", args=[checklist_pk])).status_code, 404
        )
        self.assertEqual(
            self.login(self.erin).get(reverse("inspections:checklist_detail", args=[checklist_pk])).status_code, 200
        )
        self.assertEqual(json.loads(self.login(self.alice).get("/api/v1/inspections/").content)["count"], 1)


class ReadOnlyPhotosAndDatesTests(InspectionTestCase):
    def test_an_enterprise_user_reads_only_her_own_inspections(self):
        from zhiben.testing import make_enterprise

        inspection = self.started()
        other = make_enterprise(self.village_a1, "machinery", name="凤凰机械厂")
        hidden = self.create(enterprise=other.pk)
        client = self.login(self.emma)
        page = client.get(reverse("inspections:list"))
        self.assertContains(page, inspection.number)
        self.assertNotContains(page, hidden.number)
        self.assertEqual(client.get(reverse("inspections:detail", args=[hidden.pk])).status_code, 404)
        detail = client.get(reverse("inspections:detail", args=[inspection.pk]))
        self.assertNotContains(detail, "完成检查</button>")
        self.assertNotContains(detail, "取消检查")
        self.assertNotContains(detail, 'name="result"')
        item = inspection.items.first()
        response = client.post(reverse("inspections:item", args=[inspection.pk, item.pk]), {"result": "pass"})
        self.assertEqual(response.status_code, 403)
        response = client.post(reverse("inspections:transition", args=[inspection.pk, "cancel"]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Inspection.objects.get(pk=inspection.pk).status, "in_progress")
        self.assertEqual(inspection.items.get(pk=item.pk).result, "")
        self.assertEqual(client.get(reverse("inspections:checklist_new")).status_code, 403)

    def test_photos_are_stored_and_served_in_scope_only(self):
        from zhiben.hazards.tests.helpers import photo

        inspection = self.started()
        item = inspection.items.get(criteria_item__isnull=True)
        client = self.login(self.erin)
        response = client.post(
            reverse("inspections:item", args=[inspection.pk, item.pk]),
            {"result": "fail", "note": "", "photos": [photo("a.png"), photo("b.png", (0, 0, 200))]},
        )
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual((item.result, item.photos.count()), ("fail", 2))
        shot = item.photos.first()
        url = reverse("inspections:photo", args=[inspection.pk, shot.pk])
        served = client.get(url)
        self.assertEqual(served.status_code, 200)
        self.assertEqual(served["Content-Type"], "image/png")
        self.assertEqual(self.login(self.emma).get(url).status_code, 200)
        self.assertEqual(self.login(self.charlie).get(url).status_code, 404)
        other = self.started()
        self.assertEqual(
            self.login(self.erin).get(reverse("inspections:photo", args=[other.pk, shot.pk])).status_code, 404
        )

    def test_enforcement_credentials_are_checked_on_the_inspection_date(self):
        inspection = self.create(kind="enforcement", inspectors=[self.erin.pk, self.frank.pk])
        services.inspection_transition(actor=self.erin, inspection=inspection, action="start")
        InspectorCredential.objects.filter(user=self.frank).update(valid_from=self.today)
        before = (self.today - timedelta(days=1)).isoformat()
        with self.assertRaises(ApplicationError) as caught:
            services.inspection_transition(actor=self.erin, inspection=inspection, action="complete", date=before)
        self.assertIn("执法证", caught.exception.message)
        self.assertEqual(Inspection.objects.get(pk=inspection.pk).status, "in_progress")
        done = services.inspection_transition(actor=self.erin, inspection=inspection, action="complete")
        self.assertEqual(done.status, "completed")

    def test_pages_cancel_and_refusals_show_messages(self):
        inspection = self.create()
        client = self.login(self.erin)
        page = client.post(reverse("inspections:transition", args=[inspection.pk, "complete"]), follow=True)
        self.assertContains(page, "不能完成检查")
        page = client.post(reverse("inspections:transition", args=[inspection.pk, "cancel"]), follow=True)
        self.assertContains(page, "已取消")
        self.assertEqual(Inspection.objects.get(pk=inspection.pk).status, "cancelled")
        self.assertEqual(
            self.login(self.charlie).post(reverse("inspections:transition", args=[inspection.pk, "start"])).status_code,
            404,
        )


@unittest.skipUnless(connection.vendor == "postgresql", "row locks and concurrent transactions need PostgreSQL")
class ConcurrentStartTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        self.frank = make_user("frank", Role.REGULATOR, self.town_a1, unit=self.unit_emergency_a1)

    def test_two_starts_at_once_copy_the_items_once(self):
        template = services.checklist_save(actor=self.alice, data={"name": "并发检查表"})
        services.checklist_add_items(actor=self.alice, template=template, texts=["甲", "乙"])
        inspection = services.inspection_create(
            actor=self.erin,
            data={
                "kind": "supervision",
                "enterprise": self.enterprise_a.pk,
                "inspectors": [self.erin.pk, self.frank.pk],
            },
        )
        results = at_once(
            *(
                lambda user=user: services.inspection_transition(
                    actor=user, inspection=inspection, action="start", checklist=template
                )
                for user in (self.erin, self.frank)
            )
        )
        outcomes = sorted(r.code if isinstance(r, ApplicationError) else "ok" for r in results)
        self.assertEqual(outcomes, ["bad_state", "ok"])
        self.assertEqual(Inspection.objects.get(pk=inspection.pk).status, "in_progress")
        self.assertEqual(list(inspection.items.values_list("text", flat=True)), ["甲", "乙"])


class ExportTests(InspectionTestCase):
    def rows(self, user, **params):
        import io

        from openpyxl import load_workbook

        response = self.login(user).get(reverse("inspections:export"), params)
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        ).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    def test_the_export_follows_the_filters_and_the_scope(self):
        inspection = self.started(unannounced="1")
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.erin, item=item, result="fail", note="堆物")
        services.item_to_hazard(actor=self.erin, item=item, level="general")
        plain = self.create()
        rows = self.rows(self.alice)
        self.assertEqual(rows[0][:3], ["检查编号", "检查类型", "被检查单位"])
        by_number = {row[0]: row for row in rows[1:]}
        self.assertEqual(set(by_number), {inspection.number, plain.number})
        self.assertEqual(by_number[inspection.number][8], "是")
        self.assertEqual(by_number[inspection.number][-1], 1)
        self.assertEqual([r[0] for r in self.rows(self.alice, unannounced="0")[1:]], [plain.number])
        self.assertEqual(self.rows(self.charlie)[1:], [])
