"""A dashboard's figure sources run at once on PostgreSQL (core.parallel): the same table as one after another."""

import unittest

from django.db import connection
from django.test import TransactionTestCase, override_settings

from zhiben.analytics import selectors
from zhiben.core.periods import current_period
from zhiben.hazards.tests.helpers import report
from zhiben.testing import build_cast


@unittest.skipUnless(connection.vendor == "postgresql", "threads read through their own connections: PostgreSQL")
class ParallelSourcesTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        report(self.gina, self.enterprise_a, description="配电箱未接地")
        report(
            self.alice,
            self.enterprise_a_construction,
            description="脚手架未设防护栏",
            level="major",
            criteria_other="高处作业无防护，随时可能坠落",
        )
        report(self.charlie, self.enterprise_b, description="灭火器过期")  # county B: never in county A's table

    def table(self, user, region, by, threads):
        with override_settings(DB_READ_THREADS=threads):
            return selectors.figure_values(
                user=user,
                figure_list=selectors.figures(),
                region=selectors.region_for(user, region.code),
                period=current_period(),
                by=by,
                fresh=True,
            )

    def test_at_once_equals_one_after_another(self):
        for user, region in ((self.alice, self.county_a), (self.erin, self.town_a1), (self.charlie, self.county_b)):
            for by in (None, "region", "industry"):
                at_once = self.table(user, region, by, 3)
                self.assertEqual(at_once, self.table(user, region, by, 0), (user.username, by))
        whole = self.table(self.alice, self.county_a, None, 3)[""]
        self.assertEqual((whole["hazards.found"], whole["hazards.found_major"]), (2, 1))
