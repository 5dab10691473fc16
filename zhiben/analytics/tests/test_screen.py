"""The big screen and its data: the trend month by month (hand-counted, and equal to figure_values of each
month), the listed-hazards record list, each chart's Excel export giving the numbers the API gives, the
screen and dashboard pages (scope, roles, bad input, no asset from outside the server)."""

import io
import json
import re
import tempfile
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.analytics import charts, selectors
from zhiben.audit.models import AuditEvent
from zhiben.core.periods import current_period, parse_period
from zhiben.testing import CastTestCase

from .test_dashboard import hazard

TREND = "/api/v1/analytics/trend"
RECORDS = "/api/v1/analytics/records"
TABLE = "/api/v1/analytics/table"


def at(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def closed(enterprise, found, number, closed_on, **fields):
    return hazard(enterprise, found, number, status="closed", closed_at=at(closed_on), **fields)


# Hand count of 2025 in county A (沙坪坝区), month by month:
#   found:  Jan 2, Mar 1, Dec 1; A-r (不予认定) and A-old (2024) do not count
#   closed: Jan 1 (A-old), Feb 1, Mar 1; A-4 closed in 2026
FOUND_A = {1: 2, 3: 1, 12: 1}
CLOSED_A = {1: 1, 2: 1, 3: 1}
# erin (凤凰镇应急办: 危化 and 机械 in 凤凰镇) sees, A-old — not the construction site's A-3
FOUND_ERIN = {1: 2, 12: 1}
CLOSED_ERIN = {1: 1, 2: 1}


class ScreenTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a, site, b = cls.enterprise_a, cls.enterprise_a_construction, cls.enterprise_b
        closed(a, date(2025, 1, 10), "A-1", date(2025, 2, 3), deadline=date(2025, 3, 1))
        hazard(a, date(2025, 1, 20), "A-2", level="major", listed_level="county", listed_at=at(date(2025, 2, 1)))
        closed(site, date(2025, 3, 5), "A-3", date(2025, 3, 25))
        closed(a, date(2025, 12, 31), "A-4", date(2026, 1, 2))
        closed(a, date(2024, 12, 31), "A-old", date(2025, 1, 15))
        hazard(a, date(2025, 5, 1), "A-r", status="rejected")
        hazard(b, date(2025, 1, 10), "B-1", listed_level="county", listed_at=at(date(2025, 2, 1)))

    def setUp(self):
        cache.clear()

    def get(self, user, url, **params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def months(self, body, key):
        return {int(r["period"][5:]): r["values"][key] for r in body["rows"] if r["values"][key]}

    # ---------------------------------------------------------------- the trend

    def test_the_trend_is_hand_counted_and_equals_figure_values_month_by_month(self):
        body = self.get(self.alice, TREND, period="2025").json()
        self.assertEqual([r["period"] for r in body["rows"]], [f"2025-{m:02d}" for m in range(1, 13)])
        self.assertEqual([r["label"] for r in body["rows"]][:2], ["2025年1月", "2025年2月"])
        self.assertEqual([f["key"] for f in body["figures"]], ["hazards.found", "hazards.closed"])
        self.assertEqual(self.months(body, "hazards.found"), FOUND_A)
        self.assertEqual(self.months(body, "hazards.closed"), CLOSED_A)
        county = selectors.region_for(self.alice, self.county_a.code)
        figure_list = selectors.figures(["hazards.found", "hazards.closed"])
        for row in body["rows"]:
            values = selectors.figure_values(
                user=self.alice, figure_list=figure_list, region=county, period=parse_period(row["period"]), fresh=True
            )[""]
            self.assertEqual(row["values"], {k: values[k] for k in row["values"]}, row["period"])
        # each value links to its records, narrowed to the month
        self.assertIn("found_from=2025-01-01&found_to=2025-01-31", body["rows"][0]["urls"]["hazards.found"])
        listed = self.client.get(body["rows"][0]["urls"]["hazards.found"]).content.decode()
        self.assertIn("A-1", listed)
        self.assertNotIn(">A-3<", listed)

    def test_the_trend_of_a_town_an_industry_and_a_regulator(self):
        body = self.get(self.alice, TREND, period="2025", region=self.town_a1.code).json()
        self.assertEqual(self.months(body, "hazards.found"), FOUND_A)  # every hazard of A is in 凤凰镇
        body = self.get(self.alice, TREND, period="2025", industry="construction").json()
        self.assertEqual(self.months(body, "hazards.found"), {3: 1})
        body = self.get(self.erin, TREND, period="2025").json()
        self.assertEqual(body["region_code"], self.town_a1.code)
        self.assertEqual(self.months(body, "hazards.found"), FOUND_ERIN)
        self.assertEqual(self.months(body, "hazards.closed"), CLOSED_ERIN)
        body = self.get(self.charlie, TREND, period="2025").json()
        self.assertEqual(self.months(body, "hazards.found"), {1: 1})

    def test_trend_scope_a_town_sees_itself_and_its_villages_never_another_county(self):
        self.assertEqual(self.get(self.erin, TREND, region=self.village_a1.code).status_code, 200)
        self.assertEqual(self.get(self.erin, TREND, region=self.county_a.code).status_code, 404)
        self.assertEqual(self.get(self.erin, TREND, region=self.town_a2.code).status_code, 404)
        self.assertEqual(self.get(self.charlie, TREND, region=self.county_a.code).status_code, 404)
        self.assertEqual(self.get(self.alice, TREND, region=self.county_b.code).status_code, 404)
        self.assertEqual(self.get(self.emma, TREND).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(TREND).status_code, 401)

    def test_the_months_of_a_trend(self):
        months = selectors.trend_months(parse_period("2025Q2"), 3)
        self.assertEqual([m.text for m in months], ["2025-04", "2025-05", "2025-06"])
        months = selectors.trend_months(parse_period("2025-02"), 12)
        self.assertEqual([m.text for m in months][0], "2024-03")
        self.assertEqual([m.text for m in months][-1], "2025-02")
        # a period still running stops at this month
        today = timezone.localdate()
        months = selectors.trend_months(current_period("year"), 12)
        self.assertEqual(months[-1].text, f"{today.year}-{today.month:02d}")
        self.assertEqual(len(months), 12)
        body = self.get(self.alice, TREND, period="2025", months=3).json()
        self.assertEqual([r["period"] for r in body["rows"]], ["2025-10", "2025-11", "2025-12"])

    def test_a_trend_is_reused_for_a_minute_unless_asked_again(self):
        self.get(self.alice, TREND, period="2025")
        hazard(self.enterprise_a, date(2025, 12, 5), "A-5")
        with CaptureQueriesContext(connection) as queries:
            cached = self.get(self.alice, TREND, period="2025").json()
        self.assertFalse([q for q in queries if "hazards_hazard" in q["sql"]])
        self.assertEqual(self.months(cached, "hazards.found")[12], 1)
        fresh = self.get(self.alice, TREND, period="2025", fresh="true").json()
        self.assertEqual(self.months(fresh, "hazards.found")[12], 2)

    def test_bad_trend_input_is_named_never_a_server_error(self):
        for params, field in (
            ({"period": "2025Q5"}, "period"),
            ({"period": "明年"}, "period"),
            ({"industry": "nope"}, "industry"),
            ({"keys": "hazards.found,nothing.here"}, "keys"),
            ({"keys": " , "}, "keys"),
            ({"months": "0"}, "months"),
            ({"months": "37"}, "months"),
            ({"months": "十二"}, "months"),
        ):
            reply = self.get(self.alice, TREND, **params)
            self.assertEqual(reply.status_code, 422, params)
            self.assertEqual(reply.json()["errors"][0]["field"], field, params)
            self.assertTrue(re.search(r"[\u4e00-\u9fff]", reply.json()["errors"][0]["message"]), params)
        self.assertEqual(self.get(self.alice, TREND, region="999999").status_code, 404)
        self.assertEqual(self.get(self.alice, TREND, region="abc").status_code, 404)
        body = self.get(self.alice, TREND, period="2001").json()  # a period without data: zeros
        self.assertEqual({r["values"]["hazards.found"] for r in body["rows"]}, {0})

    # ---------------------------------------------------------------- the listed hazards

    def test_the_listed_hazards_in_scope(self):
        body = self.get(self.alice, RECORDS, key="hazards.listed_open").json()
        self.assertEqual(body["label"], "挂牌督办中的隐患")
        self.assertEqual([r["values"]["number"] for r in body["rows"]], ["A-2"])
        self.assertEqual(body["rows"][0]["values"]["listed"], "区县挂牌")
        self.assertEqual(body["rows"][0]["values"]["deadline"], "2026-12-31")
        self.assertIn("/hazards/", body["rows"][0]["url"])
        self.assertIn("listed=1", body["url"])
        self.assertEqual(
            [r["values"]["number"] for r in self.get(self.charlie, RECORDS, key="hazards.listed_open").json()["rows"]],
            ["B-1"],
        )
        self.assertEqual(
            self.get(self.alice, RECORDS, key="hazards.listed_open", region=self.town_a2.code).json()["rows"], []
        )
        self.assertEqual(
            self.get(self.charlie, RECORDS, key="hazards.listed_open", region=self.town_a1.code).status_code, 404
        )

    def test_bad_record_list_input(self):
        for params, field in (
            ({"key": "nothing.here"}, "key"),
            ({"key": "hazards.listed_open", "limit": "0"}, "limit"),
            ({"key": "hazards.listed_open", "limit": "201"}, "limit"),
            ({"key": "hazards.listed_open", "period": "2025-13"}, "period"),
        ):
            reply = self.get(self.alice, RECORDS, **params)
            self.assertEqual(reply.status_code, 422, params)
            self.assertEqual(reply.json()["errors"][0]["field"], field, params)
        self.assertEqual(self.get(self.alice, RECORDS).status_code, 422)  # no key

    # ---------------------------------------------------------------- each chart's export

    def export(self, user, kind, **params):
        response = self.get(user, f"/analytics/charts/{kind}/export/", **params)
        self.assertEqual(response.status_code, 200, kind)
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    def test_each_export_writes_the_numbers_the_api_gives(self):
        params = {"period": "2025", "region": self.county_a.code}
        trend = self.get(self.alice, TREND, **params).json()
        sheet = self.export(self.alice, "trend", **params)
        self.assertEqual(sheet[0], ("月份", "新发现隐患（条）", "销号隐患（条）"))
        self.assertEqual(
            [list(r) for r in sheet[1:]],
            [[r["period"], r["values"]["hazards.found"], r["values"]["hazards.closed"]] for r in trend["rows"]],
        )

        table = self.get(self.alice, TABLE, by="region", keys=",".join(charts.BY_REGION), **params).json()
        sheet = self.export(self.alice, "region", **params)
        self.assertEqual(sheet[0][:2], ("区划代码", "名称"))
        self.assertEqual(
            [list(r) for r in sheet[1:]],
            [[r["code"], r["name"], *[r["values"][k] for k in charts.BY_REGION]] for r in table["rows"]],
        )
        self.assertEqual([r[0] for r in sheet[1:]], [self.county_a.code, self.town_a2.code, self.town_a1.code])

        table = self.get(self.alice, TABLE, by="industry", keys=",".join(charts.BY_INDUSTRY), **params).json()
        sheet = self.export(self.alice, "industry", **params)
        self.assertEqual(
            [list(r) for r in sheet[1:]],
            [[r["code"], r["name"], *[r["values"][k] for k in charts.BY_INDUSTRY]] for r in table["rows"]],
        )
        self.assertEqual({r[0]: r[2] for r in sheet[2:]}, {"hazchem": 3, "construction": 1})  # found in 2025

        keys = charts.GAUGES + charts.NUMBERS
        total = self.get(self.alice, TABLE, by="region", keys=",".join(keys), **params).json()["rows"][0]["values"]
        sheet = self.export(self.alice, "headline", **params)
        self.assertEqual(sheet[0], ("指标", "数值", "单位"))
        self.assertEqual([r[1] for r in sheet[1:]], [total[k] for k in keys])
        self.assertEqual(sheet[1 + keys.index("hazards.listed_open")][1], 1)

        listed = self.get(self.alice, RECORDS, key="hazards.listed_open", limit=50, **params).json()
        sheet = self.export(self.alice, "listed", **params)
        self.assertEqual(list(sheet[0]), [c["label"] for c in listed["columns"]])
        self.assertEqual([r[0] for r in sheet[1:]], ["A-2"])
        self.assertTrue(AuditEvent.objects.filter(action="analytics.export", object_id="chart.trend").exists())

    def test_exports_keep_scope_and_refuse_the_unknown(self):
        sheet = self.export(self.erin, "trend", period="2025")
        self.assertEqual({int(r[0][5:]): r[1] for r in sheet[1:] if r[1]}, FOUND_ERIN)
        self.assertEqual(
            self.get(self.erin, "/analytics/charts/trend/export/", region=self.county_a.code).status_code, 404
        )
        self.assertEqual(
            self.get(self.charlie, "/analytics/charts/region/export/", region=self.town_a1.code).status_code, 404
        )
        self.assertEqual(self.get(self.alice, "/analytics/charts/pie/export/").status_code, 404)
        self.assertEqual(self.get(self.emma, "/analytics/charts/trend/export/").status_code, 403)
        # a bad period: the default period is used, never a server error
        self.assertEqual(self.get(self.alice, "/analytics/charts/trend/export/", period="2025Q9").status_code, 200)

    # ---------------------------------------------------------------- the pages

    def config(self, response):
        match = re.search(
            r'<script id="chart-config" type="application/json">(.*?)</script>', response.content.decode()
        )
        return json.loads(match.group(1))

    def test_the_big_screen(self):
        response = self.get(self.alice, "/analytics/screen/", period="2025")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "沙坪坝区 · 重大事故隐患动态清零")
        self.assertContains(response, "2025年")
        for kind in charts.CHARTS:
            self.assertContains(response, f'data-chart="{kind}"')
            self.assertContains(
                response, f"/analytics/charts/{kind}/export/?region={self.county_a.code}&amp;period=2025"
            )
        config = self.config(response)
        self.assertEqual(config["params"], {"region": self.county_a.code, "period": "2025", "industry": ""})
        self.assertEqual(config["refresh"], 60)
        self.assertEqual(config["api"]["trend"], TREND)
        self.assertEqual(config["keys"]["gauges"], charts.GAUGES)
        self.assertIsNone(config["map"])  # no map uploaded: ranked bars
        self.assertTrue(config["region"]["has_children"])

    def test_the_screen_loads_nothing_from_outside_the_server(self):
        for url in ("/analytics/screen/", "/analytics/"):
            page = self.get(self.alice, url).content.decode()
            for address in re.findall(r'(?:src|href)="([^"]*)"', page):
                self.assertTrue(address.startswith(("/", "?", "#")), f"{url}: {address}")
            self.assertNotIn("//cdn", page)

    def test_screen_scope_defaults_and_bad_input(self):
        # the user's own region by default; a town sees itself and its villages, never the county
        response = self.get(self.erin, "/analytics/screen/")
        self.assertEqual(self.config(response)["params"]["region"], self.town_a1.code)
        self.assertEqual(self.config(response)["params"]["period"], str(timezone.localdate().year))
        self.assertEqual(self.get(self.erin, "/analytics/screen/", region=self.village_a2.code).status_code, 200)
        self.assertEqual(self.get(self.erin, "/analytics/screen/", region=self.county_a.code).status_code, 404)
        self.assertEqual(self.get(self.charlie, "/analytics/screen/", region=self.county_a.code).status_code, 404)
        self.assertEqual(self.get(self.alice, "/analytics/screen/", region="nope").status_code, 404)
        self.assertEqual(self.get(self.emma, "/analytics/screen/").status_code, 403)
        self.assertEqual(self.get(self.dave, "/analytics/screen/").status_code, 200)
        response = self.get(self.alice, "/analytics/screen/", period="明年", industry="nope")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "无法识别统计期“明年”")
        self.assertContains(response, "没有代码为“nope”的行业")
        # a village: no children to set side by side
        response = self.get(self.gina, "/analytics/screen/")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.config(response)["region"]["has_children"])

    def test_without_echarts_installed_the_charts_are_tables_and_the_page_says_why(self):
        self.assertContains(self.get(self.alice, "/analytics/screen/"), "/static/vendor/echarts/echarts.min.js")
        with tempfile.TemporaryDirectory() as empty, override_settings(STATICFILES_DIRS=[], STATIC_ROOT=empty):
            for url in ("/analytics/screen/", "/analytics/"):
                response = self.get(self.alice, url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "图表组件（ECharts）未安装")
                self.assertContains(response, "bash scripts/setup.sh echarts")
                self.assertNotContains(response, "echarts.min.js")
                self.assertFalse(self.config(response)["echarts"])

    def test_the_dashboard_has_the_trend_and_region_charts(self):
        response = self.get(self.alice, "/analytics/", period="2025")
        self.assertContains(response, 'data-chart="trend"')
        self.assertContains(response, 'data-chart="region"')
        self.assertNotContains(response, 'data-chart="headline"')
        config = self.config(response)
        self.assertEqual(config["refresh"], 0)
        self.assertEqual(config["drill"], "/analytics/")
        self.assertContains(response, f"/analytics/screen/?region={self.county_a.code}&amp;period=2025")

    def test_menu_offers_the_screen_and_the_map_to_whom_it_may(self):
        self.assertContains(self.get(self.alice, "/"), "/analytics/screen/")
        self.assertContains(self.get(self.alice, "/"), "/analytics/maps/")
        self.assertContains(self.get(self.dave, "/"), "/analytics/screen/")
        self.assertNotContains(self.get(self.dave, "/"), "/analytics/maps/")
