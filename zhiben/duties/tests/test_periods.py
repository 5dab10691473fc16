"""Periods and deadlines as data: the 16号令 defaults, other rule forms, per-jurisdiction overrides."""

from datetime import date

from django.test import SimpleTestCase

from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.duties.periods import (
    Period,
    closed_periods,
    deadline_from,
    describe_spec,
    parse_period,
    quarter_of,
    validate_spec,
)
from zhiben.duties.services import deadline_for
from zhiben.testing import CastTestCase

QUARTERLY = {"month": 1, "day": 15}
ANNUAL = {"month": 1, "day": 31}


class PeriodTests(SimpleTestCase):
    def test_parse_and_bounds(self):
        q3 = parse_period("2026q3")
        self.assertEqual(
            (q3.code, q3.label, q3.start, q3.end), ("2026Q3", "2026年第三季度", date(2026, 7, 1), date(2026, 9, 30))
        )
        year = parse_period("2026")
        self.assertEqual(
            (year.kind, year.label, year.start, year.end), ("annual", "2026年度", date(2026, 1, 1), date(2026, 12, 31))
        )
        self.assertEqual(parse_period("2024Q1").end, date(2024, 3, 31))
        for bad in ("2026Q5", "26Q1", "2026-3", "", None):
            with self.assertRaises(ApplicationError):
                parse_period(bad)

    def test_only_quarters_and_years_written_as_stored(self):
        """core.periods reads more (halves, months, weeks, "2026年", 1990—1999); a reporting period stays a
        quarter or a year from 2000, its code the text a report row stores (max 7 characters)."""
        for bad in ("2026H1", "2026-05", "2026W07", "2026-03-01~2026-03-15", "2026年", "2026 Q3", "1999", "2101"):
            with self.assertRaises(ApplicationError) as caught:
                parse_period(bad)
            self.assertEqual(str(caught.exception), f"报告期“{bad}”无效，应为 2026Q3（季度）或 2026（年度）。")
        self.assertEqual([parse_period(t).code for t in (" 2026q4 ", "2000", 2026)], ["2026Q4", "2000", "2026"])
        self.assertEqual((Period(2026, 4).code, Period(2026).code, str(Period(2026, 1))), ("2026Q4", "2026", "2026Q1"))
        self.assertEqual((Period(2026, 4).period.kind, Period(2026).period.end), ("quarter", date(2026, 12, 31)))

    def test_previous_and_closed_periods(self):
        self.assertEqual(Period(2026, 1).previous(), Period(2025, 4))
        self.assertEqual(quarter_of(date(2026, 11, 24)), Period(2026, 4))
        self.assertEqual(closed_periods(date(2026, 1, 10), "quarterly", 2), [Period(2025, 4), Period(2025, 3)])
        self.assertEqual(closed_periods(date(2026, 1, 10), "annual", 1), [Period(2025)])

    def test_16号令_defaults(self):
        self.assertEqual(deadline_from(QUARTERLY, Period(2026, 1)), date(2026, 4, 15))
        self.assertEqual(deadline_from(QUARTERLY, Period(2026, 3)), date(2026, 10, 15))
        self.assertEqual(deadline_from(QUARTERLY, Period(2026, 4)), date(2027, 1, 15))
        self.assertEqual(deadline_from(ANNUAL, Period(2026)), date(2027, 1, 31))

    def test_other_rule_forms(self):
        self.assertEqual(deadline_from({"days": 10}, Period(2026, 2)), date(2026, 7, 10))
        self.assertEqual(deadline_from(20, Period(2026, 4)), date(2027, 1, 20))
        self.assertEqual(
            deadline_from({"month": 2, "day": 31}, Period(2026, 4)), date(2027, 2, 28)
        )  # clipped to the month's end
        self.assertEqual(deadline_from({"month": 2, "day": 31}, Period(2027, 4)), date(2028, 2, 29))
        self.assertEqual(deadline_from({"month": 3, "day": 31}, Period(2026)), date(2027, 3, 31))

    def test_invalid_rules_are_refused_with_a_message(self):
        self.assertEqual(validate_spec(QUARTERLY), [])
        self.assertTrue(validate_spec({"month": 0, "day": 15}))
        self.assertTrue(validate_spec({"month": 1, "day": 32}))
        self.assertTrue(validate_spec({"days": -3}))
        self.assertTrue(validate_spec("15"))
        with self.assertRaisesMessage(ApplicationError, "报送期限规则设置有误"):
            deadline_from({"month": 13, "day": 1}, Period(2026, 1))
        self.assertEqual(describe_spec(QUARTERLY), "期满后次月 15 日前")
        self.assertEqual(describe_spec({"days": 10}), "期满后 10 日内")


class RuleOverrideTests(CastTestCase):
    def test_national_default_then_global_then_jurisdiction_override(self):
        q3 = Period(2026, 3)
        self.assertEqual(deadline_for(q3, self.enterprise_a.region_id), date(2026, 10, 15))
        Rule.objects.create(
            key="duty.quarterly.deadline", region_code="", value={"days": 20}
        )  # e.g. a new 条例, nationally
        self.assertEqual(deadline_for(q3, self.enterprise_b.region_id), date(2026, 10, 20))
        Rule.objects.create(
            key="duty.quarterly.deadline", region_code=self.county_a.code, value={"month": 1, "day": 10}
        )
        self.assertEqual(deadline_for(q3, self.enterprise_a.region_id), date(2026, 10, 10))  # village under county A
        self.assertEqual(
            deadline_for(q3, self.enterprise_b.region_id), date(2026, 10, 20)
        )  # county B keeps the global rule
        self.assertEqual(deadline_for(Period(2026), self.enterprise_a.region_id), date(2027, 1, 31))  # annual untouched
