"""Accidents: grading at every boundary of 条例 第三条, recording (bad input writes nothing), the reporting
chain with its clocks on a moved clock, 补报 windows and re-grading, the investigation with its deadlines,
the 四不放过 closure, 挂牌督办, and the escalation list."""

from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.utils import timezone

from zhiben.accidents import hooks, selectors, services
from zhiben.accidents.choices import Level
from zhiben.accidents.models import Accident, Investigation, Measure, Party, ReportStep, Supplement
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule, SubjectEvent
from zhiben.core.timeline import subject_events
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import ready
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase

ACCOUNT = "操作工清理冲床模具时未切断电源，冲床误动作致人受伤，现场已停机并送医。"


def local(*args):
    return timezone.make_aware(datetime(*args))


class AccidentTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.now = timezone.localtime().replace(second=0, microsecond=0)
        cls.today = cls.now.date()

    def record(self, actor=None, *, now=None, **data):
        """An accident at enterprise_a an hour before `now`, learned 10 minutes later and reported by phone
        30 minutes after that (on time)."""
        now = now or self.now
        occurred = data.pop("occurred", now - timedelta(hours=1))
        values = {
            "enterprise": self.enterprise_a.pk,
            "occurred_at": occurred,
            "learned_at": occurred + timedelta(minutes=10),
            "reported_at": occurred + timedelta(minutes=40),
            "type": "machinery",
            "account": ACCOUNT,
        }
        values.update(data)
        return services.accident_report(actor=actor or self.erin, data=values, now=now)

    def step(self, accident, level):
        return ReportStep.objects.get(accident=accident, level=level)

    def levels(self, accident):
        return list(ReportStep.objects.filter(accident=accident).order_by("due_at").values_list("level", flat=True))

    def start(self, accident, **data):
        values = {"lead_unit": "沙坪坝区应急管理局", "leader": "李明", "members": "区公安分局、区总工会"}
        values.update(data)
        return services.investigation_start(actor=self.alice, accident=accident, data=values)

    def approved(self, accident, *, causes="直接原因：未断电检修；间接原因：安全培训不到位，管理缺失。"):
        self.start(accident)
        services.investigation_update(actor=self.alice, accident=accident, data={"causes": causes})
        services.investigation_submit(actor=self.alice, accident=accident, data={})
        services.accident_approve(actor=self.alice, accident=accident, data={"approval_number": "沙府复〔2026〕3号"})
        return Accident.objects.get(pk=accident.pk)

    def ready_to_close(self, accident, skip=""):
        """Approved, with every 四不放过 item done except `skip`."""
        self.approved(accident)
        party = services.party_add(
            actor=self.alice,
            accident=accident,
            data={"name": "凤凰化工有限公司", "kind": "enterprise", "responsibility": "未落实安全生产主体责任"},
        )
        if skip != "handled":
            services.party_handle(actor=self.alice, party=party, data={"handling": "罚款50万元"})
        measure = services.measure_add(
            actor=self.alice,
            accident=accident,
            data={"text": "冲床加装双手按钮和光电保护", "responsible": "凤凰化工有限公司", "deadline": self.today},
        )
        if skip != "measures":
            services.measure_done(actor=self.alice, measure=measure)
        if skip != "educated":
            services.investigation_update(
                actor=self.alice,
                accident=accident,
                data={"education_on": self.today.isoformat(), "education_note": "全区机械企业负责人警示教育会，120人"},
            )
        if skip == "causes":
            services.investigation_update(actor=self.alice, accident=accident, data={"causes": ""})
        return Accident.objects.get(pk=accident.pk)

    def assertRefused(self, call, message):
        with self.assertRaises(ApplicationError) as caught:
            call()
        self.assertIn(message, caught.exception.message)
        return caught.exception


class GradingTests(AccidentTestCase):
    def grade(self, **figures):
        return services.grade_of(region_code=self.village_a1.code, **figures)

    def test_deaths_at_every_boundary(self):
        expected = {0: "general", 2: "general", 3: "larger", 9: "larger", 10: "major", 29: "major", 30: "extraordinary"}
        for deaths, grade in expected.items():
            with self.subTest(deaths=deaths):
                self.assertEqual(self.grade(deaths=deaths), grade)

    def test_serious_injuries_at_every_boundary(self):
        expected = {9: "general", 10: "larger", 49: "larger", 50: "major", 99: "major", 100: "extraordinary"}
        for injuries, grade in expected.items():
            with self.subTest(injuries=injuries):
                self.assertEqual(self.grade(serious_injuries=injuries), grade)

    def test_direct_loss_at_every_boundary(self):
        expected = {
            "9999999.99": "general",
            "10000000": "larger",
            "49999999.99": "larger",
            "50000000": "major",
            "99999999.99": "major",
            "100000000": "extraordinary",
        }
        for loss, grade in expected.items():
            with self.subTest(loss=loss):
                self.assertEqual(self.grade(direct_loss=Decimal(loss)), grade)

    def test_the_highest_criterion_wins(self):
        self.assertEqual(self.grade(deaths=1, serious_injuries=60), "major")
        self.assertEqual(self.grade(deaths=2, serious_injuries=5, direct_loss=Decimal("120000000")), "extraordinary")
        self.assertEqual(self.grade(deaths=12, serious_injuries=10, direct_loss=Decimal("100")), "major")

    def test_missing_count_as_deaths_unless_the_rule_says_otherwise(self):
        self.assertEqual(self.grade(deaths=2, missing=1), "larger")
        self.assertEqual(self.grade(deaths=8, missing=2), "major")
        Rule.objects.create(key="accident.missing_as_deaths", region_code=self.county_a.code, value=0)
        self.assertEqual(self.grade(deaths=2, missing=1), "general")
        self.assertEqual(self.grade(deaths=8, missing=2), "larger")
        # county B keeps the national default
        self.assertEqual(services.grade_of(deaths=2, missing=1, region_code=self.village_b1.code), "larger")

    def test_thresholds_are_a_rule_per_region(self):
        Rule.objects.create(
            key="accident.grade_thresholds",
            region_code=self.county_b.code,
            value={
                "larger": {"deaths": 2, "serious_injuries": 5, "loss": 5000000},
                "major": {"deaths": 10, "serious_injuries": 50, "loss": 50000000},
                "extraordinary": {"deaths": 30, "serious_injuries": 100, "loss": 100000000},
            },
        )
        self.assertEqual(services.grade_of(deaths=2, region_code=self.village_b1.code), "larger")
        self.assertEqual(services.grade_of(serious_injuries=5, region_code=self.village_b1.code), "larger")
        self.assertEqual(services.grade_of(direct_loss=5000000, region_code=self.village_b1.code), "larger")
        self.assertEqual(self.grade(deaths=2), "general")
        accident = self.record(self.charlie, enterprise=self.enterprise_b.pk, deaths="2")
        self.assertEqual(accident.grade, "larger")
        self.assertEqual(self.record(deaths="2").grade, "general")

    def test_recorded_accidents_are_graded_from_their_figures(self):
        cases = [
            ({"deaths": "2", "missing": "1"}, "larger"),
            ({"serious_injuries": "49"}, "larger"),
            ({"direct_loss": "9,999,999.99"}, "general"),
            ({"direct_loss": "10000000元"}, "larger"),
            ({"deaths": "1", "serious_injuries": "60"}, "major"),
            ({"deaths": "30"}, "extraordinary"),
        ]
        for figures, grade in cases:
            with self.subTest(figures=figures):
                self.assertEqual(self.record(**figures).grade, grade)


class RecordingTests(AccidentTestCase):
    def assertNothingWritten(self, message, actor=None, **data):
        self.assertRefused(lambda: self.record(actor, **data), message)
        self.assertEqual(Accident.objects.count(), 0)
        self.assertEqual(ReportStep.objects.count(), 0)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="accident.").exists())
        self.assertFalse(SubjectEvent.objects.filter(subject_type="accidents.accident").exists())
        self.assertFalse(Notification.objects.exists())

    def test_bad_input_is_refused_in_chinese_and_writes_nothing(self):
        later = self.now + timedelta(minutes=5)
        cases = [
            ("死亡人数不能为负数", {"deaths": "-1"}),
            ("重伤人数不能为负数", {"serious_injuries": -3}),
            ("直接经济损失不能为负数", {"direct_loss": "-100"}),
            ("失踪人数“1.5”须为整数", {"missing": "1.5"}),
            ("死亡人数“三”须为整数", {"deaths": "三"}),
            ("死亡人数“²”须为整数", {"deaths": "²"}),  # str.isdigit() holds, int() refuses: a 500
            ("死亡人数“--1”须为整数", {"deaths": "--1"}),
            ("死亡人数“9999999999999999999999999”不合常理", {"deaths": "9" * 25}),
            ("直接经济损失“十万”不是金额", {"direct_loss": "十万"}),
            ("事故发生时间不能晚于现在", {"occurred": later, "learned_at": later, "reported_at": later}),
            ("知悉时间不能早于事故发生时间", {"learned_at": self.now - timedelta(hours=4)}),
            ("报告时间不能早于事故发生时间", {"reported_at": self.now - timedelta(hours=5)}),
            ("报告时间不能晚于现在", {"reported_at": later}),
            ("知悉时间不能晚于现在", {"learned_at": later}),
            ("“2026-13-45 08:00”不是有效的时间", {"occurred_at": "2026-13-45 08:00"}),
            ("请填写事故发生时间", {"occurred_at": ""}),
            ("至少10个字", {"account": "工人受伤"}),
            ("请选择事故类别", {"type": ""}),
            ("请选择事故类别", {"type": "meteor"}),
            ("不在您的管辖范围内", {"enterprise": self.enterprise_b.pk}),
            ("不在您的管辖范围内", {"enterprise": "abc"}),
            ("不在您的管辖范围内", {"enterprise": "²"}),
            ("不在您的管辖范围内", {"enterprise": "9" * 25}),
        ]
        for message, data in cases:
            with self.subTest(message=message):
                self.assertNothingWritten(message, **data)

    def test_a_place_needs_its_region_and_industry(self):
        place = {"enterprise": "", "place_name": "凤凰村集贸市场临时工地", "region": self.village_a1.code}
        self.assertNothingWritten("请选择行业领域", **place)
        self.assertNothingWritten("请选择事故发生地", **{**place, "region": "", "industry": "hazchem"})
        self.assertNothingWritten(
            "请选择事故发生地", **{**place, "region": self.village_b1.code, "industry": "hazchem"}
        )
        self.assertNothingWritten("场所/单位名称", **{**place, "place_name": "", "industry": "hazchem"})
        accident = self.record(**place, industry="hazchem", type="fall")
        self.assertEqual(
            (accident.enterprise, accident.region, accident.subject_name),
            (None, self.village_a1, "凤凰村集贸市场临时工地"),
        )

    def test_a_regulator_records_one_reported_by_phone(self):
        learned = self.now - timedelta(hours=2)
        accident = self.record(
            deaths="1",
            occurred=self.now - timedelta(hours=3),
            learned_at=learned,
            reported_at=learned + timedelta(minutes=35),
            recipient="凤凰镇应急办值班室",
        )
        self.assertEqual(
            (accident.grade, accident.status, accident.unit), ("general", "reported", self.unit_emergency_a1)
        )
        self.assertTrue(accident.number.startswith(f"SG500106{accident.occurred_at.year}"))
        county = self.step(accident, Level.COUNTY)
        self.assertEqual(county.reported_at, learned + timedelta(minutes=35))
        self.assertEqual(
            (county.method, county.recipient, county.reported_by), ("电话", "凤凰镇应急办值班室", self.erin)
        )
        self.assertEqual(county.due_at, learned + timedelta(hours=1))
        self.assertFalse(county.is_late(self.now))
        # the city's clock runs from the county's report
        self.assertEqual(self.step(accident, Level.CITY).due_at, county.reported_at + timedelta(hours=2))
        self.assertEqual([e.action for e in subject_events(accident)], ["report"])
        self.assertTrue(AuditEvent.objects.filter(action="accident.report", object_id=str(accident.pk)).exists())
        [message] = Notification.objects.filter(recipient=self.alice, channel="inbox")
        self.assertEqual(message.subject, f"事故信息：{accident.number}")
        self.assertIn("一般事故", message.body)

    def test_without_a_report_time_the_report_is_now(self):
        accident = self.record(reported_at="")
        self.assertEqual(self.step(accident, Level.COUNTY).reported_at, self.now)

    def test_typed_times_are_local(self):
        accident = self.record(
            occurred_at="2026-03-02T08:30", learned_at="2026-03-02 08:40", reported_at="2026-03-02 09:05"
        )
        self.assertEqual(accident.occurred_at, local(2026, 3, 2, 8, 30))
        self.assertEqual(self.step(accident, Level.COUNTY).reported_at, local(2026, 3, 2, 9, 5))

    def test_an_enterprise_records_its_own_and_its_report_is_made_at_that_moment(self):
        accident = self.record(
            self.emma,
            occurred=self.now - timedelta(hours=3),
            enterprise=self.enterprise_b.pk,
            reported_at=self.now - timedelta(hours=2),
            serious_injuries="1",
        )
        self.assertEqual(
            (accident.enterprise, accident.region, accident.industry),
            (self.enterprise_a, self.village_a1, self.enterprise_a.industry),
        )
        self.assertIsNone(accident.unit)
        county = self.step(accident, Level.COUNTY)
        self.assertEqual((county.reported_at, county.reported_by, county.method), (self.now, self.emma, "系统报送"))
        # learned 2 h 50 min ago: the hour had run out
        self.assertTrue(county.is_late(self.now))
        self.assertEqual(subject_events(accident)[0].data["late"], True)

    def test_the_county_step_is_late_after_one_hour(self):
        learned = self.now - timedelta(hours=2)
        occurred = learned - timedelta(minutes=5)
        on_time = self.record(occurred=occurred, learned_at=learned, reported_at=learned + timedelta(hours=1))
        late = self.record(occurred=occurred, learned_at=learned, reported_at=learned + timedelta(minutes=61))
        self.assertFalse(self.step(on_time, Level.COUNTY).is_late(self.now))
        self.assertTrue(self.step(late, Level.COUNTY).is_late(self.now))
        self.assertEqual(selectors.clocks(on_time, self.now)[0][1], "按时报告")
        self.assertEqual(selectors.clocks(late, self.now)[0][1:], ("已超时报告", -1))

    def test_the_enterprise_report_hour_is_a_rule(self):
        Rule.objects.create(key="accident.enterprise_report_hours", region_code=self.county_a.code, value=2)
        learned = self.now - timedelta(hours=2, minutes=30)
        accident = self.record(occurred=learned, learned_at=learned, reported_at=learned + timedelta(minutes=90))
        self.assertEqual(self.step(accident, Level.COUNTY).due_at, learned + timedelta(hours=2))
        self.assertFalse(self.step(accident, Level.COUNTY).is_late(self.now))

    def test_who_may_record(self):
        self.assertRefused(lambda: self.record(self.dave), "无权报告事故")
        self.assertEqual(Accident.objects.count(), 0)
        # a regulator cannot record an accident outside the industries her unit supervises
        self.assertRefused(lambda: self.record(enterprise=self.enterprise_a_construction.pk), "不在您的管辖范围内")
        place = {"enterprise": "", "place_name": "凤凰村自建房工地", "region": self.village_a1.code}
        error = self.assertRefused(lambda: self.record(**place, industry="construction"), "不在您单位的监管范围内")
        self.assertEqual(error.errors[0]["field"], "industry")
        self.assertEqual((Accident.objects.count(), ReportStep.objects.count()), (0, 0))
        self.assertEqual(self.record(**place, industry="machinery").industry.code, "machinery")


class ChainTests(AccidentTestCase):
    def test_the_levels_each_grade_must_reach(self):
        expected = {
            "0": ["county", "city"],
            "3": ["county", "city", "province"],
            "10": ["county", "city", "province", "state"],
            "30": ["county", "city", "province", "state"],
        }
        for deaths, levels in expected.items():
            with self.subTest(deaths=deaths):
                self.assertEqual(self.levels(self.record(deaths=deaths)), levels)

    def test_each_level_has_two_hours_from_the_report_below(self):
        accident = self.record(deaths="10")
        county, city = self.step(accident, Level.COUNTY), self.step(accident, Level.CITY)
        province, state = self.step(accident, Level.PROVINCE), self.step(accident, Level.STATE)
        self.assertEqual(city.due_at, county.reported_at + timedelta(hours=2))
        # while the level below has not reported, its clock runs from that level's deadline
        self.assertEqual(province.due_at, city.due_at + timedelta(hours=2))
        self.assertEqual(state.due_at, province.due_at + timedelta(hours=2))
        city_at = county.reported_at + timedelta(minutes=10)
        services.step_report(
            actor=self.alice, accident=accident, data={"reported_at": city_at, "recipient": "市应急管理局值班室"}
        )
        self.assertEqual(self.step(accident, Level.PROVINCE).due_at, city_at + timedelta(hours=2))
        self.assertEqual(self.step(accident, Level.STATE).due_at, city_at + timedelta(hours=4))

    def test_step_report_takes_the_next_pending_level(self):
        accident = self.record(deaths="3")
        county = self.step(accident, Level.COUNTY)
        self.assertRefused(
            lambda: services.step_report(
                actor=self.alice, accident=accident, data={"level": "province", "recipient": "省应急管理厅"}
            ),
            "请先登记报告至设区的市级人民政府应急管理部门的时间",
        )
        self.assertRefused(
            lambda: services.step_report(
                actor=self.alice, accident=accident, data={"level": "state", "recipient": "应急管理部"}
            ),
            "没有待报告的层级",
        )
        step = services.step_report(
            actor=self.alice,
            accident=accident,
            data={
                "reported_at": county.reported_at + timedelta(minutes=5),
                "recipient": "市应急管理局",
                "method": "传真",
            },
            now=self.now,
        )
        self.assertEqual((step.level, step.method, step.reported_by), ("city", "传真", self.alice))
        step = services.step_report(
            actor=self.alice, accident=accident, data={"recipient": "省应急管理厅"}, now=self.now
        )
        self.assertEqual((step.level, step.reported_at), ("province", self.now))
        self.assertRefused(
            lambda: services.step_report(actor=self.alice, accident=accident, data={"recipient": "应急管理部"}),
            "没有待报告的层级",
        )
        self.assertEqual([e.action for e in subject_events(accident)], ["report", "step", "step"])

    def test_step_report_bad_times_write_nothing(self):
        accident = self.record()
        county = self.step(accident, Level.COUNTY)
        cases = [
            (
                "不能早于下级报告的时间",
                {"reported_at": county.reported_at - timedelta(minutes=1), "recipient": "市应急局"},
            ),
            ("报告时间不能晚于现在", {"reported_at": self.now + timedelta(minutes=1), "recipient": "市应急局"}),
            ("请填写接收报告的单位", {"reported_at": self.now}),
            ("不是有效的时间", {"reported_at": "昨天下午", "recipient": "市应急局"}),
        ]
        for message, data in cases:
            with self.subTest(message=message):
                self.assertRefused(
                    partial(services.step_report, actor=self.alice, accident=accident, data=data, now=self.now), message
                )
                self.assertIsNone(self.step(accident, Level.CITY).reported_at)
        self.assertFalse(AuditEvent.objects.filter(action="accident.step").exists())
        self.assertRefused(
            lambda: services.step_report(actor=self.dave, accident=accident, data={"recipient": "市应急局"}), "无权"
        )
        with self.assertRaises(ApplicationError) as caught:
            services.step_report(actor=self.charlie, accident=accident, data={"recipient": "市应急局"})
        self.assertEqual(caught.exception.code, "out_of_scope")

    def test_clock_states_on_a_moved_clock(self):
        accident = self.record(deaths="3")
        city = self.step(accident, Level.CITY)
        states = {step.level: (state, minutes) for step, state, minutes in selectors.clocks(accident, self.now)}
        self.assertEqual(states["county"][0], "按时报告")
        self.assertEqual(states["city"], ("计时中", int((city.due_at - self.now).total_seconds() // 60)))
        self.assertEqual(states["province"][0], "计时中")
        later = city.due_at + timedelta(minutes=10)
        states = {step.level: (state, minutes) for step, state, minutes in selectors.clocks(accident, later)}
        self.assertEqual(states["city"], ("已超时未报", -10))
        self.assertEqual(states["province"][0], "计时中")
        services.step_report(
            actor=self.alice, accident=accident, data={"reported_at": later, "recipient": "市应急局"}, now=later
        )
        services.step_report(
            actor=self.alice,
            accident=accident,
            data={"reported_at": later + timedelta(minutes=30), "recipient": "省应急管理厅"},
            now=later + timedelta(hours=3),
        )
        states = {step.level: state for step, state, _ in selectors.clocks(accident, later + timedelta(hours=3))}
        self.assertEqual(states, {"county": "按时报告", "city": "已超时报告", "province": "按时报告"})
        [late_step] = [e for e in subject_events(accident) if e.action == "step" and e.data["late"]]
        self.assertIn("超过时限", late_step.note)

    def test_late_steps_are_notified_once(self):
        accident = self.record(deaths="3")
        city = self.step(accident, Level.CITY)
        self.assertEqual(services.flag_late_steps(now=city.due_at), 0)
        after_city = city.due_at + timedelta(minutes=1)
        self.assertEqual(services.flag_late_steps(now=after_city), 1)
        self.assertEqual(services.flag_late_steps(now=after_city), 0)
        inbox = Notification.objects.filter(recipient=self.alice, channel="inbox", subject__startswith="事故上报超时")
        self.assertEqual(inbox.count(), 1)
        self.assertIn("设区的市级", inbox.get().body)
        self.assertFalse(Notification.objects.filter(recipient=self.charlie).exists())
        # the province's clock runs out two hours later: that step is flagged once too
        after_province = self.step(accident, Level.PROVINCE).due_at + timedelta(minutes=1)
        self.assertEqual(services.flag_late_steps(now=after_province), 1)
        self.assertEqual(services.flag_late_steps(now=after_province + timedelta(days=1)), 0)
        self.assertEqual(inbox.count(), 2)
        self.assertEqual(sum(1 for e in subject_events(accident) if e.action == "late"), 2)

    def test_reported_steps_are_not_flagged(self):
        accident = self.record()
        services.step_report(actor=self.alice, accident=accident, data={"recipient": "市应急局"}, now=self.now)
        self.assertEqual(services.flag_late_steps(now=self.now + timedelta(days=2)), 0)

    def test_the_late_filter_and_home_figure(self):
        late = self.record()
        on_time = self.record()
        services.step_report(actor=self.alice, accident=on_time, data={"recipient": "市应急局"}, now=self.now)
        # the city step of `late` is still open; move its clock into the past
        ReportStep.objects.filter(accident=late, level="city").update(due_at=timezone.now() - timedelta(minutes=5))
        self.assertEqual(list(selectors.accident_list(user=self.alice, filters={"late": "1"})), [late])
        self.assertEqual(selectors.open_figures(self.alice), {"open": 2, "late": 1})
        self.assertEqual(selectors.open_figures(self.charlie), {"open": 0, "late": 0})


class ReportedBeforeLearnedTests(AccidentTestCase):
    def test_a_report_before_the_accident_was_known_is_refused(self):
        occurred = self.now - timedelta(hours=3)
        with self.assertRaises(ApplicationError) as caught:
            self.record(
                self.alice,
                occurred=occurred,
                learned_at=occurred + timedelta(hours=1),
                reported_at=occurred + timedelta(minutes=30),
            )
        self.assertIn("报告时间不能早于知悉时间", caught.exception.message)
        self.assertFalse(Accident.objects.exists())


class SupplementTests(AccidentTestCase):
    def supplement(self, accident, now, **figures):
        values = {"deaths": accident.deaths, "missing": accident.missing, "serious_injuries": accident.serious_injuries}
        values.update(figures)
        return services.accident_supplement(actor=self.alice, accident=accident, data=values, now=now)

    def occurred(self):
        return local(2026, 3, 2, 10, 0)

    def recorded(self, **data):
        occurred = self.occurred()
        return self.record(occurred=occurred, now=occurred + timedelta(hours=4), **data)

    def test_thirty_days_for_most_accidents(self):
        accident = self.recorded(serious_injuries="1")
        on_day_30 = local(2026, 4, 1, 18, 0)
        done = self.supplement(accident, on_day_30, deaths=1, serious_injuries=0)
        self.assertEqual((done.deaths, done.serious_injuries), (1, 0))
        on_day_31 = local(2026, 4, 2, 9, 0)
        self.assertRefused(lambda: self.supplement(accident, on_day_31, deaths=2), "30日内")
        self.assertEqual(Accident.objects.get(pk=accident.pk).deaths, 1)

    def test_seven_days_for_road_traffic_and_fire(self):
        for data in ({"road_traffic": "1", "type": "vehicle"}, {"type": "fire"}):
            with self.subTest(data=data):
                accident = self.recorded(**data)
                self.assertEqual(services.supplement_window(accident), 7)
                on_day_8 = local(2026, 3, 10, 9, 0)
                self.assertRefused(partial(self.supplement, accident, on_day_8, deaths=1), "7日内")
                on_day_7 = local(2026, 3, 9, 18, 0)
                self.assertEqual(self.supplement(accident, on_day_7, deaths=1).deaths, 1)
        self.assertEqual(services.supplement_window(self.recorded(type="vehicle")), 30)

    def test_figures_left_out_keep_their_value(self):
        accident = self.recorded(serious_injuries="2", minor_injuries="4", direct_loss="500000")
        done = services.accident_supplement(
            actor=self.emma, accident=accident, data={"deaths": "1"}, now=self.occurred() + timedelta(days=1)
        )
        self.assertEqual(
            (done.deaths, done.serious_injuries, done.minor_injuries, done.direct_loss), (1, 2, 4, Decimal("500000"))
        )
        self.assertEqual(Supplement.objects.get().by, self.emma)

    def test_the_same_figures_or_bad_figures_are_refused(self):
        accident = self.recorded(deaths="1")
        at = self.occurred() + timedelta(days=1)
        self.assertRefused(lambda: self.supplement(accident, at), "相同")
        self.assertRefused(lambda: self.supplement(accident, at, deaths=-2), "不能为负数")
        self.assertRefused(lambda: self.supplement(accident, at, deaths="两"), "须为整数")
        self.assertFalse(Supplement.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="accident.supplement").exists())

    def test_upward_regrade_is_an_event_and_adds_the_levels(self):
        accident = self.recorded(deaths="1")
        county = self.step(accident, Level.COUNTY)
        services.step_report(
            actor=self.alice,
            accident=accident,
            data={"reported_at": county.reported_at + timedelta(hours=1), "recipient": "市应急局"},
            now=self.occurred() + timedelta(hours=4),
        )
        at = self.occurred() + timedelta(days=2)
        done = self.supplement(accident, at, deaths=4, note="一名重伤者抢救无效死亡，新发现两名遇难者")
        self.assertEqual(done.grade, "larger")
        self.assertEqual(self.levels(accident), ["county", "city", "province"])
        # a level added by re-grading: two hours from the re-grading, not from the city's old report
        self.assertEqual(self.step(accident, Level.PROVINCE).due_at, at + timedelta(hours=2))
        [regrade] = [e for e in subject_events(accident) if e.action == "regrade"]
        self.assertEqual(regrade.data, {"from": "general", "to": "larger"})
        self.assertIn("一般事故调整为较大事故", regrade.note)
        supplement = Supplement.objects.get(accident=accident)
        self.assertEqual((supplement.before["deaths"], supplement.after["deaths"], supplement.by), (1, 4, self.alice))
        self.assertTrue(Notification.objects.filter(recipient=self.alice, subject__startswith="事故等级调整").exists())
        done = self.supplement(done, at, deaths=12)
        self.assertEqual(self.levels(accident), ["county", "city", "province", "state"])

    def test_downward_regrade_keeps_the_steps(self):
        accident = self.recorded(deaths="3")
        done = self.supplement(accident, self.occurred() + timedelta(days=1), deaths=2, missing=0)
        self.assertEqual(done.grade, "general")
        self.assertEqual(self.levels(accident), ["county", "city", "province"])
        self.assertEqual(
            [e.data for e in subject_events(accident) if e.action == "regrade"], [{"from": "larger", "to": "general"}]
        )

    def test_a_supplement_without_a_change_of_grade_is_no_regrade(self):
        accident = self.recorded(deaths="1")
        self.supplement(accident, self.occurred() + timedelta(days=1), deaths=2)
        self.assertFalse([e for e in subject_events(accident) if e.action == "regrade"])
        self.assertEqual(self.levels(accident), ["county", "city"])


class InvestigationTests(AccidentTestCase):
    def test_start_sets_the_report_deadline(self):
        accident = self.record()
        investigation = self.start(accident)
        occurred = timezone.localtime(accident.occurred_at).date()
        self.assertEqual(investigation.report_due, occurred + timedelta(days=60))
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "investigating")
        self.assertRefused(lambda: self.start(accident), "已成立调查组")
        self.assertEqual(Investigation.objects.count(), 1)

    def test_bad_start_writes_nothing(self):
        accident = self.record()
        occurred = timezone.localtime(accident.occurred_at).date()
        cases = [
            ("请填写调查组牵头单位", {"lead_unit": ""}),
            ("请填写调查组组长", {"leader": "李"}),
            ("成立日期不能晚于今天", {"started_on": (self.today + timedelta(days=1)).isoformat()}),
            ("成立日期不能早于事故发生日期", {"started_on": (occurred - timedelta(days=1)).isoformat()}),
        ]
        for message, data in cases:
            with self.subTest(message=message):
                self.assertRefused(partial(self.start, accident, **data), message)
        self.assertFalse(Investigation.objects.exists())
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "reported")
        self.assertRefused(lambda: services.investigation_start(actor=self.emma, accident=accident, data={}), "无权")

    def test_education_cannot_be_dated_in_the_future(self):
        accident = self.record()
        self.start(accident)
        tomorrow = (self.today + timedelta(days=1)).isoformat()
        data = {"education_on": tomorrow, "education_note": "警示教育会", "causes": "不应保存的原因描述文字"}
        self.assertRefused(
            lambda: services.investigation_update(actor=self.alice, accident=accident, data=data),
            "警示教育日期不能晚于今天",
        )
        investigation = Investigation.objects.get(accident=accident)
        self.assertEqual((investigation.education_on, investigation.causes), (None, ""))

    def test_one_extension_of_at_most_sixty_days(self):
        accident = self.record()
        due = self.start(accident).report_due
        self.assertRefused(
            lambda: services.investigation_extend(actor=self.alice, accident=accident, days=61, reason="需技术鉴定"),
            "1 至 60 天",
        )
        self.assertRefused(
            lambda: services.investigation_extend(actor=self.alice, accident=accident, days=0, reason="需技术鉴定"),
            "1 至 60 天",
        )
        self.assertRefused(
            lambda: services.investigation_extend(actor=self.alice, accident=accident, days="十", reason="需技术鉴定"),
            "1 至 60 天",
        )
        self.assertRefused(
            lambda: services.investigation_extend(actor=self.alice, accident=accident, days=30, reason=""), "延期理由"
        )
        self.assertEqual(Investigation.objects.get(accident=accident).report_due, due)
        extended = services.investigation_extend(
            actor=self.alice, accident=accident, days=60, reason="设备需送第三方技术鉴定"
        )
        self.assertEqual((extended.report_due, extended.extended_days), (due + timedelta(days=60), 60))
        self.assertRefused(
            lambda: services.investigation_extend(actor=self.alice, accident=accident, days=1, reason="再延长一天"),
            "只能延长一次",
        )
        self.assertEqual(Investigation.objects.get(accident=accident).report_due, due + timedelta(days=60))

    def test_the_extension_is_a_rule(self):
        Rule.objects.create(key="accident.extension_days", region_code=self.county_a.code, value=30)
        accident = self.record()
        self.start(accident)
        self.assertRefused(
            lambda: services.investigation_extend(actor=self.alice, accident=accident, days=31, reason="需技术鉴定"),
            "1 至 30 天",
        )

    def test_submit_needs_the_causes(self):
        accident = self.record()
        self.start(accident)
        self.assertRefused(
            lambda: services.investigation_submit(actor=self.alice, accident=accident, data={}), "请先写明事故原因"
        )
        services.investigation_update(actor=self.alice, accident=accident, data={"causes": "违章作业"})
        self.assertRefused(
            lambda: services.investigation_submit(actor=self.alice, accident=accident, data={}), "请先写明事故原因"
        )
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "investigating")
        services.investigation_update(
            actor=self.alice, accident=accident, data={"causes": "直接原因是违章作业，间接原因是培训缺失"}
        )
        self.assertRefused(
            lambda: services.investigation_submit(
                actor=self.alice, accident=accident, data={"submitted_on": (self.today + timedelta(days=1)).isoformat()}
            ),
            "提交日期须在调查组成立之后",
        )
        self.assertRefused(
            lambda: services.investigation_submit(
                actor=self.alice, accident=accident, data={"submitted_on": (self.today - timedelta(days=1)).isoformat()}
            ),
            "提交日期须在调查组成立之后",
        )
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "investigating")
        investigation = services.investigation_submit(actor=self.alice, accident=accident, data={})
        self.assertEqual(
            (investigation.submitted_on, investigation.approval_due), (self.today, self.today + timedelta(days=15))
        )
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "submitted")

    def test_an_extraordinary_accident_has_thirty_days_for_approval(self):
        accident = self.record(deaths="30")
        self.start(accident)
        services.investigation_update(
            actor=self.alice, accident=accident, data={"causes": "直接原因是违章作业，间接原因是培训缺失"}
        )
        investigation = services.investigation_submit(actor=self.alice, accident=accident, data={})
        self.assertEqual(investigation.approval_due, self.today + timedelta(days=30))

    def test_approve_needs_a_number_and_dates_in_order(self):
        accident = self.record()
        self.start(accident)
        services.investigation_update(
            actor=self.alice, accident=accident, data={"causes": "直接原因是违章作业，间接原因是培训缺失"}
        )
        services.investigation_submit(actor=self.alice, accident=accident, data={})
        cases = [
            ("请填写批复文号", {}),
            (
                "批复日期须在调查报告提交之后",
                {"approval_number": "沙府复〔2026〕1号", "approved_on": (self.today - timedelta(days=1)).isoformat()},
            ),
            (
                "批复日期须在调查报告提交之后",
                {"approval_number": "沙府复〔2026〕1号", "approved_on": (self.today + timedelta(days=1)).isoformat()},
            ),
        ]
        for message, data in cases:
            with self.subTest(message=message):
                self.assertRefused(
                    partial(services.accident_approve, actor=self.alice, accident=accident, data=data), message
                )
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "submitted")
        self.assertIsNone(Investigation.objects.get(accident=accident).approved_on)
        services.accident_approve(actor=self.alice, accident=accident, data={"approval_number": "沙府复〔2026〕1号"})
        investigation = Investigation.objects.get(accident=accident)
        self.assertEqual((investigation.approved_on, investigation.approval_number), (self.today, "沙府复〔2026〕1号"))
        self.assertEqual(Accident.objects.get(pk=accident.pk).status, "approved")

    def test_parties_and_their_handling(self):
        accident = self.record()
        self.assertRefused(
            lambda: services.party_add(
                actor=self.alice, accident=accident, data={"name": "张三", "kind": "person", "responsibility": "违章"}
            ),
            "尚未成立调查组",
        )
        self.start(accident)
        self.assertRefused(
            lambda: services.party_add(
                actor=self.alice, accident=accident, data={"name": "张三", "kind": "boss", "responsibility": "违章"}
            ),
            "请选择责任者类型",
        )
        self.assertFalse(Party.objects.exists())
        official = services.party_add(
            actor=self.alice, accident=accident, data={"name": "王五", "kind": "official", "responsibility": "监管不力"}
        )
        self.assertEqual(official.get_kind_display(), "公职人员（一案双查）")
        self.assertRefused(
            lambda: services.party_handle(actor=self.alice, party=official, data={"handling": ""}), "请填写处理结果"
        )
        self.assertRefused(
            lambda: services.party_handle(
                actor=self.alice,
                party=official,
                data={"handling": "诫勉谈话", "handled_on": (self.today + timedelta(days=1)).isoformat()},
            ),
            "处理日期不能晚于今天",
        )
        self.assertEqual(Party.objects.get(pk=official.pk).handling, "")
        services.party_handle(actor=self.alice, party=official, data={"handling": "诫勉谈话"})
        party = Party.objects.get(pk=official.pk)
        self.assertEqual((party.handling, party.handled_on), ("诫勉谈话", self.today))

    def test_measures(self):
        accident = self.record()
        self.start(accident)
        self.assertRefused(
            lambda: services.measure_add(
                actor=self.alice,
                accident=accident,
                data={
                    "text": "加装光电保护",
                    "responsible": "凤凰化工",
                    "deadline": (self.today - timedelta(days=1)).isoformat(),
                },
            ),
            "完成期限不能早于今天",
        )
        self.assertRefused(
            lambda: services.measure_add(
                actor=self.alice, accident=accident, data={"text": "加装光电保护", "responsible": "凤凰化工"}
            ),
            "请填写完成期限",
        )
        self.assertFalse(Measure.objects.exists())
        measure = services.measure_add(
            actor=self.alice,
            accident=accident,
            data={"text": "加装光电保护", "responsible": "凤凰化工", "deadline": self.today.isoformat()},
        )
        services.measure_done(actor=self.alice, measure=measure)
        measure.refresh_from_db()
        self.assertEqual((measure.status, measure.done_on), ("done", self.today))
        self.assertRefused(lambda: services.measure_done(actor=self.alice, measure=measure), "已落实")
        self.assertRefused(lambda: services.measure_to_hazard(actor=self.alice, measure=measure), "无须以隐患跟踪")
        self.assertFalse(Hazard.objects.exists())

    def test_a_measure_tracked_as_a_hazard_is_done_once_the_hazard_is_closed(self):
        accident = self.record()
        self.start(accident)
        measure = services.measure_add(
            actor=self.erin,
            accident=accident,
            data={
                "text": "全厂冲压设备安全联锁排查整改",
                "responsible": "凤凰化工有限公司",
                "deadline": (self.today + timedelta(days=20)).isoformat(),
            },
        )
        hazard = services.measure_to_hazard(actor=self.erin, measure=measure)
        self.assertEqual(
            (hazard.enterprise, hazard.channel, hazard.deadline), (self.enterprise_a, "assigned", measure.deadline)
        )
        self.assertEqual(hazard.source_ref, accident.number)
        measure.refresh_from_db()
        self.assertEqual(measure.hazard, hazard)
        self.assertRefused(lambda: services.measure_to_hazard(actor=self.erin, measure=measure), "已以隐患")
        self.assertRefused(lambda: services.measure_done(actor=self.erin, measure=measure), "隐患销号后才算落实")
        self.assertEqual(Measure.objects.get(pk=measure.pk).status, "open")
        hazard = ready(hazard, self.erin, status=HazardStatus.SUBMITTED)
        hazard_services.hazard_transition(actor=self.erin, hazard=hazard, action="close", note="验收合格，准予销号")
        self.assertEqual(Hazard.objects.get(pk=hazard.pk).status, "closed")
        measure.refresh_from_db()
        services.measure_done(actor=self.erin, measure=measure)
        self.assertEqual(Measure.objects.get(pk=measure.pk).status, "done")

    def test_a_place_without_an_enterprise_cannot_track_a_measure_as_a_hazard(self):
        accident = self.record(
            enterprise="", place_name="凤凰村自建房工地", region=self.village_a1.code, industry="hazchem"
        )
        self.start(accident)
        measure = services.measure_add(
            actor=self.alice,
            accident=accident,
            data={"text": "加强巡查", "responsible": "凤凰镇", "deadline": self.today.isoformat()},
        )
        self.assertRefused(lambda: services.measure_to_hazard(actor=self.alice, measure=measure), "不是登记企业")
        self.assertFalse(Hazard.objects.exists())


class ClosureTests(AccidentTestCase):
    def test_each_missing_item_is_named(self):
        names = {
            "causes": "事故原因未查清不放过",
            "handled": "责任人员未处理不放过",
            "measures": "整改措施未落实不放过",
            "educated": "有关人员未受到教育不放过",
        }
        for skip, name in names.items():
            with self.subTest(skip=skip):
                accident = self.ready_to_close(self.record(), skip=skip)
                self.assertEqual(accident.status, "approved")
                error = self.assertRefused(partial(services.accident_close, actor=self.alice, accident=accident), name)
                self.assertEqual(error.code, "not_ready")
                for other in set(names.values()) - {name}:
                    self.assertNotIn(other, error.message)
                self.assertEqual(Accident.objects.get(pk=accident.pk).status, "approved")
                self.assertFalse(AuditEvent.objects.filter(action="accident.close").exists())

    def test_nothing_done_names_all_four(self):
        accident = self.approved(self.record())
        services.investigation_update(actor=self.alice, accident=accident, data={"causes": ""})
        error = self.assertRefused(lambda: services.accident_close(actor=self.alice, accident=accident), "不能结案")
        for name in (
            "事故原因未查清",
            "责任人员未处理",
            "未认定责任者",
            "整改措施未落实",
            "未提出整改措施",
            "有关人员未受到教育",
        ):
            self.assertIn(name, error.message)

    def test_closed_when_all_four_are_done(self):
        accident = self.ready_to_close(self.record())
        self.assertTrue(all(ok for _, ok, _ in services.four_checks(accident).values()))
        closed = services.accident_close(actor=self.alice, accident=accident)
        self.assertEqual(closed.status, "closed")
        self.assertIsNotNone(Accident.objects.get(pk=accident.pk).closed_at)
        self.assertTrue(AuditEvent.objects.filter(action="accident.close", object_id=str(accident.pk)).exists())

    def test_a_closed_accident_refuses_further_edits(self):
        accident = self.ready_to_close(self.record())
        services.accident_close(actor=self.alice, accident=accident)
        party = Party.objects.get(accident=accident)
        measure = Measure.objects.get(accident=accident)
        future = (self.today + timedelta(days=5)).isoformat()
        calls = {
            "update": lambda: services.investigation_update(
                actor=self.alice, accident=accident, data={"causes": "改写的原因，不应保存"}
            ),
            "party": lambda: services.party_add(
                actor=self.alice, accident=accident, data={"name": "赵六", "kind": "person", "responsibility": "违章"}
            ),
            "handle": lambda: services.party_handle(actor=self.alice, party=party, data={"handling": "改为警告"}),
            "measure": lambda: services.measure_add(
                actor=self.alice,
                accident=accident,
                data={"text": "再加一项", "responsible": "凤凰化工", "deadline": future},
            ),
            "hazard": lambda: services.measure_to_hazard(actor=self.alice, measure=measure),
            "extend": lambda: services.investigation_extend(
                actor=self.alice, accident=accident, days=10, reason="需技术鉴定"
            ),
            "supplement": lambda: services.accident_supplement(
                actor=self.alice, accident=accident, data={"deaths": 1}, now=self.now
            ),
            "close": lambda: services.accident_close(actor=self.alice, accident=accident),
            "step": lambda: services.step_report(
                actor=self.alice, accident=accident, data={"recipient": "市应急管理局值班室"}, now=self.now
            ),
            "list": lambda: services.accident_list(actor=self.alice, accident=accident, note="挂牌督办，限期结案"),
        }
        for name, call in calls.items():
            with self.subTest(name=name), self.assertRaises(ApplicationError):
                call()
        investigation = Investigation.objects.get(accident=accident)
        self.assertNotIn("不应保存", investigation.causes)
        self.assertEqual(Party.objects.get(pk=party.pk).handling, "罚款50万元")
        self.assertEqual((Party.objects.count(), Measure.objects.count(), Hazard.objects.count()), (1, 1, 0))
        self.assertEqual(Accident.objects.get(pk=accident.pk).deaths, 0)
        self.assertFalse(Accident.objects.get(pk=accident.pk).listed)
        self.assertFalse(ReportStep.objects.filter(accident=accident, level="city", reported_at__isnull=False).exists())


class ListingTests(AccidentTestCase):
    def test_only_the_committee_lists_an_accident_once(self):
        accident = self.record(deaths="3")
        error = self.assertRefused(
            lambda: services.accident_list(actor=self.erin, accident=accident, note="挂牌督办，限期结案"), "只有安委办"
        )
        self.assertEqual(error.code, "forbidden")
        self.assertRefused(
            lambda: services.accident_list(actor=self.alice, accident=accident, note=""), "请写明督办要求"
        )
        self.assertFalse(Accident.objects.get(pk=accident.pk).listed)
        with self.assertRaises(ApplicationError) as caught:
            services.accident_list(actor=self.charlie, accident=accident, note="挂牌督办，限期结案")
        self.assertEqual(caught.exception.code, "out_of_scope")
        services.accident_list(actor=self.alice, accident=accident, note="挂牌督办，90日内结案")
        listed = Accident.objects.get(pk=accident.pk)
        self.assertEqual(
            (listed.listed, listed.listed_by, listed.listed_note), (True, self.alice, "挂牌督办，90日内结案")
        )
        self.assertRefused(
            lambda: services.accident_list(actor=self.alice, accident=accident, note="再次挂牌督办"), "已挂牌督办"
        )
        self.assertEqual(list(selectors.accident_list(user=self.alice, filters={"listed": "1"})), [listed])
        self.assertEqual(sum(1 for e in subject_events(accident) if e.action == "list"), 1)


class EscalationTests(AccidentTestCase):
    def test_overdue_investigations_and_approvals(self):
        on_time = self.record()
        self.start(on_time)
        late_report = self.record()
        self.start(late_report)
        late_approval = self.record()
        self.start(late_approval)
        services.investigation_update(
            actor=self.alice, accident=late_approval, data={"causes": "直接原因是违章作业，间接原因是培训缺失"}
        )
        services.investigation_submit(actor=self.alice, accident=late_approval, data={})
        reported_only = self.record()
        today = self.today
        Investigation.objects.filter(accident=late_report).update(report_due=today - timedelta(days=12))
        Investigation.objects.filter(accident=late_approval).update(
            report_due=today - timedelta(days=40), approval_due=today - timedelta(days=3)
        )
        rows = {row.obj.pk: row for row in hooks.overdue(today)}
        self.assertEqual(set(rows), {late_report.pk, late_approval.pk})
        self.assertEqual(rows[late_report.pk].days, 12)
        self.assertEqual(rows[late_approval.pk].days, 3)
        self.assertEqual(rows[late_report.pk].region_code, late_report.region_id)
        self.assertNotIn(reported_only.pk, rows)
        self.assertNotIn(on_time.pk, rows)
        # due today is not overdue yet
        Investigation.objects.filter(accident=late_report).update(report_due=today)
        self.assertNotIn(late_report.pk, {row.obj.pk for row in hooks.overdue(today)})
        # an approved report is no longer escalated
        services.accident_approve(
            actor=self.alice, accident=late_approval, data={"approval_number": "沙府复〔2026〕9号"}
        )
        self.assertEqual(hooks.overdue(today), [])


class EscalationTextTests(AccidentTestCase):
    def test_the_subject_names_the_step_once(self):
        accident = self.record()
        self.start(accident)
        accident = Accident.objects.get(pk=accident.pk)
        step = type("Step", (), {"name": hooks.LADDER[0][1]})()
        subject, body = hooks.escalation_text(accident, step, 3)
        self.assertEqual(subject, f"事故调查报告逾期提醒：{accident.number}")
        self.assertNotIn("逾期逾期", subject + body)
