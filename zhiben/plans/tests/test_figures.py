"""The action-plan figures analytics reads (selectors.plan_figures through the registered Figures) against a
hand-counted set of milestones: completion (completed of those due) and tasks overdue, for the year and
narrower periods, on current published plans only (a draft, or a version replaced by a newer one, never
counts; 长期坚持 is never overdue); child regions side by side (equal to the figure child by child), scope,
the system reader, and the task list behind each figure (its milestone counts over the same period)."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

from django.urls import resolve

from zhiben.core.registry import registry
from zhiben.plans.models import Milestone, Plan, PlanAction, Task
from zhiben.plans.selectors import plan_figures, task_list
from zhiben.testing import CastTestCase

KEYS = ("plans.completion_rate", "plans.overdue_tasks")
TODAY = date(2026, 6, 30)


class PlanFigureTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def plan(region, series, status="published", previous=None):
            return Plan.objects.create(
                version=previous.version + 1 if previous else 1,
                title=f"{region.name}安全生产治本攻坚三年行动方案",
                region=region,
                start_year=2024,
                end_year=2026,
                series=series,
                status=status,
                previous=previous,
            )

        def task(plan_, content, milestones, recurrence="yearly"):
            action = PlanAction.objects.get_or_create(plan=plan_, title="一、风险管控行动")[0]
            item = Task.objects.create(plan=plan_, action=action, content=content, recurrence=recurrence)
            for due, status in milestones:
                Milestone.objects.create(task=item, label=str(due), due_date=due, status=status)
            return item

        done, started, todo = "completed", "in_progress", "not_started"
        old = plan(cls.town_a1, "town-a1")
        town = plan(cls.town_a1, "town-a1", previous=old)
        county, town2 = plan(cls.county_a, "county-a"), plan(cls.town_a2, "town-a2")
        village, draft = plan(cls.village_a1, "village-a1"), plan(cls.town_a1, "draft", status="draft")
        other = plan(cls.county_b, "county-b")
        cls.t = {
            1: task(town, "任务甲", [(date(2025, 6, 30), done), (date(2025, 12, 31), todo)]),
            2: task(town, "任务乙", [(date(2025, 3, 31), done)]),
            3: task(town, "任务丙", [(date(2025, 12, 31), todo)], recurrence="ongoing"),  # never overdue
            4: task(county, "任务丁", [(date(2025, 4, 30), started), (date(2024, 12, 31), done)]),
            5: task(town2, "任务戊", [(date(2025, 9, 30), done)]),
            6: task(village, "任务己", [(date(2025, 5, 31), done)]),
            7: task(old, "旧版任务", [(date(2025, 3, 31), todo)]),  # replaced by a newer version
            8: task(draft, "草稿任务", [(date(2025, 3, 31), todo)]),  # not published
            9: task(other, "西彭任务", [(date(2025, 3, 31), todo)]),  # the other county
        }

    def values(self, user, by=None, **filters):
        return plan_figures(user=user, filters=filters, by=by, today=TODAY)

    def pair(self, row):
        return tuple(row[k] for k in KEYS)

    def test_the_year_and_narrower_periods_against_hand_counts(self):
        # due in 2025: 甲×2 乙 丙 丁 戊 己, completed 甲 乙 戊 己; overdue: 甲 (December) and 丁
        self.assertEqual(self.pair(self.values(self.alice, year="2025")[""]), (57.1, 2))
        self.assertEqual(self.pair(self.values(self.alice, start="2025-01-01", end="2025-06-30")[""]), (75.0, 1))
        self.assertEqual(self.pair(self.values(self.alice, start="2025-07-01", end="2025-12-31")[""]), (33.3, 1))
        self.assertEqual(self.pair(self.values(self.alice, start="2026-01-01", end="2026-03-31")[""]), (None, 0))
        # as of 30 June 2025 the milestones not yet due are not counted against completion: 甲(June) 乙 丁 己
        early = plan_figures(user=self.alice, filters={"year": "2025"}, today=date(2025, 6, 30))[""]
        self.assertEqual(self.pair(early), (75.0, 1))
        figures = [registry["figures"][k] for k in KEYS]
        self.assertEqual(
            [(f.group, f.unit, f.better) for f in figures], [("方案任务", "%", "higher"), ("方案任务", "条", "lower")]
        )

    def test_children_side_by_side(self):
        by_town = self.values(self.alice, by="region", region=self.county_a.code, year="2025")
        # the county's own plan is no town's
        self.assertEqual(
            {code: self.pair(row) for code, row in by_town.items()},
            {self.town_a1.code: (60.0, 1), self.town_a2.code: (100.0, 0)},
        )
        by_village = self.values(self.alice, by="region", region=self.town_a1.code, year="2025")
        self.assertEqual(
            {code: self.pair(row) for code, row in by_village.items()},
            {self.village_a1.code: (100.0, 0), self.village_a2.code: (None, 0)},
        )
        self.assertEqual(self.values(self.alice, by="industry", year="2025"), {})  # plans have no industry

    def test_breakdown_equals_the_figure_child_by_child(self):
        for key in KEYS:
            figure = registry["figures"][key]
            for parent in (self.city, self.county_a, self.town_a1):
                filters = {"region": parent.code, "year": "2025"}
                parts = figure.breakdown(self.bob, filters, "region")
                self.assertTrue(parts)
                for code, value in parts.items():
                    self.assertEqual(value, figure.compute(self.bob, {**filters, "region": code}), (key, code))

    def test_scope(self):
        self.assertEqual(self.pair(self.values(self.charlie, region=self.county_a.code, year="2025")[""]), (None, 0))
        self.assertEqual(self.pair(self.values(self.charlie, year="2025")[""]), (0.0, 1))
        self.assertEqual(self.pair(self.values(self.erin, year="2025")[""]), (60.0, 1))  # her town and its villages
        self.assertEqual(self.pair(self.values(self.bob, year="2025")[""]), (50.0, 3))
        self.assertEqual(self.pair(self.values(None, region=self.county_a.code, year="2025")[""]), (57.1, 2))

    def test_a_plan_indicator_takes_the_live_value(self):
        from zhiben.plans.models import Indicator

        town_plan = self.t[1].plan
        indicator = Indicator.objects.create(plan=town_plan, name="任务完成率", target_value=90, figure_key=KEYS[0])
        live = indicator.live
        self.assertEqual(live["label"], "方案任务完成率")
        self.assertIn(f"region={self.town_a1.code}", live["url"])

    def test_each_figure_links_to_the_tasks_behind_it(self):
        client = self.login(self.alice)
        cases = [
            ({"region": self.county_a.code, "year": "2025"}, {1, 2, 3, 4, 5, 6}, {1, 4}),
            (
                {"region": self.town_a1.code, "year": "2025", "start": "2025-01-01", "end": "2025-06-30"},
                {1, 2, 6},
                set(),
            ),
            ({"year": "2025", "start": "2025-07-01", "end": "2025-12-31"}, {1, 3, 5}, {1}),
        ]
        for filters, behind_rate, overdue in cases:
            for key, numbers in ((KEYS[0], behind_rate), (KEYS[1], overdue)):
                url = registry["figures"][key].url(filters)
                self.assertEqual(resolve(urlsplit(url).path).url_name, "tasks")
                query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
                listed = list(task_list(user=self.alice, filters=query, today=TODAY))
                self.assertEqual({t.pk for t in listed}, {self.t[n].pk for n in numbers}, (key, filters))
                if key == KEYS[0] and listed:
                    # the list's milestone counts over the period make the rate (every milestone here is due)
                    rate = round(100 * sum(t.ms_done for t in listed) / sum(t.ms_total for t in listed), 1)
                    self.assertEqual(rate, self.values(self.alice, **filters)[""][key])
                page = client.get(url).content.decode()
                for n, item in self.t.items():
                    (self.assertIn if n in numbers else self.assertNotIn)(f"{item.content}</a>", page)
