"""The ledger's filters are declared once (hazards/filters.py): every declared filter is accepted by the
page, the API and the Excel export, and gives the same rows in all three."""

import io
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from zhiben.api import api
from zhiben.core.filters import Sort
from zhiben.hazards.choices import Status
from zhiben.hazards.filters import HAZARD_FILTERS
from zhiben.hazards.models import Hazard
from zhiben.hazards.selectors import hazard_list
from zhiben.testing import CastTestCase

from .helpers import report


class OneDeclarationTests(CastTestCase):
    def setUp(self):
        today = timezone.localdate()
        rows = [
            # enterprise, level, channel, category, status, found (date or days ago), deadline in days, listed, description
            (self.enterprise_a, "general", "supervision", "condition", Status.REPORTED, 3, None, "", "配电箱未接地"),
            (
                self.enterprise_a,
                "major",
                "enforcement",
                "management",
                Status.RECTIFYING,
                date(2023, 6, 1),
                -5,
                "county",
                "粉尘车间电气不防爆",
            ),
            (
                self.enterprise_a_construction,
                "general",
                "self",
                "behaviour",
                Status.VERIFIED,
                40,
                10,
                "",
                "脚手架未设防护网",
            ),
            (
                self.enterprise_a_construction,
                "general",
                "public",
                "",
                Status.CLOSED,
                date(2023, 10, 1),
                -30,
                "",
                "配电房堆放杂物",
            ),
            (self.enterprise_a, "general", "supervision", "environment", Status.SUBMITTED, 10, -1, "", "仓库通道堵塞"),
            (
                self.enterprise_b,
                "major",
                "supervision",
                "condition",
                Status.RECTIFYING,
                20,
                -3,
                "",
                "外县储罐区无紧急切断阀",
            ),
        ]
        self.numbers = {}
        for enterprise, level, channel, category, status, ago, due, listed, text in rows:
            actor = self.charlie if enterprise == self.enterprise_b else self.alice
            hazard = report(
                actor,
                enterprise,
                level=level,
                channel=channel,
                description=text,
                **({"criteria_other": "重大隐患理由"} if level == "major" else {}),
            )
            Hazard.objects.filter(pk=hazard.pk).update(
                category=category,
                status=status,
                found_date=ago if isinstance(ago, date) else today - timedelta(days=ago),
                deadline=None if due is None else today + timedelta(days=due),
                listed_level=listed,
                listed_unit=self.unit_office_a if listed else None,
            )
            self.numbers[text] = hazard.number
        self.today = today

    def samples(self):
        """(name, value) pairs exercising every declared filter with each of its values."""
        today = self.today
        values = {
            "region": [self.town_a1.code, self.village_a2.code, "500106", self.county_b.code, "not-a-code"],
            "industry": ["hazchem", "construction", "mining"],
            "found_from": [str(today - timedelta(days=30)), "2099-01-01", "bad-date"],
            "found_to": [str(today - timedelta(days=30))],
            "deadline_from": [str(today - timedelta(days=4))],
            "deadline_to": [str(today)],
            "closed_from": ["2099-01-01", "bad-date"],
            "closed_to": [str(today - timedelta(days=30))],
            "enterprise": [str(self.enterprise_a.pk), str(self.enterprise_b.pk), "x"],
            "q": ["配电", "凤凰建设", self.numbers["仓库通道堵塞"], "  车间 "],
        }
        pairs = []
        for f in HAZARD_FILTERS:
            options = values.get(f.name) or [value for value, _ in f.static_choices()] + ["bogus"]
            pairs += [(f.name, value) for value in options]
        return pairs

    def page_rows(self, query):
        response = self.client.get("/hazards/", {**query, "per_page": 100})
        self.assertEqual(response.status_code, 200, query)
        return [h.number for h in response.context["page"]]

    def api_rows(self, query):
        response = self.client.get("/api/v1/hazards/", {**query, "page_size": 100})
        if response.status_code == 422:  # a value the filter cannot read: the API names it (issue 25)
            self.assertIn(response.json()["errors"][0]["field"], query)
            return None
        self.assertEqual(response.status_code, 200, (query, response.content))
        return [item["number"] for item in response.json()["items"]]

    def export_rows(self, query):
        response = self.client.get("/hazards/export/", query)
        self.assertEqual(response.status_code, 200, query)
        return [
            row[1] for row in list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
        ]

    def test_every_filter_gives_the_same_rows_on_the_page_in_the_api_and_in_the_export(self):
        self.login(self.alice)
        everything = self.page_rows({})
        self.assertEqual(len(everything), 5)
        narrowed = set()
        for name, value in self.samples():
            query = {name: value}
            with self.subTest(filter=name, value=value):
                expected = [h.number for h in hazard_list(user=self.alice, filters=query)]
                self.assertEqual(self.page_rows(query), expected)
                self.assertIn(self.api_rows(query), (expected, None))
                self.assertEqual(self.export_rows(query), expected)
                if isinstance(HAZARD_FILTERS.by_name[name], Sort):
                    self.assertEqual(sorted(expected), sorted(everything))
                    changed = expected != everything
                else:
                    changed = len(expected) < len(everything)
                if changed:
                    narrowed.add(name)
        self.assertEqual(narrowed, set(HAZARD_FILTERS.names))  # no filter is a silent no-op

    def test_combined_filters_and_their_meaning(self):
        self.login(self.alice)
        query = {"region": self.county_a.code, "status": "open", "level": "general", "sort": "found"}
        expected = [self.numbers[t] for t in ("脚手架未设防护网", "仓库通道堵塞", "配电箱未接地")]
        self.assertEqual(self.page_rows(query), expected)
        self.assertEqual(self.api_rows(query), expected)
        self.assertEqual(self.export_rows(query), expected)
        # 仓库通道堵塞 is past its deadline too, but its 销号 is requested: not 逾期未整改 while its review waits
        self.assertEqual(self.page_rows({"overdue": "1"}), [self.numbers["粉尘车间电气不防爆"]])
        self.assertIn(self.numbers["仓库通道堵塞"], self.page_rows({"overdue": "0"}))
        self.assertEqual(
            self.page_rows({"stock": "stock"}), [self.numbers["配电房堆放杂物"], self.numbers["粉尘车间电气不防爆"]]
        )
        self.assertEqual(self.page_rows({"listed": "1"}), [self.numbers["粉尘车间电气不防爆"]])
        self.assertEqual(self.page_rows({"status": "bogus"}), self.page_rows({}))  # an unknown status does not restrict
        self.assertEqual(self.page_rows({"level": "bogus"}), [])  # an unknown level matches nothing
        self.assertNotIn(
            self.numbers["外县储罐区无紧急切断阀"], self.api_rows({"region": self.county_b.code})
        )  # scope first

    def test_the_page_form_and_the_api_schema_describe_every_filter(self):
        form = self.login(self.alice).get("/hazards/?level=major&sort=-found&enterprise=7").context["form"]
        self.assertEqual(list(form.fields), HAZARD_FILTERS.names)
        self.assertEqual({f.name for f in form.hidden_fields()}, {"enterprise", "sort"})
        self.assertIn((self.town_a1.code, "\u3000凤凰镇"), form.fields["region"].choices)
        page = self.client.get("/hazards/?level=major&sort=-found")
        self.assertContains(page, '<option value="major" selected>重大隐患</option>', html=True)
        self.assertContains(page, '<input type="hidden" name="sort" value="-found" id="id_sort">', html=True)
        self.assertContains(page, '<input type="date" name="found_from" id="id_found_from">', html=True)
        parameters = {p["name"]: p for p in api.get_openapi_schema()["paths"]["/api/v1/hazards/"]["get"]["parameters"]}
        for f in HAZARD_FILTERS:
            with self.subTest(filter=f.name):
                self.assertIn(f.label, parameters[f.name]["description"])
                self.assertFalse(parameters[f.name].get("required"))
        self.assertIn("major（重大隐患）", parameters["level"]["description"])
        self.assertEqual(parameters["found_from"]["schema"]["format"], "date")
