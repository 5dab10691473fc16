"""The duty roster: who is on duty at a given moment (shift boundaries, shifts across midnight), gaps,
writing a week, rights and scope."""

from datetime import date, timedelta

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.testing import CastTestCase

from .. import selectors, services
from ..models import DutyPerson, DutySlot
from .helpers import at, set_rule, town_office, write

DAY = date(2030, 5, 6)  # a Monday


class OnDutyTests(CastTestCase):
    def test_one_24_hour_shift_from_0830_covers_until_the_next_morning(self):
        write(self.alice, self.unit_office_a, DAY, "张三 13800138000", "李四、王五 023-65000000")
        write(self.alice, self.unit_office_a, DAY + timedelta(days=1), "赵六", "钱七")

        def names(moment):
            row = selectors.on_duty(unit=self.unit_office_a, at=at(moment))[0]
            return [p.name for p in row["leaders"]], [p.name for p in row["staff"]]

        self.assertEqual(names("2030-05-06 08:30"), (["张三"], ["李四", "王五"]))  # the shift starts
        self.assertEqual(names("2030-05-06 23:59"), (["张三"], ["李四", "王五"]))
        self.assertEqual(names("2030-05-07 03:00"), (["张三"], ["李四", "王五"]))  # after midnight: still Monday's
        self.assertEqual(names("2030-05-07 08:29"), (["张三"], ["李四", "王五"]))
        self.assertEqual(names("2030-05-07 08:30"), (["赵六"], ["钱七"]))  # the next shift takes over
        self.assertEqual(names("2030-05-06 08:29"), ([], []))  # before the roster: nobody
        self.assertIsNone(selectors.on_duty(unit=self.unit_office_a, at=at("2030-05-06 08:29"))[0]["slot"])

    def test_day_and_night_shifts_of_a_jurisdiction(self):
        set_rule("watch.shifts", [{"name": "白班", "start": "08:00"}, {"name": "夜班", "start": "20:00"}], "500106")
        write(self.alice, self.unit_office_a, DAY, "张三", "李四", shift="白班")
        write(self.alice, self.unit_office_a, DAY, "张三", "王五", shift="夜班")
        slots = list(DutySlot.objects.filter(unit=self.unit_office_a).order_by("starts_at"))
        self.assertEqual(
            [(s.shift, s.starts_at, s.ends_at) for s in slots],
            [
                ("白班", at("2030-05-06 08:00"), at("2030-05-06 20:00")),
                ("夜班", at("2030-05-06 20:00"), at("2030-05-07 08:00")),
            ],
        )

        def staff(moment):
            return [p.name for p in selectors.on_duty(unit=self.unit_office_a, at=at(moment))[0]["staff"]]

        self.assertEqual(staff("2030-05-06 19:59"), ["李四"])
        self.assertEqual(staff("2030-05-06 20:00"), ["王五"])
        self.assertEqual(staff("2030-05-07 07:59"), ["王五"])  # the night shift runs past midnight
        self.assertEqual(staff("2030-05-07 08:00"), [])

    def test_a_night_shift_starting_after_midnight_lies_on_the_next_calendar_day(self):
        shifts = selectors.parse_shifts([{"name": "白班", "start": "08:30"}, {"name": "凌晨班", "start": "00:30"}])
        windows = selectors.shift_windows(DAY, shifts)
        self.assertEqual(
            [(w[1], w[2], w[3]) for w in windows],
            [
                ("白班", at("2030-05-06 08:30"), at("2030-05-07 00:30")),
                ("凌晨班", at("2030-05-07 00:30"), at("2030-05-07 08:30")),
            ],
        )

    def test_a_malformed_shift_rule_falls_back_to_the_default(self):
        set_rule("watch.shifts", [{"name": "白班", "start": "25:00"}], "500106")
        self.assertEqual([n for n, _ in selectors.shifts_for("500106000000")], ["全天"])

    def test_on_duty_for_a_region_lists_its_own_units(self):
        write(self.alice, self.unit_office_a, DAY, "张三", "李四")
        rows = selectors.on_duty(region=self.county_a, at=at("2030-05-06 12:00"))
        self.assertEqual([r["unit"].name for r in rows], ["沙坪坝区安委办"])
        self.assertEqual([p.name for p in rows[0]["staff"]], ["李四"])
        self.assertEqual(selectors.on_duty(region=self.county_b.code, at=at("2030-05-06 12:00"))[0]["slot"], None)


class RosterWriteTests(CastTestCase):
    def test_phones_are_encrypted_masked_in_lists_and_accounts_linked_by_name(self):
        write(self.alice, self.unit_office_a, DAY, "alice 13800138000", "李四（023-6500-0000）")
        leader = DutyPerson.objects.get(role="leader")
        self.assertEqual((leader.name, leader.phone, leader.phone_masked), ("alice", "13800138000", "138****8000"))
        self.assertEqual(leader.user, self.alice)  # alice's account is in this unit and named "alice"
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM watch_dutyperson WHERE id = %s", [leader.pk])
            self.assertNotIn("13800138000", cursor.fetchone()[0])
        self.assertEqual(DutyPerson.objects.get(role="staff").phone, "02365000000")

    def test_rewriting_a_shift_replaces_its_people(self):
        write(self.alice, self.unit_office_a, DAY, "张三", "李四")
        write(self.alice, self.unit_office_a, DAY, "赵六", "")
        self.assertEqual(list(DutyPerson.objects.values_list("name", flat=True)), ["赵六"])
        self.assertEqual(DutySlot.objects.count(), 1)

    def test_bad_cells_refuse_the_whole_week_and_write_nothing(self):
        rows = [
            {"label": "05月06日", "day": DAY, "shift": "", "leaders": "张三", "staff": "李四"},
            {"label": "05月07日", "day": DAY + timedelta(days=1), "shift": "", "leaders": "13800138000", "staff": ""},
            {"label": "05月08日", "day": DAY + timedelta(days=2), "shift": "夜班", "leaders": "王五", "staff": ""},
        ]
        with self.assertRaises(ApplicationError) as ctx:
            services.roster_save(actor=self.alice, unit=self.unit_office_a, rows=rows, today=DAY)
        messages = [e["message"] for e in ctx.exception.errors]
        self.assertEqual(len(messages), 2)
        self.assertIn("05月07日：带班领导“13800138000”缺少姓名", messages[0])
        self.assertIn("05月08日：班次“夜班”不存在", messages[1])
        self.assertFalse(DutySlot.objects.exists())

    def test_days_gone_by_cannot_be_changed(self):
        with self.assertRaises(ApplicationError) as ctx:
            write(self.alice, self.unit_office_a, DAY, "张三", "李四", today=DAY + timedelta(days=1))
        self.assertIn("已过", ctx.exception.errors[0]["message"])

    def test_rights_and_scope(self):
        with self.assertRaises(ScopeError):  # county B's office is not alice's
            write(self.alice, self.unit_office_b, DAY, "张三", "李四")
        with self.assertRaises(ApplicationError) as ctx:  # a leader only reads
            write(self.dave, self.unit_office_a, DAY, "张三", "李四")
        self.assertEqual(ctx.exception.code, "forbidden")
        with self.assertRaises(ApplicationError) as ctx:  # a department keeps its own roster only
            write(self.erin, town_office(self), DAY, "张三", "李四")
        self.assertEqual(ctx.exception.code, "forbidden")
        write(self.erin, self.unit_emergency_a1, DAY, "张三", "李四")  # her own unit
        self.assertFalse(DutySlot.objects.filter(unit=self.unit_office_a).exists())
        self.assertEqual(DutySlot.objects.filter(unit=self.unit_emergency_a1).count(), 1)


class GapTests(CastTestCase):
    def test_days_without_a_leader_or_staff_in_the_coming_days_are_gaps(self):
        today = DAY
        write(self.alice, self.unit_office_a, today, "张三", "李四", today=today)
        write(self.alice, self.unit_office_a, today + timedelta(days=1), "", "李四", today=today)
        write(self.alice, self.unit_office_a, today + timedelta(days=2), "张三", "", today=today)
        set_rule("watch.gap_days", 4, "500106")
        found = selectors.gaps(self.unit_office_a, today)
        self.assertEqual(
            [(g["day"], g["missing"]) for g in found],
            [
                (today + timedelta(days=1), ["带班领导"]),
                (today + timedelta(days=2), ["值班人员"]),
                (today + timedelta(days=3), ["带班领导", "值班人员"]),
            ],
        )
        self.assertEqual(selectors.gaps(self.unit_office_a, today, days=1), [])

    def test_each_shift_of_a_day_is_checked(self):
        set_rule("watch.shifts", [{"name": "白班", "start": "08:00"}, {"name": "夜班", "start": "20:00"}], "500106")
        write(self.alice, self.unit_office_a, DAY, "张三", "李四", shift="白班")
        found = selectors.gaps(self.unit_office_a, DAY, days=1)
        self.assertEqual([(g["shift"], g["missing"]) for g in found], [("夜班", ["带班领导", "值班人员"])])

    def test_the_gap_job_tells_the_committee_once_per_day(self):
        from zhiben.notifications.models import Notification

        set_rule("watch.gap_days", 2, "500106")
        write(self.alice, self.unit_office_a, DAY, "张三", "李四", today=DAY)
        self.assertEqual(services.notify_gaps(today=DAY), 2)  # county A's and county B's offices
        notes = Notification.objects.filter(recipient=self.alice)
        self.assertEqual(notes.count(), 1)
        self.assertIn("05月07日缺带班领导、值班人员", notes.get().body)
        self.assertEqual(services.notify_gaps(today=DAY), 0)  # already told
        self.assertFalse(Notification.objects.filter(recipient=self.charlie, subject__contains="沙坪坝").exists())
