"""Grading: LEC and LS at every threshold edge (both sides), thresholds per jurisdiction (a rule for county B
changes B's grading only, also after regrading), direct 重大 grading, and refused input."""

from decimal import Decimal

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.models import Rule
from zhiben.hazards.models import CriteriaItem
from zhiben.risk import grading, services
from zhiben.risk.choices import Level, Method
from zhiben.risk.models import RiskPoint

from .helpers import RiskTestCase

MAJOR, LARGER, GENERAL, LOW = Level.MAJOR, Level.LARGER, Level.GENERAL, Level.LOW


class EdgeTests(RiskTestCase):
    def test_lec_edges_belong_to_the_lower_level(self):
        bounds = grading.thresholds(Method.LEC, self.village_a1.code)
        cases = [
            ("320.01", MAJOR),
            ("320", LARGER),
            ("160.01", LARGER),
            ("160", GENERAL),
            ("70.01", GENERAL),
            ("70", LOW),
            ("0.05", LOW),
            ("10000", MAJOR),
        ]
        for score, level in cases:
            self.assertEqual(grading.level_of(Method.LEC, Decimal(score), bounds), level, score)

    def test_ls_edges_belong_to_the_higher_level(self):
        bounds = grading.thresholds(Method.LS, self.village_a1.code)
        cases = {25: MAJOR, 20: MAJOR, 16: LARGER, 15: LARGER, 10: LARGER, 9: GENERAL, 4: GENERAL, 3: LOW, 1: LOW}
        for score, level in cases.items():
            self.assertEqual(grading.level_of(Method.LS, score, bounds), level, score)

    def test_lec_table_scores_on_both_sides_of_each_edge(self):
        cases = [
            (("3", "3", "40"), "360", MAJOR),
            (("10", "10", "3"), "300", LARGER),
            (("10", "6", "3"), "180", LARGER),
            (("10", "1", "15"), "150", GENERAL),
            (("10", "0.5", "15"), "75", GENERAL),
            (("10", "1", "7"), "70", LOW),  # exactly on the edge: 低
            (("0.1", "0.5", "1"), "0.05", LOW),
        ]
        for (likely, e, c), score, level in cases:
            point = self.point(method="lec", l=likely, e=e, c=c, name=f"D{score}")
            self.assertEqual((point.score, point.level, point.score_level), (Decimal(score), level, level), score)
            self.assertEqual(point.rank, {MAJOR: 4, LARGER: 3, GENERAL: 2, LOW: 1}[level])

    def test_ls_matrix_on_both_sides_of_each_edge(self):
        cases = [(("5", "4"), 20, MAJOR), (("4", "4"), 16, LARGER), (("5", "2"), 10, LARGER)]
        cases += [(("3", "3"), 9, GENERAL), (("2", "2"), 4, GENERAL), (("3", "1"), 3, LOW)]
        for (likely, s), score, level in cases:
            point = self.point(method="ls", l=likely, s=s, name=f"R{score}")
            self.assertEqual((point.score, point.level), (Decimal(score), level), score)

    def test_the_formula_and_colour_are_shown(self):
        point = self.point(method="lec", l="0.5", e="6", c="100")
        self.assertEqual(point.formula, "D = 0.5 × 6 × 100 = 300")
        self.assertEqual(point.level_text, "较大风险（橙）")


class JurisdictionTests(RiskTestCase):
    def test_a_rule_for_county_b_changes_only_bs_grading(self):
        Rule.objects.create(
            key="risk.ls_thresholds", region_code=self.county_b.code, value={"major": 20, "larger": 15, "general": 9}
        )
        Rule.objects.create(
            key="risk.lec_thresholds",
            region_code=self.county_b.code,
            value={"major": 400, "larger": 200, "general": 100},
        )
        a12 = self.point(method="ls", l="3", s="4")  # R = 12
        b12 = self.point(self.charlie, self.enterprise_b, method="ls", l="3", s="4")
        self.assertEqual((a12.level, b12.level), (LARGER, GENERAL))
        b8 = self.point(self.charlie, self.enterprise_b, method="ls", l="2", s="4")
        b9 = self.point(self.charlie, self.enterprise_b, method="ls", l="3", s="3")
        b15 = self.point(self.charlie, self.enterprise_b, method="ls", l="5", s="3")
        self.assertEqual((b8.level, b9.level, b15.level), (LOW, GENERAL, LARGER))
        a360 = self.point(method="lec", l="3", e="3", c="40")
        b360 = self.point(self.charlie, self.enterprise_b, method="lec", l="3", e="3", c="40")
        self.assertEqual((a360.level, b360.level), (MAJOR, LARGER))

    def test_the_nearest_jurisdiction_wins(self):
        Rule.objects.create(
            key="risk.ls_thresholds", region_code=self.city.code, value={"major": 25, "larger": 16, "general": 9}
        )
        Rule.objects.create(
            key="risk.ls_thresholds", region_code=self.county_a.code, value={"major": 20, "larger": 12, "general": 6}
        )
        self.assertEqual(self.point(method="ls", l="3", s="4").level, LARGER)  # county A: 12 ≥ 12
        self.assertEqual(self.point(self.charlie, self.enterprise_b, method="ls", l="3", s="4").level, GENERAL)  # city

    def test_a_malformed_rule_falls_back_to_the_national_default(self):
        Rule.objects.create(
            key="risk.lec_thresholds", region_code=self.county_a.code, value={"major": 70, "larger": 160}
        )
        self.assertEqual(self.point(method="lec", l="10", e="6", c="3").level, LARGER)  # 180 under 320/160/70

    def test_regrading_after_a_rule_change_moves_bs_points_only(self):
        a = self.point(method="ls", l="3", s="4")
        b = self.point(self.charlie, self.enterprise_b, method="ls", l="3", s="4")
        self.assertEqual(services.regrade(), 0)
        Rule.objects.create(
            key="risk.ls_thresholds", region_code=self.county_b.code, value={"major": 20, "larger": 15, "general": 9}
        )
        self.assertEqual(services.regrade(), 1)
        a.refresh_from_db()
        b.refresh_from_db()
        self.assertEqual((a.level, b.level, b.rank), (LARGER, GENERAL, 2))
        self.assertTrue(AuditEvent.objects.filter(action="risk.point_regrade", object_id=str(b.pk)).exists())
        self.assertEqual(services.regrade(), 0)


class DirectGradingTests(RiskTestCase):
    def test_a_matching_criteria_item_grades_major(self):
        item = CriteriaItem.objects.filter(standard__is_current=True, standard__region__isnull=True).first()
        point = self.point(method="ls", l="1", s="1", criteria_item=item.pk)
        self.assertEqual((point.score_level, point.level, point.rank), (LOW, MAJOR, 4))
        self.assertIn(item.number, point.direct_reason)
        self.assertIn("重大事故隐患判定标准", point.direct_reason)

    def test_thirty_people_exposed_grade_major_and_twenty_nine_do_not(self):
        self.assertEqual(self.point(method="ls", l="1", s="2", exposed=29).level, LOW)
        point = self.point(method="ls", l="1", s="2", exposed=30)
        self.assertEqual((point.score_level, point.level), (LOW, MAJOR))
        self.assertIn("暴露人数 30 人", point.direct_reason)

    def test_the_head_count_is_a_rule_per_jurisdiction(self):
        Rule.objects.create(key="risk.direct_major_exposed", region_code=self.county_b.code, value=10)
        self.assertEqual(self.point(method="ls", l="1", s="2", exposed=10).level, LOW)
        self.assertEqual(
            self.point(self.charlie, self.enterprise_b, method="ls", l="1", s="2", exposed=10).level, MAJOR
        )

    def test_an_edit_removing_the_reason_returns_to_the_score(self):
        point = self.point(method="ls", l="1", s="2", exposed=40)
        data = {"name": point.name, "kind": "place", "factors": "x", "method": "ls", "l": "1", "s": "2", "exposed": "5"}
        point = services.point_update(actor=self.alice, point=point, data=data)
        self.assertEqual((point.level, point.direct_reason), (LOW, ""))


class BadInputTests(RiskTestCase):
    def refused(self, message, actor=None, **data):
        before = RiskPoint.objects.count()
        with self.assertRaises(ApplicationError) as ctx:
            self.point(actor, **data)
        self.assertIn(message, ctx.exception.message)
        self.assertEqual(RiskPoint.objects.count(), before)
        return ctx.exception

    def test_scores_not_in_the_tables_are_refused(self):
        self.refused("L（事故发生的可能性）“4”不在取值表中", l="4")
        self.refused("E（暴露于危险环境的频繁程度）“5”不在取值表中", e="5")
        self.refused("C（发生事故可能造成的后果）“50”不在取值表中", c="50")
        self.refused("不在取值表中", c="abc")
        self.refused("不在取值表中", c="NaN")
        self.refused("请选择C", c="")

    def test_ls_scores_outside_one_to_five_are_refused(self):
        self.refused("L（可能性，1～5）“6”不在取值表中", method="ls", l="6", s="2")
        self.refused("S（严重程度，1～5）“0”不在取值表中", method="ls", l="2", s="0")
        self.refused("不在取值表中", method="ls", l="2.5", s="2")

    def test_other_required_fields(self):
        error = self.refused("请填写风险点名称", name="", kind="room", method="abc")
        fields = {e["field"] for e in error.errors}
        self.assertEqual(fields, {"name", "kind", "method"})
        self.refused("暴露人数“-1”应为", exposed="-1")
        self.refused("早于今天", next_review="2000-01-01")

    def test_another_counties_enterprise_is_refused(self):
        self.refused("不存在或不在您的管辖范围内", enterprise=self.enterprise_b)

    def test_an_enterprise_user_records_for_their_own_enterprise_only(self):
        point = self.point(self.emma, self.enterprise_b)  # the enterprise given is ignored: always their own
        self.assertEqual(point.enterprise, self.enterprise_a)

    def test_roles_without_manage_are_refused(self):
        for user in (self.dave, self.gina, self.sam):
            error = self.refused("无权登记或修改风险点", user)
            self.assertEqual(error.code, "forbidden")
