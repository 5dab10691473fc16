"""Generating the statistics from the hazard records, attestation and submission, reminders and overdue marks."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.services import rule_save
from zhiben.duties import services
from zhiben.duties.choices import Compliance, ReportStatus
from zhiben.duties.models import DutyEvent, PeriodReport
from zhiben.duties.periods import Period, quarter_of
from zhiben.duties.selectors import compliance_list, compliance_of, enterprise_periods, report_standing
from zhiben.duties.statistics import figure
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import report
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase, make_enterprise


def at(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


class GenerationTests(CastTestCase):
    """The figures come from the hazard ledger of the enterprise, for the period."""

    def setUp(self):
        self.period = quarter_of(timezone.localdate()).previous()
        start, end = self.period.start, self.period.end
        d = lambda n: start + timedelta(days=n)  # noqa: E731

        def hazard(description, **fields):
            h = report(
                self.gina,
                self.enterprise_a,
                description=description,
                found_date=fields.pop("found_date"),
                channel=fields.pop("channel", "supervision"),
                level=fields.pop("level", "general"),
                **({"criteria_other": "涉爆粉尘场所无泄爆装置"} if fields.get("major") else {}),
            )
            fields.pop("major", None)
            Hazard.objects.filter(pk=h.pk).update(**fields)
            return h

        hazard(
            "配电箱未接地",
            found_date=d(5),
            status=Status.CLOSED,
            deadline=d(30),
            rectified_date=d(20),
            closed_at=at(d(25)),
            funds=5000,
        )
        hazard(
            "除尘系统无泄爆装置", found_date=d(6), level="major", major=True, status=Status.RECTIFYING, deadline=d(30)
        )
        hazard(
            "消防通道堵塞",
            found_date=start - timedelta(days=10),
            status=Status.CLOSED,
            deadline=end + timedelta(days=5),
            rectified_date=end + timedelta(days=3),
            closed_at=at(end + timedelta(days=4)),
        )
        hazard("举报：夜间违规动火", found_date=d(8), channel="public")  # still 待核实
        hazard("重复上报的配电箱问题", found_date=d(9), status=Status.REJECTED)
        report(self.charlie, self.enterprise_b, description="另一家企业的隐患", found_date=d(5))

    def test_generated_from_the_data_when_the_enterprise_opens_it(self):
        opened = services.report_open(actor=self.emma, period_code=self.period.code)
        self.assertEqual(opened.status, ReportStatus.DRAFT)
        data = opened.data
        rows = {row["key"]: (row["general"], row["major"], row["total"]) for row in data["rows"]}
        self.assertEqual(
            rows,
            {
                "found": (2, 1, 3),  # rejected reports and other enterprises do not count
                "rectified": (1, 0, 1),
                "closed": (1, 0, 1),
                "open_end": (2, 1, 3),  # includes the one found last quarter and closed only after the period
                "overdue_end": (0, 1, 1),  # the major hazard past its deadline; 待核实 has no running deadline
            },
        )
        self.assertEqual(data["rectification_rate"], 33.3)
        self.assertEqual(data["funds"], "5000.00")
        self.assertEqual(
            {c["channel"]: c["total"] for c in data["by_channel"] if c["total"]}, {"supervision": 2, "public": 1}
        )
        self.assertEqual([h["description"] for h in data["major_hazards"]], ["除尘系统无泄爆装置"])
        self.assertEqual(figure(data, "found", "major"), 1)
        self.assertEqual(opened.events.get().action, "generate")
        self.assertTrue(AuditEvent.objects.filter(action="duty.generate", object_id=str(opened.pk)).exists())

    def test_opening_again_refreshes_a_draft_but_not_a_signed_report(self):
        opened = services.report_open(actor=self.emma, period_code=self.period.code)
        report(
            self.gina, self.enterprise_a, description="新补录的隐患", found_date=self.period.start + timedelta(days=40)
        )
        self.assertEqual(figure(services.report_open(actor=self.emma, period_code=self.period.code).data, "found"), 4)
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="王建国")
        services.report_attest(actor=self.emma, report=opened, name="王建国", confirmed=True)
        report(
            self.gina, self.enterprise_a, description="再补录一条", found_date=self.period.start + timedelta(days=41)
        )
        again = services.report_open(actor=self.emma, period_code=self.period.code)
        self.assertEqual((again.status, figure(again.data, "found")), (ReportStatus.ATTESTED, 4))

    def test_only_ended_periods_and_only_the_enterprise_itself(self):
        with self.assertRaisesMessage(ApplicationError, "尚未结束"):
            services.report_open(actor=self.emma, period_code=quarter_of(timezone.localdate()).code)
        with self.assertRaises(ApplicationError):
            services.report_open(actor=self.alice, period_code=self.period.code)


class AttestAndSubmitTests(CastTestCase):
    def setUp(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="王建国", principal_phone="13800000001")
        self.period = quarter_of(timezone.localdate()).previous()
        self.report = services.report_open(actor=self.emma, period_code=self.period.code)
        self.deadline = services.deadline_for(self.period, self.enterprise_a.region_id)

    def test_attestation_is_required_before_submission(self):
        with self.assertRaises(ApplicationError) as caught:
            services.report_submit(actor=self.emma, report=self.report)
        self.assertEqual(caught.exception.code, "not_attested")
        self.assertIn("主要负责人签字确认", caught.exception.message)
        self.assertEqual(PeriodReport.objects.get(pk=self.report.pk).status, ReportStatus.DRAFT)

    def test_attestation_needs_the_principal_s_name_and_the_confirmation(self):
        with self.assertRaisesMessage(ApplicationError, "须由主要负责人本人"):
            services.report_attest(actor=self.emma, report=self.report, name="emma", confirmed=True)
        with self.assertRaisesMessage(ApplicationError, "请勾选确认"):
            services.report_attest(actor=self.emma, report=self.report, name="王建国", confirmed=False)
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="")
        with self.assertRaisesMessage(ApplicationError, "未登记主要负责人"):
            services.report_attest(actor=self.emma, report=self.report, name="王建国", confirmed=True)

    def test_attest_then_submit_on_time(self):
        signed = services.report_attest(
            actor=self.emma, report=self.report, name=" 王 建国 ", confirmed=True, analysis="本季度隐患整改及时。"
        )
        self.assertEqual(
            (signed.status, signed.attested_name, signed.attested_by), (ReportStatus.ATTESTED, "王建国", self.emma)
        )
        self.assertIsNotNone(signed.attested_at)
        self.assertEqual(len(signed.attested_sha256), 64)
        submitted = services.report_submit(actor=self.emma, report=signed, today=self.deadline)
        self.assertEqual(
            (submitted.status, submitted.late, submitted.deadline), (ReportStatus.SUBMITTED, False, self.deadline)
        )
        self.assertEqual([e.action for e in submitted.events.all()], ["generate", "attest", "submit"])
        with self.assertRaisesMessage(ApplicationError, "已报送"):
            services.report_submit(actor=self.emma, report=submitted)
        with self.assertRaises(ApplicationError):
            services.report_regenerate(actor=self.emma, report=submitted)
        self.assertTrue(
            AuditEvent.objects.filter(action="duty.attest").exists()
            and AuditEvent.objects.filter(action="duty.submit").exists()
        )

    def test_late_submission_is_marked_overdue(self):
        services.report_attest(actor=self.emma, report=self.report, name="王建国", confirmed=True)
        late_day = self.deadline + timedelta(days=3)
        submitted = services.report_submit(actor=self.emma, report=self.report, today=late_day)
        self.assertTrue(submitted.late)
        self.assertIn("逾期 3 天", submitted.events.get(action="submit").note)
        _, rows, summary = compliance_list(user=self.alice, period_code=self.period.code, today=late_day)
        self.assertEqual({r["enterprise"].name: r["state"] for r in rows}[self.enterprise_a.name], Compliance.LATE)
        self.assertEqual(summary[Compliance.LATE], 1)

    def test_a_submitted_report_keeps_the_deadline_it_was_judged_by_when_the_rule_changes(self):
        services.report_attest(actor=self.emma, report=self.report, name="王建国", confirmed=True)
        late_day = self.deadline + timedelta(days=3)
        services.report_submit(actor=self.emma, report=self.report, today=late_day)
        # the county later gives the period ten days more: the report went late by the deadline then in force
        rule_save(actor=self.alice, key="duty.quarterly.deadline", region_code=self.county_a.code, value={"days": 25})
        self.assertGreater(services.deadline_for(self.period, self.enterprise_a.region_id), self.deadline)
        report = PeriodReport.objects.get(pk=self.report.pk)
        self.assertEqual(report_standing(report, today=late_day), (self.deadline, Compliance.LATE))
        _, rows, _ = compliance_list(user=self.alice, period_code=self.period.code, today=late_day)
        row = {r["enterprise"].name: r for r in rows}[self.enterprise_a.name]
        self.assertEqual((row["deadline"], row["state"]), (self.deadline, Compliance.LATE))
        mine = {r["period"].code: r for r in enterprise_periods(user=self.emma, today=late_day)[0]}
        self.assertEqual(mine[self.period.code]["deadline"], self.deadline)
        page = self.login(self.alice).get(f"/duties/{report.pk}/").content.decode()
        self.assertIn(self.deadline.isoformat(), page)

    def test_regenerating_clears_the_signature(self):
        services.report_attest(actor=self.emma, report=self.report, name="王建国", confirmed=True)
        again = services.report_regenerate(actor=self.emma, report=self.report)
        self.assertEqual((again.status, again.attested_name, again.attested_at), (ReportStatus.DRAFT, "", None))
        with self.assertRaises(ApplicationError):
            services.report_submit(actor=self.emma, report=again)

    def test_another_enterprise_s_user_cannot_touch_the_report(self):
        from zhiben.testing import make_user

        other = make_user("ben", "enterprise", self.village_b1, enterprise=self.enterprise_b)
        with self.assertRaises(ApplicationError) as caught:
            services.report_attest(actor=other, report=self.report, name="王建国", confirmed=True)
        self.assertEqual(caught.exception.code, "out_of_scope")


class TickTests(CastTestCase):
    """Reminders and overdue marks by moving the clock through 2030Q2 (deadline 2030-07-15 by default)."""

    period = Period(2030, 2)
    deadline = date(2030, 7, 15)

    def setUp(self):
        Enterprise.objects.update(created_at=at(date(2030, 5, 1)))  # registered on the platform during the quarter
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="王建国", principal_phone="13800000001")

    def events(self, action):
        return DutyEvent.objects.filter(action=action, report__period=self.period.code)

    def test_reminder_once_then_overdue_once_for_those_that_did_not_submit(self):
        self.assertEqual(services.deadline_for(self.period, self.enterprise_a.region_id), self.deadline)
        self.assertEqual(services.duties_tick(today=date(2030, 7, 7)), {"reminders": 0, "overdue": 0})
        self.assertEqual(services.duties_tick(today=date(2030, 7, 8)), {"reminders": 3, "overdue": 0})
        self.assertEqual(services.duties_tick(today=date(2030, 7, 9)), {"reminders": 0, "overdue": 0})
        inbox = Notification.objects.get(channel="inbox", recipient=self.emma)
        self.assertIn("2030-07-15", inbox.subject)
        self.assertTrue(
            Notification.objects.filter(channel="sms", to_address="13800000001", subject=inbox.subject).exists()
        )
        # enterprise A submits in time
        opened = services.report_open(actor=self.emma, period_code=self.period.code, today=date(2030, 7, 9))
        services.report_attest(actor=self.emma, report=opened, name="王建国", confirmed=True)
        services.report_submit(actor=self.emma, report=opened, today=date(2030, 7, 10))
        self.assertEqual(services.duties_tick(today=self.deadline), {"reminders": 0, "overdue": 0})
        self.assertEqual(services.duties_tick(today=date(2030, 7, 16)), {"reminders": 0, "overdue": 2})
        self.assertEqual(services.duties_tick(today=date(2030, 7, 20)), {"reminders": 0, "overdue": 0})
        marked = set(self.events("overdue").values_list("report__enterprise__name", flat=True))
        self.assertEqual(marked, {self.enterprise_a_construction.name, self.enterprise_b.name})
        mark = self.events("overdue").first()
        self.assertEqual((mark.key, mark.report.status), ("overdue:2030-07-15", ReportStatus.PENDING))
        self.assertTrue(AuditEvent.objects.filter(action="duty.overdue").count() == 2)
        _, rows, summary = compliance_list(user=self.bob, period_code=self.period.code, today=date(2030, 7, 16))
        self.assertEqual((summary[Compliance.ON_TIME], summary[Compliance.OVERDUE]), (1, 2))

    def test_each_place_is_judged_on_its_own_deadline_and_the_rows_agree_with_the_summary(self):
        # 青木关镇 (town A2) gives its enterprises until later: on 20 July the county's are overdue, its own not yet
        rule_save(
            actor=self.alice,
            key="duty.quarterly.deadline",
            region_code=self.town_a2.code,
            value={"month": 2, "day": 10},
        )
        later = services.deadline_for(self.period, self.town_a2.code)
        self.assertGreater(later, date(2030, 7, 20))
        waiting = make_enterprise(self.town_a2, "construction", name="青木关建材有限公司")
        newcomer = make_enterprise(self.town_a2, "construction", name="青木关新入驻有限公司")
        Enterprise.objects.filter(pk=waiting.pk).update(created_at=at(date(2030, 5, 1)))
        Enterprise.objects.filter(pk=newcomer.pk).update(created_at=at(later + timedelta(days=1)))
        opened = services.report_open(actor=self.emma, period_code=self.period.code, today=date(2030, 7, 9))
        services.report_attest(actor=self.emma, report=opened, name="王建国", confirmed=True)
        services.report_submit(actor=self.emma, report=opened, today=date(2030, 7, 10))
        today = date(2030, 7, 20)
        _, rows, summary = compliance_list(user=self.alice, period_code=self.period.code, today=today)
        states = {row["enterprise"].name: (row["state"], row["deadline"]) for row in rows}
        self.assertEqual(
            states,
            {
                self.enterprise_a.name: (Compliance.ON_TIME, self.deadline),
                self.enterprise_a_construction.name: (Compliance.OVERDUE, self.deadline),
                waiting.name: (Compliance.OPEN, later),
                newcomer.name: (Compliance.EXEMPT, later),
            },
        )
        self.assertEqual(
            {k: summary[k] for k in ("total", "submitted", "on_time", "overdue", "open", "exempt")},
            {"total": 3, "submitted": 1, "on_time": 1, "overdue": 1, "open": 1, "exempt": 1},
        )
        for row in rows:  # the database's standing is compliance_of's
            enterprise = Enterprise.objects.get(pk=row["enterprise"].pk)
            self.assertEqual(row["state"], compliance_of(row["report"], row["deadline"], today, enterprise))
        self.assertEqual(len(rows), 4)
        self.assertEqual([row["enterprise"].name for row in rows[1:3]], [r["enterprise"].name for r in list(rows)[1:3]])
        for state in (Compliance.OVERDUE, Compliance.OPEN, Compliance.EXEMPT):
            _, only, _ = compliance_list(
                user=self.alice, period_code=self.period.code, today=today, filters={"state": state}
            )
            self.assertEqual((len(only), [row["state"] for row in only]), (1, [state]))

    def test_extended_deadline_brings_a_new_reminder_and_closed_or_new_enterprises_are_skipped(self):
        Enterprise.objects.filter(pk=self.enterprise_b.pk).update(status="closed")
        latecomer = make_enterprise(self.village_a2, "construction", name="新入驻建材有限公司")
        Enterprise.objects.filter(pk=latecomer.pk).update(created_at=at(date(2030, 7, 28)))
        self.assertEqual(services.duties_tick(today=date(2030, 7, 10)), {"reminders": 2, "overdue": 0})
        rule_save(
            actor=self.alice,
            key="duty.quarterly.deadline",
            region_code=self.county_a.code,
            value={"month": 1, "day": 25},
        )
        self.assertEqual(
            services.duties_tick(today=date(2030, 7, 18)), {"reminders": 2, "overdue": 0}
        )  # new deadline 07-25
        self.assertEqual(services.duties_tick(today=date(2030, 7, 26)), {"reminders": 0, "overdue": 2})
        self.assertFalse(DutyEvent.objects.filter(report__enterprise__in=[self.enterprise_b, latecomer]).exists())

    def test_the_job_is_registered(self):
        from zhiben.core.registry import registry

        self.assertIs(registry["jobs"]["duties"].run, services.duties_tick)


class RuleSaveTests(CastTestCase):
    """The deadline rules are saved by the platform's one rule service (core.services.rule_save)."""

    def test_committee_admin_sets_own_jurisdiction_only(self):
        rule_save(
            actor=self.alice, key="duty.annual.deadline", region_code=self.county_a.code, value={"month": 2, "day": 28}
        )
        self.assertEqual(services.deadline_for(Period(2026), self.enterprise_a.region_id), date(2027, 2, 28))
        with self.assertRaisesMessage(ApplicationError, "本辖区"):
            rule_save(actor=self.charlie, key="duty.annual.deadline", region_code=self.county_a.code, value={"days": 5})
        with self.assertRaisesMessage(ApplicationError, "本辖区"):
            rule_save(actor=self.alice, key="duty.annual.deadline", region_code="", value={"days": 5})
        with self.assertRaises(ApplicationError):
            rule_save(actor=self.dave, key="duty.annual.deadline", region_code=self.county_a.code, value={"days": 5})
        with self.assertRaisesMessage(ApplicationError, "1 至 12"):
            rule_save(
                actor=self.alice,
                key="duty.annual.deadline",
                region_code=self.county_a.code,
                value={"month": 0, "day": 5},
            )
        rule_save(actor=self.alice, key="duty.annual.deadline", region_code=self.county_a.code, value=None)
        self.assertEqual(services.deadline_for(Period(2026), self.enterprise_a.region_id), date(2027, 1, 31))
        self.assertEqual(AuditEvent.objects.filter(action="rule.save").count(), 2)
