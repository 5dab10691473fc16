"""Alarm rules evaluated on ingest with a moved clock, the 停产整顿 power rule, the silence and
acknowledgement jobs, the alarm lifecycle and alarm → hazard."""

from datetime import timedelta

from django.utils import timezone

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.models import Hazard
from zhiben.monitoring import services
from zhiben.monitoring.choices import AlarmStatus, RuleKind
from zhiben.monitoring.models import Alarm, AlarmRule, Device, Reading
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase

from .helpers import base_time, make_device, send


class ThresholdRuleTests(CastTestCase):
    def setUp(self):
        self.t0 = base_time()

    def test_above_at_once_raises_one_alarm_and_no_storm(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-1", rules=[("above", 25, 0)])
        outcome = send(device, [3, 4, 26.5, 30, 31], start=self.t0)
        self.assertEqual(outcome.accepted, 5)
        alarm = Alarm.objects.get()
        self.assertEqual((alarm.kind, alarm.status, alarm.value), (RuleKind.ABOVE, AlarmStatus.RAISED, 26.5))
        self.assertIn("高于上限 25 %LEL", alarm.message)
        self.assertEqual(alarm.reading_ts, self.t0 + timedelta(minutes=2))
        # the breach goes on in the next batches: still one open alarm for the rule
        send(device, [40, 45], start=self.t0 + timedelta(minutes=5))
        send(device, [50], start=self.t0 + timedelta(minutes=7))
        self.assertEqual(Alarm.objects.count(), 1)
        # the enterprise's user is told at once
        self.assertTrue(Notification.objects.filter(recipient=self.emma, subject__contains="LEL-1").exists())

    def test_sustained_rule_waits_for_its_minutes_across_batches(self):
        device, _ = make_device(self.alice, self.enterprise_a, "T-1", kind="temperature", rules=[("above", 100, 10)])
        send(device, [101, 102, 103, 104, 105], start=self.t0)  # 4 minutes above
        self.assertFalse(Alarm.objects.exists())
        self.assertEqual(AlarmRule.objects.get().breach_since, self.t0)
        send(device, [99], start=self.t0 + timedelta(minutes=5))  # back below: the run restarts
        self.assertIsNone(AlarmRule.objects.get().breach_since)
        send(device, [101] * 10, start=self.t0 + timedelta(minutes=6))  # 9 minutes above: not yet
        self.assertFalse(Alarm.objects.exists())
        send(device, [102], start=self.t0 + timedelta(minutes=16))  # the 10th minute
        alarm = Alarm.objects.get()
        self.assertEqual(alarm.started_at, self.t0 + timedelta(minutes=6))
        self.assertIn("已持续 10 分钟", alarm.message)

    def test_below_rule(self):
        device, _ = make_device(self.alice, self.enterprise_a, "P-1", kind="pressure", rules=[("below", 0.1, 0)])
        send(device, [0.5, 0.3, 0.2], start=self.t0)
        self.assertFalse(Alarm.objects.exists())
        send(device, [0.05], start=self.t0 + timedelta(minutes=3))
        self.assertIn("低于下限 0.1 MPa", Alarm.objects.get().message)

    def test_rate_of_change_per_minute(self):
        device, _ = make_device(self.alice, self.enterprise_a, "T-2", kind="temperature", rules=[("rate", 5, 0)])
        send(device, [80, 84, 88], start=self.t0)  # 4 per minute
        self.assertFalse(Alarm.objects.exists())
        send(device, [100], start=self.t0 + timedelta(minutes=4))  # 12 in 2 minutes: 6 per minute
        alarm = Alarm.objects.get()
        self.assertEqual(alarm.kind, RuleKind.RATE)
        self.assertIn("每分钟变化 6.00 ℃", alarm.message)

    def test_a_late_reading_does_not_move_the_sustained_state(self):
        device, _ = make_device(self.alice, self.enterprise_a, "T-3", kind="temperature", rules=[("above", 100, 5)])
        send(device, [90, 90, 90], start=self.t0 + timedelta(minutes=10))
        send(device, [150, 150, 150, 150, 150, 150], start=self.t0, now=self.t0 + timedelta(minutes=13))
        self.assertFalse(Alarm.objects.exists())
        self.assertIsNone(AlarmRule.objects.get().breach_since)
        self.assertEqual(Device.objects.get().last_value, 90)  # the latest reading stays the latest
        self.assertEqual(Reading.objects.count(), 9)

    def test_closed_alarm_lets_a_new_one_be_raised(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-2", rules=[("above", 25, 0)])
        send(device, [30], start=self.t0)
        first = Alarm.objects.get()
        services.alarm_close(actor=self.emma, alarm=first, note="已通风，检测合格")
        send(device, [31], start=self.t0 + timedelta(minutes=1))
        self.assertEqual(Alarm.objects.filter(status=AlarmStatus.RAISED).count(), 1)
        self.assertEqual(Alarm.objects.count(), 2)


class PowerRuleTests(CastTestCase):
    def setUp(self):
        self.t0 = base_time()
        self.device, _ = make_device(self.alice, self.enterprise_a, "PWR-1", kind="power", rated_power=400)

    def test_power_device_gets_the_rule_with_jurisdiction_defaults(self):
        rule = AlarmRule.objects.get(device=self.device)
        self.assertEqual((rule.kind, rule.threshold, rule.minutes), (RuleKind.POWER, 0.3, 30))

    def test_a_suspended_enterprise_using_production_power_for_30_minutes_raises_the_alarm(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(status="suspended")
        send(self.device, [20, 20, 20], start=self.t0, step=timedelta(minutes=5))  # standby
        send(self.device, [130] * 6, start=self.t0 + timedelta(minutes=15), step=timedelta(minutes=5))  # 25 minutes
        self.assertFalse(Alarm.objects.exists())
        send(self.device, [140], start=self.t0 + timedelta(minutes=45))  # 30 minutes above 120 kW
        alarm = Alarm.objects.get()
        self.assertEqual(alarm.kind, RuleKind.POWER)
        self.assertIn("处于停产整顿", alarm.message)
        self.assertIn("疑似违规生产", alarm.message)
        self.assertEqual(alarm.get_kind_display(), "疑似违规生产")

    def test_at_the_fraction_exactly_is_not_production(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(status="suspended")
        send(self.device, [120] * 40, start=self.t0)
        self.assertFalse(Alarm.objects.exists())

    def test_an_operating_enterprise_may_use_its_power(self):
        send(self.device, [390] * 40, start=self.t0)
        self.assertFalse(Alarm.objects.exists())
        self.assertIsNone(AlarmRule.objects.get().breach_since)

    def test_only_a_power_device_takes_the_power_rule_and_needs_its_rated_load(self):
        gas, _ = make_device(self.alice, self.enterprise_a, "LEL-9")
        with self.assertRaises(ApplicationError) as refused:
            services.rule_add(actor=self.alice, device=gas, data={"kind": "power", "threshold": 0.3, "minutes": 30})
        self.assertIn("只适用于用电功率设备", refused.exception.message)
        with self.assertRaises(ApplicationError) as refused:
            make_device(self.alice, self.enterprise_a, "PWR-2", kind="power")
        self.assertIn("正常生产负荷", refused.exception.message)
        self.assertFalse(Device.objects.filter(code="PWR-2").exists())


class JobTests(CastTestCase):
    def setUp(self):
        self.t0 = base_time()

    def test_silent_device_alarm_once(self):
        device, _ = make_device(self.alice, self.enterprise_a, "L-1", kind="level", rules=[("silent", None, 30)])
        send(device, [5.0], start=self.t0, now=self.t0)
        services.check_silent(now=self.t0 + timedelta(minutes=29))
        self.assertFalse(Alarm.objects.exists())
        services.check_silent(now=self.t0 + timedelta(minutes=30))
        services.check_silent(now=self.t0 + timedelta(minutes=90))
        alarm = Alarm.objects.get()
        self.assertEqual(alarm.kind, RuleKind.SILENT)
        self.assertIn("超过 30 分钟未上报读数", alarm.message)

    def test_unacknowledged_alarm_is_escalated_once_to_enterprise_department_and_committee(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-3", rules=[("above", 25, 0)])
        send(device, [30], start=self.t0, now=self.t0)
        alarm = Alarm.objects.get()
        services.escalate_unacknowledged(now=self.t0 + timedelta(minutes=29))
        self.assertIsNone(Alarm.objects.get().escalated_at)
        services.escalate_unacknowledged(now=self.t0 + timedelta(minutes=31))
        services.escalate_unacknowledged(now=self.t0 + timedelta(minutes=60))
        self.assertIsNotNone(Alarm.objects.get().escalated_at)
        told = Notification.objects.filter(subject__startswith="监测报警超时未确认", object_id=str(alarm.pk))
        self.assertEqual(sorted(told.values_list("recipient__username", flat=True)), ["alice", "emma", "erin"])

    def test_an_acknowledged_alarm_is_not_escalated(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-4", rules=[("above", 25, 0)])
        send(device, [30], start=self.t0, now=self.t0)
        services.alarm_acknowledge(actor=self.emma, alarm=Alarm.objects.get(), now=self.t0 + timedelta(minutes=5))
        services.escalate_unacknowledged(now=self.t0 + timedelta(hours=3))
        self.assertIsNone(Alarm.objects.get().escalated_at)

    def test_escalation_target_lists_alarms_unacknowledged_for_days(self):
        from zhiben.monitoring.hooks import overdue

        device, _ = make_device(self.alice, self.enterprise_a, "LEL-5", rules=[("above", 25, 0)])
        send(device, [30], start=self.t0, now=self.t0)
        alarm = Alarm.objects.get()
        day = timezone.localtime(alarm.raised_at).date()  # the local day, as the target counts
        self.assertEqual(overdue(day), [])
        rows = overdue(day + timedelta(days=3))
        self.assertEqual([(r.obj.pk, r.days) for r in rows], [(alarm.pk, 3)])

    def test_prune_keeps_the_readings_in_the_retention_period(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-6")
        send(device, [1, 2, 3], start=self.t0, step=timedelta(days=1), now=self.t0 + timedelta(days=2))
        services.prune_readings(now=self.t0 + timedelta(days=400, hours=1))
        self.assertEqual(Reading.objects.count(), 2)


class LifecycleTests(CastTestCase):
    def setUp(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-7", rules=[("above", 25, 0)])
        send(device, [30], start=base_time())
        self.alarm = Alarm.objects.get()

    def test_acknowledge_then_close_with_a_note(self):
        services.alarm_acknowledge(actor=self.emma, alarm=self.alarm)
        with self.assertRaises(ApplicationError):
            services.alarm_acknowledge(actor=self.emma, alarm=self.alarm)
        with self.assertRaises(ApplicationError) as refused:
            services.alarm_close(actor=self.emma, alarm=self.alarm, note=" ")
        self.assertIn("须写明处置情况", refused.exception.message)
        self.assertEqual(Alarm.objects.get().status, AlarmStatus.ACKNOWLEDGED)
        services.alarm_close(actor=self.emma, alarm=self.alarm, note="泄漏点已封堵，复测 0 %LEL")
        alarm = Alarm.objects.get()
        self.assertEqual(
            (alarm.status, alarm.closed_by, alarm.close_note),
            (AlarmStatus.CLOSED, self.emma, "泄漏点已封堵，复测 0 %LEL"),
        )
        with self.assertRaises(ApplicationError):
            services.alarm_close(actor=self.emma, alarm=self.alarm, note="再关一次")

    def test_other_county_cannot_touch_it_and_leader_cannot_act(self):
        with self.assertRaises(ScopeError):
            services.alarm_acknowledge(actor=self.charlie, alarm=self.alarm)
        with self.assertRaises(ApplicationError) as refused:
            services.alarm_acknowledge(actor=self.dave, alarm=self.alarm)
        self.assertEqual(refused.exception.code, "forbidden")
        self.assertEqual(Alarm.objects.get().status, AlarmStatus.RAISED)

    def test_alarm_becomes_a_monitoring_hazard(self):
        hazard = services.alarm_to_hazard(actor=self.erin, alarm=self.alarm)
        self.assertEqual((hazard.channel, hazard.enterprise), ("monitoring", self.enterprise_a))
        self.assertIn("高于上限", hazard.description)
        self.assertEqual(Alarm.objects.get().hazard, hazard)
        with self.assertRaises(ApplicationError):
            services.alarm_to_hazard(actor=self.erin, alarm=self.alarm)
        self.assertEqual(Hazard.objects.count(), 1)
