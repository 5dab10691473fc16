"""Statistical periods as text: each kind, the previous period, the same period a year before, and the
Chinese message for text that is not a period."""

from datetime import date

from django.test import SimpleTestCase

from zhiben.core.periods import (
    Period,
    PeriodError,
    current_period,
    filter_range,
    parse_period,
    period_of,
    quarter_of,
)


class PeriodTests(SimpleTestCase):
    def test_each_kind(self):
        cases = {
            "2026": (date(2026, 1, 1), date(2026, 12, 31), "2026年"),
            "2026H2": (date(2026, 7, 1), date(2026, 12, 31), "2026年下半年"),
            "2024Q1": (date(2024, 1, 1), date(2024, 3, 31), "2024年第1季度"),
            "2024-02": (date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
            "2026W01": (date(2025, 12, 29), date(2026, 1, 4), "2026年第1周（12-29至01-04）"),
            "2026-03-01~2026-03-15": (date(2026, 3, 1), date(2026, 3, 15), "2026-03-01至2026-03-15"),
        }
        for text, (start, end, label) in cases.items():
            period = parse_period(text)
            self.assertEqual((period.start, period.end, period.label), (start, end, label), text)

    def test_previous_and_year_before(self):
        self.assertEqual(parse_period("2026Q1").previous().start, date(2025, 10, 1))
        self.assertEqual(parse_period("2026-01").previous().end, date(2025, 12, 31))
        self.assertEqual(parse_period("2026W01").previous().start, date(2025, 12, 22))
        self.assertEqual(parse_period("2026H1").previous().end, date(2025, 12, 31))
        self.assertEqual(parse_period("2024-02").year_before().end, date(2023, 2, 28))
        self.assertEqual(parse_period("2026W10").year_before().start, date(2025, 3, 3))
        self.assertEqual(parse_period("2026-03-01~2026-03-10").previous().start, date(2026, 2, 19))
        self.assertEqual(parse_period("2026Q4").next().code, "2027Q1")
        self.assertEqual(parse_period("2026W52").next().code, "2026W53")
        self.assertEqual(parse_period("2026-03-01~2026-03-10").next().code, "2026-03-11~2026-03-20")

    def test_code_reads_back_the_period(self):
        cases = {"2026年": "2026", "2026h1": "2026H1", "2026 q3": "2026Q3", "2026-5": "2026-05", "2026-w7": "2026W07"}
        cases |= {"2026-03-01 至 2026-03-15": "2026-03-01~2026-03-15"}
        for text, code in cases.items():
            period = parse_period(text)
            self.assertEqual(period.code, code, text)
            self.assertEqual(parse_period(code), Period(period.kind, period.start, period.end, code))
        self.assertEqual(parse_period("2024-02").year_before().code, "2023-02")

    def test_bad_text_says_what_is_accepted(self):
        for text in ("", "2026Q5", "2026-13", "明年", "2026-03-10~2026-03-01", "1900"):
            with self.assertRaises(PeriodError) as caught:
                parse_period(text)
            self.assertIn("统计期", str(caught.exception))

    def test_current_period_and_filter_range(self):
        self.assertEqual(current_period("quarter", date(2026, 5, 5)).text, "2026Q2")
        self.assertEqual(current_period("week", date(2026, 1, 1)).text, "2026W01")
        self.assertEqual(filter_range({"year": "2025"}), (date(2025, 1, 1), date(2025, 12, 31)))
        self.assertEqual(
            filter_range({"year": "2025", "start": "2025-02-01", "end": "2025-02-28"}),
            (date(2025, 2, 1), date(2025, 2, 28)),
        )
        self.assertEqual(filter_range({"year": "abc"}, today=date(2024, 7, 1)), (date(2024, 1, 1), date(2024, 12, 31)))

    def test_period_of_a_day_in_any_year(self):
        days = [date(2026, 1, 1), date(2024, 2, 29), date(2026, 6, 30), date(2026, 7, 1), date(2026, 12, 31)]
        for day in days + [date(2021, 1, 3), date(2020, 12, 28)]:
            for kind in ("year", "half", "quarter", "month", "week"):
                computed, read = period_of(kind, day), current_period(kind, day)
                self.assertEqual((computed.kind, computed.start, computed.end), (read.kind, read.start, read.end))
                self.assertEqual((computed.code, computed.label), (read.code, read.label))
        self.assertEqual(period_of("quarter", date(1980, 11, 2)).code, "1980Q4")  # parse_period: 1990—2100
        self.assertEqual(period_of("year", date(2105, 3, 1)).end, date(2105, 12, 31))
        self.assertEqual([quarter_of(date(2026, m, 15)) for m in (1, 3, 4, 6, 7, 9, 10, 12)], [1, 1, 2, 2, 3, 3, 4, 4])
