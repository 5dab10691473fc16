"""值班日志查询: the entries of every unit in view across days, narrowed by unit, kind, dates and words, newest first,
exported as Excel; another county's entries never shown, an enterprise user refused."""

from datetime import timedelta

from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.testing import CastTestCase, sheet_rows

from .. import services
from .helpers import town_office


class LogListTests(CastTestCase):
    def setUp(self):
        now = timezone.now()
        self.town = town_office(self)

        def add(actor, unit, kind, content, hours_ago):
            at = timezone.localtime(now - timedelta(hours=hours_ago)).strftime("%Y-%m-%d %H:%M")
            return services.log_add(actor=actor, unit=unit, data={"kind": kind, "content": content, "at": at}, now=now)

        self.call = add(self.alice, self.unit_office_a, "call", "区防指来电：明日有暴雨，做好防汛准备", 50)
        self.document = add(self.alice, self.unit_office_a, "document", "收到市安办关于节前检查的通知", 2)
        self.incident = add(self.alice, self.town, "incident", "凤凰村一处民房外墙脱落，无人员伤亡", 30)
        self.other = add(self.charlie, self.unit_office_b, "call", "九龙坡区来电：防汛值守", 1)

    def contents(self, user, **params):
        response = self.login(user).get("/watch/log/", params)
        self.assertEqual(response.status_code, 200)
        return [e.content for e in response.context["page"]]

    def test_newest_first_in_the_users_view(self):
        self.assertEqual(self.contents(self.alice), [self.document.content, self.incident.content, self.call.content])
        self.assertEqual(self.contents(self.charlie), [self.other.content])
        self.assertEqual(self.contents(self.alice, sort="at")[0], self.call.content)
        self.assertEqual(self.login(self.emma).get("/watch/log/").status_code, 403)
        self.assertEqual(self.login(self.emma).get("/watch/log/export/").status_code, 403)

    def test_narrowed_by_unit_kind_dates_and_words(self):
        self.assertEqual(self.contents(self.alice, unit=self.town.pk), [self.incident.content])
        self.assertEqual(self.contents(self.alice, kind="call"), [self.call.content])
        self.assertEqual(self.contents(self.alice, q="防汛"), [self.call.content])
        self.assertEqual(self.contents(self.alice, q=self.charlie.display_name), [])  # another county's recorder
        self.assertEqual(len(self.contents(self.alice, q=self.alice.display_name)), 3)
        first = self.call.duty_day.day
        self.assertEqual(self.contents(self.alice, to=first), [self.call.content])
        self.assertEqual(
            self.contents(self.alice, **{"from": first + timedelta(days=1)}),
            [self.document.content, self.incident.content],
        )
        # another county's unit named in the address: nothing of it
        self.assertEqual(self.contents(self.alice, unit=self.unit_office_b.pk), [])
        # a unit no id column holds overflowed in the query (a 500); "²" is no unit either
        self.assertEqual(self.contents(self.alice, unit="9" * 25), [])
        self.assertEqual(self.contents(self.alice, unit="²"), [])
        page = self.login(self.alice).get("/watch/log/", {"kind": "call"})
        self.assertContains(page, f"/watch/units/{self.unit_office_a.pk}/days/{first}/")

    def test_export_as_excel(self):
        response = self.login(self.alice).get("/watch/log/export/", {"kind": "incident"})
        rows = sheet_rows(response)
        self.assertEqual(list(rows[0]), ["时间", "值班单位", "类型", "内容", "记录人"])
        self.assertEqual(rows[1][1:], ("凤凰镇安委办", "突发事件", self.incident.content, self.alice.display_name))
        self.assertEqual(len(rows), 2)
        event = AuditEvent.objects.get(action="watch.log_export")
        self.assertEqual(event.data["filters"], {"kind": "incident"})

    def test_the_desk_links_to_it(self):
        self.assertContains(self.login(self.alice).get("/watch/"), f'href="/watch/log/?unit={self.unit_office_a.pk}"')
