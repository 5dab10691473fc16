"""Information reports passed up the region chain with a moved clock: on time and late at each level, the
rule per jurisdiction, 续报 and 终报 (the final closes), bad input, visibility by level and scope."""

from datetime import timedelta

from django.utils import timezone

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.testing import CastTestCase

from .. import selectors, services
from ..models import EventReport, ReportLevel, ReportUpdate
from .helpers import at, set_rule


def event(**extra):
    return {
        "kind": "accident",
        "title": "凤凰村厂房火灾",
        "region": "500106105002",
        "place": "凤凰村工业园3号厂房",
        "occurred_at": "2030-05-06 09:40",
        "received_at": "2030-05-06 10:00",
        "description": "厂房二楼起火，已疏散员工。",
        "deaths": "0",
        "missing": "0",
        "injured": "1",
        "measures": "消防到场扑救，镇应急办赶赴现场。",
        **extra,
    }


class ChainTests(CastTestCase):
    def create(self, actor=None, now="2030-05-06 10:00", **extra):
        return services.report_create(actor=actor or self.erin, data=event(**extra), now=at(now))

    def levels(self, report, now):
        report.refresh_from_db()
        return [
            (row["level"].region.name, row["late"], row["elapsed"])
            for row in selectors.chain_view(selectors.report_get(user=self.erin, pk=report.pk), at(now))
        ]

    def test_a_town_report_goes_up_level_by_level_with_each_clock(self):
        report = self.create()
        town = ReportLevel.objects.get(report=report)
        self.assertEqual((town.region, town.received_at), (self.town_a1, at("2030-05-06 10:00")))
        self.assertEqual((town.deadline_at, town.written_deadline_at), (at("2030-05-06 11:00"), at("2030-05-06 12:00")))
        # the county does not see it before the town passes it on
        self.assertFalse(selectors.report_list(user=self.alice).exists())
        services.report_pass_on(actor=self.erin, report=report, now=at("2030-05-06 10:40"))  # on time
        county = ReportLevel.objects.get(report=report, level=3)
        self.assertEqual((county.received_at, county.deadline_at), (at("2030-05-06 10:40"), at("2030-05-06 11:40")))
        self.assertTrue(selectors.report_list(user=self.alice).filter(pk=report.pk).exists())
        self.assertFalse(selectors.report_list(user=self.bob).exists())  # the city has not received it yet
        services.report_pass_on(actor=self.alice, report=report, now=at("2030-05-06 12:00"))  # 20 minutes late
        city = ReportLevel.objects.get(report=report, level=2)
        self.assertEqual((city.received_at, city.deadline_at), (at("2030-05-06 12:00"), None))  # the top only receives
        self.assertEqual(
            self.levels(report, "2030-05-06 13:00"),
            [("凤凰镇", False, 40), ("沙坪坝区", True, 80), ("市辖区", False, None)],
        )
        with self.assertRaises(ApplicationError) as ctx:
            services.report_pass_on(actor=self.bob, report=report, now=at("2030-05-06 12:10"))
        self.assertIn("最高报送层级", ctx.exception.message)
        late = selectors.report_list(user=self.alice, filters={"late": "1"}, now=at("2030-05-06 13:00"))
        self.assertEqual(list(late), [report])
        self.assertFalse(selectors.report_list(user=self.alice, filters={"late": "0"}, now=at("2030-05-06 13:00")))

    def test_a_level_that_has_not_passed_on_is_late_once_its_deadline_is_gone(self):
        report = self.create()
        self.assertEqual(self.levels(report, "2030-05-06 11:00")[0][1], False)  # the deadline itself is on time
        self.assertEqual(self.levels(report, "2030-05-06 11:01")[0], ("凤凰镇", True, 61))
        self.assertEqual([lv.region_id for lv in selectors.overdue_levels(at("2030-05-06 11:01"))], [self.town_a1.code])
        self.assertEqual(list(selectors.overdue_levels(at("2030-05-06 10:59"))), [])
        figures = selectors.report_figures(self.erin, at("2030-05-06 11:01"))
        self.assertEqual(figures, {"open": 1, "late": 1})

    def test_each_jurisdiction_sets_its_own_minutes(self):
        set_rule("watch.pass_on_minutes", 30, self.town_a1.code)
        set_rule("watch.written_minutes", 90, self.town_a1.code)
        report = self.create()
        town = ReportLevel.objects.get(report=report)
        self.assertEqual((town.deadline_at, town.written_deadline_at), (at("2030-05-06 10:30"), at("2030-05-06 11:30")))
        services.report_pass_on(actor=self.erin, report=report, now=at("2030-05-06 10:35"))
        county = ReportLevel.objects.get(report=report, level=3)
        self.assertEqual(county.deadline_at, at("2030-05-06 11:35"))  # the county keeps the default 60 minutes
        self.assertTrue(self.levels(report, "2030-05-06 10:40")[0][1])

    def test_a_pass_on_phoned_earlier_is_recorded_at_its_time_and_only_once(self):
        report = self.create()
        services.report_pass_on(
            actor=self.erin, report=report, data={"passed_at": "2030-05-06 10:20"}, now=at("2030-05-06 11:30")
        )
        self.assertEqual(ReportLevel.objects.get(report=report, level=3).received_at, at("2030-05-06 10:20"))
        with self.assertRaises(ApplicationError) as ctx:
            services.report_pass_on(actor=self.erin, report=report, now=at("2030-05-06 11:31"))
        self.assertIn("本级已于 2030-05-06 10:20 上报", ctx.exception.message)
        with self.assertRaises(ApplicationError) as ctx:
            services.report_pass_on(
                actor=self.alice, report=report, data={"passed_at": "2030-05-06 10:00"}, now=at("2030-05-06 11:40")
            )
        self.assertIn("上报时间早于本级接报时间", ctx.exception.message)
        self.assertEqual(ReportLevel.objects.filter(report=report).count(), 2)

    def test_the_written_report_has_its_own_clock(self):
        report = self.create()
        level = services.report_written(actor=self.erin, report=report, now=at("2030-05-06 12:30"))
        self.assertTrue(level.written_late())
        with self.assertRaises(ApplicationError):
            services.report_written(actor=self.erin, report=report, now=at("2030-05-06 12:40"))

    def test_followups_and_the_final_report(self):
        report = self.create()
        services.report_update(
            actor=self.erin,
            report=report,
            kind="followup",
            data={"text": "1名伤员送医，无生命危险。", "injured": "2", "at": "2030-05-06 11:00"},
            now=at("2030-05-06 11:05"),
        )
        report.refresh_from_db()
        self.assertEqual((report.injured, report.status), (2, "open"))
        services.report_pass_on(actor=self.erin, report=report, now=at("2030-05-06 10:50"))
        services.report_update(
            actor=self.alice,
            report=report,
            kind="final",
            data={"text": "明火已扑灭，现场清理完毕，2人受伤。"},
            now=at("2030-05-06 16:00"),
        )
        report.refresh_from_db()
        self.assertEqual((report.status, report.closed_at), ("closed", at("2030-05-06 16:00")))
        self.assertEqual(list(report.updates.values_list("kind", flat=True)), ["followup", "final"])
        for call in (
            lambda: services.report_update(
                actor=self.erin, report=report, kind="followup", data={"text": "再次续报内容"}
            ),
            lambda: services.report_update(
                actor=self.alice, report=report, kind="final", data={"text": "再次终报内容"}
            ),
            lambda: services.report_pass_on(actor=self.alice, report=report),
        ):
            with self.assertRaises(ApplicationError) as ctx:
                call()
            self.assertIn("已终报", ctx.exception.message)
        # a closed report's open level no longer runs late
        self.assertEqual(list(selectors.overdue_levels(at("2030-05-07 10:00"))), [])
        self.assertEqual(self.levels(report, "2030-05-07 10:00")[1][1], False)

    def test_bad_input_is_refused_in_chinese_and_nothing_is_written(self):
        cases = [
            ({"occurred_at": "2030-05-06 11:00"}, "发生时间晚于现在"),
            ({"received_at": "2030-05-06 09:00"}, "接报时间早于事件发生时间"),
            ({"deaths": "-1"}, "死亡人数不能为负数"),
            ({"injured": "两人"}, "受伤人数“两人”不是整数"),
            ({"title": "火"}, "请填写事件名称"),
            ({"region": "500107101001"}, "事发地不在您的管辖范围内"),
            ({"occurred_at": ""}, "请填写发生时间"),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra), self.assertRaises(ApplicationError) as ctx:
                self.create(**extra)
            self.assertIn(message, ctx.exception.message)
        report = self.create()
        with self.assertRaises(ApplicationError) as ctx:
            services.report_update(
                actor=self.erin, report=report, kind="followup", data={"text": "续报内容", "missing": "-2"}
            )
        self.assertIn("失踪人数不能为负数", ctx.exception.message)
        self.assertEqual((EventReport.objects.count(), ReportUpdate.objects.count()), (1, 0))

    def test_who_may_report_and_who_sees_it(self):
        with self.assertRaises(ApplicationError) as ctx:  # a leader reads only
            self.create(actor=self.dave)
        self.assertEqual(ctx.exception.code, "forbidden")
        with self.assertRaises(ApplicationError) as ctx:  # the city does not make the first report
            self.create(actor=self.bob)
        self.assertIn("镇街或区县", ctx.exception.message)
        report = self.create(actor=self.alice)  # a county makes it itself: county → city
        self.assertEqual(list(report.levels.values_list("level", flat=True)), [3])
        self.assertTrue(selectors.report_list(user=self.alice).exists())
        for user in (self.charlie, self.emma):  # another county, an enterprise
            self.assertFalse(selectors.report_list(user=user).exists(), user.username)
        self.assertTrue(selectors.report_list(user=self.erin).exists())  # the town where it happened sees it
        with self.assertRaises(ScopeError):
            services.report_pass_on(actor=self.charlie, report=report, now=at("2030-05-06 10:10"))
        with self.assertRaises(ApplicationError) as ctx:  # but is not on the chain: it neither passes on nor reports
            services.report_update(actor=self.erin, report=report, kind="followup", data={"text": "续报内容"})
        self.assertIn("本级尚未收到该信息", ctx.exception.message)
        self.assertEqual(report.updates.count(), 0)

    def test_an_overdue_pass_on_goes_up_the_escalation_ladder_once(self):
        from zhiben.escalation.models import EscalationRecord
        from zhiben.escalation.services import escalate
        from zhiben.notifications.models import Notification

        now = timezone.now()
        report = services.report_create(
            actor=self.erin,
            data=event(
                occurred_at=timezone.localtime(now - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
                received_at=timezone.localtime(now - timedelta(hours=2, minutes=30)).strftime("%Y-%m-%d %H:%M"),
            ),
            now=now,
        )
        self.assertEqual(escalate("watch_report"), 1)  # 迟报提醒 (0 days); 迟报通报 waits a day
        self.assertEqual(escalate("watch_report"), 0)
        record = EscalationRecord.objects.get(target="watch_report")
        self.assertEqual((record.action, record.region_code), ("remind", self.town_a1.code))
        self.assertTrue(Notification.objects.filter(recipient=self.erin, subject__contains=report.number).exists())
        from zhiben.core.timeline import subject_events

        self.assertIn("迟报提醒：已逾期 0 天", [e.note for e in subject_events(report)])
