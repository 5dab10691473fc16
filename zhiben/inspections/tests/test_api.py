"""The inspections API: list (paginated, scoped, the page's filters), detail with items, checklists;
404 outside the caller's scope, 403 without the capability, every response in the schema."""

from datetime import timedelta

from zhiben.inspections import services
from zhiben.inspections.models import Inspection
from zhiben.testing import make_enterprise

from .test_inspections import InspectionTestCase

LIST = "/api/v1/inspections/"


class InspectionApiTests(InspectionTestCase):
    def test_list_is_paginated_filtered_and_sorted(self):
        early = self.create(planned_date=(self.today - timedelta(days=3)).isoformat())
        late = self.create(planned_date=self.today.isoformat(), cross="1")
        started = self.started()
        client = self.login(self.alice)
        body = client.get(LIST).json()
        self.assertEqual(body["count"], 3)
        self.assertEqual(
            set(body["items"][0]),
            {
                "id",
                "number",
                "kind",
                "status",
                "enterprise_id",
                "place_id",
                "subject",
                "region_id",
                "unit",
                "planned_date",
                "date",
                "unannounced",
                "cross",
            },
        )
        page = client.get(LIST, {"page_size": 1, "page": 2, "sort": "planned"}).json()
        self.assertEqual(page["count"], 3)
        self.assertEqual(
            [row["number"] for row in client.get(LIST, {"sort": "planned"}).json()["items"]][0], early.number
        )
        self.assertEqual([r["number"] for r in client.get(LIST, {"cross": "1"}).json()["items"]], [late.number])
        self.assertEqual(
            [r["number"] for r in client.get(LIST, {"status": "in_progress"}).json()["items"]], [started.number]
        )
        self.assertEqual(client.get(LIST, {"q": started.number}).json()["count"], 1)
        self.assertEqual(client.get(LIST, {"region": "500107"}).json()["count"], 0)
        self.assertEqual(client.get(LIST, {"industry": "construction"}).json()["count"], 0)
        self.assertEqual(client.get(LIST, {"unit": str(self.unit_emergency_a1.pk)}).json()["count"], 3)
        self.assertEqual(client.get(LIST, {"kind": "enforcement"}).json()["count"], 0)
        dated = client.get(LIST, {"date_from": self.today.isoformat(), "date_to": self.today.isoformat()}).json()
        self.assertEqual([r["number"] for r in dated["items"]], [started.number])
        self.assertIn("items", page)

    def test_detail_with_items_and_findings(self):
        inspection = self.started()
        item = inspection.items.get(criteria_item__isnull=True)
        services.item_record(actor=self.erin, item=item, result="fail", note="堆物")
        hazard = services.item_to_hazard(actor=self.erin, item=item, level="general")
        body = self.login(self.alice).get(f"{LIST}{inspection.pk}").json()
        self.assertEqual(body["number"], inspection.number)
        self.assertEqual(body["checklist_name"], "危化品检查表")
        self.assertEqual(body["inspectors"], [self.erin.display_name])
        self.assertEqual(body["hazard_ids"], [hazard.pk])
        rows = {row["text"]: row for row in body["items"]}
        self.assertEqual(rows["消防通道畅通"]["result"], "fail")
        self.assertEqual(rows["消防通道畅通"]["hazard_id"], hazard.pk)
        self.assertEqual(rows[self.criteria.text]["criteria_item_id"], self.criteria.pk)

    def test_scope(self):
        inspection = self.started()
        construction = self.create(
            actor=self.alice, enterprise=self.enterprise_a_construction.pk, inspectors=[self.alice.pk]
        )
        machinery = make_enterprise(self.village_a1, "machinery", name="凤凰机械厂")
        machine = self.create(actor=self.alice, enterprise=machinery.pk, inspectors=[self.alice.pk])
        charlie = self.login(self.charlie)
        self.assertEqual(charlie.get(LIST).json()["count"], 0)
        self.assertEqual(charlie.get(f"{LIST}{inspection.pk}").status_code, 404)
        self.assertEqual(charlie.get(f"{LIST}99999").status_code, 404)
        erin = self.login(self.erin)
        self.assertEqual({r["number"] for r in erin.get(LIST).json()["items"]}, {inspection.number, machine.number})
        self.assertEqual(erin.get(f"{LIST}{construction.pk}").status_code, 404)
        emma = self.login(self.emma)
        self.assertEqual([r["number"] for r in emma.get(LIST).json()["items"]], [inspection.number])
        self.assertEqual(emma.get(f"{LIST}{inspection.pk}").status_code, 200)
        self.assertEqual(emma.get(f"{LIST}{machine.pk}").status_code, 404)
        self.assertEqual(self.login(self.bob).get(LIST).json()["count"], 3)
        self.assertEqual(self.login(self.sam).get(LIST).status_code, 403)
        self.client.logout()
        self.assertIn(self.client.get(LIST).status_code, (401, 403))

    def test_checklists(self):
        template = self.checklist()
        services.checklist_set_active(
            actor=self.alice,
            template=services.checklist_save(actor=self.alice, data={"name": "停用的表"}),
            active=False,
        )
        other = services.checklist_save(actor=self.charlie, data={"name": "九龙坡检查表"})
        alice = self.login(self.alice)
        names = [r["name"] for r in alice.get(f"{LIST}checklists/").json()["items"]]
        self.assertEqual(sorted(names), ["停用的表", "危化品检查表"])
        active = alice.get(f"{LIST}checklists/", {"active": "1"}).json()
        self.assertEqual([r["name"] for r in active["items"]], ["危化品检查表"])
        self.assertEqual(active["items"][0]["n_items"], 2)
        body = alice.get(f"{LIST}checklists/{template.pk}").json()
        self.assertEqual([i["text"] for i in body["items"]], [self.criteria.text, "消防通道畅通"])
        self.assertEqual(self.login(self.erin).get(f"{LIST}checklists/{template.pk}").status_code, 200)
        charlie = self.login(self.charlie)
        self.assertEqual(charlie.get(f"{LIST}checklists/{template.pk}").status_code, 404)
        self.assertEqual([r["name"] for r in charlie.get(f"{LIST}checklists/").json()["items"]], [other.name])

    def test_every_response_is_in_the_schema(self):
        schema = self.login(self.alice).get("/api/v1/openapi.json").json()
        for path, codes in {
            "/api/v1/inspections/": {"200", "401", "403", "422"},
            "/api/v1/inspections/{pk}": {"200", "401", "403", "404", "422"},
            "/api/v1/inspections/checklists/": {"200", "401", "403", "422"},
            "/api/v1/inspections/checklists/{pk}": {"200", "401", "403", "404", "422"},
        }.items():
            self.assertEqual(set(schema["paths"][path]["get"]["responses"]), codes, path)
        params = {p["name"] for p in schema["paths"]["/api/v1/inspections/"]["get"]["parameters"]}
        self.assertTrue({"status", "kind", "region", "industry", "unit", "date_from", "date_to"} <= params)
        self.assertTrue({"unannounced", "cross", "q", "sort", "page"} <= params)
        self.assertFalse(Inspection.objects.exists())
