"""One intake with its audit row, event and number in few statements (issue 23): rules and the supervising
department come from per-process caches, which a change in this process clears at once and other processes
see within RULE_CACHE_SECONDS."""

from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhiben.accounts.services import api_token_create
from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_verify
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Counter, Rule
from zhiben.core.services import rule_save
from zhiben.hazards import services
from zhiben.hazards.models import Hazard, HazardEvent
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase

from .helpers import photo

# PostgreSQL: the enterprise with the closed hazards a report is compared with, one statement drawing the number,
# writing the hazard and its event and locking the audit head, and one statement writing the audit row and moving
# the head (SQLite: enterprise, repeat candidates, counter UPDATE … RETURNING, hazard, event, the audit's
# lock, row and head); through the API, the token too
POSTGRES = connection.vendor == "postgresql"
INTAKE_STATEMENTS = 3 if POSTGRES else 8


def statements(ctx):
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


class IntakeStatementTests(CastTestCase):
    def report(self, **data):
        values = {"enterprise": self.enterprise_a.pk, "description": "消防通道堆放杂物", "channel": "supervision"}
        return services.hazard_report(actor=self.alice, data={**values, **data})

    def test_an_intake_takes_three_statements_on_postgresql_and_reads_nothing_twice(self):
        self.report()  # warms the caches, as any earlier request of the process does
        with CaptureQueriesContext(connection) as ctx:
            hazard = self.report(description="配电箱前堆放纸箱")
        sql = statements(ctx)
        self.assertEqual(len(sql), INTAKE_STATEMENTS, "\n".join(sql))
        self.assertFalse([s for s in sql if "core_rule" in s or "regions_unit" in s])
        self.assertEqual(sum(1 for s in sql if s.startswith("UPDATE") and "hazards_hazard" in s), 0)
        saved = Hazard.objects.get(pk=hazard.pk)
        self.assertEqual(saved.number, hazard.number)
        self.assertRegex(saved.number, r"^YH500106\d{4}\d{6}$")
        self.assertEqual(saved.supervising_unit, self.unit_emergency_a1)
        self.assertEqual(saved.events.get().action, "report")

    def test_the_row_written_is_the_row_prepared(self):
        hazard = self.report(
            description="二楼配电箱未接地",
            responsible_person="张三",
            responsible_phone="13812345678",
            funds="1200.5",
            deadline=str(timezone.localdate() + timedelta(days=10)),
            location="二楼配电室",
        )
        saved = Hazard.objects.get(pk=hazard.pk)
        for field in ("number", "enterprise_id", "region_id", "industry_id", "channel", "level", "description",
                      "location", "found_date", "deadline", "original_deadline", "responsible_person", "status",
                      "supervising_unit_id", "reporter_id", "created_by_id", "funds"):  # fmt: skip
            self.assertEqual(getattr(saved, field), getattr(hazard, field), field)
        self.assertEqual(saved.responsible_phone, "13812345678")  # sealed at rest, read back in clear
        self.assertIsNotNone(saved.created_at)
        event = saved.events.get()
        self.assertEqual(
            (event.action, event.to_status, event.actor, event.note), ("report", "reported", self.alice, "督导检查")
        )
        audit = AuditEvent.objects.filter(action="hazard.report").latest("seq")
        self.assertEqual(audit.object_id, str(hazard.pk))

    def test_the_audit_chain_holds_with_and_without_uploads(self):
        # the report's own statement locks the audit head; with photos to store, the audit row locks it after them
        self.report()
        self.report(description="安全出口锁闭")
        services.hazard_report(
            actor=self.alice,
            data={"enterprise": self.enterprise_a.pk, "description": "灭火器过期未更换"},
            files=[photo("现场.png")],
        )
        self.report(description="应急照明损坏")
        seqs = list(AuditEvent.objects.filter(action="hazard.report").order_by("seq").values_list("seq", flat=True))
        self.assertEqual(len(seqs), 4)
        ok, message = audit_verify()
        self.assertTrue(ok, message)

    def test_a_new_county_year_starts_at_one(self):
        Counter.objects.filter(key__startswith="hazard:").delete()
        self.assertTrue(self.report().number.endswith("000001"))
        self.assertTrue(self.report(description="安全出口锁闭").number.endswith("000002"))

    def test_numbers_follow_each_other_and_a_refused_intake_uses_none(self):
        first = self.report()
        with self.assertRaises(ApplicationError):
            self.report(description="")
        second = self.report(description="安全出口锁闭")
        self.assertEqual(int(second.number[-6:]), int(first.number[-6:]) + 1)

    def test_a_rule_changed_here_applies_to_the_next_intake(self):
        self.assertEqual(self.report().deadline, timezone.localdate() + timedelta(days=30))
        rule_save(actor=self.alice, key="hazard.default_days.general", region_code=self.county_a.code, value=9)
        self.assertEqual(self.report().deadline, timezone.localdate() + timedelta(days=9))
        rule_save(actor=self.alice, key="hazard.default_days.general", region_code=self.county_a.code, value=None)
        self.assertEqual(self.report().deadline, timezone.localdate() + timedelta(days=30))

    def test_a_change_by_another_process_is_seen_within_the_cache_lifetime(self):
        self.report()
        # another process writes the row: no signal here
        Rule.objects.bulk_create([Rule(key="hazard.default_days.general", region_code=self.county_a.code, value=5)])
        self.assertEqual(self.report().deadline, timezone.localdate() + timedelta(days=30))
        with override_settings(RULE_CACHE_SECONDS=0):
            self.assertEqual(self.report().deadline, timezone.localdate() + timedelta(days=5))

    def test_the_supervising_department_follows_changes_to_units(self):
        self.assertEqual(self.report().supervising_unit, self.unit_emergency_a1)
        nearer = Unit.objects.create(name="凤凰镇安全生产监管站", kind="department", region=self.town_a1)
        nearer.industries.add(self.enterprise_a.industry)  # same level, created later: the older one stays first
        self.assertEqual(self.report().supervising_unit, self.unit_emergency_a1)
        self.unit_emergency_a1.industries.clear()
        self.assertEqual(self.report().supervising_unit, nearer)
        nearer.is_active = False
        nearer.save()
        self.assertIsNone(self.report().supervising_unit)

    def test_through_the_api_the_token_adds_one_statement(self):
        _, key = api_token_create(actor=self.alice, name="集成")
        client = self.client_class(headers={"Authorization": f"Bearer {key}"})
        body = {"enterprise": self.enterprise_a.pk, "description": "消防通道堆放杂物", "channel": "supervision"}
        self.assertEqual(client.post("/api/v1/hazards/", body, content_type="application/json").status_code, 201)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/hazards/", body, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        sql = statements(ctx)
        self.assertEqual(len(sql), INTAKE_STATEMENTS + 1, "\n".join(sql))
        self.assertEqual(len([s for s in sql if "accounts_apitoken" in s or "accounts_user" in s]), 1)
        self.assertEqual(response.json()["enterprise_name"], self.enterprise_a.name)

    def test_the_subject_is_read_within_the_reporters_scope(self):
        # the enterprise is read by id and its visibility checked on the row read: the rule for_user applies
        refused = (
            (self.alice, self.enterprise_b.pk),  # another county
            (self.erin, self.enterprise_a_construction.pk),  # her town, an industry her unit does not supervise
            (self.alice, "abc"),
            (self.alice, 10**12),
        )
        for actor, enterprise in refused:
            with (
                self.subTest(actor=actor.username, enterprise=enterprise),
                self.assertRaises(ApplicationError) as caught,
            ):
                services.hazard_report(actor=actor, data={"enterprise": enterprise, "description": "消防通道堆放杂物"})
            self.assertEqual(caught.exception.errors[0]["field"], "enterprise")
            self.assertIn("管辖范围", caught.exception.errors[0]["message"])
        self.assertFalse(Hazard.objects.exists())
        hazard = services.hazard_report(
            actor=self.erin, data={"enterprise": self.enterprise_a.pk, "description": "消防通道堆放杂物"}
        )
        self.assertEqual((hazard.enterprise, hazard.industry.code), (self.enterprise_a, "hazchem"))

    def test_a_repeat_is_found_among_the_enterprises_closed_hazards_of_its_own_region_and_industry(self):
        old = self.report(description="二楼配电箱前堆放纸箱杂物")
        Hazard.objects.filter(pk=old.pk).update(status="closed", closed_at=timezone.now())
        # the same enterprise's closed hazards filed under another industry or region (it moved): never candidates
        # (closed later and closer to the new one than the old: were they candidates, one would be chosen)
        elsewhere = (("industry", self.enterprise_a_construction.industry), ("region", self.enterprise_b.region))
        for field, value in elsewhere:
            other = self.report(description="二楼配电箱前堆放纸箱杂物较多")
            Hazard.objects.filter(pk=other.pk).update(status="closed", closed_at=timezone.now(), **{field: value})
        self.assertNotEqual(self.enterprise_a_construction.industry, self.enterprise_a.industry)
        again = self.report(description="二楼配电箱前堆放纸箱杂物较多")
        self.assertEqual(again.repeat_of, old)
        self.assertEqual(again.events.get().data["repeat_of"], old.number)
        self.assertIsNone(self.report(description="安全出口上锁").repeat_of)


class BatchIntakeTests(CastTestCase):
    def post(self, items, user=None):
        _, key = api_token_create(actor=user or self.alice, name="集成")
        return self.client.post(
            "/api/v1/hazards/batch",
            {"items": items},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )

    def item(self, n, **extra):
        return {"enterprise": self.enterprise_a.pk, "description": f"第{n}处：灭火器压力不足", **extra}

    def test_a_batch_is_written_whole_with_consecutive_numbers_events_and_audit(self):
        before = services.hazard_report(actor=self.alice, data=self.item(0))
        response = self.post([self.item(n) for n in range(1, 26)])
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["created"], len(body["items"])), (25, 25))
        numbers = [row["number"] for row in body["items"]]
        first = int(before.number[-6:])
        self.assertEqual([int(n[-6:]) for n in numbers], list(range(first + 1, first + 26)))
        hazards = Hazard.objects.filter(number__in=numbers)
        self.assertEqual(hazards.count(), 25)
        self.assertTrue(all(h.events.filter(action="report").count() == 1 for h in hazards))
        shown = ("actor_id", "actor_name", "to_status", "note", "data", "notified_at")  # as one intake writes it
        one = before.events.values(*shown).get()
        self.assertEqual(
            list(HazardEvent.objects.filter(hazard__in=hazards).values(*shown).order_by().distinct()), [one]
        )
        self.assertEqual(AuditEvent.objects.filter(action="hazard.report").count(), 26)
        self.assertEqual(hazards.first().supervising_unit, self.unit_emergency_a1)

    def test_one_bad_item_writes_nothing_and_every_error_names_its_item(self):
        items = [self.item(1), self.item(2, description=""), self.item(3), self.item(4, level="严重")]
        items.append({"enterprise": self.enterprise_b.pk, "description": "九龙坡区的企业"})
        response = self.post(items)
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["detail"], "批量上报失败：3 条有误，未写入任何隐患。")
        fields = [e["field"] for e in body["errors"]]
        self.assertIn("items.1.description", fields)
        self.assertTrue(any(f.startswith("items.3.") for f in fields))
        self.assertIn("items.4", [f.rsplit(".", 1)[0] if f.count(".") > 1 else f for f in fields])
        self.assertTrue(all(e["message"].startswith("第 ") for e in body["errors"]))
        self.assertFalse(Hazard.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="hazard.report").exists())

    def test_a_batch_finds_the_closed_hazard_each_item_repeats(self):
        old = services.hazard_report(actor=self.alice, data=self.item(0, description="二楼配电箱前堆放纸箱杂物"))
        Hazard.objects.filter(pk=old.pk).update(status="closed", closed_at=timezone.now())
        response = self.post([self.item(1, description="二楼配电箱前堆放纸箱杂物"), self.item(2)])
        self.assertEqual(response.status_code, 201, response.content)
        numbers = [row["number"] for row in response.json()["items"]]
        first, second = (Hazard.objects.get(number=n) for n in numbers)
        self.assertEqual((first.repeat_of, second.repeat_of), (old, None))
        self.assertEqual(first.events.get().data["repeat_of"], old.number)

    def test_limits_and_rights(self):
        self.assertEqual(self.post([]).status_code, 400)
        with override_settings(BATCH_MAX=3):
            response = self.post([self.item(n) for n in range(4)])
        self.assertEqual(response.status_code, 400)
        self.assertIn("一次最多提交 3 条", response.json()["detail"])
        self.assertEqual(self.post([{"description": 1}]).status_code, 422)
        self.assertFalse(Hazard.objects.exists())
