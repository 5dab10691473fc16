"""The drills API: drills and rescue teams in view with their pages' filters and sorts, one drill; another county's
drill a 404, a user without `drill.view` a 403, a bad value a 422."""

from datetime import date

from .. import services
from .test_drills import DrillCase, drill


class DrillApiTests(DrillCase):
    def test_drills_in_view_with_the_pages_filters_and_one_drill(self):
        early = drill(self.alice, self.enterprise_a, date(2026, 3, 1))
        late = drill(self.alice, self.enterprise_a_construction, date(2026, 5, 9), kind="evacuation", form="tabletop")
        other = drill(self.charlie, self.enterprise_b, date(2026, 4, 1))
        client = self.login(self.alice)
        items = client.get("/api/v1/drills/").json()["items"]
        self.assertEqual([i["id"] for i in items], [late.pk, early.pk])  # the latest first
        self.assertEqual(
            (items[0]["enterprise_name"], items[0]["kind_label"], items[0]["form_label"]),
            ("凤凰建设有限公司", "疏散逃生演练", "桌面推演"),
        )
        self.assertEqual([i["id"] for i in client.get("/api/v1/drills/?kind=onsite").json()["items"]], [early.pk])
        self.assertEqual(
            [i["id"] for i in client.get("/api/v1/drills/?sort=held").json()["items"]], [early.pk, late.pk]
        )
        self.assertEqual(client.get("/api/v1/drills/?kind=nonsense").status_code, 422)
        self.assertEqual(client.get(f"/api/v1/drills/{early.pk}").json()["scenario"], "泄漏处置")
        self.assertEqual(client.get(f"/api/v1/drills/{other.pk}").status_code, 404)
        self.assertEqual([i["id"] for i in self.login(self.charlie).get("/api/v1/drills/").json()["items"]], [other.pk])
        self.assertEqual(self.login(self.sam).get("/api/v1/drills/").status_code, 403)
        self.assertEqual(self.login(self.sam).get(f"/api/v1/drills/{early.pk}").status_code, 403)

    def test_rescue_teams_in_view(self):
        team = services.team_save(
            actor=self.alice,
            data={"name": "凤凰镇应急队", "level": "town", "region": self.town_a1.code, "members": "20",
                  "established_on": "2025-01-01", "leader": "王队"},
        )  # fmt: skip
        client = self.login(self.alice)
        items = client.get("/api/v1/drills/teams").json()["items"]
        self.assertEqual([(i["id"], i["level_label"], i["region_name"], i["industry"]) for i in items],
                         [(team.pk, "镇级", "凤凰镇", "")])  # fmt: skip
        self.assertEqual(client.get("/api/v1/drills/teams?level=village").json()["items"], [])
        self.assertEqual(self.login(self.charlie).get("/api/v1/drills/teams").json()["items"], [])
