"""The home page and the navigation, per role."""

import re
import unittest
from datetime import timedelta

from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.audit.services import audit_record
from zhiben.testing import CastTestCase, build_cast


class HomeTests(CastTestCase):
    def cards(self, user):
        response = self.login(user).get("/")
        self.assertEqual(response.status_code, 200)
        return {c["label"]: c["value"] for c in response.context["summary"]["cards"]}, response

    def test_business_roles_see_their_jurisdictions_figures(self):
        cards, response = self.cards(self.alice)
        self.assertEqual((cards["生产经营单位"], cards["高危企业"], cards["单位"]), (2, 0, 2))
        self.assertContains(response, "按监管行业")
        self.assertEqual(self.cards(self.bob)[0]["生产经营单位"], 3)
        self.assertEqual(self.cards(self.erin)[0]["生产经营单位"], 1)  # her unit's industries only
        self.assertEqual(self.cards(self.gina)[0]["生产经营单位"], 1)
        self.assertEqual(self.cards(self.dave)[0]["生产经营单位"], 2)

    def test_it_hides_other_jurisdictions(self):
        cards, response = self.cards(self.charlie)
        self.assertEqual((cards["生产经营单位"], cards["单位"]), (1, 1))
        self.assertNotContains(response, "凤凰化工有限公司")

    def test_an_enterprise_user_sees_their_enterprise(self):
        cards, response = self.cards(self.emma)
        self.assertEqual(response.context["summary"]["enterprise"], self.enterprise_a)
        self.assertContains(response, "凤凰化工有限公司")
        self.assertContains(response, self.enterprise_a.credit_code)
        self.assertContains(response, f'href="/enterprises/{self.enterprise_a.pk}/"')
        self.assertNotIn("生产经营单位", cards)

    def test_the_system_admin_sees_accounts_units_and_regions(self):
        User.objects.filter(pk=self.dave.pk).update(is_active=False)
        cards, response = self.cards(self.sam)
        self.assertEqual((cards["在用账号"], cards["已停用账号"], cards["单位"], cards["行政区划"]), (7, 1, 2, 5))
        self.assertNotIn("生产经营单位", cards)
        self.assertNotContains(response, "校验审计链")

    def test_the_security_admin_sees_locks_and_missing_second_factors(self):
        User.objects.filter(pk=self.dave.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
        User.objects.filter(pk=self.charlie.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
        User.objects.filter(pk=self.alice.pk).update(totp_confirmed=True, totp_secret="X")
        cards, _ = self.cards(self.sid)
        self.assertEqual(cards["已锁定账号"], 1)
        self.assertEqual(cards["特权账号未绑定动态口令"], 3)  # sam, sid, aud
        self.assertNotIn("在用账号", cards)

    def test_the_auditor_sees_recent_events_and_can_verify(self):
        audit_record(actor=self.alice, action="enterprise.update", obj=self.enterprise_a)
        audit_record(actor=self.dave, action="auth.login_failed", obj=self.dave, success=False)
        audit_record(actor=self.charlie, action="enterprise.update", obj=self.enterprise_b)
        cards, response = self.cards(self.aud)
        self.assertEqual((cards["近7天审计事件"], cards["近7天失败操作"], cards["近7天登录验证失败"]), (2, 1, 1))
        self.assertContains(response, 'action="/audit/verify/"')
        self.assertNotIn("生产经营单位", cards)

    def test_the_days_work_comes_first_as_buttons(self):
        """A grid worker on a phone finds 上报隐患 first; the buttons are the user's own 日常工作 entries."""
        _, response = self.cards(self.gina)
        quick = re.search(r'<nav class="quick"[^>]*>(.*?)</nav>', response.content.decode(), re.S)
        self.assertIsNotNone(quick)
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', quick.group(1))
        self.assertEqual(links[0], ("/hazards/report/", "上报隐患"))
        self.assertNotIn("首页", [label for _, label in links])
        _, response = self.cards(self.emma)  # an enterprise: its own self-inspection first
        self.assertIn('<a href="/selfchecks/mine/">隐患自查</a>', response.content.decode())
        _, response = self.cards(self.aud)  # nothing of the day's work: no buttons
        self.assertNotContains(response, 'class="quick"')

    def test_cards_stand_under_their_modules_headings(self):
        """The committee's thirty-odd cards read by subject: each heading once, in the sections' order, sections
        under one title together (企业 and 单位), and the headings hold every card the page counts."""
        _, response = self.cards(self.alice)
        summary = response.context["summary"]
        titles = [group["title"] for group in summary["groups"]]
        self.assertEqual(len(titles), len(set(titles)))
        self.assertEqual(titles[0], "隐患排查治理")
        self.assertEqual([c for group in summary["groups"] for c in group["cards"]], summary["cards"])
        together = next(group for group in summary["groups"] if group["title"] == "企业与单位")
        self.assertLessEqual({"生产经营单位", "单位"}, {c["label"] for c in together["cards"]})
        html = response.content.decode()
        headings = re.findall(r'<h2 class="cards-title">([^<]+)</h2>', html)
        self.assertEqual(headings, titles)
        self.assertLess(html.index(">隐患排查治理<"), html.index(">未销号隐患</span>"))
        self.assertLess(html.index(">未销号隐患</span>"), html.index(">企业与单位<"))
        self.assertLess(html.index(">企业与单位<"), html.index(">生产经营单位</span>"))
        _, response = self.cards(self.sid)  # one heading's cards: no heading over them
        self.assertEqual([group["title"] for group in response.context["summary"]["groups"]], ["系统与安全管理"])
        self.assertNotContains(response, 'class="cards-title"')

    def test_anonymous_is_sent_to_login(self):
        self.assertRedirects(self.client.get("/"), "/accounts/login/?next=/", fetch_redirect_response=False)


class NavigationTests(CastTestCase):
    def labels(self, user, path="/"):
        response = self.login(user).get(path)
        return [item["label"] for item in response.context["nav"]], [
            item["label"] for item in response.context["nav"] if item["active"]
        ]

    def test_each_role_sees_its_entries(self):
        foundation = {"首页", "生产经营单位", "行政区划", "单位", "用户", "账号安全", "审计日志"}
        business = {
            "alice": ["首页", "生产经营单位", "行政区划", "单位", "用户"],
            "erin": ["首页", "生产经营单位", "行政区划", "单位"],
            "dave": ["首页", "生产经营单位", "行政区划", "单位"],
            "emma": ["首页", "生产经营单位"],
        }
        for username, labels in business.items():  # business modules add their own entries; compare the foundation's
            shown = [label for label in self.labels(getattr(self, username))[0] if label in foundation]
            self.assertEqual(shown, labels, username)
        administrators = {  # the three administrators see no business entry (a keeper designation is security)
            "sam": ["首页", "行政区划", "单位", "用户"],
            "sid": ["首页", "举报保密专员", "用户", "账号安全"],
            "aud": ["首页", "审计日志"],
        }
        for username, labels in administrators.items():
            self.assertEqual(self.labels(getattr(self, username))[0], labels, username)

    def test_the_longest_matching_entry_is_active(self):
        self.assertEqual(self.labels(self.sam, "/regions/units/")[1], ["单位"])
        self.assertEqual(self.labels(self.sam, f"/regions/{self.county_a.code}/")[1], ["行政区划"])
        self.assertEqual(self.labels(self.sam, "/")[1], ["首页"])
        self.assertEqual(self.labels(self.sid, "/accounts/security/")[1], ["账号安全"])


class HomeCacheTests(CastTestCase):
    """A county's cards count tens of thousands of rows: they are kept a minute per user, and counted anew
    after the user's own write or on 刷新."""

    def enterprises(self, response):
        return {c["label"]: c["value"] for c in response.context["summary"]["cards"]}["生产经营单位"]

    def test_kept_then_counted_anew_after_own_write_or_on_refresh(self):
        from zhiben.enterprises.models import Enterprise

        client = self.login(self.alice)
        first = client.get("/")
        self.assertEqual(self.enterprises(first), 2)
        self.assertContains(first, "统计于")
        self.assertContains(first, 'href="?fresh=1"')
        clone = Enterprise.objects.get(pk=self.enterprise_a.pk)
        clone.pk, clone.credit_code, clone.name = None, "91500106MA5U7XYZ4K", "新设企业"
        clone.save()  # someone else's write (no audit by alice): the kept cards stand for the minute
        self.assertEqual(self.enterprises(client.get("/")), 2)
        self.assertEqual(self.enterprises(client.get("/?fresh=1")), 3)  # 刷新 counts anew
        clone.delete()
        self.assertEqual(self.enterprises(client.get("/")), 3)  # what 刷新 counted is what is kept
        audit_record(actor=self.alice, action="enterprise.update", obj=self.enterprise_a)
        self.assertEqual(self.enterprises(client.get("/")), 2)  # her own write: counted anew at once

    def test_each_user_has_their_own(self):
        self.assertEqual(self.enterprises(self.login(self.alice).get("/")), 2)
        self.assertEqual(self.enterprises(self.login(self.charlie).get("/")), 1)


@unittest.skipUnless(connection.vendor == "postgresql", "threads read through their own connections: PostgreSQL")
class HomeAtOnceTests(TransactionTestCase):
    """On PostgreSQL the sections' cards are counted at once (core.parallel): the same cards, in the same order."""

    def setUp(self):
        build_cast(self)

    def test_the_same_cards_as_one_after_another(self):
        from zhiben.core.selectors import home_summary

        for user in (self.alice, self.erin, self.emma, self.charlie):
            with override_settings(DB_READ_THREADS=3):
                at_once = home_summary(user=user, fresh=True)
            with override_settings(DB_READ_THREADS=0):
                one_by_one = home_summary(user=user, fresh=True)
            self.assertEqual(at_once["cards"], one_by_one["cards"], user.username)
            self.assertTrue(at_once["cards"], user.username)
