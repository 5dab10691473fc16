"""A ledger import writes its rows through the driver (issue 23): each hazard as an intake would hold it — numbered
per county and found year in row order, one counter step per block, its import event and its audit row."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_verify
from zhiben.hazards import services
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase


class LedgerWriteTests(CastTestCase):
    def rows(self):
        today = timezone.localdate()
        last_year = date(today.year - 1, 12, 30)
        return [
            {"_row": 3, "enterprise": self.enterprise_a.name, "description": "配电箱未接地", "found_date": today,
             "deadline": today + timedelta(days=10), "funds": Decimal("1200.50"), "measures": "重新接地",
             "responsible_person": "张三", "address": "一号车间", "seq": "1", "remarks": "复查"},
            {"_row": 4, "enterprise": self.enterprise_a_construction.name, "description": "安全出口堵塞", "level": "重大",
             "found_date": last_year},
            {"_row": 5, "enterprise": self.enterprise_a.credit_code, "description": "灭火器过期", "found_date": today},
        ]  # fmt: skip

    def test_rows_become_hazards_numbered_in_order_with_events_and_audit(self):
        before = services.hazard_report(
            actor=self.alice, data={"enterprise": self.enterprise_a.pk, "description": "此前上报的一条"}
        )
        result = services.hazard_import_ledger(actor=self.alice, rows=self.rows(), source_name="台账.xlsx")
        self.assertEqual(result, {"created": 3})
        first, major, third = (
            Hazard.objects.get(description=d) for d in ("配电箱未接地", "安全出口堵塞", "灭火器过期")
        )
        this_year = timezone.localdate().year
        self.assertEqual(int(first.number[-6:]), int(before.number[-6:]) + 1)
        self.assertEqual(int(third.number[-6:]), int(first.number[-6:]) + 1)
        self.assertEqual(major.number, f"YH500106{this_year - 1}000001")
        self.assertEqual(
            (first.enterprise, first.region_id, first.industry, first.supervising_unit),
            (self.enterprise_a, self.enterprise_a.region_id, self.enterprise_a.industry, self.unit_emergency_a1),
        )
        self.assertEqual(
            (first.status, first.channel, first.reporter, first.created_by),
            ("verified", "self", self.alice, self.alice),
        )
        self.assertEqual(
            (first.funds, first.measures, first.location, first.source_ref),
            (Decimal("1200.50"), "重新接地", "一号车间", "1"),
        )
        self.assertEqual(first.original_deadline, first.deadline)
        self.assertIsNotNone(first.created_at)
        self.assertIsNotNone(first.verified_at)
        self.assertEqual(first.responsible_phone, "")
        self.assertEqual(major.criteria_other, "台账导入：判定依据见原台账")
        self.assertIsNone(major.supervising_unit)  # nobody supervises construction in 双碑村
        event = first.events.get()
        self.assertEqual((event.action, event.to_status, event.actor), ("import", "verified", self.alice))
        self.assertEqual(event.note, "台账导入（台账.xlsx 第 3 行）")
        self.assertIsNone(event.notified_at)
        audit = AuditEvent.objects.get(action="hazard.import")  # one event lists the rows written
        self.assertEqual(
            (audit.object_type, audit.data["source"], audit.data["columns"], audit.data["count"]),
            ("hazards.hazard", "台账.xlsx", ["row", "id", "number"], 3),
        )
        self.assertEqual([r[1:] for r in audit.data["records"]], [[h.pk, h.number] for h in (first, major, third)])
        self.assertEqual(audit.data["records"][0][0], 3)
        self.assertEqual(audit.region_code, "500106105000")  # the town holding every row
        self.assertTrue(audit_verify()[0])  # fmt: skip

    def test_a_historic_ledger_keeps_its_closing(self):
        closed = timezone.localdate() - timedelta(days=3)
        rows = [{"_row": 2, "enterprise": self.enterprise_a.name, "description": "仓库堆放过高",
                 "found_date": closed - timedelta(days=20), "closed_date": closed}]  # fmt: skip
        services.hazard_import_ledger(actor=self.alice, rows=rows, historic=True)
        hazard = Hazard.objects.get()
        self.assertEqual((hazard.status, hazard.historic, hazard.rectified_date), ("closed", True, closed))
        self.assertEqual(timezone.localtime(hazard.closed_at).date(), closed)
        self.assertEqual(hazard.events.get().action, "import_historic")
        self.assertEqual(AuditEvent.objects.get(action="hazard.import").data["historic"], True)

    def test_the_roll_ups_count_the_imported_hazards_exactly(self):
        """SQLite adds a ledger's rows to the tallies once for the whole insert (its trigger set aside inside the
        import's transaction): the tallies are those the per-row trigger would have written, and the trigger is back."""
        from django.db import connection

        from zhiben.hazards.models import ClosedTally, DueTally, FoundTally, HazardEvent

        services.hazard_report(actor=self.alice, data={"enterprise": self.enterprise_a.pk, "description": "此前上报"})
        today = timezone.localdate()
        closed = today - timedelta(days=3)
        services.hazard_import_ledger(actor=self.alice, rows=self.rows() * 4, source_name="台账.xlsx")
        historic = [
            {"_row": 2 + i, "enterprise": self.enterprise_a.name, "description": f"历史隐患{i}", "level": level,
             "found_date": closed - timedelta(days=40 + i), "closed_date": closed - timedelta(days=i)}
            for i, level in enumerate(["一般", "重大", "一般"])
        ]  # fmt: skip
        services.hazard_import_ledger(actor=self.alice, rows=historic, historic=True)
        tallies = (FoundTally, ClosedTally, DueTally)
        imported = [list(m.objects.order_by("region", "industry", "month").values()) for m in tallies]
        with connection.cursor() as cursor:  # the same hazards written again, row by row, through the triggers
            table, events = Hazard._meta.db_table, HazardEvent._meta.db_table
            cursor.execute(f"CREATE TEMPORARY TABLE ledger_copy AS SELECT * FROM {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE ledger_events AS SELECT * FROM {events}")
            cursor.execute(f"DELETE FROM {events}")
            cursor.execute(f"DELETE FROM {table}")
            self.assertEqual([m.objects.filter(found__gt=0).count() for m in tallies[:1]], [0])
            cursor.execute("SELECT id FROM ledger_copy ORDER BY id")
            for (pk,) in cursor.fetchall():
                cursor.execute(f"INSERT INTO {table} SELECT * FROM ledger_copy WHERE id = %s", [pk])
            cursor.execute(f"INSERT INTO {events} SELECT * FROM ledger_events")
            cursor.execute("DROP TABLE ledger_copy")
            cursor.execute("DROP TABLE ledger_events")
        rewritten = [list(m.objects.order_by("region", "industry", "month").values()) for m in tallies]
        strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
        self.assertEqual([strip(r) for r in imported], [strip(r) for r in rewritten])
        self.assertEqual(sum(r["found"] for r in imported[0]), 1 + 12 + 3)
        self.assertEqual(sum(r["closed"] for r in imported[1]), 3)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'hazards_tally_%'"
                )
                self.assertEqual(cursor.fetchone()[0], 3)

    def test_a_refused_write_leaves_the_roll_ups_and_their_trigger(self):

        from zhiben.hazards.models import FoundTally

        services.hazard_report(actor=self.alice, data={"enterprise": self.enterprise_a.pk, "description": "此前上报"})
        before = list(FoundTally.objects.order_by("pk").values())
        real = services.insert_rows_returning_ids

        def written_then_failing(*args, **kwargs):  # the rows are in when the write fails
            real(*args, **kwargs)
            raise RuntimeError("磁盘已满")

        with (
            mock.patch.object(services, "insert_rows_returning_ids", written_then_failing),
            self.assertRaises(RuntimeError),
        ):
            services.hazard_import_ledger(actor=self.alice, rows=self.rows())
        self.assertEqual(Hazard.objects.count(), 1)
        self.assertEqual(list(FoundTally.objects.order_by("pk").values()), before)
        services.hazard_report(actor=self.alice, data={"enterprise": self.enterprise_a.pk, "description": "此后上报"})
        self.assertEqual(FoundTally.objects.get().found, 2)  # the per-row trigger still counts

    def test_supervising_departments_found_at_once_as_one_by_one(self):
        from zhiben.regions.models import Industry, Region, Unit

        twin = Unit.objects.create(  # a second department of the same place and trades: the lower id wins
            name="区应急局二", kind=self.unit_emergency_a1.kind, region_id=self.unit_emergency_a1.region_id
        )
        twin.industries.set(self.unit_emergency_a1.industries.all())
        keys = {
            (r, i)
            for r in Region.objects.values_list("code", flat=True)
            for i in Industry.objects.values_list("pk", flat=True)
        }
        at_once = services._supervising_units(keys)
        services.supervising_cache_clear()
        self.assertEqual(at_once, {(r, i): services.supervising_unit_for(r, i) for r, i in keys})
        self.assertTrue(any(at_once.values()))
        self.assertTrue(not all(at_once.values()))
