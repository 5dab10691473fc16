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
    def test_it_imports_all_rows_with_an_audit_event_listing_them(self):
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
        event = AuditEvent.objects.get(action="enterprise.import")
        self.assertEqual(
            (event.object_type, event.region_code, event.data["source"], event.data["columns"], event.data["records"]),
            (
                "enterprises.enterprise",
                "500106000000",  # the county holding both rows
                "台账.xlsx",
                ["row", "id", "credit_code"],
                [[2, first.pk, code(11)], [3, second.pk, code(12)]],
            ),
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

    def test_every_error_of_a_bad_file_is_listed_by_row_then_column_and_nothing_is_written(self):
        exc = self.assertRefused(
            lambda: enterprise_import(
                actor=self.alice,
                rows=rows(
                    (2, data(61)),
                    (3, data(62, region="999", principal_phone="12ab", employees="3.5", credit_code="ABC")),
                    (4, data(63, high_risk="也许", longitude="200")),
                    (5, data(61, name="")),
                ),
            ),
            contains="共 8 处错误",
        )
        self.assertEqual(
            [(e["row"], e["column"]) for e in exc.errors],
            [
                (3, "统一社会信用代码"),
                (3, "所在区划代码"),
                (3, "从业人数"),
                (3, "主要负责人电话"),
                (4, "高危企业"),
                (4, "经度"),
                (5, "单位名称"),
                (5, "统一社会信用代码"),  # the same code as row 2
            ],
        )
        self.assertEqual(exc.errors[-1]["message"], f"统一社会信用代码 {code(61)} 与第 2 行重复。")

    def test_a_code_registered_before_the_import_refuses_the_whole_file(self):
        # no other error: the unique credit code refuses the insert, and the row is named like any other error
        exc = self.assertRefused(
            lambda: enterprise_import(
                actor=self.bob,
                rows=rows((2, data(71)), (3, data(72, credit_code=self.enterprise_a.credit_code)), (4, data(73))),
            ),
            contains="共 1 处错误",
        )
        self.assertEqual(
            [(e["row"], e["message"]) for e in exc.errors],
            [(3, f"统一社会信用代码 {self.enterprise_a.credit_code} 已登记，不能重复导入。")],
        )
        self.assertEqual(enterprise_import(actor=self.bob, rows=rows((2, data(71)))), {"created": 1})

    def test_a_large_import_is_audited_in_events_of_a_thousand_rows_and_the_chain_verifies(self):
        from unittest import mock

        from zhiben.audit import services as audit

        with mock.patch.object(audit, "IMPORT_BATCH", 2):
            enterprise_import(
                actor=self.bob,
                source_name="大表.xlsx",
                rows=rows(
                    (2, data(81)),
                    (3, data(82, region="500106104")),
                    (4, data(83, region="500106105003")),
                    (5, data(84, region="500107101001")),
                    (6, data(85, region="500107101001")),
                ),
            )
        events = list(AuditEvent.objects.filter(action="enterprise.import").order_by("seq"))
        ids = {e.credit_code: e.pk for e in Enterprise.objects.filter(name__startswith="服务测试企业")}
        self.assertEqual(
            [(e.region_code, e.data["count"], e.data["records"]) for e in events],
            [
                ("500106000000", 2, [[2, ids[code(81)], code(81)], [3, ids[code(82)], code(82)]]),
                ("500100000000", 2, [[4, ids[code(83)], code(83)], [5, ids[code(84)], code(84)]]),
                ("500107101001", 1, [[6, ids[code(85)], code(85)]]),
            ],
        )
        self.assertEqual([e.object_repr for e in events][0], "导入生产经营单位 2 条（大表.xlsx，第 1–2 条）")
        self.assertEqual(Enterprise.objects.get(credit_code=code(84)).region_id, "500107101001")
        self.assertTrue(audit_verify()[0])

    def test_an_enterprise_user_importing_is_checked_against_its_own_enterprise(self):
        from zhiben.enterprises.services import _in_scope

        self.assertEqual(
            _in_scope(
                self.emma,
                [self.enterprise_a.pk + 1000],
                {
                    "credit_code": [code(91)],
                    "region": [self.enterprise_a.region_id],
                    "industry": [self.enterprise_a.industry],
                },
            ),
            [code(91)],
        )
        self.assertEqual(
            _in_scope(
                self.bob,
                [1],
                {"credit_code": [code(91)], "region": ["500107101001"], "industry": [self.enterprise_a.industry]},
            ),
            [],
        )
        self.assertEqual(
            _in_scope(
                self.alice,
                [1],
                {"credit_code": [code(91)], "region": ["500107101001"], "industry": [self.enterprise_a.industry]},
            ),
            [code(91)],
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
