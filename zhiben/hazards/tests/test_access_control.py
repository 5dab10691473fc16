"""等保 访问控制 on hazards: ledger imports enter the workflow like any intake (historic archives are
the 安委办's and stay out of the figures), local and national 判定标准, description and deadline
edits, and the 整改责任人's phone encrypted at rest and masked outside the detail page."""

import io
import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core import crypto
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.core.registry import entry
from zhiben.hazards import hooks, selectors, services
from zhiben.hazards.choices import Status
from zhiben.hazards.criteria import criteria_import, visible_items, visible_standards
from zhiben.hazards.models import CriteriaItem, CriteriaStandard, Hazard, HazardEvent
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase, make_user

from .helpers import report
from .ledger_fixtures import ledger_xlsx

PAST = date(2024, 5, 10)


def row(n, **values):
    return {"_row": n, "enterprise": "凤凰化工有限公司", "description": f"第{n}行隐患：配电箱未接地", **values}


class LedgerImportWorkflowTests(CastTestCase):
    """A ledger import is an intake: rows start where their importer may start them, nothing later."""

    def imported(self, actor, rows, **kwargs):
        services.hazard_import_ledger(actor=actor, rows=rows, source_name="台账.xlsx", **kwargs)
        return list(Hazard.objects.order_by("source_ref", "id"))

    def refused(self, actor, rows, **kwargs):
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_import_ledger(actor=actor, rows=rows, source_name="台账.xlsx", **kwargs)
        self.assertFalse(Hazard.objects.exists())
        return caught.exception

    def test_an_enterprise_user_imports_reports_for_verification(self):
        (hazard,) = self.imported(self.emma, [row(3, status="未整改")])
        self.assertEqual((hazard.status, hazard.channel, hazard.verified_at), (Status.REPORTED, "self", None))
        self.assertEqual(hazard.enterprise, self.enterprise_a)
        self.assertFalse(hazard.historic)
        self.assertEqual(HazardEvent.objects.get(hazard=hazard).to_status, Status.REPORTED)

    def test_an_enterprise_user_cannot_import_rows_as_closed_or_submitted(self):
        rows = [
            row(3, status="已销号"),
            row(4, status="未整改", closed_date=PAST),
            row(5, status="已整改"),
            row(6, rectified_date=PAST),
            row(7, status="整改中"),
            row(8),
        ]
        columns = {"status": "整改情况", "closed_date": "销号日期", "rectified_date": "完成时间"}
        exc = self.refused(self.emma, rows, columns=columns)
        self.assertEqual(
            [(e["row"], e["column"]) for e in exc.errors],
            [(3, "整改情况"), (4, "销号日期"), (5, "整改情况"), (6, "完成时间"), (7, "整改情况")],
        )
        self.assertIn("已销号", exc.errors[0]["message"])
        self.assertIn("以“待核实”进入流程", exc.errors[0]["message"])
        self.assertIn("销号日期 2024-05-10", exc.errors[1]["message"])

    def test_an_enterprise_user_may_only_use_self_inspection(self):
        exc = self.refused(self.emma, [row(3, source_channel="执法检查"), row(4, source_channel="自查")])
        self.assertEqual([(e["row"], e["column"]) for e in exc.errors], [(3, "source_channel")])
        self.assertIn("企业自查上报", exc.errors[0]["message"])
        exc = self.refused(self.emma, [row(3)], channel="supervision")
        self.assertEqual(exc.code, "forbidden")

    def test_those_holding_the_triage_duty_import_verified_hazards(self):
        for actor in (self.alice, self.erin):  # the county 安委办; the town department supervising hazchem
            with self.subTest(actor=actor.username):
                (hazard,) = self.imported(actor, [row(3, source_channel="执法检查")])
                self.assertEqual((hazard.status, hazard.channel), (Status.VERIFIED, "enforcement"))
                self.assertIsNotNone(hazard.verified_at)
                Hazard.objects.all().delete()

    def test_the_committee_cannot_import_closed_rows_as_live_ones_either(self):
        exc = self.refused(self.alice, [row(3, status="已销号", closed_date=PAST)])
        self.assertEqual([(e["row"], e["column"]) for e in exc.errors], [(3, "closed_date")])
        self.assertIn("历史台账", exc.errors[0]["message"])

    def test_a_deadline_beyond_the_rule_is_refused(self):
        far = timezone.localdate() + timedelta(days=400)
        exc = self.refused(self.emma, [row(3, deadline=far)])
        self.assertEqual([(e["row"], e["column"]) for e in exc.errors], [(3, "deadline")])
        self.assertIn("过远", exc.errors[0]["message"])
        (hazard,) = self.imported(self.emma, [row(3, deadline=far - timedelta(days=40))])
        self.assertEqual(hazard.deadline, far - timedelta(days=40))

    def test_a_historic_ledger_keeps_its_states_and_stays_out_of_the_figures(self):
        today = timezone.localdate()
        rows = [
            row(3, status="已销号", closed_date=PAST, rectified_date=PAST, deadline=PAST),
            row(4, status="已整改", deadline=PAST, source_channel="执法检查"),
            row(5, status="整改中", deadline=PAST),
            row(6, deadline=PAST),
            row(7, deadline=today + timedelta(days=1)),
        ]
        closed, submitted, rectifying, verified, due = self.imported(self.alice, rows, historic=True)
        self.assertEqual(
            [h.status for h in (closed, submitted, rectifying, verified, due)],
            [Status.CLOSED, Status.SUBMITTED, Status.RECTIFYING, Status.VERIFIED, Status.VERIFIED],
        )
        self.assertTrue(all(h.historic for h in (closed, submitted, rectifying, verified, due)))
        self.assertEqual((closed.rectified_date, timezone.localtime(closed.closed_at).date()), (PAST, PAST))
        self.assertEqual(submitted.channel, "enforcement")
        self.assertEqual(HazardEvent.objects.filter(action="import_historic").count(), 5)
        self.assertEqual(AuditEvent.objects.get(action="hazard.import", data__historic=True).data["count"], 5)
        # old deadlines, yet no one's overdue work: not counted, not escalated, not reminded
        self.assertFalse(any(h.is_overdue() for h in (submitted, rectifying, verified)))
        self.assertEqual(selectors.hazard_counts(user=self.alice)["overdue"], 0)
        self.assertEqual(selectors.hazard_counts(user=self.alice)["open"], 4)
        self.assertEqual(hooks.overdue(today), [])
        self.assertFalse(Hazard.objects.overdue(today).exists())
        self.assertEqual(Hazard.objects.not_overdue(today).count(), 5)
        self.assertEqual(list(hooks.reminder_due(today, today + timedelta(days=3))), [])
        self.assertIsNone(hooks.reminder_current(due, today))
        self.assertEqual(list(selectors.hazard_list(user=self.alice, filters={"overdue": "1"})), [])
        # a live hazard next to them still counts
        live = report(self.gina, self.enterprise_a, description="消防通道堵塞严重")
        Hazard.objects.filter(pk=live.pk).update(status=Status.VERIFIED, deadline=PAST)
        self.assertEqual(selectors.hazard_counts(user=self.alice)["overdue"], 1)
        self.assertEqual([o.obj for o in hooks.overdue(today)], [live])
        self.assertEqual(entry("escalation_targets", "hazard").overdue(today)[0].obj, live)

    def test_only_the_committee_imports_historic_ledgers(self):
        for actor in (self.emma, self.erin):
            with self.subTest(actor=actor.username):
                exc = self.refused(actor, [row(3, status="已销号")], historic=True)
                self.assertEqual(exc.code, "forbidden")
                self.assertIn("安委办管理员", exc.message)


class LedgerCommandTests(CastTestCase):
    HEADERS = ["序号", "单位名称", "隐患内容", "整改期限", "整改情况", "销号日期"]

    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.path = Path(scratch.name) / "历史台账.xlsx"
        self.path.write_bytes(
            ledger_xlsx(
                self.HEADERS,
                [
                    [1, "凤凰化工有限公司", "配电房无挡鼠板", "2024-06-30", "已销号", "2024-07-01"],
                    [2, "凤凰化工有限公司", "氨站无喷淋", "2024-09-30", "未整改", ""],
                ],
                titles=["隐患排查治理台账"],
            )
        )

    def run_command(self, *args):
        out = io.StringIO()
        call_command("import_ledger", str(self.path), "--json", *args, stdout=out)
        return json.loads(out.getvalue())

    def test_a_closed_row_is_refused_with_the_files_column(self):
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "导入失败"):
            call_command("import_ledger", str(self.path), "--json", "--user", "alice", stdout=out)
        errors = json.loads(out.getvalue())["errors"]
        self.assertEqual([(e["row"], e["column"]) for e in errors], [(3, "销号日期")])
        self.assertFalse(Hazard.objects.exists())

    def test_historic_imports_keep_the_states(self):
        payload = self.run_command("--user", "alice", "--historic")
        self.assertEqual(payload["created"], 2)
        self.assertEqual(
            list(Hazard.objects.order_by("source_ref").values_list("status", "historic")),
            [(Status.CLOSED, True), (Status.VERIFIED, True)],
        )

    def test_historic_imports_are_refused_to_others(self):
        with self.assertRaisesMessage(CommandError, "只有安委办管理员可以导入历史台账"):
            self.run_command("--user", "erin", "--historic")
        self.assertFalse(Hazard.objects.exists())


class CriteriaOwnershipTests(CastTestCase):
    """National items belong to the catalogue owner; a town or county keeps local items for its subtree."""

    HEADERS = ["标准代码", "版本", "标准名称", "文号", "施行日期", "部分", "条款号", "条款内容"]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.town_office = Unit.objects.create(name="凤凰镇安委办", kind="committee", region=cls.town_a1)
        cls.tom = make_user("tom", Role.COMMITTEE_ADMIN, cls.town_a1, unit=cls.town_office)
        cls.root = make_user("root", Role.NONE, None, is_superuser=True)
        cls.national = CriteriaItem.objects.select_related("standard").get(number="第十一条第（六）项")

    def rows(self, code, version, number, text, name="判定标准"):
        return [(2, [code, version, name, "", "", "", number, text])]

    def test_a_town_committee_cannot_rewrite_national_items(self):
        item = self.national
        rows = self.rows(item.standard.code, item.standard.version, item.number, "改写后的国家条款", item.standard.name)
        for actor in (self.tom, self.alice):
            with self.subTest(actor=actor.username):
                with self.assertRaises(ApplicationError) as caught:
                    criteria_import(actor=actor, headers=self.HEADERS, rows=rows)
                self.assertEqual([(e["row"], e["column"]) for e in caught.exception.errors], [(2, "标准代码")])
                self.assertIn("国家判定标准", caught.exception.errors[0]["message"])
        extra = self.rows(item.standard.code, item.standard.version, "第九十九条", "新增的国家条款")
        with self.assertRaises(ApplicationError):
            criteria_import(actor=self.tom, headers=self.HEADERS, rows=extra)
        self.assertEqual(CriteriaItem.objects.get(pk=item.pk).text, item.text)
        self.assertFalse(CriteriaItem.objects.filter(number="第九十九条").exists())

    def test_the_catalogue_owner_keeps_the_national_items(self):
        rows = self.rows("gongmao", "2023", self.national.number, "修订后的国家条款", self.national.standard.name)
        criteria_import(actor=self.root, headers=self.HEADERS, rows=rows)
        self.assertEqual(CriteriaItem.objects.get(pk=self.national.pk).text, "修订后的国家条款")
        self.assertEqual(
            AuditEvent.objects.filter(action="criteria.import").values_list("actor_id", "data__region").get(),
            (self.root.pk, "全国"),
        )

    def test_local_items_belong_to_their_region_and_apply_in_its_subtree(self):
        rows = self.rows("fenghuang-gas", "2025", "第一条", "燃气管道穿越卧室", "凤凰镇燃气隐患细则")
        criteria_import(actor=self.tom, headers=self.HEADERS, rows=rows)
        local = CriteriaStandard.objects.get(code="fenghuang-gas")
        self.assertEqual(local.region, self.town_a1)
        item = local.items.get()
        for user, sees in ((self.tom, True), (self.gina, True), (self.emma, True), (self.alice, True)):
            with self.subTest(user=user.username):
                self.assertEqual(visible_items(user).filter(pk=item.pk).exists(), sees)
        for user in (self.charlie, make_user("tina", Role.GRID, self.town_a2)):
            with self.subTest(user=user.username):
                self.assertFalse(visible_standards(user).filter(pk=local.pk).exists())
                self.assertTrue(visible_standards(user).filter(pk=self.national.standard_id).exists())
        # the county above it may not change it, nor may another town
        other = make_user("olga", Role.COMMITTEE_ADMIN, self.town_a2)
        changed = self.rows("fenghuang-gas", "2025", "第一条", "改写", "凤凰镇燃气隐患细则")
        for actor in (self.alice, other):
            with self.subTest(actor=actor.username), self.assertRaises(ApplicationError) as caught:
                criteria_import(actor=actor, headers=self.HEADERS, rows=changed)
            self.assertIn("凤凰镇制定的地方细则", caught.exception.errors[0]["message"])
        # cited for a hazard in the town; refused for a hazard elsewhere
        hazard = report(
            self.gina, self.enterprise_a, level="major", criteria_item=item.pk, description="燃气管道穿越卧室"
        )
        self.assertEqual(hazard.criteria_item, item)
        with self.assertRaises(ApplicationError) as caught:
            report(self.charlie, self.enterprise_b, level="major", criteria_item=item.pk)
        self.assertIn("不适用", caught.exception.message)

    def test_roles_without_rule_management_cannot_import(self):
        with self.assertRaises(ApplicationError) as caught:
            criteria_import(actor=self.erin, headers=self.HEADERS, rows=self.rows("x", "1", "第一条", "内容"))
        self.assertEqual(caught.exception.code, "forbidden")

    def test_the_page_shows_and_offers_only_what_applies(self):
        criteria_import(
            actor=self.tom,
            headers=self.HEADERS,
            rows=self.rows("fenghuang-gas", "2025", "第一条", "燃气", "凤凰镇细则"),
        )
        page = self.login(self.tom).get("/hazards/criteria/")
        self.assertContains(page, "凤凰镇细则")
        self.assertContains(page, "导入本辖区地方细则")
        self.assertNotContains(self.login(self.charlie).get("/hazards/criteria/"), "凤凰镇细则")
        form = self.login(self.charlie).get("/hazards/report/").context["form"]
        self.assertFalse(form.fields["criteria_item"].queryset.filter(standard__code="fenghuang-gas").exists())


class HazardEditTests(CastTestCase):
    def test_a_description_changed_after_verification_keeps_the_old_text_on_the_timeline(self):
        hazard = report(self.gina, self.enterprise_a, description="配电箱未接地，电线私拉乱接")
        services.hazard_update_plan(actor=self.gina, hazard=hazard, data={"description": "配电箱未接地"})
        self.assertFalse(HazardEvent.objects.filter(hazard=hazard, action="edit_description").exists())
        services.hazard_transition(actor=self.alice, hazard=hazard, action="verify")
        services.hazard_update_plan(
            actor=self.emma, hazard=hazard, data={"description": "配电箱已接地", "measures": "重新接地"}
        )
        event = HazardEvent.objects.get(hazard=hazard, action="edit_description")
        self.assertEqual((event.actor, event.data), (self.emma, {"old": "配电箱未接地", "new": "配电箱已接地"}))
        self.assertEqual(event.note, "原描述：配电箱未接地")
        edits = HazardEvent.objects.filter(hazard=hazard, action="edit_plan")
        self.assertEqual([e.data for e in edits], [{"fields": ["description"]}, {"fields": ["measures"]}])
        page = self.login(self.alice).get(f"/hazards/{hazard.pk}/")
        self.assertContains(page, "修改隐患描述")
        self.assertContains(page, "原描述：配电箱未接地")

    def test_a_deadline_at_intake_must_lie_within_the_rule(self):
        today = timezone.localdate()
        with self.assertRaises(ApplicationError) as caught:
            report(self.gina, self.enterprise_a, deadline=(today + timedelta(days=366)).isoformat())
        self.assertEqual(caught.exception.errors[0]["field"], "deadline")
        self.assertIn("过远", caught.exception.message)
        self.assertFalse(Hazard.objects.exists())
        hazard = report(self.gina, self.enterprise_a, deadline=(today + timedelta(days=365)).isoformat())
        self.assertEqual(hazard.deadline, today + timedelta(days=365))
        Rule.objects.create(key="hazard.max_days", region_code=self.county_a.code, value=20)
        with self.assertRaises(ApplicationError):
            report(self.gina, self.enterprise_a, deadline=(today + timedelta(days=21)).isoformat())
        # the default period is capped by the maximum as well
        self.assertEqual(report(self.gina, self.enterprise_a).deadline, today + timedelta(days=20))

    def test_a_deadline_edit_must_lie_within_the_rule(self):
        today = timezone.localdate()
        hazard = report(self.gina, self.enterprise_a)
        with self.assertRaises(ApplicationError) as caught:
            services.hazard_update_plan(
                actor=self.gina, hazard=hazard, data={"deadline": (today + timedelta(days=3650)).isoformat()}
            )
        self.assertIn("过远", caught.exception.message)
        self.assertEqual(Hazard.objects.get(pk=hazard.pk).deadline, hazard.deadline)
        services.hazard_update_plan(
            actor=self.gina, hazard=hazard, data={"deadline": (today + timedelta(days=100)).isoformat()}
        )
        self.assertEqual(Hazard.objects.get(pk=hazard.pk).deadline, today + timedelta(days=100))

    def test_the_rule_is_registered(self):
        rule = entry("rules", "hazard.max_days")
        self.assertEqual((rule.default, rule.kind, rule.group), (365, "days", "事故隐患"))


class ResponsiblePhoneTests(CastTestCase):
    PHONE = "13812345678"

    def setUp(self):
        self.hazard = report(self.gina, self.enterprise_a, responsible_person="张三", responsible_phone=self.PHONE)

    def stored(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT responsible_phone FROM hazards_hazard WHERE id = %s", [self.hazard.pk])
            return cursor.fetchone()[0]

    def test_it_is_stored_encrypted_and_read_in_clear(self):
        self.assertTrue(crypto.is_encrypted(self.stored()))
        self.assertNotIn(self.PHONE, self.stored())
        self.assertEqual(Hazard.objects.get(pk=self.hazard.pk).responsible_phone, self.PHONE)

    def test_the_migration_encrypts_existing_rows(self):
        import importlib

        from django.apps import apps

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE hazards_hazard SET responsible_phone = %s WHERE id = %s", [self.PHONE, self.hazard.pk]
            )
        self.assertEqual(self.stored(), self.PHONE)
        migration = importlib.import_module("zhiben.hazards.migrations.0006_encrypt_responsible_phone")
        migration.encrypt_existing(apps, None)
        self.assertTrue(crypto.is_encrypted(self.stored()))
        migration.encrypt_existing(apps, None)  # idempotent
        self.assertEqual(Hazard.objects.get(pk=self.hazard.pk).responsible_phone, self.PHONE)

    def test_it_is_masked_in_exports_and_the_api_and_whole_on_the_detail_page(self):
        self.login(self.alice)
        sheet = load_workbook(io.BytesIO(self.client.get("/hazards/export/").content)).active
        rows = list(sheet.iter_rows(values_only=True))
        column = rows[0].index("责任人电话")
        self.assertEqual(rows[1][column], "138****5678")
        self.assertNotIn(self.PHONE, json.dumps(rows, default=str, ensure_ascii=False))
        listed = self.client.get("/api/v1/hazards/").json()["items"]
        self.assertEqual(listed[0]["responsible_phone"], "138****5678")
        detail = self.client.get(f"/api/v1/hazards/{self.hazard.pk}").json()
        self.assertNotIn(self.PHONE, json.dumps(detail, ensure_ascii=False))
        self.assertContains(self.client.get(f"/hazards/{self.hazard.pk}/"), self.PHONE)
        self.assertNotContains(self.client.get("/hazards/"), self.PHONE)
        self.assertEqual(self.login(self.charlie).get(f"/hazards/{self.hazard.pk}/").status_code, 404)

    def test_edits_are_audited_masked_and_reminders_still_text_the_phone(self):
        services.hazard_update_plan(actor=self.gina, hazard=self.hazard, data={"responsible_phone": "13900001111"})
        audit = AuditEvent.objects.get(action="hazard.edit_plan")
        self.assertEqual(audit.data["changes"]["responsible_phone"], ["138****5678", "139****1111"])
        hazard = Hazard.objects.get(pk=self.hazard.pk)
        Hazard.objects.filter(pk=hazard.pk).update(status=Status.VERIFIED)
        hazard.refresh_from_db()
        _, contacts = hooks.reminder_recipients(hazard)
        self.assertIn(("张三（整改责任人）", "13900001111"), contacts)
