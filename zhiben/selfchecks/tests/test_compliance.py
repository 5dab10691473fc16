"""Duty compliance: periods across month and quarter boundaries, states, classes of enterprise, percentages."""

from datetime import date, datetime

from django.test import SimpleTestCase
from django.utils import timezone

from zhiben.core.exceptions import ApplicationError
from zhiben.selfchecks import selectors
from zhiben.selfchecks.choices import Frequency, State
from zhiben.selfchecks.models import Duty, SelfInspection
from zhiben.selfchecks.periods import bucket_bounds, bucket_of, parse_window
from zhiben.testing import CastTestCase, make_enterprise


def add(enterprise, key, day):
    duty = Duty.objects.get(key=key)
    return SelfInspection.objects.create(
        enterprise=enterprise, duty=duty, date=day, bucket=bucket_of(day, duty.frequency), inspector="张三"
    )


class PeriodTests(SimpleTestCase):
    def test_weeks_run_monday_to_sunday_across_months(self):
        # 2026-02-01 is a Sunday: it belongs to the week that began on Monday 26 January
        week = bucket_of(date(2026, 2, 1), Frequency.WEEK)
        self.assertEqual(bucket_bounds(week, Frequency.WEEK), (date(2026, 1, 26), date(2026, 2, 1)))
        self.assertEqual(bucket_of(date(2026, 2, 2), Frequency.WEEK), week + 1)

    def test_quarters_and_months(self):
        self.assertEqual(
            bucket_bounds(bucket_of(date(2026, 5, 9), Frequency.QUARTER), Frequency.QUARTER)[0], date(2026, 4, 1)
        )
        self.assertEqual(
            bucket_bounds(bucket_of(date(2024, 2, 9), Frequency.MONTH), Frequency.MONTH)[1], date(2024, 2, 29)
        )

    def test_windows(self):
        self.assertEqual(parse_window("2026-02").end, date(2026, 2, 28))
        self.assertEqual(parse_window("2026q4").start, date(2026, 10, 1))
        self.assertEqual(parse_window("2026").label, "2026年")
        self.assertEqual(len(parse_window("2026-02").buckets(Frequency.WEEK)), 5)  # 26 Jan … 23 Feb weeks
        self.assertEqual(parse_window("2026-02").previous().code, "2026-01")
        self.assertEqual(parse_window("2026Q1").next().code, "2026Q2")
        # read by core.periods: the code is written one way whatever the text, and its other kinds are windows
        self.assertEqual([parse_window(t).code for t in ("2026q4", "2026-3", " 2026年")], ["2026Q4", "2026-03", "2026"])
        self.assertEqual(parse_window("2026-12").next().code, "2027-01")
        week = parse_window("2026W06")
        self.assertEqual((week.start, week.end, week.previous().code), (date(2026, 2, 2), date(2026, 2, 8), "2026W05"))
        self.assertEqual(len(week.buckets(Frequency.DAY)), 7)
        self.assertEqual(parse_window("2026H2").label, "2026年下半年")
        for bad in ("2026-13", "26-01", "2026Q5", "明年", ""):
            with self.assertRaises(ApplicationError) as caught:
                parse_window(bad)
            self.assertIn(f"统计期间“{bad}”无效", caught.exception.message)


class ComplianceTests(CastTestCase):
    def setUp(self):
        # registered long before the windows tested
        self.ordinary = self.enterprise_a_construction
        self.risky = self.enterprise_a
        self.risky.high_risk = True
        self.risky.save()
        old = timezone.make_aware(datetime(2025, 1, 1))
        type(self.risky).objects.update(created_at=old)

    def cells(self, enterprise, period, today):
        enterprise.refresh_from_db()
        return {c.duty.key: c for c in selectors.enterprise_standing(enterprise, parse_window(period), today)}

    def test_classes_of_enterprise_bind_their_principal_duty(self):
        self.assertIn("principal_quarterly", self.cells(self.ordinary, "2026-03", date(2026, 4, 10)))
        self.assertNotIn("principal_monthly", self.cells(self.ordinary, "2026-03", date(2026, 4, 10)))
        self.assertIn("principal_monthly", self.cells(self.risky, "2026-03", date(2026, 4, 10)))
        self.assertNotIn("principal_quarterly", self.cells(self.risky, "2026-03", date(2026, 4, 10)))

    def test_a_week_across_the_month_boundary_counts_in_both_months(self):
        add(self.ordinary, "department_weekly", date(2026, 2, 1))  # Sunday of the week 26 Jan – 1 Feb
        jan = self.cells(self.ordinary, "2026-01", date(2026, 3, 10))["department_weekly"]
        feb = self.cells(self.ordinary, "2026-02", date(2026, 3, 10))["department_weekly"]
        self.assertEqual((jan.covered, jan.expected), (1, 5))  # weeks of 29 Dec, 5, 12, 19, 26 Jan
        self.assertEqual((feb.covered, feb.expected), (1, 5))  # weeks of 26 Jan, 2, 9, 16, 23 Feb
        for day in (date(2026, 1, 2), date(2026, 1, 8), date(2026, 1, 14), date(2026, 1, 20)):
            add(self.ordinary, "department_weekly", day)
        self.assertEqual(self.cells(self.ordinary, "2026-01", date(2026, 3, 10))["department_weekly"].state, State.DONE)
        self.assertEqual(
            self.cells(self.ordinary, "2026-02", date(2026, 3, 10))["department_weekly"].state, State.MISSED
        )

    def test_a_quarterly_duty_is_judged_on_the_whole_quarter(self):
        add(self.ordinary, "principal_quarterly", date(2026, 1, 15))
        self.assertEqual(
            self.cells(self.ordinary, "2026-03", date(2026, 4, 10))["principal_quarterly"].state, State.DONE
        )
        april = self.cells(self.ordinary, "2026-04", date(2026, 4, 10))["principal_quarterly"]
        self.assertEqual(april.state, State.OPEN)  # the second quarter is still running
        self.assertEqual(
            self.cells(self.ordinary, "2026Q2", date(2026, 7, 1))["principal_quarterly"].state, State.MISSED
        )

    def test_a_record_on_the_last_day_of_a_month_does_not_serve_the_next(self):
        add(self.risky, "director_monthly", date(2026, 1, 31))
        self.assertEqual(self.cells(self.risky, "2026-01", date(2026, 2, 15))["director_monthly"].state, State.DONE)
        feb = self.cells(self.risky, "2026-02", date(2026, 2, 15))["director_monthly"]
        self.assertEqual((feb.state, feb.covered), (State.OPEN, 0))
        self.assertEqual(self.cells(self.risky, "2026-02", date(2026, 3, 1))["director_monthly"].state, State.MISSED)

    def test_daily_duty_with_a_percentage(self):
        Duty.objects.filter(key="team_daily").update(required_percent=50)
        for day in range(1, 15):
            add(self.ordinary, "team_daily", date(2026, 6, day))
        cell = self.cells(self.ordinary, "2026-06", date(2026, 7, 1))["team_daily"]
        self.assertEqual((cell.covered, cell.expected, cell.required, cell.state), (14, 30, 15, State.MISSED))
        add(self.ordinary, "team_daily", date(2026, 6, 20))
        add(self.ordinary, "team_daily", date(2026, 6, 20))  # a second record the same day is the same period
        cell = self.cells(self.ordinary, "2026-06", date(2026, 7, 1))["team_daily"]
        self.assertEqual((cell.covered, cell.state), (15, State.DONE))

    def test_open_while_the_periods_left_can_still_meet_the_duty(self):
        for day in range(1, 10):
            add(self.ordinary, "team_daily", date(2026, 6, day))
        cell = self.cells(self.ordinary, "2026-06", date(2026, 6, 10))["team_daily"]
        self.assertEqual((cell.ended, cell.missed, cell.state), (9, 0, State.OPEN))
        cell = self.cells(self.ordinary, "2026-06", date(2026, 6, 12))["team_daily"]
        self.assertEqual((cell.missed, cell.state), (2, State.MISSED))

    def test_an_enterprise_registered_mid_month_owes_only_the_days_since(self):
        late = make_enterprise(self.village_a1, "machinery")
        type(late).objects.filter(pk=late.pk).update(created_at=timezone.make_aware(datetime(2026, 6, 21)))
        for day in range(21, 31):
            add(late, "team_daily", date(2026, 6, day))
        cell = self.cells(late, "2026-06", date(2026, 7, 1))["team_daily"]
        self.assertEqual((cell.expected, cell.state), (10, State.DONE))

    def test_the_list_counts_every_enterprise_in_scope(self):
        add(self.ordinary, "director_monthly", date(2026, 3, 3))
        rows, duties, summary = selectors.compliance(
            user=self.alice, window=parse_window("2026-03"), today=date(2026, 4, 2)
        )
        names = {r.enterprise["name"] for r in rows}
        self.assertEqual(names, {self.enterprise_a.name, self.enterprise_a_construction.name})
        row = next(r for r in rows if r.enterprise["pk"] == self.ordinary.pk)
        monthly = next(c for c in row.cells.values() if c.duty.key == "director_monthly")
        self.assertEqual(monthly.state, State.DONE)
        self.assertEqual(row.state, State.MISSED)  # the daily and weekly duties were not kept
        self.assertEqual(summary["total"], 2)
        by_duty = {d["duty"].key: d for d in summary["duties"]}
        self.assertEqual(by_duty["director_monthly"]["done"], 1)
        self.assertEqual(by_duty["principal_monthly"]["applicable"], 1)
        # charlie's county B has its own enterprise only; erin sees her industries only
        rows_b, _, _ = selectors.compliance(user=self.charlie, window=parse_window("2026-03"), today=date(2026, 4, 2))
        self.assertEqual([r.enterprise["name"] for r in rows_b], [self.enterprise_b.name])
        rows_e, _, _ = selectors.compliance(user=self.erin, window=parse_window("2026-03"), today=date(2026, 4, 2))
        self.assertEqual([r.enterprise["name"] for r in rows_e], [self.enterprise_a.name])

    def test_the_page_sorts_what_is_missed_first(self):
        march = parse_window("2026-03")
        for cell in self.cells(self.risky, "2026-03", date(2026, 4, 2)).values():  # the risky one keeps every duty
            for bucket in march.buckets(cell.duty.frequency):
                add(self.risky, cell.duty.key, bucket_bounds(bucket, cell.duty.frequency)[0])
        self.login(self.alice)

        def names(sort):
            page = self.client.get(f"/selfchecks/compliance/?period=2026-03&sort={sort}")
            return [(row.enterprise["name"], row.state) for row in page.context["page"]]

        risky, ordinary = (self.risky.name, State.DONE), (self.ordinary.name, State.MISSED)
        self.assertEqual(names(""), [risky, ordinary])  # by place: village A1a, then A1b
        self.assertEqual(names("nonsense"), [risky, ordinary])
        self.assertEqual(names("name"), [risky, ordinary])  # 凤凰化工 before 凤凰建设
        self.assertEqual(names("state"), [ordinary, risky])
        self.assertEqual(names("missed"), [ordinary, risky])
        page = self.client.get("/selfchecks/compliance/?period=2026-03&sort=missed")
        self.assertContains(page, "<b>漏查期数↓</b>")
        self.assertContains(page, 'name="period" value="2026-03"')  # the window shown is the one in the box
        this_month = f"{timezone.localdate():%Y-%m}"
        self.assertContains(self.client.get("/selfchecks/compliance/?sort=name"), f'name="period" value="{this_month}"')
        self.assertContains(page, "&amp;sort=state")
        self.assertEqual(
            self.client.get("/selfchecks/compliance/?period=2026-03&state=missed&sort=name")
            .context["page"]
            .object_list[0]
            .enterprise["name"],
            self.ordinary.name,
        )

    def test_closed_and_suspended_enterprises_owe_nothing(self):
        type(self.risky).objects.filter(pk=self.risky.pk).update(status="suspended")
        rows, _, _ = selectors.compliance(user=self.alice, window=parse_window("2026-03"), today=date(2026, 4, 2))
        self.assertNotIn(self.risky.pk, [r.enterprise["pk"] for r in rows])

    def test_a_local_duty_binds_only_its_subtree(self):
        Duty.objects.create(
            key="town-night", name="夜间巡查", level="值班", frequency=Frequency.WEEK, region=self.town_a1, sort=90
        )
        self.assertIn("town-night", self.cells(self.risky, "2026-03", date(2026, 4, 2)))
        b_cells = self.cells(self.enterprise_b, "2026-03", date(2026, 4, 2))
        self.assertNotIn("town-night", b_cells)
