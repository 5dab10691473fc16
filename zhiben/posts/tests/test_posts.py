"""Posts: versioning, bad input, coverage, the A6 card's QR code decoded from the rendered image, scope."""

import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from zhiben.core.exceptions import ApplicationError
from zhiben.core.registry import registry
from zhiben.testing import CastTestCase, make_enterprise

from .. import services
from ..models import Briefing, CardVersion, Post
from ..selectors import coverage

FOUR = ("risk", "duty", "operation", "emergency")


class PostsCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.post = services.post_save(actor=cls.alice, data={"enterprise": cls.enterprise_a.pk, "name": "储罐区操作工"})
        for kind in FOUR:
            services.card_save(
                actor=cls.alice, post=cls.post, kind=kind, data={"items": f"{kind} 第一条\n{kind} 第二条"}
            )
        cls.post_b = services.post_save(actor=cls.charlie, data={"enterprise": cls.enterprise_b.pk, "name": "西彭岗位"})
        services.card_save(actor=cls.charlie, post=cls.post_b, kind="emergency", data={"items": "乙县处置"})


class VersionTests(PostsCase):
    def test_new_version_supersedes_and_old_is_kept(self):
        card = services.card_save(
            actor=self.alice, post=self.post, kind="emergency", data={"items": "- 新的第一条\n新的第二条"}
        )
        self.assertEqual(card.version, 2)
        versions = CardVersion.objects.filter(post=self.post, kind="emergency").order_by("version")
        self.assertEqual([v.current for v in versions], [False, True])
        self.assertIsNotNone(versions[0].superseded_at)
        self.assertEqual(card.items, ["新的第一条", "新的第二条"])
        client = self.login(self.alice)
        old = client.get(f"/posts/versions/{versions[0].pk}/")
        self.assertContains(old, "此为历史版本")
        self.assertContains(old, "emergency 第一条")
        current = client.get(f"/posts/{self.post.pk}/cards/emergency/")
        self.assertContains(current, "第2版")
        self.assertContains(current, "新的第一条")

    def test_bad_input_names_the_field_and_writes_nothing(self):
        before = (CardVersion.objects.count(), Briefing.objects.count(), Post.objects.count())
        with self.assertRaises(ApplicationError) as caught:
            services.card_save(actor=self.alice, post=self.post, kind="emergency", data={"items": "  \n "})
        self.assertIn("岗位应急处置卡", caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            services.briefing_save(
                actor=self.alice,
                post=self.post,
                data={"held_on": "2026-13-45", "attendees": "", "content": "x", "recorder": "张三"},
            )
        self.assertIn("日期", caught.exception.message)
        self.assertIn("参会人员", caught.exception.message)
        # str.isdigit() holds for "²", which int() refuses (a 500), and a count past the column's range
        for count in ("²", "①", "9" * 25):
            with self.assertRaises(ApplicationError) as caught:
                services.briefing_save(
                    actor=self.alice,
                    post=self.post,
                    data={"held_on": "2026-01-05", "attendees": "张三", "content": "x", "attendee_count": count},
                )
            self.assertIn(f"参会人数“{count}”应为正整数", caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            services.post_save(actor=self.alice, data={"enterprise": self.enterprise_a.pk, "name": "储罐区操作工"})
        self.assertIn("岗位名称", caught.exception.message)
        self.assertEqual(before, (CardVersion.objects.count(), Briefing.objects.count(), Post.objects.count()))
        current = CardVersion.objects.get(post=self.post, kind="emergency", current=True)
        self.assertEqual(current.version, 1)

    def test_form_shows_the_message(self):
        response = self.login(self.alice).post(f"/posts/{self.post.pk}/briefing/", {"held_on": "", "content": ""})
        self.assertContains(response, "请填写班前会日期")
        response = self.client.post(f"/posts/{self.post.pk}/briefing/", {"held_on": "", "attendee_count": "²"})
        self.assertContains(response, "参会人数“²”应为正整数")
        self.assertFalse(Briefing.objects.exists())


class CoverageTests(PostsCase):
    def test_the_home_card_counts_what_the_coverage_page_lists(self):
        from zhiben.posts.hooks import home_cards

        for user in (self.alice, self.erin, self.charlie):
            result = coverage(user)
            cards = home_cards(user)
            if not result.total:
                self.assertEqual(cards, [], user.username)
                continue
            self.assertEqual(cards[0]["value"], result.total - result.covered, user.username)
        # an enterprise user reads its own standing, not a count of enterprises
        self.assertEqual([(c["label"], c["value"]) for c in home_cards(self.emma)], [("两单两卡一会", "未全覆盖")])
        self.assertEqual(home_cards(self.alice)[0]["value"], 2)  # neither enterprise has all four items and a 班前会

    def test_coverage_counts_four_items_and_recent_briefing(self):
        today = timezone.localdate()
        result = coverage(self.alice, day=today)
        rows = {r.enterprise.pk: r for r in result.rows}
        self.assertEqual(set(rows), {self.enterprise_a.pk, self.enterprise_a_construction.pk})
        row = rows[self.enterprise_a.pk]
        self.assertEqual((row.posts, row.complete, row.briefed, row.covered), (1, 1, 0, False))
        services.briefing_save(
            actor=self.alice,
            post=self.post,
            data={
                "held_on": (today - timedelta(days=6)).isoformat(),
                "attendees": "张三、李四",
                "content": "讲风险",
                "recorder": "张三",
            },
        )
        row = {r.enterprise.pk: r for r in coverage(self.alice, day=today).rows}[self.enterprise_a.pk]
        self.assertEqual((row.briefed, row.covered, row.share), (1, True, 100))
        # the 7-day window (rule default) ends: 8 days later the briefing is too old
        row = {r.enterprise.pk: r for r in coverage(self.alice, day=today + timedelta(days=2)).rows}[
            self.enterprise_a.pk
        ]
        self.assertFalse(row.covered)
        result = coverage(self.alice, day=today)
        self.assertEqual((result.covered, result.total, result.value), (1, 2, 50.0))
        self.assertIn("未建立岗位", rows[self.enterprise_a_construction.pk].missing)
        # the figure counts the same, child by child in one computation
        figure = registry["figures"]["posts.coverage"]
        filters = {"region": self.town_a1.code, "year": str(today.year)}
        self.assertEqual(figure.compute(self.alice, filters), 50.0)
        parts = figure.breakdown(self.alice, filters, "region")
        self.assertEqual(parts, {self.village_a1.code: 100.0, self.village_a2.code: 0.0, "": 50.0})  # "": the whole
        for code, value in parts.items():
            self.assertEqual(figure.compute(self.alice, {**filters, "region": code}), value)
        self.assertEqual(figure.breakdown(self.alice, filters, "industry")["construction"], 0.0)
        self.assertEqual(figure.compute(self.charlie, filters), None)  # another county counts nothing of ours

    def test_the_page_makes_rows_for_what_it_shows_in_order_of_share(self):
        from zhiben.core.services import rule_save

        from ..choices import KINDS

        rule_save(actor=self.alice, key="posts.briefing_days", region_code=self.village_a2.code, value=3)
        full = make_enterprise(self.village_a1, "hazchem", name="凤凰全覆盖厂")
        post = services.post_save(actor=self.alice, data={"enterprise": full.pk, "name": "操作工"})
        for kind in KINDS:
            services.card_save(actor=self.alice, post=post, kind=kind, data={"items": "要点"})
        services.briefing_save(
            actor=self.alice,
            post=post,
            data={
                "held_on": timezone.localdate().isoformat(),
                "attendees": "张三",
                "content": "讲风险",
                "recorder": "张三",
            },
        )
        client = self.login(self.alice)
        names = lambda response: [row.enterprise.name for row in response.context["page"]]  # noqa: E731
        everyone = names(client.get("/posts/coverage/?sort=-share"))
        self.assertEqual(everyone[0], full.name)
        self.assertEqual(len(everyone), 3)
        self.assertNotIn(full.name, names(client.get("/posts/coverage/?missing=1")))
        self.assertEqual(names(client.get("/posts/coverage/?sort=share"))[-1], full.name)
        result = coverage(self.alice)
        self.assertEqual((result.covered, result.total, len(result.missing)), (1, 3, 2))
        row = {r.enterprise.pk: r for r in result.rows}[self.enterprise_a_construction.pk]  # no post, village A2
        self.assertEqual((row.posts, row.days, row.missing), (0, 3, ["未建立岗位"]))
        self.assertContains(client.get("/posts/coverage/"), "（3天内）")

    def test_a_missing_item_is_named(self):
        other = make_enterprise(self.village_a1, "hazchem", name="凤凰二厂")
        post = services.post_save(actor=self.alice, data={"enterprise": other.pk, "name": "焊工"})
        services.card_save(actor=self.alice, post=post, kind="risk", data={"items": "高处坠落"})
        row = {r.enterprise.pk: r for r in coverage(self.alice).rows}[other.pk]
        self.assertIn("焊工：缺岗位职责清单、岗位操作卡、岗位应急处置卡、近7天班前会", row.missing)


class PastDayTests(PostsCase):
    """Coverage on a past day (a figure's period end) counts the posts and versions of that day."""

    def test_versions_in_force_that_day(self):
        today = timezone.localdate()
        earlier = timezone.now() - timedelta(days=10)
        other = make_enterprise(self.village_a1, "hazchem", name="凤凰二厂")
        post = services.post_save(actor=self.alice, data={"enterprise": other.pk, "name": "焊工"})
        for kind in FOUR[:3]:
            services.card_save(actor=self.alice, post=post, kind=kind, data={"items": f"{kind} 条目"})
        Post.objects.filter(pk=post.pk).update(created_at=earlier)
        CardVersion.objects.filter(post=post).update(created_at=earlier)
        services.card_save(actor=self.alice, post=post, kind="emergency", data={"items": "今天才有的处置卡"})
        services.briefing_save(
            actor=self.alice,
            post=post,
            data={"held_on": str(today - timedelta(days=6)), "attendees": "甲", "content": "讲风险", "recorder": "甲"},
        )
        five_days_ago = today - timedelta(days=5)
        row = {r.enterprise.pk: r for r in coverage(self.alice, day=five_days_ago).rows}[other.pk]
        self.assertEqual((row.posts, row.complete, row.briefed, row.covered), (1, 0, 1, False))
        self.assertIn("焊工：缺岗位应急处置卡", row.missing)
        self.assertTrue({r.enterprise.pk: r for r in coverage(self.alice).rows}[other.pk].covered)
        # the first post was created today: five days ago 凤凰化工 had none
        row = {r.enterprise.pk: r for r in coverage(self.alice, day=five_days_ago).rows}[self.enterprise_a.pk]
        self.assertEqual(row.missing, ["未建立岗位"])
        # the figure of a period ending then is taken that day
        from zhiben.core.registry import registry

        figure = registry["figures"]["posts.coverage"]
        self.assertEqual((figure.group, figure.unit, figure.better), ("两单两卡一会", "%", "higher"))
        period = {"region": self.county_a.code, "year": str(five_days_ago.year), "start": f"{five_days_ago.year}-01-01"}
        period["end"] = five_days_ago.isoformat()
        self.assertEqual(figure.compute(self.alice, period), coverage(self.alice, day=five_days_ago).value)
        self.assertIn(f"day={five_days_ago}", figure.url(period))
        page = self.login(self.alice).get(figure.url(period))
        self.assertContains(page, f'value="{five_days_ago}"')
        self.assertContains(page, "焊工：缺岗位应急处置卡")


class ScopeTests(PostsCase):
    def test_other_county_is_404(self):
        client = self.login(self.alice)
        self.assertEqual(client.get(f"/posts/{self.post_b.pk}/").status_code, 404)
        self.assertEqual(client.get(f"/posts/{self.post_b.pk}/cards/emergency/").status_code, 404)
        self.assertEqual(client.get(f"/posts/{self.post_b.pk}/cards/emergency/pdf/").status_code, 404)
        card = CardVersion.objects.get(post=self.post_b)
        self.assertEqual(client.get(f"/posts/versions/{card.pk}/").status_code, 404)
        self.assertEqual(client.post(f"/posts/{self.post_b.pk}/cards/emergency/edit/", {"items": "x"}).status_code, 404)
        self.assertEqual(CardVersion.objects.filter(post=self.post_b).count(), 1)
        self.assertNotContains(client.get("/posts/"), "西彭岗位")

    def test_lists_and_exports(self):
        client = self.login(self.alice)
        for url in (
            "/posts/",
            "/posts/?sort=-name&q=储罐",
            "/posts/briefings/",
            "/posts/coverage/?missing=1",
            "/posts/coverage/?sort=-share",
            f"/posts/{self.post.pk}/",
        ):
            self.assertEqual(client.get(url).status_code, 200, url)
        for url in ("/posts/export/", "/posts/briefings/export/", "/posts/coverage/export/"):
            response = client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertTrue(response["Content-Type"].startswith("application/vnd.openxml"))

    def test_viewer_cannot_write(self):
        self.assertEqual(
            self.login(self.dave).post(f"/posts/{self.post.pk}/cards/risk/edit/", {"items": "x"}).status_code, 403
        )


class QrTests(PostsCase):
    def test_printed_card_qr_opens_the_current_version(self):
        import zxingcpp
        from PIL import Image

        client = self.login(self.alice)
        response = client.get(f"/posts/{self.post.pk}/cards/emergency/pdf/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "card.pdf"
            pdf.write_bytes(response.content)
            subprocess.run(
                ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(Path(tmp) / "card")], check=True
            )
            image = Image.open(Path(tmp) / "card.png")
            width_mm = image.width / 200 * 25.4
            self.assertAlmostEqual(width_mm, 105, delta=1)  # A6
            codes = zxingcpp.read_barcodes(image)
        self.assertEqual(len(codes), 1)
        url = codes[0].text
        self.assertTrue(url.endswith(f"/posts/{self.post.pk}/cards/emergency/"), url)
        # a new version saved after printing: the printed code opens it
        services.card_save(actor=self.alice, post=self.post, kind="emergency", data={"items": "第二版处置步骤"})
        page = client.get(url.removeprefix("http://testserver"))
        self.assertContains(page, "第2版")
        self.assertContains(page, "第二版处置步骤")
        self.assertNotContains(page, "此为历史版本")
