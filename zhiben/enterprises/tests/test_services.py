from decimal import Decimal

from zhiben.audit.models import AuditEvent
from zhiben.audit.services import audit_verify
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.enterprises.choices import Scale, StandardGrade, Status
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.services import enterprise_create, enterprise_import, enterprise_update
from zhiben.testing import CastTestCase

from .utils import code


def data(n=1, **extra):
    return {
        "credit_code": code(n),
        "name": f"服务测试企业{n}",
        "region": "500106105002",
        "industry": "hazchem",
        **extra,
    }


class WriteTestCase(CastTestCase):
    def assertRefused(self, call, *, field=None, contains="", code=None):
        """The call raises ApplicationError (naming `field`) and writes nothing, audit included."""
        before = (
            Enterprise.objects.count(),
            AuditEvent.objects.count(),
            list(Enterprise.objects.values().order_by("pk")),
        )
        with self.assertRaises(ApplicationError) as caught:
            call()
        exc = caught.exception
        if field:
            self.assertIn(field, [e["field"] for e in exc.errors], exc.errors)
        self.assertIn(contains, exc.message)
        if code:
            self.assertEqual(exc.code, code)
        self.assertEqual(
            before,
            (Enterprise.objects.count(), AuditEvent.objects.count(), list(Enterprise.objects.values().order_by("pk"))),
        )
        return exc


class CreateTests(WriteTestCase):
    def test_it_creates_and_audits(self):
        enterprise = enterprise_create(
            actor=self.alice,
            data=data(1, scale="大型", status="停产整顿", high_risk="是", longitude="106.3512345", employees="35"),
        )
        self.assertEqual(
            (enterprise.scale, enterprise.status, enterprise.high_risk, enterprise.employees),
            (Scale.LARGE, Status.SUSPENDED, True, 35),
        )
        self.assertEqual(enterprise.longitude, Decimal("106.351235"))
        self.assertEqual(enterprise.created_by, self.alice)
        event = AuditEvent.objects.get(action="enterprise.create", object_id=str(enterprise.pk))
        self.assertEqual(event.actor_name, "alice")
        self.assertEqual(event.data["after"]["industry"], "hazchem")
        self.assertEqual(event.region_code, "500106105002")

    def test_it_accepts_short_region_codes_and_industry_names(self):
        enterprise = enterprise_create(actor=self.alice, data=data(2, region="500106105", industry="危险化学品"))
        self.assertEqual((enterprise.region_id, enterprise.industry.code), ("500106105000", "hazchem"))

    def test_charlie_cannot_create_in_county_a(self):
        self.assertRefused(
            lambda: enterprise_create(actor=self.charlie, data=data(3)), field="region", contains="不在您的管辖范围内"
        )

    def test_regulator_cannot_create_outside_her_industries(self):
        self.assertRefused(
            lambda: enterprise_create(actor=self.erin, data=data(4, industry="construction")),
            field="industry",
            contains="不在您单位的监管范围内",
        )
        self.assertEqual(
            enterprise_create(actor=self.erin, data=data(4, industry="machinery")).industry.code, "machinery"
        )

    def test_regulator_cannot_create_outside_her_town(self):
        self.assertRefused(
            lambda: enterprise_create(actor=self.erin, data=data(5, region=self.town_a2.code)), field="region"
        )

    def test_roles_without_the_capability_are_refused(self):
        for user in (self.emma, self.dave, self.sam):
            exc = self.assertRefused(lambda user=user: enterprise_create(actor=user, data=data(6)), code="forbidden")
            self.assertEqual(exc.message, "您的角色无权进行此操作。")

    def test_it_refuses_a_registered_credit_code(self):
        self.assertRefused(
            lambda: enterprise_create(actor=self.alice, data=data(7, credit_code=self.enterprise_b.credit_code)),
            field="credit_code",
            contains="已登记",
        )

    def test_it_reports_every_bad_field(self):
        exc = self.assertRefused(
            lambda: enterprise_create(
                actor=self.alice,
                data={
                    "credit_code": "91512081MA62K0260F",
                    "name": " ",
                    "region": "5001",
                    "industry": "核电",
                    "principal_phone": "12ab",
                    "employees": "-3",
                    "latitude": "95",
                    "scale": "巨型",
                    "high_risk": "也许",
                    "economic_code": "C33111",
                },
            )
        )
        messages = {e["field"]: e["message"] for e in exc.errors}
        self.assertEqual(messages["credit_code"], "统一社会信用代码校验位错误：第18位应为“E”，实际为“F”。")
        self.assertEqual(messages["name"], "单位名称不能为空。")
        self.assertEqual(messages["region"], "区划 500100000000 不在您的管辖范围内。")
        self.assertTrue(messages["industry"].startswith("监管行业“核电”不存在，可选：危险化学品、冶金"))
        self.assertEqual(messages["principal_phone"], "主要负责人电话“12ab”不是有效的电话号码。")
        self.assertEqual(messages["employees"], "从业人数不能为负数。")
        self.assertEqual(messages["latitude"], "纬度应在 -90 到 90 之间。")
        self.assertEqual(messages["scale"], "规模“巨型”无效，可选：大型、中型、小型、微型。")
        self.assertEqual(messages["high_risk"], "高危企业应填“是”或“否”，实际为“也许”。")
        self.assertIn("GB/T 4754", messages["economic_code"])

    def test_it_rejects_unknown_region_codes_and_fractional_counts(self):
        exc = self.assertRefused(
            lambda: enterprise_create(
                actor=self.bob, data=data(8, region="500106199", employees="4.5", longitude="NaN")
            )
        )
        messages = {e["field"]: e["message"] for e in exc.errors}
        self.assertEqual(messages["region"], "区划代码 500106199000 不存在。")
        self.assertEqual(messages["employees"], "从业人数应为整数，实际为“4.5”。")
        self.assertEqual(messages["longitude"], "经度应在 -180 到 180 之间。")


class UpdateTests(WriteTestCase):
    def test_it_updates_and_audits_the_changes(self):
        enterprise_update(
            actor=self.alice,
            enterprise=self.enterprise_a,
            data={"principal": "王强", "standard_grade": "二级", "high_risk": True},
        )
        self.enterprise_a.refresh_from_db()
        self.assertEqual((self.enterprise_a.principal, self.enterprise_a.standard_grade), ("王强", StandardGrade.TWO))
        event = AuditEvent.objects.get(action="enterprise.update", object_id=str(self.enterprise_a.pk))
        self.assertEqual(
            event.data["changes"], {"principal": ["", "王强"], "standard_grade": ["", "2"], "high_risk": [False, True]}
        )

    def test_an_update_without_changes_is_not_audited(self):
        enterprise_update(actor=self.alice, enterprise=self.enterprise_a, data={"name": self.enterprise_a.name})
        self.assertFalse(AuditEvent.objects.filter(action="enterprise.update").exists())

    def test_enterprise_user_edits_only_her_own(self):
        enterprise_update(
            actor=self.emma,
            enterprise=self.enterprise_a,
            data={"safety_manager": "刘敏", "safety_manager_phone": "023-6123 4567"},
        )
        self.enterprise_a.refresh_from_db()
        self.assertEqual(
            (self.enterprise_a.safety_manager, self.enterprise_a.safety_manager_phone), ("刘敏", "02361234567")
        )
        exc = self.assertRefused(
            lambda: enterprise_update(actor=self.emma, enterprise=self.enterprise_a_construction, data={"name": "改名"})
        )
        self.assertIsInstance(exc, ScopeError)

    def test_charlie_cannot_update_county_a(self):
        exc = self.assertRefused(
            lambda: enterprise_update(actor=self.charlie, enterprise=self.enterprise_a, data={"name": "改名"})
        )
        self.assertIsInstance(exc, ScopeError)

    def test_moving_out_of_scope_is_refused_and_nothing_changes(self):
        self.assertRefused(
            lambda: enterprise_update(
                actor=self.alice, enterprise=self.enterprise_a, data={"region": self.village_b1.code, "name": "搬走"}
            ),
            field="region",
        )
        self.assertRefused(
            lambda: enterprise_update(
                actor=self.emma, enterprise=self.enterprise_a, data={"region": self.village_a2.code}
            ),
            field="region",
        )
        self.assertRefused(
            lambda: enterprise_update(actor=self.erin, enterprise=self.enterprise_a, data={"industry": "construction"}),
            field="industry",
        )

    def test_city_admin_may_move_between_counties(self):
        enterprise_update(actor=self.bob, enterprise=self.enterprise_a, data={"region": self.village_b1.code})
        self.assertEqual(Enterprise.objects.get(pk=self.enterprise_a.pk).region_id, self.village_b1.code)

    def test_it_refuses_another_enterprises_credit_code(self):
        self.assertRefused(
            lambda: enterprise_update(
                actor=self.bob, enterprise=self.enterprise_a, data={"credit_code": self.enterprise_b.credit_code}
            ),
            field="credit_code",
            contains="已被其他单位使用",
        )

    def test_leader_cannot_update(self):
        self.assertRefused(
            lambda: enterprise_update(actor=self.dave, enterprise=self.enterprise_a, data={"name": "改名"}),
            code="forbidden",
        )


def rows(*items):
    return [(row_no, values, {}) for row_no, values in items]


class ImportServiceTests(WriteTestCase):
    def test_it_imports_all_rows_with_one_audit_event_each(self):
        result = enterprise_import(
            actor=self.alice,
            source_name="台账.xlsx",
            rows=rows(
                (
                    2,
                    data(
                        11,
                        longitude="106.5",
                        latitude="29.6",
                        employees="20",
                        high_risk="是",
                        liability_insurance="否",
                        scale="小型",
                        standard_grade="三级",
                        principal_phone="13812345678",
                    ),
                ),
                (3, data(12, region="500106104", industry="机械", status="")),
            ),
        )
        self.assertEqual(result, {"created": 2})
        first = Enterprise.objects.get(credit_code=code(11))
        self.assertEqual(
            (first.longitude, first.latitude, first.employees, first.high_risk, first.liability_insurance),
            (Decimal("106.500000"), Decimal("29.600000"), 20, True, False),
        )
        self.assertEqual(
            (first.scale, first.standard_grade, first.status, first.created_by),
            (Scale.SMALL, StandardGrade.THREE, Status.OPERATING, self.alice),
        )
        self.assertIsNotNone(first.created_at)
        second = Enterprise.objects.get(credit_code=code(12))
        self.assertEqual(
            (second.region_id, second.industry.code, second.employees, second.longitude),
            ("500106104000", "machinery", None, None),
        )
        events = AuditEvent.objects.filter(action="enterprise.import").order_by("seq")
        self.assertEqual(
            [(e.object_id, e.data["row"], e.data["source"]) for e in events],
            [(str(first.pk), 2, "台账.xlsx"), (str(second.pk), 3, "台账.xlsx")],
        )
        self.assertTrue(audit_verify()[0])

    def test_it_writes_nothing_when_one_row_is_bad(self):
        exc = self.assertRefused(
            lambda: enterprise_import(
                actor=self.alice,
                rows=[
                    (2, data(21), {"credit_code": "信用代码（B列）"}),
                    (3, data(22, credit_code="91512081MA62K0260F"), {"credit_code": "信用代码（B列）"}),
                ],
            ),
            contains="共 1 处错误",
        )
        self.assertEqual(
            exc.errors,
            [
                {
                    "row": 3,
                    "column": "信用代码（B列）",
                    "message": "统一社会信用代码校验位错误：第18位应为“E”，实际为“F”。",
                }
            ],
        )

    def test_it_refuses_duplicates_in_the_file_and_in_the_registry(self):
        exc = self.assertRefused(
            lambda: enterprise_import(
                actor=self.bob,
                rows=rows(
                    (2, data(31)),
                    (3, data(31)),
                    (4, data(32, credit_code=self.enterprise_b.credit_code)),
                ),
            )
        )
        self.assertEqual(
            [(e["row"], e["message"]) for e in exc.errors],
            [
                (3, f"统一社会信用代码 {code(31)} 与第 2 行重复。"),
                (4, f"统一社会信用代码 {self.enterprise_b.credit_code} 已登记，不能重复导入。"),
            ],
        )

    def test_it_refuses_out_of_scope_rows(self):
        exc = self.assertRefused(lambda: enterprise_import(actor=self.charlie, rows=rows((2, data(41)))))
        self.assertEqual(exc.errors[0]["message"], "区划 500106105002 不在您的管辖范围内。")

    def test_roles_without_import_are_refused(self):
        self.assertRefused(lambda: enterprise_import(actor=self.gina, rows=rows((2, data(51)))), code="forbidden")


class EnterpriseUserEditTests(CastTestCase):
    def test_enterprise_user_edits_contacts_but_not_what_the_regulator_registers(self):
        from zhiben.enterprises.services import enterprise_update

        updated = enterprise_update(
            actor=self.emma,
            enterprise=self.enterprise_a,
            data={"principal": "新负责人", "principal_phone": "13800000009"},
        )
        self.assertEqual(updated.principal, "新负责人")
        for field, value in (("high_risk", "是"), ("status", "关闭"), ("industry", "commerce"), ("name", "改名公司")):
            with self.subTest(field=field), self.assertRaises(ApplicationError) as caught:
                enterprise_update(actor=self.emma, enterprise=self.enterprise_a, data={field: value})
            self.assertIn("由监管部门登记维护", caught.exception.message)
        self.enterprise_a.refresh_from_db()
        self.assertEqual((self.enterprise_a.name, self.enterprise_a.industry.code), ("凤凰化工有限公司", "hazchem"))
        # unchanged values pass (the edit form sends every field)
        enterprise_update(
            actor=self.emma, enterprise=self.enterprise_a, data={"name": "凤凰化工有限公司", "remarks": "已更新"}
        )
