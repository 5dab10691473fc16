"""Drills: duty compliance at half-year boundaries (moved clock), construction rates against hand counts,
reminders, bad input, photos, scope."""

from datetime import date, timedelta
from types import SimpleNamespace
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.registry import registry
from zhiben.core.services import rule_save
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Region
from zhiben.testing import CastTestCase, make_enterprise

from .. import services
from ..models import Drill, DrillPhoto, RescueTeam
from ..selectors import compliance, rates


def drill(actor, enterprise, day, **extra):
    return services.drill_save(
        actor=actor,
        data={
            "enterprise": enterprise.pk,
            "kind": "onsite",
            "held_on": day.isoformat(),
            "participants": "8",
            "scenario": "泄漏处置",
            **extra,
        },
    )


class DrillCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Enterprise.objects.filter(pk=cls.enterprise_a.pk).update(high_risk=True)
        cls.enterprise_a.refresh_from_db()


@mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 31))
class ComplianceTests(DrillCase):
    def rows(self, day):
        return {r.enterprise.pk: r for r in compliance(self.alice, day=day).rows}

    def test_half_year_boundaries(self, _):
        drill(self.alice, self.enterprise_a, date(2026, 6, 30))  # last day of H1
        drill(self.alice, self.enterprise_a_construction, date(2026, 3, 1))
        # high-risk: H1 met on 30 June; from 1 July a new half-year starts, unmet
        rows = self.rows(date(2026, 6, 30))
        self.assertTrue(rows[self.enterprise_a.pk].done)
        self.assertEqual(rows[self.enterprise_a.pk].label, "2026年上半年")
        rows = self.rows(date(2026, 7, 1))
        self.assertFalse(rows[self.enterprise_a.pk].done)
        self.assertEqual(
            (rows[self.enterprise_a.pk].start, rows[self.enterprise_a.pk].end), (date(2026, 7, 1), date(2026, 12, 31))
        )
        # the ordinary enterprise: yearly, met all year by the March drill
        self.assertTrue(rows[self.enterprise_a_construction.pk].done)
        self.assertEqual(rows[self.enterprise_a_construction.pk].label, "2026年")
        # a drill on 1 July counts for H2, not H1
        drill(self.alice, self.enterprise_a, date(2026, 7, 1))
        self.assertTrue(self.rows(date(2026, 12, 31))[self.enterprise_a.pk].done)
        result = compliance(self.alice, day=date(2027, 1, 1))
        self.assertEqual((result.done, result.total), (0, 2))
        self.assertEqual(
            {r.enterprise.pk for r in result.missing}, {self.enterprise_a.pk, self.enterprise_a_construction.pk}
        )

    def test_period_is_a_rule(self, _):
        rule_save(actor=self.alice, key="drills.high_risk_period_months", region_code=self.county_a.code, value=3)
        drill(self.alice, self.enterprise_a, date(2026, 2, 1))
        self.assertTrue(self.rows(date(2026, 3, 31))[self.enterprise_a.pk].done)
        self.assertFalse(self.rows(date(2026, 4, 1))[self.enterprise_a.pk].done)

    def test_page_and_export(self, _):
        drill(self.alice, self.enterprise_a, date(2026, 11, 1))
        client = self.login(self.alice)
        page = client.get("/drills/compliance/?missing=1")
        self.assertContains(page, self.enterprise_a_construction.name)
        self.assertNotContains(page, self.enterprise_a.name)
        self.assertEqual(client.get("/drills/compliance/export/").status_code, 200)

    def test_rows_read_a_page_at_a_time_with_each_place_on_its_own_period(self, _):
        # town A2 runs quarterly periods for high-risk enterprises, the rest of county A half-years: the database
        # finds each enterprise's latest drill inside its own period, as the figures count it
        rule_save(actor=self.alice, key="drills.high_risk_period_months", region_code=self.town_a2.code, value=3)
        village_a2b = Region.objects.filter(parent=self.town_a2).first() or self.town_a2
        quarterly = make_enterprise(village_a2b, "hazchem", name="双桥化工有限公司", high_risk=True)
        late = make_enterprise(self.village_a2, "construction", name="双碑建材有限公司")
        drill(self.alice, quarterly, date(2026, 8, 20))  # in H2, not in Q4: missing
        drill(self.alice, self.enterprise_a, date(2026, 8, 20))  # high-risk half-year: done
        drill(self.alice, late, date(2026, 12, 30))
        drill(self.alice, self.enterprise_a_construction, date(2026, 3, 1))
        result = compliance(self.alice, day=date(2026, 12, 31))
        rows = {r.enterprise.pk: r for r in result.rows}
        self.assertEqual(
            {pk: (r.done, r.start, r.last) for pk, r in rows.items()},
            {
                self.enterprise_a.pk: (True, date(2026, 7, 1), date(2026, 8, 20)),
                self.enterprise_a_construction.pk: (True, date(2026, 1, 1), date(2026, 3, 1)),
                quarterly.pk: (False, date(2026, 10, 1), None),
                late.pk: (True, date(2026, 1, 1), date(2026, 12, 30)),
            },
        )
        self.assertEqual((result.done, result.total, len(result.missing)), (3, 4, 1))
        self.assertEqual([r.enterprise.pk for r in result.missing], [quarterly.pk])
        # by latest drill, none first; one page of two, then the second
        by_last = result.listed(by_last=True)
        self.assertEqual(
            [r.enterprise.pk for r in by_last],
            [quarterly.pk, self.enterprise_a_construction.pk, self.enterprise_a.pk, late.pk],
        )
        self.assertEqual([r.enterprise.pk for r in by_last[2:4]], [self.enterprise_a.pk, late.pk])
        client = self.login(self.alice)
        page = client.get("/drills/compliance/?day=2026-12-31&sort=last&per_page=20")
        names = [quarterly.name, self.enterprise_a_construction.name, self.enterprise_a.name, late.name]
        body = page.content.decode()
        self.assertEqual(sorted(names, key=body.index), names)
        self.assertContains(page, "本周期已演练 <strong>3</strong> / 4（75.0%）")
        missing = client.get("/drills/compliance/?day=2026-12-31&missing=1")
        self.assertContains(missing, quarterly.name)
        self.assertNotContains(missing, late.name)

    def test_duty_reminder_on_a_moved_clock(self, _):
        from zhiben.notifications.models import Notification
        from zhiben.notifications.reminders import remind_deadlines

        # the high-risk 凤凰化工's first half-year ends 30 June: reminded 30 days before (rule), once
        self.assertEqual(remind_deadlines("drills.duty", today=date(2026, 5, 30)), 0)
        self.assertEqual(remind_deadlines("drills.duty", today=date(2026, 5, 31)), 1)
        self.assertEqual(remind_deadlines("drills.duty", today=date(2026, 6, 10)), 0)
        note = Notification.objects.get(recipient=self.emma)
        self.assertIn("周期截止 2026-06-30（还有 30 天）", note.body)
        # the second half-year: its July drill spares it; the yearly ones are reminded of 31 December (the
        # construction company has no user of its own: its county 安委办; 西彭化工: county B's)
        drill(self.alice, self.enterprise_a, date(2026, 7, 5))
        self.assertEqual(remind_deadlines("drills.duty", today=date(2026, 12, 1)), 2)
        self.assertEqual(Notification.objects.filter(recipient=self.emma).count(), 1)
        self.assertIn("周期截止 2026-12-31（还有 30 天）", Notification.objects.get(recipient=self.alice).body)
        self.assertTrue(Notification.objects.filter(recipient=self.charlie, body__contains="西彭化工").exists())


@mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 31))
class ComplianceFigureTests(DrillCase):
    """The compliance figure judged on its period's last day, and its breakdown by child region and by
    industry equal to the figure of each child (hand counts on 1 July 2026)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.enterprise_c = make_enterprise(cls.town_a2, "machinery", name="青木关机械")
        drill(cls.alice, cls.enterprise_a, date(2026, 6, 30))  # high-risk: the first half-year only
        drill(cls.alice, cls.enterprise_a_construction, date(2026, 3, 1))  # yearly: all 2026

    def test_registration(self, _):
        for key in (
            "drills.compliance",
            "drills.town_team_rate",
            "drills.village_station_rate",
            "drills.industry_team_rate",
        ):
            figure = registry["figures"][key]
            self.assertEqual((figure.group, figure.unit, figure.better), ("应急演练与救援", "%", "higher"), key)
        self.assertIsNotNone(registry["figures"]["drills.compliance"].breakdown)

    def test_judged_on_the_period_end(self, _):
        figure = registry["figures"]["drills.compliance"]
        h1 = {"region": self.county_a.code, "year": "2026", "start": "2026-01-01", "end": "2026-06-30"}
        h2 = {**h1, "start": "2026-07-01", "end": "2026-12-31"}
        self.assertEqual(figure.compute(self.alice, h1), 66.7)  # 凤凰化工 and 凤凰建设 of 3
        self.assertEqual(figure.compute(self.alice, h2), 33.3)  # 凤凰建设 only: 凤凰化工 owes the second half
        self.assertEqual(figure.compute(self.alice, {"year": "2026"}), 33.3)
        self.assertIsNone(figure.compute(self.alice, {"year": "2027"}))  # not begun
        self.assertIn("day=2026-06-30", figure.url(h1))
        page = self.login(self.alice).get(figure.url(h1))
        self.assertContains(page, "本周期已演练 <strong>2</strong> / 3（66.7%）")

    def test_the_home_card_counts_what_the_compliance_page_lists(self, _):
        from zhiben.drills.hooks import home_cards
        from zhiben.drills.selectors import compliance

        for user in (self.alice, self.bob, self.erin, self.charlie):
            listed = compliance(user)
            cards = home_cards(user)
            if not listed.total:
                self.assertEqual(cards, [], user.username)
                continue
            self.assertEqual(cards[0]["value"], len(listed.missing), user.username)
        # an enterprise user reads its own standing: 凤凰化工 (high-risk) owes the second half-year's drill
        self.assertEqual([(c["label"], c["value"]) for c in home_cards(self.emma)], [("本周期应急演练", "未完成")])
        drill(self.alice, self.enterprise_a, date(2026, 7, 1))
        self.assertEqual([(c["value"], c["tone"]) for c in home_cards(self.emma)], [("已完成", "green")])

    def test_breakdown_equals_the_figure_per_child(self, _):
        figure = registry["figures"]["drills.compliance"]
        filters = {"region": self.county_a.code, "year": "2026", "start": "2026-07-01", "end": "2026-07-01"}
        found = figure.breakdown(self.alice, filters, "region")
        self.assertEqual(found, {self.town_a1.code: 50.0, self.town_a2.code: 0.0, "": 33.3})  # "": the whole
        self.assertEqual(found[""], figure.compute(self.alice, filters))
        for town in (self.town_a1, self.town_a2):
            self.assertEqual(found[town.code], figure.compute(self.alice, {**filters, "region": town.code}))
        by_industry = figure.breakdown(self.alice, filters, "industry")
        self.assertEqual(
            (by_industry["hazchem"], by_industry["construction"], by_industry["machinery"], by_industry["mining"]),
            (0.0, 100.0, 0.0, None),
        )
        for code in ("hazchem", "construction", "machinery", "mining"):
            self.assertEqual(by_industry[code], figure.compute(self.alice, {**filters, "industry": code}))
        # a village level: each village of 凤凰镇
        villages = figure.breakdown(self.alice, {**filters, "region": self.town_a1.code}, "region")
        self.assertEqual(villages, {self.village_a1.code: 0.0, self.village_a2.code: 100.0, "": 50.0})
        # scope: county B sees its own enterprise only
        self.assertEqual(
            figure.breakdown(self.charlie, {**filters, "region": self.county_b.code}, "region"),
            {self.town_b1.code: 0.0, "": 0.0},
        )


class RateTests(DrillCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        day = "2025-05-01"
        services.team_save(
            actor=cls.alice,
            data={
                "name": "凤凰镇救援队",
                "level": "town",
                "region": cls.town_a1.code,
                "members": "20",
                "established_on": day,
            },
        )
        services.station_save(
            actor=cls.alice, data={"name": "凤凰村站", "region": cls.village_a1.code, "established_on": day}
        )
        services.team_save(
            actor=cls.alice,
            data={
                "name": "危化队",
                "level": "industry",
                "industry": "hazchem",
                "region": cls.county_a.code,
                "members": "30",
                "established_on": day,
            },
        )
        services.team_save(
            actor=cls.charlie,
            data={
                "name": "西彭镇救援队",
                "level": "town",
                "region": cls.town_b1.code,
                "members": "10",
                "established_on": day,
            },
        )

    def test_hand_counted(self):
        found = {r.key: r for r in rates(self.alice, year=2026)}
        town = found["drills.town_team_rate"]
        self.assertEqual((town.have, town.total, town.value, town.missing), (1, 2, 50.0, ["青木关镇"]))
        self.assertFalse(town.met)  # target 100
        village = found["drills.village_station_rate"]
        self.assertEqual((village.have, village.total, village.missing), (1, 2, ["双碑村"]))
        industry = found["drills.industry_team_rate"]
        self.assertEqual((industry.have, industry.total, industry.value), (1, 5, 20.0))
        # a year before the teams were built: nothing
        self.assertEqual({r.key: r.have for r in rates(self.alice, year=2024)}["drills.town_team_rate"], 0)
        # the other county: its own town only
        other = {r.key: r for r in rates(self.charlie, year=2026)}["drills.town_team_rate"]
        self.assertEqual((other.have, other.total), (1, 1))
        # the city sees both counties: 2 of 3 towns
        city = {r.key: r for r in rates(self.bob, year=2026)}["drills.town_team_rate"]
        self.assertEqual((city.have, city.total), (2, 3))

    def test_each_child_region_from_one_read_equals_its_own_rates(self):
        source = registry["figure_sources"]["drills"]
        for user, region in ((self.bob, self.city), (self.alice, self.county_a), (self.alice, self.town_a1)):
            found = source.compute(user, {"region": region.code, "year": "2026"}, "region")
            children = list(Region.objects.filter(parent=region).values_list("code", flat=True))
            self.assertEqual(set(found), {"", *children})
            for group, code in [("", region.code), *((c, c) for c in children)]:
                expected = {r.key: r.value for r in rates(user, region=code, year=2026)}
                self.assertEqual(found[group], expected, group or region.name)
        self.assertEqual(source.compute(self.alice, {"year": "2026"}, "industry"), {})  # no industry breakdown

    def test_figures_registered(self):
        figure = registry["figures"]["drills.town_team_rate"]
        self.assertEqual(figure.compute(self.alice, {"year": "2026"}), 50.0)
        # teams count from the day they were established: the period's end decides
        self.assertEqual(figure.compute(self.alice, {"year": "2025", "start": "2025-01-01", "end": "2025-04-30"}), 0.0)
        self.assertEqual(figure.compute(self.alice, {"year": "2025", "start": "2025-01-01", "end": "2025-05-01"}), 50.0)
        self.assertIn("year=2025", figure.url({"year": "2025", "start": "2025-01-01", "end": "2025-05-01"}))

    def test_pages(self):
        client = self.login(self.alice)
        self.assertContains(client.get("/drills/rates/?year=2026"), "青木关镇")
        for year in ("²⁰²⁶", "9" * 25):  # str.isdigit() holds for "²", which int() refuses (a 500): this year's
            self.assertEqual(client.get("/drills/rates/", {"year": year}).context["year"], date.today().year)
        self.assertEqual(client.get("/drills/rates/export/").status_code, 200)
        page = client.get("/drills/teams/")
        self.assertContains(page, "凤凰镇救援队")
        self.assertNotContains(page, "西彭镇救援队")
        self.assertEqual(client.get("/drills/teams/export/").status_code, 200)

    def test_equipment_reminder(self):
        from zhiben.notifications.reminders import remind_deadlines

        team = RescueTeam.objects.get(name="凤凰镇救援队")
        today = date.today()
        services.equipment_save(
            actor=self.alice,
            data={
                "name": "呼吸器",
                "team": str(team.pk),
                "quantity": "4",
                "next_inspection_on": (today + timedelta(days=10)).isoformat(),
            },
        )
        self.assertEqual(remind_deadlines("drills.equipment", today=today), 1)


class InputAndScopeTests(DrillCase):
    def test_bad_input_names_fields_and_writes_nothing(self):
        with self.assertRaises(ApplicationError) as caught:
            services.drill_save(
                actor=self.alice,
                data={
                    "enterprise": self.enterprise_a.pk,
                    "kind": "nope",
                    "held_on": "2026-02-30",
                    "participants": "-1",
                    "scenario": "",
                },
            )
        message = caught.exception.message
        for word in ("演练类型", "演练日期", "参演人数", "演练情景"):
            self.assertIn(word, message)
        with self.assertRaises(ApplicationError) as caught:
            services.team_save(
                actor=self.alice,
                data={
                    "name": "x",
                    "level": "town",
                    "region": self.village_a1.code,
                    "members": "3",
                    "established_on": "2025-01-01",
                },
            )
        self.assertIn("镇级队伍的所属区划应为镇街", caught.exception.message)
        # str.isdigit() holds for "²", which int() refuses, and a count or an id past a column's range (a 500)
        for participants in ("²", "①", "9" * 25):
            with self.assertRaises(ApplicationError) as caught:
                drill(self.alice, self.enterprise_a, date(2026, 1, 5), participants=participants)
            self.assertIn(f"参演人数“{participants}”应为正整数", caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            drill(self.alice, SimpleNamespace(pk="²"), date(2026, 1, 5))
        self.assertIn("请选择企业", caught.exception.message)
        with self.assertRaises(ScopeError):
            drill(self.alice, SimpleNamespace(pk="9" * 25), date(2026, 1, 5))
        for team in ("²", "9" * 25):
            with self.assertRaises(ApplicationError) as caught:
                services.equipment_save(actor=self.alice, data={"name": "呼吸器", "team": team, "quantity": "²"})
            self.assertIn("请选择所属队伍或站点", caught.exception.message)
            self.assertIn("数量“²”应为正整数", caught.exception.message)
        self.assertEqual(drill(self.alice, self.enterprise_a, date(2026, 1, 5), participants="１２").participants, 12)
        Drill.objects.all().delete()
        self.assertFalse(Drill.objects.exists())
        self.assertFalse(RescueTeam.objects.exists())

    def test_bad_photo_writes_nothing(self):
        fake = SimpleUploadedFile("photo.jpg", b"not really an image", content_type="image/jpeg")
        with self.assertRaises(ApplicationError):
            services.drill_save(
                actor=self.alice,
                data={
                    "enterprise": self.enterprise_a.pk,
                    "kind": "onsite",
                    "held_on": "2026-01-05",
                    "participants": "5",
                    "scenario": "x",
                },
                photos=[fake],
            )
        self.assertFalse(Drill.objects.exists())
        self.assertFalse(DrillPhoto.objects.exists())

    def test_photo_stored_and_served(self):
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
        upload = SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")
        record = services.drill_save(
            actor=self.alice,
            data={
                "enterprise": self.enterprise_a.pk,
                "kind": "onsite",
                "held_on": "2026-01-05",
                "participants": "5",
                "scenario": "x",
            },
            photos=[upload],
        )
        photo = record.photos.get()
        # the page's form sends its photos (multipart)
        self.assertContains(self.login(self.alice).get("/drills/new/"), 'enctype="multipart/form-data"')
        self.assertEqual(self.login(self.alice).get(f"/drills/photos/{photo.pk}/").status_code, 200)
        self.assertEqual(self.login(self.charlie).get(f"/drills/photos/{photo.pk}/").status_code, 404)

    def test_other_county_is_404_and_form_message(self):
        other = drill(self.charlie, self.enterprise_b, date(2026, 1, 5))
        client = self.login(self.alice)
        self.assertEqual(client.get(f"/drills/{other.pk}/").status_code, 404)
        self.assertNotContains(client.get("/drills/"), self.enterprise_b.name)
        with self.assertRaises(ScopeError):
            drill(self.alice, self.enterprise_b, date(2026, 1, 5))
        response = client.post(
            "/drills/new/",
            {"enterprise": self.enterprise_a.pk, "kind": "onsite", "held_on": "", "participants": "3", "scenario": "x"},
        )
        self.assertContains(response, "请填写演练日期")
        self.assertEqual(Drill.objects.count(), 1)
        for url in ("/drills/", "/drills/export/", "/drills/?sort=held&kind=onsite", "/drills/compliance/"):
            self.assertEqual(client.get(url).status_code, 200, url)
        self.assertEqual(self.login(self.dave).post("/drills/new/", {}).status_code, 403)


class DemoTests(CastTestCase):
    def test_demo_loads_with_one_enterprise_and_one_town_missing(self):
        from zhiben.posts import demo as posts_demo
        from zhiben.posts.selectors import coverage

        from .. import demo

        demo.load()
        demo.load()  # idempotent
        self.assertIn("次演练", demo.summary())
        result = compliance(self.alice)
        self.assertEqual(len(result.missing), 1)
        town = {r.key: r for r in rates(self.alice)}["drills.town_team_rate"]
        self.assertEqual(len(town.missing), 1)
        posts_demo.load()
        rows = [r for r in coverage(self.alice).rows if r.posts]
        self.assertEqual(rows[0].posts, 2)
        self.assertEqual(rows[0].full, 1)
