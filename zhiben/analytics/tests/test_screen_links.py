"""大屏投放: a link shows a region's big screen on a display without logging in — made and revoked by the
安委办 (audited, scoped), read-only, narrowed to its region and what lies below it, dead when revoked, expired or
when its maker may no longer see the region; and the charts' own refreshes do not keep a session alive."""

import re
import time
from datetime import date, timedelta

from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from zhiben.analytics import services
from zhiben.analytics.models import ScreenLink
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.testing import CastTestCase

from .test_dashboard import hazard

LINKS = "/analytics/screen/links/"


class ScreenLinkTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        this_year = timezone.localdate().year
        hazard(cls.enterprise_a, date(this_year, 1, 10), "A-1")
        hazard(cls.enterprise_a_construction, date(this_year, 1, 11), "A-2")
        hazard(cls.enterprise_b, date(this_year, 1, 12), "B-1")

    def setUp(self):
        cache.clear()

    def make(self, actor=None, region=None, **fields):
        link, key = services.screen_link_create(
            actor=actor or self.alice,
            name=fields.pop("name", "区指挥中心大屏"),
            region_code=region or "500106",
            **fields,
        )
        return link, key

    def show(self, key, query=""):
        return self.client.get(f"/analytics/screen/k/{key}/{query}")

    def data(self, link_key, kind, **params):
        return self.client.get(f"/analytics/screen/k/{link_key}/{kind}.json", params)

    # ------------------------------------------------------------------ making and revoking

    def test_the_committee_makes_a_link_shown_once_and_audited(self):
        response = self.login(self.alice).post(LINKS, {"region": self.county_a.code, "name": "区应急指挥中心大屏"})
        self.assertEqual(response.status_code, 200)
        address = re.search(r"https?://[^<\s]+/analytics/screen/k/(zbs_[\w-]+)/", response.content.decode())
        self.assertIsNotNone(address, "the address is shown once")
        link = ScreenLink.objects.get()
        self.assertEqual(link.key_hash, ScreenLink.hash_key(address.group(1)))  # only the digest is kept
        self.assertNotIn(address.group(1), str(link.__dict__))
        self.assertEqual((link.region_id, link.created_by, link.period), (self.county_a.code, self.alice, ""))
        self.assertAlmostEqual((link.expires_at - timezone.now()).days, 364, delta=1)  # rule: 365 days
        event = AuditEvent.objects.get(action="analytics.screen_link_create")
        self.assertEqual(event.object_id, str(link.pk))
        page = self.client.get(LINKS).content.decode()
        self.assertNotIn(address.group(1), page)  # not shown again
        self.assertIn("区应急指挥中心大屏", page)

    def test_the_screen_offers_the_link_to_those_who_make_them(self):
        self.assertContains(self.login(self.alice).get("/analytics/screen/"), "投放到屏幕")
        self.assertNotContains(self.login(self.dave).get("/analytics/screen/"), "投放到屏幕")

    def test_bad_input_is_named_in_chinese(self):
        self.login(self.alice)
        response = self.client.post(LINKS, {"region": self.county_a.code, "name": ""})
        self.assertContains(response, "请填写名称。")
        response = self.client.post(LINKS, {"region": self.county_a.code, "name": "大屏", "period": "2026Q9"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ScreenLink.objects.exists())
        self.assertIn("period", response.context["form"].errors)
        with self.assertRaises(ApplicationError):
            self.make(industry="no-such-industry")

    def test_only_the_committee_in_its_jurisdiction(self):
        for user in (self.erin, self.dave, self.gina, self.emma):
            self.assertEqual(self.login(user).get(LINKS).status_code, 403, user)
        with self.assertRaises(ApplicationError):
            self.make(actor=self.erin, region="500106105")
        with self.assertRaises(ScopeError):
            self.make(actor=self.charlie, region="500106")
        link, _ = self.make()
        self.login(self.charlie)
        self.assertNotIn("区指挥中心大屏", self.client.get(LINKS).content.decode())
        self.assertEqual(self.client.get(f"{LINKS}?region=500106000000").status_code, 404)
        self.assertEqual(self.client.post(f"/analytics/screen/links/{link.pk}/revoke/").status_code, 404)
        link.refresh_from_db()
        self.assertIsNone(link.revoked_at)

    def test_a_revoked_link_stops(self):
        link, key = self.make()
        self.assertEqual(self.show(key).status_code, 200)
        self.login(self.alice).post(f"/analytics/screen/links/{link.pk}/revoke/")
        link.refresh_from_db()
        self.assertIsNotNone(link.revoked_at)
        self.assertTrue(AuditEvent.objects.filter(action="analytics.screen_link_revoke").exists())
        self.client.logout()
        self.assertEqual(self.show(key).status_code, 404)
        self.assertEqual(self.data(key, "table").status_code, 404)
        with self.assertRaises(ApplicationError):
            services.screen_link_revoke(actor=self.alice, link=link)

    def test_an_expired_link_or_one_whose_maker_left_stops(self):
        link, key = self.make()
        ScreenLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.show(key).status_code, 404)
        other, other_key = self.make(name="第二块屏")
        self.assertEqual(self.show(other_key).status_code, 200)
        self.alice.is_active = False
        self.alice.save(update_fields=["is_active"])
        self.assertEqual(self.show(other_key).status_code, 404)
        self.assertEqual(self.show("zbs_not-a-key").status_code, 404)
        self.assertEqual(self.show("x" * 300).status_code, 404)

    # ------------------------------------------------------------------ showing

    def test_the_screen_shows_without_login_and_reads_through_the_link(self):
        _, key = self.make()
        self.client.logout()
        response = self.show(key)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "沙坪坝区 · 重大事故隐患动态清零")
        self.assertContains(response, "区指挥中心大屏")
        self.assertNotContains(response, "/analytics/?")  # no way into the application
        self.assertNotContains(response, "导出 Excel")  # exports are for those logged in
        config = response.context["chart_config"]
        self.assertTrue(config["api"]["table"].startswith(f"/analytics/screen/k/{key}/"))
        self.assertEqual(config["drill"], f"/analytics/screen/k/{key}/")
        # the link answers what the figures API answers its maker
        body = self.data(key, "table", by="region", keys="hazards.found").json()
        self.login(self.alice)
        expected = self.client.get(
            "/api/v1/analytics/table", {"region": "500106000000", "by": "region", "keys": "hazards.found"}
        ).json()
        self.assertEqual(body, expected)
        self.assertEqual(body["rows"][0]["values"]["hazards.found"], 2)
        self.client.logout()
        trend = self.data(key, "trend", keys="hazards.found", months=3)
        self.assertEqual(trend.status_code, 200)
        self.assertEqual(len(trend.json()["rows"]), 3)
        self.assertEqual(self.data(key, "records", key="hazards.listed_open").status_code, 200)

    def test_the_link_reaches_only_its_region_and_below(self):
        _, key = self.make(region="500106105")  # 凤凰镇
        self.assertEqual(self.show(key, "?region=500106105002").status_code, 200)  # its village
        for code in ("500106000000", "500106104000", "500107000000", "500107101001"):  # up, a sibling, county B
            self.assertEqual(self.show(key, f"?region={code}").status_code, 404, code)
            self.assertEqual(self.data(key, "table", region=code).status_code, 404, code)
        body = self.data(key, "table", keys="hazards.found").json()
        self.assertEqual(body["region_code"], "500106105000")
        self.assertEqual(body["rows"][0]["values"]["hazards.found"], 2)

    def test_the_industry_of_the_link_holds_and_bad_parameters_answer_422(self):
        _, key = self.make(industry="construction")
        body = self.data(key, "table", keys="hazards.found", industry="").json()
        self.assertEqual(body["industry"], "construction")
        self.assertEqual(body["rows"][0]["values"]["hazards.found"], 1)
        response = self.data(key, "table", period="2026Q9")
        self.assertEqual(response.status_code, 422)
        self.assertIn("detail", response.json())
        self.assertEqual(self.data(key, "trend", keys="hazards.found", months=99).status_code, 422)
        self.assertEqual(self.data(key, "table", keys="no.such").status_code, 422)
        self.assertEqual(self.data(key, "nothing").status_code, 404)
        self.assertEqual(self.data(key, "map").status_code, 404)  # no map uploaded

    # ------------------------------------------------------------------ the session of a logged-in screen

    @override_settings(SESSION_IDLE_TIMEOUT=60)
    def test_the_charts_refreshing_do_not_keep_a_session_alive(self):
        self.login(self.alice)
        self.client.get("/analytics/screen/")
        session = self.client.session
        session["last_seen"] = int(time.time()) - 50
        session.save()
        background = {"HTTP_X_ZHIBEN_BACKGROUND": "1"}
        self.assertEqual(self.client.get("/api/v1/analytics/table", **background).status_code, 200)
        self.assertEqual(self.client.session["last_seen"], session["last_seen"])  # not the user's activity
        session = self.client.session
        session["last_seen"] = int(time.time()) - 61
        session.save()
        response = self.client.get("/api/v1/analytics/table", **background)
        self.assertEqual(response.status_code, 401)  # the screen says 登录已过期
        self.assertEqual(response.json()["code"], "session_expired")
        self.assertEqual(self.client.get("/analytics/screen/").status_code, 302)
