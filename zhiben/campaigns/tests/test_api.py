"""The campaigns API: list and detail with progress, checks, targets, recording a check; scoped
(Charlie gets 404 on county A's campaign and its checks)."""

import json
from datetime import timedelta

from ..models import CampaignCheck
from .base import TODAY, CampaignTestCase

BASE = "/api/v1/campaigns"


class ApiTests(CampaignTestCase):
    def get(self, user, url, **params):
        return self.login(user).get(url, params)

    def test_list_with_progress(self):
        self.record(values={"user_type": "居民用户", "problem_gas": "是"})
        body = self.get(self.alice, f"{BASE}/").json()
        self.assertEqual(body["count"], 1)
        item = body["items"][0]
        self.assertEqual(
            (item["name"], item["status"], item["region_id"]), (self.campaign.name, "active", self.county_a.code)
        )
        self.assertEqual(item["industries"], ["hazchem"])
        self.assertEqual(
            item["progress"],
            {"targets": 4, "checked": 1, "unchecked": 3, "percent": 25, "checks": 1, "hazards": 1, "closed": 0},
        )
        self.assertEqual(self.get(self.alice, f"{BASE}/", status="draft").json()["count"], 0)
        self.assertEqual(self.get(self.gina, f"{BASE}/").json()["items"][0]["progress"]["targets"], 2)

    def test_detail_with_columns_checklist_and_regions(self):
        body = self.get(self.alice, f"{BASE}/{self.campaign.pk}").json()
        self.assertEqual(body["place_industry"], "gas")
        self.assertEqual([i["id"] for i in body["checklist_items"]], [self.item1.pk, self.item2.pk])
        self.assertIn(
            {
                "key": "problem_hose",
                "label": "问题软管",
                "type": "bool",
                "choices": [],
                "required": False,
                "problem": True,
            },
            body["columns"],
        )
        self.assertEqual({r["name"] for r in body["progress"]["by_region"]}, {"凤凰镇", "青木关镇"})

    def test_checks_and_targets(self):
        self.record(values={"user_type": "居民用户", "problem_gas": "是"})
        self.record(target=f"p{self.pipe_a2.pk}", date=TODAY - timedelta(days=1), values={"user_type": "燃气管道"})
        body = self.get(self.alice, f"{BASE}/{self.campaign.pk}/checks").json()
        self.assertEqual([c["target_name"] for c in body["items"]], ["凤凰化工有限公司", "青木关燃气管道"])
        first = body["items"][0]
        self.assertEqual(
            (first["hazard_count"], len(first["hazard_numbers"]), first["values"]["problem_gas"]), (1, 1, True)
        )
        self.assertEqual([i["result"] for i in first["items"]], ["pass", "pass"])
        self.assertEqual(
            self.get(self.alice, f"{BASE}/{self.campaign.pk}/checks", target=f"p{self.pipe_a2.pk}").json()["count"], 1
        )
        unchecked = self.get(self.alice, f"{BASE}/{self.campaign.pk}/targets", checked="0").json()
        self.assertEqual({t["name"] for t in unchecked["items"]}, {"双碑化工有限公司", "凤凰村燃气管道"})

    def test_recording_a_check(self):
        client = self.login(self.gina)
        payload = {
            "target": f"p{self.pipe_a1.pk}",
            "date": TODAY.isoformat(),
            "values": {"user_type": "燃气管道", "problem_network": True},
            "results": {str(self.item1.pk): {"result": "pass"}, str(self.item2.pk): {"result": "na"}},
        }
        response = client.post(
            f"{BASE}/{self.campaign.pk}/checks", json.dumps(payload), content_type="application/json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["hazard_count"], 1)
        bad = dict(payload, target=f"e{self.ent_a2.pk}")
        response = client.post(f"{BASE}/{self.campaign.pk}/checks", json.dumps(bad), content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("不在您的管辖范围内", response.json()["detail"])
        self.assertEqual(response.json()["errors"][0]["field"], "target")
        response = self.login(self.dave).post(
            f"{BASE}/{self.campaign.pk}/checks", json.dumps(payload), content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(CampaignCheck.objects.count(), 1)

    def test_it_hides_other_jurisdictions(self):
        check = self.record()
        self.assertEqual(self.get(self.charlie, f"{BASE}/").json()["count"], 0)
        for url in (
            f"{BASE}/{self.campaign.pk}",
            f"{BASE}/{self.campaign.pk}/checks",
            f"{BASE}/{self.campaign.pk}/targets",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.get(self.charlie, url).status_code, 404)
        response = self.login(self.charlie).post(
            f"{BASE}/{self.campaign.pk}/checks",
            json.dumps({"target": f"e{self.enterprise_b.pk}"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(list(CampaignCheck.objects.all()), [check])

    def test_the_schema_documents_the_endpoints(self):
        schema = self.get(self.alice, "/api/v1/openapi.json").json()
        paths = {p for p in schema["paths"] if p.startswith(BASE)}
        self.assertEqual(
            paths,
            {f"{BASE}/", f"{BASE}/{{pk}}", f"{BASE}/{{pk}}/checks", f"{BASE}/{{pk}}/targets"},
        )
        detail = schema["paths"][f"{BASE}/{{pk}}"]["get"]
        self.assertIn("404", detail["responses"])
