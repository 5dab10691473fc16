"""The dashboard and the figures API: a region and its children side by side from the registered figures
only, every number linking to its records, the same numbers in the page, the API and the export; scope
(a town sees itself and its villages, another county is a 404), roles, bad periods, industries and regions,
empty regions, and the one-minute reuse of a computed table."""

import io
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.core.registry import Figure, register, unregister
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase


def hazard(enterprise, found, number, **fields):
    return Hazard.objects.create(
        number=number,
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.industry,
        channel=fields.pop("channel", "supervision"),
        level=fields.pop("level", "general"),
        description="测试隐患",
        found_date=found,
        status=fields.pop("status", "verified"),
        deadline=fields.pop("deadline", date(2026, 12, 31)),
        **fields,
    )


class DashboardTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.year = str(timezone.localdate().year)
        y = int(cls.year)
        hazard(cls.enterprise_a, date(y, 1, 5), "A-1", channel="self")
        hazard(cls.enterprise_a, date(y, 2, 5), "A-2", level="major")
        hazard(cls.enterprise_a_construction, date(y, 3, 5), "A-3")
        hazard(cls.enterprise_a, date(y - 1, 3, 5), "A-old")
        hazard(cls.enterprise_b, date(y, 1, 5), "B-1")

    def setUp(self):
        cache.clear()

    def api(self, user, **params):
        self.client.force_login(user)
        return self.client.get("/api/v1/analytics/table", params)

    def test_the_county_and_its_towns_side_by_side(self):
        response = self.login(self.alice).get("/analytics/", {"period": self.year})
        self.assertEqual(response.status_code, 200)
        table = response.context["table"]
        self.assertEqual([row.code for row in table.rows], [self.county_a.code, self.town_a2.code, self.town_a1.code])
        found = [f.key for f in table.columns].index("hazards.found")
        self.assertEqual([row.cells[found].value for row in table.rows], [3, 0, 3])
        # every number links to the records behind it, narrowed to the row's region and the period
        link = table.rows[2].cells[found].url
        self.assertIn(f"region={self.town_a1.code}", link)
        listed = self.client.get(link).content.decode()
        self.assertIn("A-1", listed)
        self.assertIn("A-3", listed)
        self.assertNotIn(">A-old<", listed)
        self.assertContains(response, "凤凰镇")
        self.assertContains(response, "隐患排查治理")
        self.assertContains(response, 'id="headline"')

    def test_a_number_links_only_to_records_its_reader_may_open(self):
        """A grid worker reads the county's enforcement figures but may not open the cases list: no link there, so no
        page that refuses them; the 安委办 gets both. Every link a reader is given opens."""

        def links(user):
            self.client.force_login(user)
            table = self.client.get("/analytics/", {"period": self.year}).context["table"]
            return {f.key: cell.url for f, cell in zip(table.columns, table.rows[0].cells, strict=True) if cell.url}

        grid = links(self.gina)
        self.assertIn("hazards.found", grid)
        self.assertNotIn("enforcement.cases", grid)
        for key, url in grid.items():
            self.assertEqual(self.client.get(url).status_code, 200, (key, url))
        committee = links(self.alice)
        self.assertTrue({"hazards.found", "enforcement.cases", "enforcement.zero_penalty_units"} <= set(committee))

    def test_page_api_and_export_give_the_same_numbers(self):
        page = self.login(self.alice).get("/analytics/", {"period": self.year, "region": self.town_a1.code})
        rows = {row.code: [c.value for c in row.cells] for row in page.context["table"].rows}
        body = self.api(self.alice, period=self.year, region=self.town_a1.code).json()
        keys = [f["key"] for f in body["figures"]]
        self.assertEqual({r["code"]: [r["values"][k] for k in keys] for r in body["rows"]}, rows)
        export = self.client.get("/analytics/export/", {"period": self.year, "region": self.town_a1.code})
        sheet = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        self.assertEqual(sheet[0][:2], ("区划代码", "名称"))
        self.assertEqual({r[0]: list(r[2:]) for r in sheet[1:]}, rows)
        self.assertEqual(body["rows"][0]["values"]["hazards.found"], 3)
        villages = {r["code"]: r["values"]["hazards.found"] for r in body["rows"][1:]}
        self.assertEqual(villages, {self.village_a1.code: 2, self.village_a2.code: 1})

    def test_by_industry_and_one_industry(self):
        body = self.api(self.alice, period=self.year, by="industry").json()
        found = {r["code"]: r["values"]["hazards.found"] for r in body["rows"][1:]}
        self.assertEqual(found, {"hazchem": 2, "construction": 1})
        body = self.api(self.alice, period=self.year, industry="construction").json()
        self.assertEqual(body["rows"][0]["values"]["hazards.found"], 1)
        self.assertIn("industry=construction", body["rows"][0]["urls"]["hazards.found"])

    def test_a_town_sees_itself_and_its_villages_and_no_other_county(self):
        # erin works for a town: her own town is her default, the county above is not hers
        body = self.api(self.erin, period=self.year).json()
        self.assertEqual(body["region_code"], self.town_a1.code)
        self.assertEqual(self.api(self.erin, region=self.county_a.code).status_code, 404)
        self.assertEqual(self.login(self.erin).get("/analytics/", {"region": self.county_a.code}).status_code, 404)
        self.assertEqual(self.api(self.charlie, region=self.county_a.code).status_code, 404)
        self.assertEqual(self.login(self.charlie).get("/analytics/", {"region": self.town_a1.code}).status_code, 404)
        # a county of its own: only its hazard
        self.assertEqual(self.api(self.charlie, period=self.year).json()["rows"][0]["values"]["hazards.found"], 1)

    def test_roles(self):
        self.assertEqual(self.login(self.emma).get("/analytics/").status_code, 403)
        self.assertEqual(self.api(self.emma).status_code, 403)
        self.assertEqual(self.login(self.dave).get("/analytics/").status_code, 200)
        self.client.logout()
        self.assertEqual(self.client.get("/api/v1/analytics/table").status_code, 401)

    def test_bad_input_is_named_never_a_server_error(self):
        response = self.login(self.alice).get("/analytics/", {"period": "明年", "industry": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "无法识别统计期“明年”")
        self.assertContains(response, "没有代码为“nope”的行业")
        for params, field in (({"period": "2026Q5"}, "period"), ({"industry": "nope"}, "industry")):
            reply = self.api(self.alice, **params)
            self.assertEqual(reply.status_code, 422, params)
            self.assertEqual(reply.json()["errors"][0]["field"], field)
        self.assertEqual(self.api(self.alice, keys="hazards.found,nothing.here").status_code, 422)
        self.assertEqual(self.api(self.alice, region="999999").status_code, 404)
        self.assertEqual(self.api(self.alice, by="enterprise").status_code, 422)

    def test_a_period_without_data_and_a_region_without_children(self):
        response = self.login(self.alice).get("/analytics/", {"period": "2001", "region": self.village_a1.code})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "凤凰村没有下级区划")
        body = self.api(self.alice, period="2001").json()
        self.assertEqual(body["rows"][0]["values"]["hazards.found"], 0)
        self.assertIsNone(body["rows"][0]["values"]["hazards.ontime_rate"])  # nothing closed: no rate, not 0%

    def test_a_computed_table_is_reused_for_a_minute_unless_asked_again(self):
        self.api(self.alice, period=self.year)
        hazard(self.enterprise_a, date(int(self.year), 4, 1), "A-4")
        with CaptureQueriesContext(connection) as queries:
            cached = self.api(self.alice, period=self.year).json()
        self.assertFalse([q for q in queries if "hazards_hazard" in q["sql"]])  # nothing counted again
        self.assertEqual(cached["rows"][0]["values"]["hazards.found"], 3)
        fresh = self.api(self.alice, period=self.year, fresh="true").json()
        self.assertEqual(fresh["rows"][0]["values"]["hazards.found"], 4)

    def test_a_figure_without_a_source_or_breakdown_is_counted_child_by_child(self):
        seen = []

        def compute(user, filters):
            seen.append(filters["region"])
            return len(filters["region"])

        register(Figure("test.regions", "测试指标", compute, group="测试", unit="个"))
        try:
            body = self.api(self.alice, keys="test.regions").json()
        finally:
            unregister("figures", "test.regions")
        self.assertEqual(
            {r["code"]: r["values"]["test.regions"] for r in body["rows"]},
            {self.county_a.code: 12, self.town_a1.code: 12, self.town_a2.code: 12},
        )
        self.assertEqual(sorted(seen), sorted([self.county_a.code, self.town_a1.code, self.town_a2.code]))

    def test_the_catalogue_lists_every_registered_figure(self):
        self.client.force_login(self.alice)
        keys = [f["key"] for f in self.client.get("/api/v1/analytics/figures").json()]
        self.assertIn("hazards.found", keys)
        self.assertIn("hazards.self_share", keys)

    def test_each_section_appears_once_with_its_figures_together(self):
        table = self.login(self.alice).get("/analytics/", {"period": self.year}).context["table"]
        groups = [group for group, _ in table.column_groups()]
        self.assertEqual(len(groups), len(set(groups)), groups)
        self.assertEqual(groups[0], "隐患排查治理")
