"""Coverage figures against a hand-counted fixture (county A, year 2026), by region, industry and year,
with the lists of who is missing; the same numbers through the registered Figures; scope."""

from datetime import date
from decimal import Decimal
from urllib.parse import unquote

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.core.registry import entry
from zhiben.testing import make_enterprise, make_region, sheet_rows

from .. import selectors, services
from .helpers import TrainingCase

D = Decimal


class CoverageFixture(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.alice
        cls.enterprise_c = make_enterprise(cls.town_a2, "hazchem", name="青木关化工")
        cls.enterprise_d = make_enterprise(cls.village_a1, "machinery", name="凤凰机械")  # not a key industry
        cls.enterprise_e = make_enterprise(cls.village_a1, "hazchem", name="已关闭化工", status="closed")
        # 主要负责人
        p_a = cls.person("甲总", cls.enterprise_a, "principal", actor=a)
        p_con = cls.person("建总", cls.enterprise_a_construction, "principal", actor=a)
        p_c = cls.person("青总", cls.enterprise_c, "principal", actor=a)
        p_d = cls.person("机总", cls.enterprise_d, "principal", actor=a)
        this_year = cls.session("principal", date(2026, 3, 1), actor=a, has_exam="1")
        last_year = cls.session("principal", date(2025, 11, 1), actor=a)
        services.attendance_add(actor=a, session=this_year, person=p_a, result="passed", score=90)
        services.attendance_add(actor=a, session=this_year, person=p_con, result="failed", score=50)
        services.attendance_add(actor=a, session=this_year, person=p_d, result="passed")
        services.attendance_add(actor=a, session=last_year, person=p_c)
        # 特种作业人员: 1 of 4 certified
        w1 = cls.person("电工一", cls.enterprise_a, category="electrical", actor=a)
        w2 = cls.person("电工二", cls.enterprise_a, category="electrical", actor=a)
        w3 = cls.person("焊工三", cls.enterprise_a_construction, category="welding", actor=a)
        w4 = cls.person("高处四", cls.enterprise_c, category="height", actor=a)
        w5 = cls.person("普通五", cls.enterprise_a, actor=a)
        cls.certificate(w1, "C1", date(2022, 1, 1), date(2028, 1, 1), actor=a)
        cls.certificate(w2, "C2", date(2019, 1, 1), date(2025, 6, 30), actor=a)  # expired
        special = cls.session("special", date(2026, 4, 1), actor=a, enterprise=cls.enterprise_a, has_exam="1")
        services.attendance_add(actor=a, session=special, person=w1, result="passed")
        services.attendance_add(actor=a, session=special, person=w2, result="failed")
        services.attendance_add(actor=a, session=special, person=w3, score=85)  # passed by the pass mark
        services.attendance_add(actor=a, session=special, person=w4, score=60)  # failed by the pass mark
        services.attendance_add(actor=a, session=special, person=w5)  # no exam: not counted
        services.attendance_add(
            actor=a, session=special, person=cls.person("缺课六", cls.enterprise_a, actor=a), attended=False
        )
        # officials and law-enforcement officers
        o1 = cls.person("书记一", kind="official", unit=cls.unit_office_a, actor=a)
        o2 = cls.person("区长二", kind="official", unit=cls.unit_office_a, actor=a)
        o3 = cls.person("副区长三", kind="official", unit=cls.unit_office_a, actor=a)
        e1 = cls.person("执法一", kind="enforcement", unit=cls.unit_emergency_a1, actor=a)
        e2 = cls.person("执法二", kind="enforcement", unit=cls.unit_emergency_a1, actor=a)
        lead = cls.session("official", date(2026, 5, 1), actor=a)
        lead_old = cls.session("official", date(2025, 5, 1), actor=a)
        law = cls.session("enforcement", date(2026, 5, 2), actor=a)
        services.attendance_add(actor=a, session=lead, person=o1)
        services.attendance_add(actor=a, session=lead, person=o2)
        services.attendance_add(actor=a, session=lead, person=e2)  # an official session: not the enforcement one
        services.attendance_add(actor=a, session=lead_old, person=o3)
        services.attendance_add(actor=a, session=law, person=e1)
        # county B: one key-industry enterprise, nobody trained
        cls.person("西彭总", cls.enterprise_b, "principal", actor=cls.charlie)

    def figure(self, key, user=None, **filters):
        return selectors.coverage(key, user or self.alice, **{"year": 2026, **filters})


class CoverageTests(CoverageFixture):
    def test_principal_coverage(self):
        f = self.figure("training.principal_coverage")
        self.assertEqual((f.numerator, f.denominator, f.value), (1, 3, D("33.3")))
        self.assertEqual({e.name for e in f.missing}, {"凤凰建设有限公司", "青木关化工"})

    def test_principal_coverage_by_region_industry_year(self):
        self.assertEqual(self.figure("training.principal_coverage", region_code=self.village_a1.code).value, D("100.0"))
        self.assertEqual(self.figure("training.principal_coverage", region_code=self.town_a1.code).value, D("50.0"))
        self.assertEqual(self.figure("training.principal_coverage", region_code=self.town_a2.code).value, D("0.0"))
        self.assertEqual(self.figure("training.principal_coverage", industry="construction").value, D("0.0"))
        self.assertEqual(self.figure("training.principal_coverage", industry="machinery").value, None)
        f = self.figure("training.principal_coverage", year=2025)
        self.assertEqual((f.numerator, f.denominator), (1, 3))
        self.assertEqual({e.name for e in f.missing}, {"凤凰化工有限公司", "凤凰建设有限公司"})

    def test_key_industries_are_a_rule(self):
        from zhiben.core.services import rule_save

        rule_save(
            actor=self.alice,
            key="training.key_industries",
            region_code=self.county_a.code,
            value=["hazchem", "construction", "machinery"],
        )
        f = self.figure("training.principal_coverage", region_code=self.county_a.code)
        self.assertEqual((f.numerator, f.denominator), (2, 4))

    def test_certified_share(self):
        f = self.figure("training.certified_share")
        self.assertEqual((f.numerator, f.denominator, f.value), (1, 4, D("25.0")))
        self.assertEqual({p.name for p in f.missing}, {"电工二", "焊工三", "高处四"})
        # at the end of 2024 the second electrician's certificate was still valid
        self.assertEqual(self.figure("training.certified_share", year=2024).numerator, 2)

    def test_pass_rate(self):
        f = self.figure("training.pass_rate")
        self.assertEqual((f.numerator, f.denominator, f.value), (4, 7, D("57.1")))
        self.assertEqual({a.person.name for a in f.missing}, {"建总", "电工二", "高处四"})
        self.assertEqual(self.figure("training.pass_rate", industry="construction").value, D("50.0"))
        # by where the people are, wherever the session was held (all sessions are the county's)
        f = self.figure("training.pass_rate", region_code=self.town_a1.code)
        self.assertEqual((f.numerator, f.denominator, f.value), (4, 6, D("66.7")))
        self.assertEqual(self.figure("training.pass_rate", region_code=self.town_a2.code).value, D("0.0"))

    def test_officials_and_enforcement(self):
        f = self.figure("training.officials_trained")
        self.assertEqual((f.numerator, f.denominator, f.value), (2, 3, D("66.7")))
        self.assertEqual([p.name for p in f.missing], ["副区长三"])
        f = self.figure("training.enforcement_trained")
        self.assertEqual((f.numerator, f.denominator, f.value), (1, 2, D("50.0")))
        self.assertEqual([p.name for p in f.missing], ["执法二"])

    def test_scope(self):
        f = self.figure("training.principal_coverage", user=self.charlie)
        self.assertEqual((f.numerator, f.denominator), (0, 1))
        self.assertEqual(self.figure("training.officials_trained", user=self.charlie).value, None)
        # a department sees its industries only (hazchem and machinery)
        f = self.figure("training.principal_coverage", user=self.erin)
        self.assertEqual((f.numerator, f.denominator), (1, 1))

    def test_registered_figures(self):
        expected = {
            "training.principal_coverage": D("33.3"),
            "training.certified_share": D("25.0"),
            "training.pass_rate": D("57.1"),
            "training.officials_trained": D("66.7"),
            "training.enforcement_trained": D("50.0"),
        }
        for key, value in expected.items():
            figure = entry("figures", key)
            self.assertEqual(figure.compute(self.alice, {"year": "2026"}), value, key)
            self.assertIn("year=2026", figure.url({"year": "2026"}))
        self.assertEqual(
            entry("figures", "training.principal_coverage").compute(
                self.alice, {"year": "2026", "region": self.town_a1.code}
            ),
            D("50.0"),
        )

    def test_pages(self):
        client = self.login(self.alice)
        page = client.get(reverse("training:coverage"), {"year": 2026})
        self.assertContains(page, "33.3%")
        self.assertContains(page, "66.7%")
        page = client.get(reverse("training:coverage_detail", args=["training.principal_coverage"]), {"year": 2026})
        self.assertContains(page, "青木关化工")
        self.assertNotContains(page, "凤凰化工有限公司")
        export = client.get(reverse("training:coverage_export", args=["training.certified_share"]), {"year": 2026})
        self.assertEqual(export.status_code, 200)
        self.assertEqual(client.get(reverse("training:coverage_detail", args=["nope"])).status_code, 404)
        # another county's region: 404
        page = client.get(reverse("training:coverage"), {"region": self.county_b.code})
        self.assertEqual(page.status_code, 404)
        self.assertEqual(client.get(reverse("training:coverage"), {"region": "500107"}).status_code, 404)
        # text that is no region code (a hand-edited address): the whole jurisdiction, its region picked from a list
        whole = client.get(reverse("training:coverage"), {"region": "abc"})
        self.assertEqual(whole.status_code, 200)
        self.assertContains(whole, f'<option value="{self.town_a1.code}">')
        # a town of her county, by its short or full code
        for code in ("500106104", self.town_a2.code):
            page = client.get(reverse("training:coverage"), {"region": code, "year": 2026})
            self.assertEqual(page.status_code, 200)
            self.assertContains(page, "0 / 1")

    def test_the_page_exported_as_excel(self):
        client = self.login(self.alice)
        page = client.get(reverse("training:coverage"), {"year": 2026, "region": self.town_a1.code})
        self.assertContains(page, f"?year=2026&amp;region={self.town_a1.code}&amp;export=1")
        export = client.get(reverse("training:coverage"), {"year": 2026, "export": 1})
        self.assertIn("培训覆盖率_沙坪坝区_2026年.xlsx", unquote(export["Content-Disposition"]))
        rows = [tuple(v for v in row if v is not None) for row in sheet_rows(export)]
        self.assertEqual(rows[:2], [("培训覆盖率",), ("沙坪坝区，2026年",)])
        self.assertEqual(rows[4], ("指标", "数值", "已覆盖", "应覆盖", "未覆盖", "未覆盖的是"))
        figures = {row[0]: row[1:5] for row in rows[5:]}
        f = self.figure("training.principal_coverage")
        self.assertEqual(figures[f.label], ("33.3%", 1, 3, 2))
        self.assertEqual(figures[self.figure("training.certified_share").label], ("25.0%", 1, 4, 3))
        rows = sheet_rows(
            client.get(
                reverse("training:coverage"),
                {"year": 2026, "region": "500106105", "industry": "construction", "export": 1},
            )
        )
        self.assertEqual(rows[1][0], "凤凰镇，建筑施工，2026年")
        self.assertEqual(
            client.get(reverse("training:coverage"), {"region": self.county_b.code, "export": 1}).status_code, 404
        )
        self.assertEqual(AuditEvent.objects.filter(action="training.export", actor=self.alice).count(), 2)

    def test_region_in_any_code_form(self):
        short = self.figure("training.principal_coverage", region_code="500106105")
        self.assertEqual((short.numerator, short.denominator), (1, 2))
        self.assertEqual(self.figure("training.principal_coverage", region_code="no-code").denominator, 0)
        self.assertEqual(
            entry("figures", "training.certified_share").compute(self.alice, {"year": "2026", "region": "500106"}),
            D("25.0"),
        )


class BreakdownAndPeriodTests(CoverageFixture):
    """The registered figures: section, unit, direction; the breakdown by child region and by industry
    equals compute() of each child (hand counts of the fixture above), in a few queries; a period narrower
    than a year narrows the pass rate and moves the certified share's day."""

    def filters(self, **extra):
        return {"region": self.county_a.code, "year": "2026", **extra}

    def test_registration(self):
        for key in selectors.COVERAGES:
            figure = entry("figures", key)
            self.assertEqual((figure.group, figure.unit, figure.better), ("教育培训", "%", "higher"), key)
            self.assertIsNotNone(figure.breakdown, key)

    def test_by_child_region_equals_compute_per_child(self):
        expected = {
            "training.principal_coverage": {self.town_a1.code: D("50.0"), self.town_a2.code: D("0.0")},
            "training.certified_share": {self.town_a1.code: D("33.3"), self.town_a2.code: D("0.0")},
            "training.pass_rate": {self.town_a1.code: D("66.7"), self.town_a2.code: D("0.0")},
            # the county's own leaders sit on the county's node, not in a town
            "training.officials_trained": {
                self.town_a1.code: None,
                self.town_a2.code: None,
                self.county_a.code: D("66.7"),
            },
            "training.enforcement_trained": {self.town_a1.code: D("50.0"), self.town_a2.code: None},
        }
        empty = [make_region(f"500106{n}", f"空镇{n}") for n in (201, 202, 203)]  # more children, no more queries
        for key, values in expected.items():
            figure = entry("figures", key)
            with CaptureQueriesContext(connection) as queries:
                found = figure.breakdown(self.alice, self.filters(), "region")
            self.assertLessEqual(len(queries), 4, key)  # children, rules, the census and the records
            if "" in found:  # the whole from the same counts
                self.assertEqual(found.pop(""), figure.compute(self.alice, self.filters()), key)
            self.assertEqual(found, values | {town.code: None for town in empty}, key)
            for child in (self.town_a1, self.town_a2, *empty):
                self.assertEqual(found[child.code], figure.compute(self.alice, self.filters(region=child.code)), key)

    def test_by_industry_equals_compute_per_industry(self):
        for key in ("training.principal_coverage", "training.certified_share", "training.pass_rate"):
            figure = entry("figures", key)
            found = figure.breakdown(self.alice, self.filters(), "industry")
            for industry in ("hazchem", "construction", "machinery", "mining"):
                self.assertEqual(found[industry], figure.compute(self.alice, self.filters(industry=industry)), key)
        principal = entry("figures", "training.principal_coverage").breakdown(self.alice, self.filters(), "industry")
        self.assertEqual(
            (principal["hazchem"], principal["construction"], principal["machinery"]), (D("50.0"), D("0.0"), None)
        )
        self.assertEqual(
            entry("figures", "training.officials_trained").breakdown(self.alice, self.filters(), "industry"), {}
        )

    def test_a_child_rule_of_key_industries_is_its_own(self):
        from zhiben.core.services import rule_save

        rule_save(actor=self.alice, key="training.key_industries", region_code=self.town_a2.code, value=["machinery"])
        figure = entry("figures", "training.principal_coverage")
        found = figure.breakdown(self.alice, self.filters(), "region")
        self.assertEqual(found[self.town_a2.code], figure.compute(self.alice, self.filters(region=self.town_a2.code)))
        self.assertIsNone(found[self.town_a2.code])  # 青木关镇 counts machinery only: it has none

    def test_scope_in_the_breakdown(self):
        figure = entry("figures", "training.principal_coverage")
        # a department sees its industries only (hazchem, machinery): 凤凰化工 trained, 青木关化工 not visible to erin
        self.assertEqual(
            figure.breakdown(self.erin, {"region": self.town_a1.code, "year": "2026"}, "region"),
            {self.village_a1.code: D("100.0"), self.village_a2.code: None, "": D("100.0")},
        )
        self.assertEqual(
            figure.breakdown(self.charlie, self.filters(region=self.county_b.code), "region"),
            {self.town_b1.code: D("0.0"), "": D("0.0")},
        )

    def test_a_period_narrower_than_a_year(self):
        pass_rate = entry("figures", "training.pass_rate")
        self.assertEqual(pass_rate.compute(self.alice, self.filters(start="2026-01-01", end="2026-03-31")), D("66.7"))
        self.assertEqual(pass_rate.compute(self.alice, self.filters(start="2026-04-01", end="2026-06-30")), D("50.0"))
        q2 = pass_rate.breakdown(self.alice, self.filters(start="2026-04-01", end="2026-06-30"), "region")
        self.assertEqual((q2[self.town_a1.code], q2[self.town_a2.code]), (D("66.7"), D("0.0")))
        certified = entry("figures", "training.certified_share")
        # the second electrician's certificate ran to 30 June 2025
        self.assertEqual(
            certified.compute(self.alice, {"year": "2025", "start": "2025-01-01", "end": "2025-06-30"}), D("50.0")
        )
        self.assertEqual(
            certified.compute(self.alice, {"year": "2025", "start": "2025-01-01", "end": "2025-07-01"}), D("25.0")
        )
        # a yearly duty counts its whole year whatever part of it is asked for
        principal = entry("figures", "training.principal_coverage")
        self.assertEqual(principal.compute(self.alice, self.filters(start="2026-07-01", end="2026-09-30")), D("33.3"))
        self.assertIn(
            "start=2026-04-01&end=2026-06-30", pass_rate.url(self.filters(start="2026-04-01", end="2026-06-30"))
        )
        page = self.login(self.alice).get(pass_rate.url(self.filters(start="2026-04-01", end="2026-06-30")))
        self.assertContains(page, "培训考核合格率：50.0%")
