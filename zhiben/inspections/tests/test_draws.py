"""双随机 draws: the pure function, reproducibility, exclusions, quotas and every refusal (nothing written)."""

from datetime import date, timedelta

from zhiben.accounts.choices import Role
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.inspections import draws
from zhiben.inspections.models import Conflict, Expert, Inspection, InspectionPlan, InspectorCredential
from zhiben.inspections.plan_services import plan_save
from zhiben.testing import CastTestCase, make_enterprise, make_user

TODAY = date(2026, 3, 10)


def build_pool(t):
    """More enterprises in county A, colleagues of alice with valid 执法证, two experts."""
    t.hazchem = [make_enterprise(t.village_a1, "hazchem", name=f"化工{n}号") for n in range(8)]
    t.construction = [t.enterprise_a_construction]
    t.colleagues = [make_user(f"col{n}", Role.COMMITTEE_ADMIN, t.county_a, unit=t.unit_office_a) for n in range(4)]
    for n, user in enumerate([t.alice, *t.colleagues]):
        InspectorCredential.objects.create(
            user=user,
            number=f"T{n:04d}",
            valid_from=TODAY - timedelta(days=300),
            valid_until=TODAY + timedelta(days=300),
        )
    t.expert_chem = Expert.objects.create(name="化专家", region=t.county_a, phone="13900001111")
    t.expert_chem.specialties.set([t.hazchem[0].industry])
    t.expert_build = Expert.objects.create(name="建专家", region=t.county_a)
    t.expert_build.specialties.set([t.enterprise_a_construction.industry])


def make_plan(t, actor=None, **overrides):
    data = {
        "name": "测试双随机计划",
        "region": t.county_a.code,
        "kind": "enforcement",
        "start": TODAY + timedelta(days=5),
        "end": TODAY + timedelta(days=30),
        "quotas": {"hazchem": 3, "construction": 1},
        "team_size": 2,
        "exclude_days": 90,
    }
    data.update(overrides)
    return plan_save(actor=actor or t.alice, data=data)


class PureDrawTests(CastTestCase):
    INPUTS = {
        "quotas": {"a": 2, "b": 1},
        "strata": {"a": [5, 3, 9, 1], "b": [7]},
        "team_size": 2,
        "experts_per_team": 1,
        "inspectors": [10, 11, 12],
        "experts": {"20": [1], "21": [1, 2], "22": [2]},
        "enterprise_industry": {"1": 1, "3": 1, "5": 1, "9": 1, "7": 2},
        "blocked": {"7": {"users": [10], "experts": [21]}},
    }

    def test_it_is_a_function_of_inputs_and_seed(self):
        first = draws.draw(self.INPUTS, "abc")
        self.assertEqual(first, draws.draw(self.INPUTS, "abc"))
        # the candidate order as stored does not matter: pools are sorted by id
        shuffled = {**self.INPUTS, "strata": {"a": [9, 1, 5, 3], "b": [7]}, "inspectors": [12, 10, 11]}
        self.assertEqual(first, draws.draw(shuffled, "abc"))
        self.assertEqual([t["stratum"] for t in first["teams"]], ["a", "a", "b"])
        seven = first["teams"][2]
        self.assertEqual(seven["enterprise"], 7)
        self.assertNotIn(10, seven["inspectors"])
        self.assertEqual(sorted(seven["inspectors"]), [11, 12])
        self.assertEqual(seven["experts"], [22])  # 21 blocked, 20 not in the industry
        for team in first["teams"]:
            self.assertEqual(len(set(team["inspectors"])), 2)

    def test_it_differs_with_another_seed(self):
        results = {str(draws.draw(self.INPUTS, seed)["teams"]) for seed in ("1", "2", "3", "4", "5")}
        self.assertGreater(len(results), 1)

    def test_it_refuses_bad_inputs(self):
        for inputs, seed, code in (
            (self.INPUTS, "x" * 65, "seed"),
            ({**self.INPUTS, "quotas": {"a": 5}}, "s", "quota"),
            ({**self.INPUTS, "strata": {"a": [], "b": []}}, "s", "empty"),
            ({**self.INPUTS, "team_size": 4}, "s", "inspectors"),
            ({**self.INPUTS, "experts_per_team": 3}, "s", "experts"),
        ):
            with self.assertRaises(draws.DrawError) as caught:
                draws.draw(inputs, seed)
            self.assertEqual(caught.exception.code, code)


class DrawServiceTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_pool(cls)

    def draw(self, plan, seed="lottery-2026-031", actor=None):
        return draws.plan_draw(actor=actor or self.alice, plan=plan, seed=seed, today=TODAY)

    def test_same_seed_gives_same_result_and_verify_confirms_after_reload(self):
        plan = make_plan(self)
        first = dict(self.draw(plan).result)
        again = self.draw(plan).result
        self.assertEqual(first["teams"], again["teams"])
        plan = InspectionPlan.objects.get(pk=plan.pk)
        self.assertEqual(plan.seed, "lottery-2026-031")
        same, rerun = draws.plan_verify(plan)
        self.assertTrue(same)
        self.assertEqual(rerun["teams"], plan.result["teams"])
        # tampering with the stored result is caught
        plan.result["teams"][0]["inspectors"] = [self.bob.pk, self.dave.pk]
        self.assertFalse(draws.plan_verify(plan)[0])
        event = AuditEvent.objects.filter(action="inspection_plan.draw").order_by("-seq").first()
        self.assertEqual(event.data["seed"], "lottery-2026-031")
        self.assertEqual(event.data["counts"]["enterprises"], 4)

    def test_a_different_seed_gives_a_different_result(self):
        plan = make_plan(self)
        results = {str(self.draw(plan, seed=s).result["teams"]) for s in ("1", "2", "3", "4")}
        self.assertGreater(len(results), 1)

    def test_a_random_seed_is_generated_and_stored_when_none_is_typed(self):
        plan = self.draw(make_plan(self), seed="")
        self.assertEqual(len(plan.seed), 16)
        self.assertTrue(draws.plan_verify(plan)[0])

    def test_quotas_per_stratum_are_respected(self):
        plan = self.draw(make_plan(self))
        teams = plan.result["teams"]
        self.assertEqual(sum(t["stratum"] == "hazchem" for t in teams), 3)
        self.assertEqual(sum(t["stratum"] == "construction" for t in teams), 1)
        hazchem_ids = {e.pk for e in self.hazchem} | {self.enterprise_a.pk}
        for team in teams:
            if team["stratum"] == "hazchem":
                self.assertIn(team["enterprise"], hazchem_ids)
        self.assertEqual(len({t["enterprise"] for t in teams}), 4)
        self.assertEqual(plan.inputs["strata"]["hazchem"], sorted(hazchem_ids))
        # one total under "*"
        plan = self.draw(make_plan(self, quotas="*=6"))
        self.assertEqual(len(plan.result["teams"]), 6)

    def test_own_staff_conflicts_and_expired_credentials_are_excluded(self):
        target = self.enterprise_a_construction
        col0, col1, col2, col3 = self.colleagues
        Conflict.objects.create(user=col0, enterprise=target, reason="近亲属任该企业负责人")
        col1.enterprise = target  # employed by it
        col1.save()
        expired = InspectorCredential.objects.get(user=col2)
        expired.valid_until = TODAY  # expires before the plan starts
        expired.save()
        Conflict.objects.create(expert=self.expert_build, enterprise=target, reason="曾为该企业做安全评价")
        other = Expert.objects.create(name="建专家二", region=self.county_a, enterprise=target)
        other.specialties.set([target.industry])
        third = Expert.objects.create(name="建专家三", region=self.county_a)
        third.specialties.set([target.industry])
        plan = make_plan(self, quotas={"construction": 1}, experts_per_team=1)
        for seed in ("a", "b", "c"):
            plan = self.draw(plan, seed=seed)
            team = plan.result["teams"][0]
            self.assertEqual(team["enterprise"], target.pk)
            self.assertEqual(sorted(team["inspectors"]), sorted([self.alice.pk, col3.pk]))
            self.assertEqual(team["experts"], [third.pk])
        self.assertIn(col2.pk, plan.inputs["excluded"]["uncertified"])
        self.assertNotIn(col2.pk, plan.inputs["inspectors"])
        blocked = plan.inputs["blocked"][str(target.pk)]
        self.assertEqual(blocked["users"], sorted([col0.pk, col1.pk]))
        self.assertEqual(blocked["experts"], sorted([self.expert_build.pk, other.pk]))

    def test_a_supervision_plan_needs_no_credential(self):
        InspectorCredential.objects.filter(user__in=self.colleagues).delete()
        plan = self.draw(make_plan(self, kind="supervision", team_size=3))
        self.assertEqual(len(plan.inputs["inspectors"]), 5)

    def test_recently_inspected_enterprises_are_excluded(self):
        recent, old = self.hazchem[0], self.hazchem[1]
        for enterprise, days in ((recent, 20), (old, 200)):
            Inspection.objects.create(
                number=f"JC-T-{enterprise.pk}",
                enterprise=enterprise,
                region=enterprise.region,
                industry=enterprise.industry,
                unit=self.unit_office_a,
                status="completed",
                date=TODAY - timedelta(days=days),
            )
        plan = self.draw(make_plan(self, exclude_days=90))
        self.assertEqual(plan.inputs["excluded"]["recent"], [recent.pk])
        self.assertNotIn(recent.pk, plan.inputs["strata"]["hazchem"])
        self.assertIn(old.pk, plan.inputs["strata"]["hazchem"])
        self.assertNotIn(recent.pk, [t["enterprise"] for t in plan.result["teams"]])

    def test_filters_narrow_the_pool(self):
        for enterprise in self.hazchem[:3]:
            enterprise.high_risk = True
            enterprise.save()
        self.hazchem[3].status = "closed"
        self.hazchem[3].save()
        plan = self.draw(make_plan(self, quotas="hazchem=2", industries=["hazchem"], high_risk="1"))
        self.assertEqual(plan.inputs["strata"]["hazchem"], sorted(e.pk for e in self.hazchem[:3]))
        plan = self.draw(make_plan(self, quotas="*=2", industries=["hazchem"]))
        self.assertNotIn(self.hazchem[3].pk, plan.inputs["strata"]["*"])

    def assertRefused(self, plan, message, seed="s1", **kwargs):
        audits = AuditEvent.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            self.draw(plan, seed=seed, **kwargs)
        self.assertIn(message, caught.exception.message)
        plan.refresh_from_db()
        self.assertIsNone(plan.drawn_at)
        self.assertEqual((plan.seed, plan.inputs, plan.result), ("", {}, {}))
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_refusals_write_nothing(self):
        self.assertRefused(make_plan(self, quotas="mining=1"), "没有符合条件的企业")
        self.assertRefused(make_plan(self, quotas="construction=5"), "“建筑施工”应抽取 5 家，但符合条件的企业只有 1 家")
        self.assertRefused(make_plan(self, team_size=6), "检查人员只有 5 名")
        self.assertRefused(make_plan(self), "随机种子最多 64 个字符", seed="9" * 65)
        self.assertRefused(make_plan(self, experts_per_team=2), "专家只有 1 名")
        InspectorCredential.objects.filter(user__in=self.colleagues).update(valid_until=TODAY - timedelta(days=1))
        self.assertRefused(make_plan(self), "检查人员只有 1 名")

    def test_a_confirmed_plan_is_not_drawn_again(self):
        from zhiben.inspections.plan_services import plan_confirm

        plan = self.draw(make_plan(self))
        plan_confirm(actor=self.alice, plan=plan)
        with self.assertRaisesMessage(ApplicationError, "已确认，不能重新抽取"):
            self.draw(plan)

    def test_only_the_plans_unit_draws(self):
        plan = make_plan(self, region=self.town_a1.code, quotas="hazchem=1")
        # erin (another unit) sees the plan (it lies in her town) but cannot draw it
        with self.assertRaises(ApplicationError) as caught:
            self.draw(plan, actor=self.erin)
        self.assertEqual(caught.exception.code, "forbidden")
        plan.refresh_from_db()
        self.assertIsNone(plan.drawn_at)
        from zhiben.core.exceptions import ScopeError

        with self.assertRaises(ScopeError):
            self.draw(plan, actor=self.charlie)
