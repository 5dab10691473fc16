"""Long lists show the planner's estimate instead of counting every row (issue 23): the wording on the page,
the exact count on request, the API's `count_estimated`; SQLite, which has no estimate to ask, counts."""

from unittest import skipUnless

from django.db import connection
from django.test import override_settings

from zhiben.accounts.services import api_token_create
from zhiben.core.db import estimated_count, page_count
from zhiben.core.views import EstimatingPaginator
from zhiben.hazards import services
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase

POSTGRES = connection.vendor == "postgresql"


class EstimatedCountTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in range(3):
            services.hazard_report(
                actor=cls.alice, data={"enterprise": cls.enterprise_a.pk, "description": f"第{n}处灭火器失效"}
            )

    def api(self, **params):
        _, key = api_token_create(actor=self.alice, name="测试")
        return self.client.get("/api/v1/hazards/", params, headers={"Authorization": f"Bearer {key}"}).json()

    def test_the_rounded_wording_of_an_estimate(self):
        paginator = EstimatingPaginator(Hazard.objects.all(), 20)
        paginator.__dict__["count"], paginator.estimated = 18_237, True
        self.assertEqual(paginator.count_text, "18,000")
        paginator.__dict__["count"] = 87
        self.assertEqual(paginator.count_text, "87")
        paginator.estimated = False
        paginator.__dict__["count"] = 18_237
        self.assertEqual(paginator.count_text, "18,237")

    def test_below_the_threshold_the_count_is_exact(self):
        self.assertEqual(page_count(Hazard.objects.all()), (3, False))
        self.client.force_login(self.alice)
        response = self.client.get("/hazards/")
        self.assertContains(response, "共 3 条")
        self.assertNotContains(response, "约 ")
        self.assertEqual((self.api()["count"], self.api()["count_estimated"]), (3, False))

    @skipUnless(not POSTGRES, "SQLite has no planner estimate")
    def test_sqlite_always_counts(self):
        self.assertIsNone(estimated_count(Hazard.objects.all()))
        with override_settings(LIST_EXACT_COUNT_MAX=0):
            self.assertEqual(page_count(Hazard.objects.all()), (3, False))

    @skipUnless(POSTGRES, "the planner's estimate is PostgreSQL's")
    def test_above_the_threshold_the_page_and_api_give_the_estimate_and_count_on_request(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE hazards_hazard")
        self.client.force_login(self.alice)
        with override_settings(LIST_EXACT_COUNT_MAX=0):
            estimate = estimated_count(Hazard.objects.all())
            self.assertIsInstance(estimate, int)
            response = self.client.get("/hazards/")
            self.assertContains(response, "（按数据库估算）")
            self.assertContains(response, "count=exact")
            self.assertContains(response, "精确计数")
            exact = self.client.get("/hazards/", {"count": "exact"})
            self.assertContains(exact, "共 3 条")
            body = self.api()
            self.assertTrue(body["count_estimated"])
            self.assertEqual(
                (self.api(exact_count="true")["count"], self.api(exact_count="true")["count_estimated"]), (3, False)
            )

    @skipUnless(POSTGRES, "the planner's estimate is PostgreSQL's")
    def test_the_estimate_plans_the_keys_only(self):
        """EXPLAIN of the rows' keys: the same estimate as the whole select list, without planning its annotations
        (17 ms of the task list's page)."""
        from django.db.models import Count
        from django.test.utils import CaptureQueriesContext

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE hazards_hazard")
        qs = Hazard.objects.filter(level="general").annotate(n=Count("events"))
        with CaptureQueriesContext(connection) as ctx:
            estimate = estimated_count(qs)
        explained = ctx.captured_queries[0]["sql"]
        self.assertTrue(
            explained.startswith('EXPLAIN (FORMAT JSON) SELECT "hazards_hazard"."id" AS "pk" FROM'), explained
        )
        self.assertNotIn("COUNT(", explained)  # the annotation is not planned
        self.assertEqual(estimate, estimated_count(Hazard.objects.filter(level="general")))
        union = Hazard.objects.filter(level="general").union(Hazard.objects.filter(level="major"))
        self.assertIsInstance(estimated_count(union), int)  # a combined query is planned as it is
        self.assertEqual(estimated_count(Hazard.objects.none()), 0)
