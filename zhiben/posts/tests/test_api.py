"""The posts API: posts and 班前会 in view with their pages' filters and sorts, one post with its four items in force
and its latest 班前会, the coverage figure and its enterprises counted as the coverage page counts them (hand-counted
on a small fixture). Another county's post a 404 and its lists empty, a user without `post.view` a 403, a bad value a
422; mobile numbers in free text masked."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from zhiben.testing import CastTestCase, make_enterprise

from .. import services
from ..choices import KINDS
from ..models import CardVersion, Post

BASE = "/api/v1/posts"


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


class PostApiCase(CastTestCase):
    """County A: 凤凰化工 (village A1) with a complete post briefed 2 days ago, a post lacking two items last briefed
    10 days ago and a post out of use; 凤凰建设 (village A2) with a complete post briefed yesterday and 6 days ago;
    青木关机械厂 (town A2) without posts. County B: 西彭化工 with one post."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = today = timezone.localdate()
        cls.machinery = make_enterprise(cls.town_a2, "machinery", name="青木关机械厂")

        def post(actor, enterprise, name, kinds, **data):
            made = services.post_save(actor=actor, data={"enterprise": enterprise.pk, "name": name, **data})
            for kind in kinds:
                services.card_save(actor=actor, post=made, kind=kind, data={"items": f"{name} {kind} 第一条\n第二条"})
            return made

        def briefing(actor, post, days_ago, **data):
            held_on = (today - timedelta(days=days_ago)).isoformat()
            data = {"held_on": held_on, "attendees": "张三、李四", "content": "讲风险", "recorder": "张三", **data}
            return services.briefing_save(actor=actor, post=post, data=data)

        cls.tank = post(cls.alice, cls.enterprise_a, "1号储罐操作工", KINDS, team="储运车间甲班")
        services.card_save(
            actor=cls.alice,
            post=cls.tank,
            kind="emergency",
            data={"items": "关闭紧急切断阀\n报告值班长 13812345678", "note": "增加报告电话"},
        )
        cls.loader = post(cls.alice, cls.enterprise_a, "2号装卸工", ("risk", "duty"))
        cls.idle = post(cls.alice, cls.enterprise_a, "9号停用岗位", (), active="")
        cls.rebar = post(cls.alice, cls.enterprise_a_construction, "3号钢筋工", KINDS)
        cls.west = post(cls.charlie, cls.enterprise_b, "西彭岗位", ("emergency",))
        cls.b_tank = briefing(
            cls.alice, cls.tank, 2, attendees="张三 13812345678、李四", content="讲储罐泄漏处置", recorder="王班长"
        )
        cls.b_loader = briefing(cls.alice, cls.loader, 10)
        cls.b_rebar_old = briefing(cls.alice, cls.rebar, 6)
        cls.b_rebar = briefing(cls.alice, cls.rebar, 1, content="讲高处坠落")
        cls.b_west = briefing(cls.charlie, cls.west, 1)


class PostListTests(PostApiCase):
    def test_posts_in_view_with_the_pages_filters_and_sorts(self):
        client = self.login(self.alice)
        everything = [self.tank.pk, self.loader.pk, self.idle.pk, self.rebar.pk]
        self.assertEqual(ids(client.get(f"{BASE}/")), everything)  # by enterprise, then name; 停用 too
        first = client.get(f"{BASE}/").json()["items"][0]
        self.assertEqual(
            {k: first[k] for k in ("name", "team", "active", "enterprise_name", "region_code", "industry")},
            {
                "name": "1号储罐操作工",
                "team": "储运车间甲班",
                "active": True,
                "enterprise_name": "凤凰化工有限公司",
                "region_code": self.village_a1.code,
                "industry": "hazchem",
            },
        )
        for params, expected in [
            ({"region": self.village_a2.code}, [self.rebar.pk]),
            ({"region": self.town_a1.code}, everything),
            ({"industry": "construction"}, [self.rebar.pk]),
            ({"enterprise": str(self.enterprise_a.pk)}, [self.tank.pk, self.loader.pk, self.idle.pk]),
            ({"q": "装卸"}, [self.loader.pk]),
            ({"q": "储运车间"}, [self.tank.pk]),  # the team
            ({"q": "凤凰建设"}, [self.rebar.pk]),  # the enterprise's name
            ({"sort": "-name"}, [self.idle.pk, self.rebar.pk, self.loader.pk, self.tank.pk]),
            ({"sort": "name"}, [self.tank.pk, self.loader.pk, self.rebar.pk, self.idle.pk]),
            ({"sort": "enterprise", "page_size": "2", "page": "2"}, [self.idle.pk, self.rebar.pk]),
        ]:
            with self.subTest(params=params):
                self.assertEqual(ids(client.get(f"{BASE}/", params)), expected)
        self.assertEqual(client.get(f"{BASE}/", {"region": self.county_b.code}).json()["items"], [])
        for params, field in [
            ({"region": "abc"}, "region"),
            ({"enterprise": "abc"}, "enterprise"),
            ({"enterprise": "9" * 20}, "enterprise"),  # no id column holds it (SQLite: an OverflowError)
            ({"sort": "nonsense"}, "sort"),
        ]:
            with self.subTest(params=params):
                refused = client.get(f"{BASE}/", params)
                self.assertEqual((refused.status_code, refused.json()["errors"][0]["field"]), (422, field))
        # the page lists nothing for what the API refuses
        page = client.get("/posts/", {"enterprise": "abc"})
        self.assertEqual((page.status_code, len(page.context["page"].object_list)), (200, 0))

    def test_scope_and_capability(self):
        self.assertEqual(ids(self.login(self.charlie).get(f"{BASE}/")), [self.west.pk])
        self.assertEqual(self.login(self.charlie).get(f"{BASE}/", {"region": self.county_a.code}).json()["items"], [])
        self.assertEqual(ids(self.login(self.emma).get(f"{BASE}/")), [self.tank.pk, self.loader.pk, self.idle.pk])
        self.assertEqual(self.login(self.dave).get(f"{BASE}/").status_code, 200)  # a leader reads
        client = self.login(self.sam)
        for path in ("/", f"/{self.tank.pk}", "/briefings", "/coverage", "/coverage/enterprises"):
            with self.subTest(path=path):
                self.assertEqual(client.get(f"{BASE}{path}").status_code, 403)
        self.assertEqual(client.get(f"{BASE}/{self.west.pk + 1000}").status_code, 403)  # before any lookup


class PostDetailTests(PostApiCase):
    def test_one_post_with_its_items_in_force_and_latest_briefings(self):
        client = self.login(self.alice)
        post = client.get(f"{BASE}/{self.tank.pk}").json()
        self.assertEqual((post["name"], post["enterprise_name"]), ("1号储罐操作工", "凤凰化工有限公司"))
        cards = {card["kind"]: card for card in post["cards"]}
        self.assertEqual([card["kind"] for card in post["cards"]], list(KINDS))
        self.assertEqual(
            [(c["kind_label"], c["version"]) for c in post["cards"]],
            [("岗位风险清单", 1), ("岗位职责清单", 1), ("岗位操作卡", 1), ("岗位应急处置卡", 2)],
        )
        emergency = cards["emergency"]
        self.assertEqual(emergency["items"], ["关闭紧急切断阀", "报告值班长 138****5678"])  # the version in force
        self.assertEqual((emergency["note"], emergency["saved_by_name"]), ("增加报告电话", "alice"))
        self.assertEqual(cards["risk"]["items"], ["1号储罐操作工 risk 第一条", "第二条"])
        self.assertEqual([b["id"] for b in post["briefings"]], [self.b_tank.pk])
        self.assertNotIn("13812345678", str(post))

        loader = {c["kind"]: c for c in client.get(f"{BASE}/{self.loader.pk}").json()["cards"]}
        self.assertEqual((loader["operation"]["version"], loader["operation"]["items"]), (None, []))  # 尚未编制
        self.assertEqual(loader["operation"]["saved_at"], None)

        self.assertEqual(client.get(f"{BASE}/{self.west.pk}").status_code, 404)  # another county's
        self.assertEqual(client.get(f"{BASE}/{self.west.pk + 1000}").status_code, 404)
        self.assertEqual(client.get(f"{BASE}/abc").status_code, 422)
        self.assertEqual(self.login(self.charlie).get(f"{BASE}/{self.tank.pk}").status_code, 404)
        self.assertEqual(self.login(self.emma).get(f"{BASE}/{self.rebar.pk}").status_code, 404)  # not her enterprise


class BriefingListTests(PostApiCase):
    def test_briefings_in_view_with_the_pages_filters_and_sorts(self):
        client = self.login(self.alice)
        latest_first = [self.b_rebar.pk, self.b_tank.pk, self.b_rebar_old.pk, self.b_loader.pk]
        self.assertEqual(ids(client.get(f"{BASE}/briefings")), latest_first)
        first = client.get(f"{BASE}/briefings", {"post": str(self.tank.pk)}).json()["items"][0]
        self.assertEqual(
            {k: first[k] for k in ("post_name", "enterprise_name", "held_on", "team", "attendee_count", "recorder")},
            {
                "post_name": "1号储罐操作工",
                "enterprise_name": "凤凰化工有限公司",
                "held_on": (self.today - timedelta(days=2)).isoformat(),
                "team": "储运车间甲班",
                "attendee_count": 2,
                "recorder": "王班长",
            },
        )
        self.assertEqual(first["attendees"], "张三 138****5678、李四")  # a mobile number masked
        day = self.today - timedelta(days=5)
        for params, expected in [
            ({"post": str(self.rebar.pk)}, [self.b_rebar.pk, self.b_rebar_old.pk]),
            ({"from": day.isoformat()}, [self.b_rebar.pk, self.b_tank.pk]),
            ({"to": day.isoformat()}, [self.b_rebar_old.pk, self.b_loader.pk]),
            (
                {"from": day.isoformat(), "to": self.today.isoformat(), "region": self.village_a2.code},
                [self.b_rebar.pk],
            ),
            ({"q": "泄漏"}, [self.b_tank.pk]),  # the content
            ({"q": "王班长"}, [self.b_tank.pk]),  # the recorder
            ({"q": "凤凰建设"}, [self.b_rebar.pk, self.b_rebar_old.pk]),  # the enterprise's name
            ({"sort": "held"}, latest_first[::-1]),
            ({"sort": "-held"}, latest_first),
        ]:
            with self.subTest(params=params):
                self.assertEqual(ids(client.get(f"{BASE}/briefings", params)), expected)
        for params, field in [
            ({"from": "yesterday"}, "from"),
            ({"to": "2026-02-30"}, "to"),
            ({"post": "abc"}, "post"),
            ({"region": "abc"}, "region"),
            ({"sort": "held_on"}, "sort"),
        ]:
            with self.subTest(params=params):
                refused = client.get(f"{BASE}/briefings", params)
                self.assertEqual((refused.status_code, refused.json()["errors"][0]["field"]), (422, field))
        self.assertEqual(client.get(f"{BASE}/briefings", {"post": str(self.west.pk)}).json()["items"], [])
        self.assertEqual(ids(self.login(self.charlie).get(f"{BASE}/briefings")), [self.b_west.pk])
        charlie = self.login(self.charlie).get(f"{BASE}/briefings", {"post": str(self.tank.pk)})
        self.assertEqual(charlie.json()["items"], [])


class CoverageTests(PostApiCase):
    """Hand count, today (N = 7 days): 机械厂 has no post; 凤凰化工 has two active posts (the one out of use is not
    counted), the 1号 complete and briefed 2 days ago, the 2号 lacking 操作卡 and 应急处置卡 and last briefed 10 days
    ago: 1 of 2 fully covered, 50%; 凤凰建设's one post complete and briefed yesterday: covered. 1 of 3 enterprises."""

    def test_the_figure_and_its_enterprises_as_the_page_counts_them(self):
        client = self.login(self.alice)
        figure = client.get(f"{BASE}/coverage").json()
        self.assertEqual(figure, {"day": self.today.isoformat(), "covered": 1, "total": 3, "missing": 2, "value": 33.3})
        page = client.get("/posts/coverage/").context["result"]  # the page counts the same
        self.assertEqual((page.covered, page.total, page.value), (1, 3, 33.3))

        rows = client.get(f"{BASE}/coverage/enterprises").json()
        self.assertEqual(rows["count"], 3)
        by_name = {row["enterprise_name"]: row for row in rows["items"]}
        self.assertEqual(
            list(by_name), ["青木关机械厂", "凤凰化工有限公司", "凤凰建设有限公司"]
        )  # by region, then name
        fields = ("posts", "complete", "briefed", "full", "days", "share", "covered")
        self.assertEqual([tuple(row[f] for f in fields) for row in rows["items"]],
                         [(0, 0, 0, 0, 7, 0, False), (2, 1, 1, 1, 7, 50, False), (1, 1, 1, 1, 7, 100, True)])  # fmt: skip
        self.assertEqual(by_name["青木关机械厂"]["missing"], ["未建立岗位"])
        self.assertEqual(
            by_name["凤凰化工有限公司"]["missing"], ["2号装卸工：缺岗位操作卡、岗位应急处置卡、近7天班前会"]
        )
        self.assertEqual(by_name["凤凰建设有限公司"]["missing"], [])
        self.assertEqual(
            {k: by_name["凤凰化工有限公司"][k] for k in ("enterprise_id", "region_code", "region_name", "industry")},
            {
                "enterprise_id": self.enterprise_a.pk,
                "region_code": self.village_a1.code,
                "region_name": "凤凰村",
                "industry": "hazchem",
            },
        )

        def names(**params):
            response = client.get(f"{BASE}/coverage/enterprises", params)
            self.assertEqual(response.status_code, 200, response.content)
            return [row["enterprise_name"] for row in response.json()["items"]]

        self.assertEqual(names(sort="-share"), ["凤凰建设有限公司", "凤凰化工有限公司", "青木关机械厂"])
        self.assertEqual(names(sort="share"), ["青木关机械厂", "凤凰化工有限公司", "凤凰建设有限公司"])
        self.assertEqual(names(missing="true"), ["青木关机械厂", "凤凰化工有限公司"])
        self.assertEqual(names(missing="1", sort="-share", page_size="1"), ["凤凰化工有限公司"])
        self.assertEqual(names(region=self.village_a2.code), ["凤凰建设有限公司"])
        self.assertEqual(names(industry="hazchem"), ["凤凰化工有限公司"])

        for params, expected in [
            ({"region": self.village_a2.code}, (1, 1, 100.0)),
            ({"region": self.town_a1.code}, (1, 2, 50.0)),
            ({"region": "500106105"}, (1, 2, 50.0)),  # a short code form
            ({"industry": "hazchem"}, (0, 1, 0.0)),
            ({"industry": "mining"}, (0, 0, None)),
        ]:
            with self.subTest(params=params):
                got = client.get(f"{BASE}/coverage", params).json()
                self.assertEqual((got["covered"], got["total"], got["value"]), expected)
                page = client.get("/posts/coverage/", params).context["result"]
                self.assertEqual((page.covered, page.total, page.value), expected)

        tomorrow = (self.today + timedelta(days=1)).isoformat()
        for path in ("/coverage", "/coverage/enterprises"):
            for params, field in [
                ({"region": "abc"}, "region"),
                ({"industry": "9" * 20}, "industry"),  # read as an id no column holds
                ({"day": tomorrow}, "day"),
                ({"day": "2026-13-01"}, "day"),
                ({"sort": "name"}, "sort"),
                ({"missing": "perhaps"}, "missing"),
            ]:
                if path == "/coverage" and field in ("sort", "missing"):
                    continue
                with self.subTest(path=path, params=params):
                    refused = client.get(f"{BASE}{path}", params)
                    self.assertEqual((refused.status_code, refused.json()["errors"][0]["field"]), (422, field))
        # another county's region: a 404 on the page and the API, as its objects are
        for url in (f"{BASE}/coverage", f"{BASE}/coverage/enterprises", "/posts/coverage/"):
            self.assertEqual(client.get(url, {"region": self.county_b.code}).status_code, 404)
        # the page reads what the API refuses as the whole jurisdiction, nothing or today
        self.assertEqual(client.get("/posts/coverage/", {"region": "abc"}).context["result"].total, 3)
        self.assertEqual(client.get("/posts/coverage/", {"industry": "9" * 20}).context["result"].total, 0)
        self.assertEqual(client.get("/posts/coverage/", {"day": tomorrow}).context["result"].day, self.today)

        self.assertEqual(
            self.login(self.charlie).get(f"{BASE}/coverage", {"region": self.county_a.code}).status_code, 404
        )
        charlie = self.login(self.charlie).get(f"{BASE}/coverage").json()
        self.assertEqual((charlie["covered"], charlie["total"]), (0, 1))  # 西彭化工's post has only its 应急处置卡

    def test_a_past_day_counts_the_posts_items_and_briefings_of_that_day(self):
        """Five days ago (posts and items made a month ago): the 1号's 班前会 was still to come and the 2号's, 10 days
        ago, within the 7 days up to it — 凤凰化工 none fully; 凤凰建设 briefed 6 days ago: covered."""
        client = self.login(self.alice)
        yesterday = (self.today - timedelta(days=1)).isoformat()
        figure = client.get(f"{BASE}/coverage", {"day": yesterday}).json()
        self.assertEqual((figure["day"], figure["covered"], figure["total"]), (yesterday, 0, 3))  # no posts yet

        month = timedelta(days=30)
        Post.objects.update(created_at=F("created_at") - month)
        CardVersion.objects.filter(current=True).update(created_at=F("created_at") - month)
        CardVersion.objects.filter(current=False).update(
            created_at=F("created_at") - month - timedelta(days=1), superseded_at=F("superseded_at") - month
        )
        day = (self.today - timedelta(days=5)).isoformat()
        self.assertEqual(client.get(f"{BASE}/coverage", {"day": day}).json()["covered"], 1)
        rows = client.get(f"{BASE}/coverage/enterprises", {"day": day}).json()["items"]
        fields = ("posts", "complete", "briefed", "full", "share", "covered")
        self.assertEqual([tuple(row[f] for f in fields) for row in rows],
                         [(0, 0, 0, 0, 0, False), (2, 1, 1, 0, 0, False), (1, 1, 1, 1, 100, True)])  # fmt: skip
        self.assertEqual(
            rows[1]["missing"],
            ["1号储罐操作工：缺近7天班前会", "2号装卸工：缺岗位操作卡、岗位应急处置卡"],
        )
        long_ago = client.get(f"{BASE}/coverage", {"day": (self.today - timedelta(days=20)).isoformat()}).json()
        self.assertEqual((long_ago["covered"], long_ago["total"]), (0, 3))
        self.assertEqual(client.get(f"{BASE}/coverage", {"day": "0001-01-01"}).json()["covered"], 0)  # no overflow
