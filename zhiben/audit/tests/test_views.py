"""The audit pages: only the 审计管理员, filters, detail with changes and hashes, chain verification, scope."""

import io
from datetime import timedelta
from unittest import mock

from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.accounts.choices import Role
from zhiben.accounts.services import user_grant
from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_record, audit_record_many, import_entries
from zhiben.testing import CastTestCase, make_user


def tamper(event):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE id = %s", ["篡改", event.id])


class AuditEventsCase(CastTestCase):
    """Events of both counties, a failure and a system event."""

    def setUp(self):
        self.ent_a = audit_record(
            actor=self.alice,
            action="enterprise.update",
            obj=self.enterprise_a,
            data={"changes": {"name": ["旧名", "凤凰化工有限公司"]}},
        )
        self.failed = audit_record(
            actor=self.dave, action="auth.login_failed", obj=self.dave, success=False, data={"failures": 1}
        )
        self.ent_b = audit_record(actor=self.charlie, action="enterprise.update", obj=self.enterprise_b)
        self.system = audit_record(
            actor=None,
            action="auth.login_failed",
            object_type="accounts.user",
            object_repr="nobody",
            data={"reason": "unknown_user"},
            success=False,
        )

    def seqs(self, response):
        return [e.seq for e in response.context["page"]]


class AuditPageTests(AuditEventsCase):
    def test_the_auditor_reads_own_jurisdiction_and_system_events(self):
        response = self.login(self.aud).get("/audit/")
        self.assertEqual(response.status_code, 200)
        seqs = self.seqs(response)
        self.assertIn(self.ent_a.seq, seqs)
        self.assertIn(self.system.seq, seqs)
        self.assertNotIn(self.ent_b.seq, seqs)
        self.assertContains(response, "校验审计链")

    def test_reading_the_list_is_itself_audited(self):
        self.login(self.aud).get("/audit/?action=auth.&success=0")
        event = AuditEvent.objects.filter(action="audit.view", actor=self.aud).get()
        self.assertEqual(event.data["filters"], {"action": "auth.", "success": "0"})
        self.assertEqual(event.region_code, self.county_a.code)

    def test_it_filters(self):
        self.login(self.aud)
        self.assertEqual(self.seqs(self.client.get("/audit/?action=enterprise.")), [self.ent_a.seq])
        self.assertEqual(self.seqs(self.client.get("/audit/?actor=dav")), [self.failed.seq])
        self.assertEqual(self.seqs(self.client.get("/audit/?object_type=enterprises.enterprise")), [self.ent_a.seq])
        self.assertEqual(
            self.seqs(self.client.get(f"/audit/?object_type=enterprises.enterprise&object_id={self.enterprise_a.pk}")),
            [self.ent_a.seq],
        )
        self.assertEqual(set(self.seqs(self.client.get("/audit/?success=0"))), {self.failed.seq, self.system.seq})
        today = timezone.localdate()
        self.assertIn(self.ent_a.seq, self.seqs(self.client.get(f"/audit/?date_from={today}&date_to={today}")))
        self.assertEqual(self.seqs(self.client.get(f"/audit/?date_from={today + timedelta(days=1)}")), [])
        self.assertEqual(self.seqs(self.client.get(f"/audit/?date_to={today - timedelta(days=1)}")), [])

    def test_an_object_is_found_in_the_imports_that_list_it(self):
        """An import is audited as events listing [row, id, key]: the object filter finds the one listing the id
        (not one where the number is only a row number, nor another type's import)."""
        a, b = self.enterprise_a.pk, self.enterprise_b.pk

        def imported(object_type, records):
            audit_record_many(
                import_entries(
                    actor=self.alice,
                    action="enterprise.import",
                    object_type=object_type,
                    label="导入企业",
                    source="企业.xlsx",
                    columns=("row", "id", "credit_code"),
                    records=records,
                    regions=[self.village_a1.code] * len(records),
                )
            )
            return AuditEvent.objects.latest("seq").seq

        listing = imported("enterprises.enterprise", [[3, b + 1000, "X"], [7, a, "Y"]])
        as_row = imported("enterprises.enterprise", [[a, b + 2000, "Z"]])
        other_type = imported("hazards.hazard", [[1, a, "YH1"]])
        seqs = self.seqs(self.login(self.aud).get(f"/audit/?object_type=enterprises.enterprise&object_id={a}"))
        self.assertEqual(seqs, [listing, self.ent_a.seq])
        self.assertNotIn(as_row, seqs)
        self.assertNotIn(other_type, seqs)
        self.assertEqual(self.seqs(self.client.get(f"/audit/?object_type=hazards.hazard&object_id={a}")), [other_type])
        self.assertEqual(self.seqs(self.client.get(f"/audit/?object_id={a}")), [self.ent_a.seq])  # no type: own events

    def test_bad_filters_show_errors_next_to_the_fields(self):
        response = self.login(self.aud).get("/audit/?date_from=2026-13-40")
        self.assertIn("date_from", response.context["form"].errors)
        response = self.client.get("/audit/?date_from=2026-05-02&date_to=2026-05-01")
        self.assertIn("截止日期不能早于起始日期。", response.context["form"].errors["date_to"])
        self.assertContains(response, 'class="fielderror"')

    def test_it_paginates(self):
        for i in range(60):
            audit_record(actor=self.alice, action="test.bulk", obj=self.enterprise_a, data={"i": i})
        self.login(self.aud)
        self.assertEqual(len(self.client.get("/audit/?action=test.").context["page"]), 50)
        self.assertEqual(len(self.client.get("/audit/?action=test.&page=2").context["page"]), 10)

    def test_the_detail_shows_changes_and_hashes(self):
        user_grant(actor=self.alice, user=self.dave, role=Role.GRID, region=self.village_a1)
        event = AuditEvent.objects.get(action="user.grant")
        response = self.login(self.aud).get(f"/audit/{event.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertIn(("role", Role.LEADER, Role.GRID), response.context["changes"])
        self.assertContains(response, event.hash)
        self.assertContains(response, event.prev_hash)
        self.assertContains(response, "内容与摘要一致")
        self.assertTrue(AuditEvent.objects.filter(action="audit.view", object_id=str(event.pk)).exists())

    def test_the_detail_shows_creations_as_after_values(self):
        from zhiben.accounts.services import user_create

        user_create(actor=None, username="newbie", password="Init-pass-2026", role=Role.LEADER, region=self.county_a)
        event = AuditEvent.objects.get(action="user.create")
        response = self.login(self.aud).get(f"/audit/{event.pk}/")
        self.assertIn(("role", "", Role.LEADER), response.context["changes"])

    def test_the_detail_flags_a_tampered_event(self):
        tamper(self.ent_a)
        response = self.login(self.aud).get(f"/audit/{self.ent_a.pk}/")
        self.assertContains(response, "内容与摘要不符")

    def test_verification_reports_a_clean_chain_and_is_audited(self):
        response = self.login(self.aud).post("/audit/verify/", follow=True)
        self.assertContains(response, "审计链完整")
        event = AuditEvent.objects.get(action="audit.verify")
        self.assertTrue(event.data["ok"])

    def test_verification_names_the_tampered_event(self):
        tamper(self.failed)
        response = self.login(self.aud).post("/audit/verify/", follow=True)
        self.assertContains(response, f"#{self.failed.seq}")
        self.assertContains(response, "内容与摘要不符")
        event = AuditEvent.objects.get(action="audit.verify")
        self.assertFalse(event.success)

    def test_verification_needs_post(self):
        self.assertEqual(self.login(self.aud).get("/audit/verify/").status_code, 405)

    def test_other_roles_cannot_read_the_log(self):
        for user in (self.sam, self.sid, self.alice, self.bob, self.dave, self.emma):
            self.login(user)
            self.assertEqual(self.client.get("/audit/").status_code, 403, user.username)
            self.assertEqual(self.client.post("/audit/verify/").status_code, 403, user.username)
        self.login(self.sam)
        self.assertEqual(self.client.get(f"/audit/{self.ent_a.pk}/").status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action__in=["audit.view", "audit.verify"]).exists())

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        self.assertEqual(self.client.get(f"/audit/{self.ent_a.pk}/").status_code, 404)
        aud_b = make_user("aud_b", Role.AUDIT_ADMIN, self.county_b)
        self.login(aud_b)
        self.assertEqual(self.client.get(f"/audit/{self.ent_a.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/audit/{self.ent_b.pk}/").status_code, 200)
        self.assertNotIn(self.ent_a.seq, self.seqs(self.client.get("/audit/")))
        self.login(self.aud)
        self.assertEqual(self.client.get(f"/audit/{self.ent_b.pk}/").status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.client.get("/audit/").status_code, 302)
        self.assertEqual(self.client.post("/audit/verify/").status_code, 302)


class AuditExportTests(AuditEventsCase):
    """The auditor downloads what the list shows, oldest first, with content and digests; the export is audited."""

    def rows(self, response):
        self.assertEqual(response.status_code, 200)
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    def test_the_export_holds_the_filtered_events_of_the_jurisdiction_oldest_first(self):
        self.login(self.aud)
        rows = self.rows(self.client.get("/audit/export.xlsx"))
        self.assertEqual(rows[0][:5], ("序号", "时间", "操作人", "动作", "动作代码"))
        seqs = [row[0] for row in rows[1:]]
        self.assertEqual(seqs, sorted(seqs))
        self.assertIn(self.system.seq, seqs)
        self.assertNotIn(self.ent_b.seq, seqs)  # the other county's
        row = next(r for r in rows[1:] if r[0] == self.ent_a.seq)
        self.assertEqual(row[4], "enterprise.update")
        self.assertIn("旧名", row[12])  # the content
        self.assertEqual((row[13], row[14]), (self.ent_a.prev_hash, self.ent_a.hash))
        failed = self.rows(self.client.get("/audit/export.xlsx", {"success": "0", "action": "auth."}))
        self.assertEqual({r[0] for r in failed[1:]}, {self.failed.seq, self.system.seq})
        self.assertEqual({r[10] for r in failed[1:]}, {"失败"})

    def test_the_export_is_itself_audited_with_its_filters(self):
        self.login(self.aud)
        self.client.get("/audit/export.xlsx", {"action": "auth."})
        event = AuditEvent.objects.filter(action="audit.export").get()
        self.assertEqual((event.actor, event.data["filters"]), (self.aud, {"action": "auth."}))

    def test_bad_filters_and_too_many_events_are_refused_in_chinese(self):
        self.login(self.aud)
        response = self.client.get("/audit/export.xlsx", {"date_from": "2026-13-01"}, follow=True)
        self.assertContains(response, "筛选条件有误")
        with mock.patch("zhiben.audit.views.AUDIT_EXPORT_MAX", 1):
            response = self.client.get("/audit/export.xlsx", follow=True)
        self.assertContains(response, "一次最多导出 1 条")
        self.assertFalse(AuditEvent.objects.filter(action="audit.export").exists())

    def test_only_the_auditor_exports(self):
        for user in (self.sam, self.sid, self.alice, self.dave, self.emma):
            self.login(user)
            self.assertEqual(self.client.get("/audit/export.xlsx").status_code, 403, user.username)
        self.client.logout()
        self.assertEqual(self.client.get("/audit/export.xlsx").status_code, 302)
