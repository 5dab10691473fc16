"""Checklists (items from a whole part, only applicable standards, reorder, deactivate), the team
(adding a member twice), places, the timeline, home cards, the API's refusals and scope by industry."""

from datetime import timedelta

from django.urls import reverse

from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import SubjectEvent
from zhiben.core.registry import registry
from zhiben.hazards.models import CriteriaItem, CriteriaPart, CriteriaStandard, Place
from zhiben.inspections import services
from zhiben.inspections.models import ChecklistTemplate, Inspection
from zhiben.inspections.selectors import inspections_in_period
from zhiben.testing import make_enterprise

from .test_inspections import InspectionTestCase


class ChecklistEditingTests(InspectionTestCase):
    def setUp(self):
        self.part = CriteriaPart.objects.filter(standard__code="gongmao", items__isnull=False).order_by("sort").first()
        self.template = services.checklist_save(actor=self.alice, data={"name": "工贸检查表"})

    def test_a_whole_part_is_added_once(self):
        rows = services.checklist_add_items(actor=self.alice, template=self.template, part_ids=[self.part.pk])
        expected = list(self.part.items.order_by("sort").values_list("text", flat=True))
        self.assertEqual([r.text for r in rows], expected)
        self.assertTrue(all(r.criteria_item_id for r in rows))
        self.assertIn(self.part.standard.name, rows[0].method)
        with self.assertRaises(ApplicationError):  # everything already there: nothing to add
            services.checklist_add_items(actor=self.alice, template=self.template, part_ids=[self.part.pk])
        self.assertEqual(self.template.items.count(), len(expected))

    def test_a_standard_of_another_region_is_refused(self):
        local = CriteriaStandard.objects.create(code="jlp-local", version="1", name="九龙坡细则", region=self.county_b)
        item = CriteriaItem.objects.create(standard=local, number="1", text="九龙坡条款")
        with self.assertRaises(ApplicationError):
            services.checklist_add_items(actor=self.alice, template=self.template, criteria_ids=[item.pk])
        self.assertEqual(self.template.items.count(), 0)

    def test_reorder_and_deactivate_leave_inspections_as_they_were(self):
        services.checklist_add_items(actor=self.alice, template=self.template, texts=["甲", "乙", "丙"])
        inspection = services.inspection_transition(
            actor=self.erin, inspection=self.create(), action="start", checklist=self.template
        )
        third = self.template.items.get(text="丙")
        services.checklist_reorder(actor=self.alice, template=self.template, item=third, move="up")
        self.assertEqual(list(self.template.items.values_list("text", flat=True)), ["甲", "丙", "乙"])
        services.checklist_reorder(
            actor=self.alice, template=self.template, order=[third.pk, self.template.items.get(text="乙").pk]
        )
        self.assertEqual(list(self.template.items.values_list("text", flat=True)), ["丙", "乙", "甲"])
        services.checklist_set_active(actor=self.alice, template=self.template, active=False)
        self.assertEqual(list(inspection.items.values_list("text", flat=True)), ["甲", "乙", "丙"])
        with self.assertRaises(ApplicationError):
            services.inspection_transition(
                actor=self.erin, inspection=self.create(), action="start", checklist=self.template
            )
        with self.assertRaises(ApplicationError):
            services.checklist_set_active(actor=self.erin, template=self.template, active=True)  # not erin's region

    def test_pages(self):
        client = self.login(self.alice)
        url = reverse("inspections:checklist_detail", args=[self.template.pk])
        page = client.get(url, {"standard": self.part.standard_id})
        self.assertContains(page, "整个部分")
        client.post(reverse("inspections:checklist_add", args=[self.template.pk]), {"parts": [self.part.pk]})
        first, second = list(self.template.items.all())[:2]
        client.post(reverse("inspections:checklist_move", args=[self.template.pk, second.pk]), {"direction": "up"})
        self.assertEqual(self.template.items.first(), second)
        client.post(reverse("inspections:checklist_active", args=[self.template.pk]), {"active": "0"})
        self.assertFalse(ChecklistTemplate.objects.get(pk=self.template.pk).active)
        listing = client.get(reverse("inspections:checklists"))
        self.assertNotContains(listing, "工贸检查表")
        self.assertContains(client.get(reverse("inspections:checklists"), {"active": "0"}), "工贸检查表")
        # a reader without checklist.manage sees it, cannot change it
        reader = self.login(self.dave)
        self.assertEqual(reader.get(url).status_code, 200)
        self.assertEqual(
            reader.post(reverse("inspections:checklist_active", args=[self.template.pk]), {"active": "1"}).status_code,
            403,
        )
        self.assertEqual(self.login(self.charlie).get(url).status_code, 404)


class TeamAndTimelineTests(InspectionTestCase):
    def test_adding_a_member_twice_is_refused_and_nothing_is_written(self):
        inspection = self.create()
        services.inspection_add_member(actor=self.erin, inspection=inspection, user=self.frank)
        events = SubjectEvent.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            services.inspection_add_member(actor=self.erin, inspection=inspection, user=self.frank)
        self.assertIn("已在检查组中", caught.exception.message)
        self.assertEqual(inspection.inspectors.count(), 2)
        self.assertEqual(SubjectEvent.objects.count(), events)
        client = self.login(self.erin)
        response = client.post(
            reverse("inspections:member", args=[inspection.pk]), {"user": self.frank.pk}, follow=True
        )
        self.assertContains(response, "已在检查组中")
        for value in ("²", "abc", "9" * 25):  # no id: nobody is added (int() and the lookup refused them: a 500)
            response = client.post(reverse("inspections:member", args=[inspection.pk]), {"user": value}, follow=True)
            self.assertEqual(response.status_code, 200)
        self.assertEqual(inspection.inspectors.count(), 2)

    def test_every_step_is_on_the_timeline(self):
        inspection = self.started()
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.erin, item=item, result="fail", note="通道堆物")
        services.item_to_hazard(actor=self.erin, item=item, level="general")
        for other in inspection.items.exclude(pk=item.pk):
            services.item_record(actor=self.erin, item=other, result="pass")
        services.inspection_transition(actor=self.erin, inspection=inspection, action="complete")
        actions = list(
            SubjectEvent.objects.filter(subject_type="inspections.inspection", subject_id=str(inspection.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )
        self.assertEqual(actions, ["create", "start", "item", "hazard", "item", "complete"])
        page = self.login(self.erin).get(reverse("inspections:detail", args=[inspection.pk]))
        self.assertContains(page, "消防通道畅通：不符合（通道堆物）")

    def test_a_place_is_inspected_under_its_industry(self):
        place = Place.objects.create(name="凤凰村燃气管道", region=self.village_a1)
        inspection = self.create(
            actor=self.alice, enterprise="", place=place.pk, industry=self.enterprise_a.industry_id
        )
        self.assertEqual((inspection.place, inspection.region_id), (place, self.village_a1.code))
        with self.assertRaises(ApplicationError):
            self.create(actor=self.alice, enterprise="", place=place.pk)  # no industry

    def test_failed_item_hazard_level_defaults_and_may_be_changed_on_the_page(self):
        inspection = self.started(kind="enforcement", inspectors=[self.erin.pk, self.frank.pk])
        item = inspection.items.get(criteria_item=self.criteria)
        client = self.login(self.erin)
        client.post(reverse("inspections:item", args=[inspection.pk, item.pk]), {"result": "fail", "note": "无报警"})
        page = client.get(reverse("inspections:detail", args=[inspection.pk]))
        self.assertContains(page, '<option value="major" selected>重大隐患</option>', html=False)
        client.post(reverse("inspections:item_hazard", args=[inspection.pk, item.pk]), {"level": "general"})
        hazard = Inspection.objects.get(pk=inspection.pk).hazards.get()
        self.assertEqual((hazard.level, hazard.channel), ("general", "enforcement"))


class HomeApiAndScopeTests(InspectionTestCase):
    def test_home_cards(self):
        inspection = self.started()
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.erin, item=item, result="fail", note="堆物")
        services.item_to_hazard(actor=self.erin, item=item, level="general")
        self.create()
        cards = {c["label"]: c["value"] for c in registry["home_cards"]["inspections"].cards(self.alice)}
        self.assertEqual(cards, {"本月检查": 1, "待检查": 1, "本月发现隐患的检查": 1})
        self.assertEqual(registry["home_cards"]["inspections"].cards(self.charlie)[0]["value"], 0)
        section = registry["home_cards"]["inspections"]
        self.assertTrue(section.applies(self.dave))  # a leader reads the figures
        self.assertEqual(section.cards(self.dave)[1]["value"], 1)
        self.assertFalse(section.applies(self.emma))
        self.assertFalse(section.applies(self.sam))

    def test_api_refusals_are_documented(self):
        schema = self.login(self.alice).get("/api/v1/openapi.json").json()
        detail = schema["paths"]["/api/v1/inspections/{pk}"]["get"]["responses"]
        self.assertTrue({"200", "403", "404"} <= set(detail))
        listing = schema["paths"]["/api/v1/inspections/"]["get"]["responses"]
        self.assertTrue({"200", "403"} <= set(listing))
        self.assertEqual(self.login(self.sam).get("/api/v1/inspections/").status_code, 403)
        self.assertEqual(self.login(self.sam).get("/api/v1/inspections/1").status_code, 403)

    def test_a_department_sees_only_its_industries(self):
        hazchem = self.create(actor=self.alice, inspectors=[self.alice.pk])
        construction = self.create(
            actor=self.alice, enterprise=self.enterprise_a_construction.pk, inspectors=[self.alice.pk]
        )
        machinery = make_enterprise(self.village_a1, "machinery", name="凤凰机械厂")
        machine = self.create(actor=self.alice, enterprise=machinery.pk, inspectors=[self.alice.pk])
        client = self.login(self.erin)
        page = client.get(reverse("inspections:list"))
        self.assertContains(page, hazchem.number)
        self.assertContains(page, machine.number)
        self.assertNotContains(page, construction.number)
        self.assertEqual(client.get(reverse("inspections:detail", args=[construction.pk])).status_code, 404)
        numbers = {row["number"] for row in client.get("/api/v1/inspections/").json()["items"]}
        self.assertEqual(numbers, {hazchem.number, machine.number})
        self.assertEqual(client.get(f"/api/v1/inspections/{construction.pk}").status_code, 404)
        self.assertEqual(self.login(self.alice).get("/api/v1/inspections/").json()["count"], 3)

    def test_list_filters(self):
        unannounced = self.create(unannounced="1")
        plain = self.create()
        client = self.login(self.alice)
        page = client.get(reverse("inspections:list"), {"unannounced": "1"})
        self.assertContains(page, unannounced.number)
        self.assertNotContains(page, plain.number)
        body = client.get("/api/v1/inspections/", {"unannounced": "0", "kind": "supervision"}).json()
        self.assertEqual([row["number"] for row in body["items"]], [plain.number])

    def test_inspections_in_period(self):
        done = self.started()
        for item in done.items.all():
            services.item_record(actor=self.erin, item=item, result="pass")
        services.inspection_transition(actor=self.erin, inspection=done, action="complete")
        self.create()  # planned: not counted
        period = inspections_in_period(self.today - timedelta(days=1), self.today)
        self.assertEqual(list(period), [Inspection.objects.get(pk=done.pk)])
        self.assertFalse(inspections_in_period(self.today + timedelta(days=1), self.today + timedelta(days=5)).exists())


class ChecklistScopeAndListTests(InspectionTestCase):
    def test_another_county_cannot_read_or_change_a_checklist(self):
        template = self.checklist()
        item = template.items.first()
        client = self.login(self.charlie)
        for url in (
            reverse("inspections:checklist_detail", args=[template.pk]),
            reverse("inspections:checklist_edit", args=[template.pk]),
        ):
            self.assertEqual(client.get(url).status_code, 404, url)
        for url, data in (
            (reverse("inspections:checklist_edit", args=[template.pk]), {"name": "改名"}),
            (reverse("inspections:checklist_add", args=[template.pk]), {"texts": "新条目"}),
            (reverse("inspections:checklist_remove", args=[template.pk, item.pk]), {}),
            (reverse("inspections:checklist_move", args=[template.pk, item.pk]), {"direction": "down"}),
            (reverse("inspections:checklist_active", args=[template.pk]), {"active": "0"}),
        ):
            self.assertEqual(client.post(url, data).status_code, 404, url)
        template.refresh_from_db()
        self.assertEqual((template.name, template.active, template.items.count()), ("危化品检查表", True, 2))
        self.assertNotContains(client.get(reverse("inspections:checklists")), "危化品检查表")

    def test_list_filters_and_sort(self):
        general = self.checklist()
        from zhiben.regions.models import Industry

        machinery = services.checklist_save(
            actor=self.alice,
            data={"name": "机械企业检查表", "industry": Industry.objects.get(code="machinery").pk},
        )
        client = self.login(self.alice)
        url = reverse("inspections:checklists")
        page = client.get(url, {"industry": "machinery"})
        self.assertContains(page, machinery.name)
        self.assertContains(page, general.name)  # 通用 checklists apply to every industry
        page = client.get(url, {"industry": "none"})
        self.assertNotContains(page, machinery.name)
        page = client.get(url, {"q": "机械"})
        self.assertContains(page, machinery.name)
        self.assertNotContains(page, general.name)
        body = client.get(url, {"sort": "-name"}).content.decode()  # 危 (U+5371) sorts before 机 (U+673A)
        self.assertLess(body.index(machinery.name), body.index(general.name))
        body = client.get(url, {"sort": "name"}).content.decode()
        self.assertLess(body.index(general.name), body.index(machinery.name))

    def test_remove_an_item_and_edit(self):
        template = self.checklist()
        item = template.items.get(criteria_item__isnull=True)
        client = self.login(self.alice)
        client.post(reverse("inspections:checklist_remove", args=[template.pk, item.pk]))
        self.assertEqual(list(template.items.values_list("criteria_item", flat=True)), [self.criteria.pk])
        client.post(reverse("inspections:checklist_edit", args=[template.pk]), {"name": "危化品检查表（2026版）"})
        template.refresh_from_db()
        self.assertEqual(template.name, "危化品检查表（2026版）")
        response = client.post(reverse("inspections:checklist_edit", args=[template.pk]), {"name": ""})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ChecklistTemplate.objects.get(pk=template.pk).name, "危化品检查表（2026版）")

    def test_a_failed_item_of_a_place_becomes_a_hazard_of_the_place(self):
        place = Place.objects.create(name="凤凰村燃气管道", region=self.village_a1)
        inspection = self.create(
            actor=self.alice, enterprise="", place=place.pk, industry=self.enterprise_a.industry_id
        )
        inspection = services.inspection_transition(
            actor=self.alice, inspection=inspection, action="start", checklist=self.checklist()
        )
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.alice, item=item, result="fail", note="阀门井积水")
        hazard = services.item_to_hazard(actor=self.alice, item=item)
        self.assertEqual((hazard.place, hazard.enterprise, hazard.level), (place, None, "general"))
        self.assertEqual(hazard.description, "消防通道畅通：阀门井积水")


class MenuTests(InspectionTestCase):
    def test_menu_entries_follow_capabilities(self):
        def labels(user):
            nav = self.login(user).get(reverse("inspections:list")).context["nav"]
            return {item["label"] for item in nav}

        self.assertTrue({"监督检查", "检查表"} <= labels(self.alice))
        leader = labels(self.dave)  # reads inspections, does not manage checklists
        self.assertIn("监督检查", leader)
        self.assertNotIn("检查表", leader)
        self.assertEqual(self.login(self.sam).get(reverse("inspections:list")).status_code, 403)


class ItemRecordedOfflineTests(InspectionTestCase):
    """A checklist item is recorded on site, its photos where the network may not reach (an offline form inline on the
    inspection's page): the same submission sent again by the phone's queue is saved once."""

    def test_the_same_record_sent_twice_is_saved_once(self):
        from zhiben.core.models import SubmissionKey
        from zhiben.core.offline import REPEATED
        from zhiben.hazards.tests.helpers import photo

        inspection = self.started()
        item = inspection.items.get(criteria_item__isnull=True)
        client = self.login(self.erin)
        page = client.get(inspection.get_absolute_url())
        self.assertContains(page, 'data-offline="inline"')
        url = reverse("inspections:item", args=[inspection.pk, item.pk])
        key = "fedcba9876543210fedcba9876543210"
        refused = client.post(url, {"note": "未选结果", "submission_key": key})
        self.assertFalse(SubmissionKey.objects.exists())  # nothing saved: the corrected record may use the key
        self.assertEqual(refused.status_code, 302)
        data = {"result": "fail", "note": "通道堆放纸箱", "photos": [photo("现场.png")], "submission_key": key}
        first = client.post(url, data)
        again = client.post(url, {**data, "photos": [photo("现场.png")]})
        self.assertEqual(again["Location"], first["Location"])
        self.assertContains(client.get(again["Location"]), REPEATED)
        item.refresh_from_db()
        self.assertEqual((item.result, item.note, item.photos.count()), ("fail", "通道堆放纸箱", 1))
