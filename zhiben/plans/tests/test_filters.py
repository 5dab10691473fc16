"""The task list's filters are declared once (plans/filters.py): every declared filter is accepted by the
page and the API and gives the same rows in both."""

from zhiben.api import api
from zhiben.plans.filters import TASK_FILTERS, plan_options, unit_options
from zhiben.plans.selectors import task_list
from zhiben.plans.services import plan_publish
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase

from .helpers import small_plan


class OneDeclarationTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = small_plan(cls.alice, cls.town_a1)
        # a draft: the managers' list shows it, "current" (published plans only) leaves it out
        cls.second = small_plan(cls.alice, cls.county_a, title="区级测试方案（2024—2026年）", publish=False)

    def samples(self):
        form = self.client.get("/plans/tasks/").context["form"]
        action = self.plan.tasks.order_by("sort").first().action_id
        values = {
            "action": [str(action), "x"],
            "q": ["隐患", "督查", "没有的任务"],
            "unit": [str(self.unit_emergency_a1.pk), "应急办", "没有的单位"],
            "due_from": ["2025-01-01", "2024-13-01"],
            "due_to": ["2024-06-30", "2024-13-01"],
        }
        pairs = []
        for f in TASK_FILTERS:
            options = values.get(f.name) or [value for value, _ in form.fields[f.name].choices if value] + ["bogus"]
            pairs += [(f.name, value) for value in options]
        return pairs

    def test_every_filter_gives_the_same_rows_on_the_page_and_in_the_api(self):
        self.login(self.alice)
        everything = [t.pk for t in self.client.get("/plans/tasks/", {"per_page": 100}).context["page"]]
        self.assertEqual(len(everything), 8)
        narrowed = set()
        for name, value in self.samples():
            query = {name: value}
            with self.subTest(filter=name, value=value):
                expected = [t.pk for t in task_list(user=self.alice, filters=query)]
                page = self.client.get("/plans/tasks/", {**query, "per_page": 100})
                self.assertEqual([t.pk for t in page.context["page"]], expected)
                answer = self.client.get("/api/v1/plans/tasks", {**query, "page_size": 100})
                if answer.status_code == 422:  # a value the filter cannot read: the API names it (issue 25)
                    self.assertEqual(answer.json()["errors"][0]["field"], name)
                    continue
                api_rows = answer.json()["items"]
                self.assertEqual([t["id"] for t in api_rows], expected)
                if name != "plan":
                    nested = self.client.get(f"/api/v1/plans/{self.plan.pk}/tasks", {**query, "page_size": 100}).json()[
                        "items"
                    ]
                    self.assertEqual(
                        [t["id"] for t in nested],
                        [pk for pk in expected if pk in set(self.plan.tasks.values_list("pk", flat=True))],
                    )
                if len(expected) < len(everything):
                    narrowed.add(name)
        self.assertEqual(narrowed, set(TASK_FILTERS.names))

    def test_the_api_schema_describes_every_filter(self):
        paths = api.get_openapi_schema()["paths"]
        parameters = {p["name"]: p for p in paths["/api/v1/plans/tasks"]["get"]["parameters"]}
        for f in TASK_FILTERS:
            self.assertIn(f.label, parameters[f.name]["description"])
        nested = {p["name"] for p in paths["/api/v1/plans/{pk}/tasks"]["get"]["parameters"]}
        self.assertEqual(nested & set(TASK_FILTERS.names), set(TASK_FILTERS.names) - {"plan"})


class FilterOptionTests(CastTestCase):
    """The plan and unit options are kept per process (plans.filters.plan_options_cache): what changes them shows at
    once in this process."""

    def test_a_published_draft_and_a_new_unit_show_in_the_options_at_once(self):
        draft = small_plan(self.alice, self.town_a1, publish=False)
        self.assertIn(str(draft.pk), dict(plan_options(self.alice)))  # managers see drafts
        self.assertNotIn(str(draft.pk), dict(plan_options(self.erin)))
        plan_publish(actor=self.alice, plan=draft)  # an UPDATE: no signal, the service clears
        self.assertIn(str(draft.pk), dict(plan_options(self.erin)))
        self.assertNotIn(str(draft.pk), dict(plan_options(self.charlie)))  # the other county
        before = dict(unit_options(self.alice))
        unit = Unit.objects.create(name="沙坪坝区消防救援支队", kind="department", region=self.county_a)
        self.assertEqual(dict(unit_options(self.alice)), {**before, str(unit.pk): unit.name})
