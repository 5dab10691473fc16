"""The 值班值守 API: the units keeping a roster, a period of a roster (phones masked to those who do not keep it),
the duty log with the page's filters, the information reports with their chain; another county's unit or report
a 404, an enterprise user a 403, a bad period a 400 or 422 naming what is wrong."""

from datetime import timedelta

from django.utils import timezone

from zhiben.testing import CastTestCase

from .. import services
from .helpers import at, town_office, write
from .test_reports import event


class WatchApiTests(CastTestCase):
    def setUp(self):
        self.first = timezone.localdate() + timedelta(days=7)
        write(self.alice, self.unit_office_a, self.first, "张三 13800138000", "李四 13900139000、王五")
        write(self.charlie, self.unit_office_b, self.first, "九龙坡带班 13700137000", "")

    def roster(self, user, **params):
        query = {"unit": self.unit_office_a.pk, "start": self.first, "end": self.first + timedelta(days=1), **params}
        return self.login(user).get("/api/v1/watch/roster", {k: v for k, v in query.items() if v is not None})

    def test_the_units_in_view(self):
        town = town_office(self)
        units = self.login(self.alice).get("/api/v1/watch/units").json()
        self.assertEqual({u["id"] for u in units}, {self.unit_office_a.pk, town.pk})
        self.assertEqual(
            [u["name"] for u in self.login(self.charlie).get("/api/v1/watch/units").json()], ["九龙坡区安委办"]
        )
        self.assertEqual(self.login(self.emma).get("/api/v1/watch/units").status_code, 403)

    def test_a_period_of_a_roster_every_shift_filled_or_not(self):
        response = self.roster(self.alice)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["unit"]["name"], "沙坪坝区安委办")
        first, second = body["shifts"]
        self.assertEqual((first["day"], first["shift"]), (str(self.first), "全天"))
        self.assertEqual(first["leaders"], [{"name": "张三", "phone": "13800138000"}])
        self.assertEqual(first["staff"], [{"name": "李四", "phone": "13900139000"}, {"name": "王五", "phone": ""}])
        self.assertEqual(
            (second["day"], second["leaders"], second["staff"]), (str(self.first + timedelta(days=1)), [], [])
        )
        # the county's leader reads the roster without keeping it: the numbers masked, as on the page
        leaders = self.roster(self.dave).json()["shifts"][0]["leaders"]
        self.assertEqual(leaders, [{"name": "张三", "phone": "138****8000"}])
        # without a unit: the caller's own
        self.assertEqual(self.roster(self.charlie, unit=None).json()["unit"]["name"], "九龙坡区安委办")

    def test_another_countys_roster_is_a_404_and_bad_periods_are_refused(self):
        self.assertEqual(self.roster(self.charlie).status_code, 404)
        self.assertEqual(self.roster(self.emma).status_code, 403)
        for params, status, words in (
            ({"end": self.first - timedelta(days=1)}, 400, "结束日期不能早于开始日期"),
            ({"end": self.first + timedelta(days=92)}, 400, "一次最多读取 92 天"),
            ({"start": "2026-13-01"}, 422, "start"),
            ({"unit": "abc"}, 422, "unit"),
        ):
            response = self.roster(self.alice, **params)
            self.assertEqual(response.status_code, status, params)
            self.assertIn(words, str(response.json()), params)

    def test_the_duty_log_with_the_pages_filters(self):
        now = timezone.now()

        def add(actor, unit, kind, content):
            data = {"kind": kind, "content": content, "at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
            return services.log_add(actor=actor, unit=unit, data=data, now=now)

        call = add(self.alice, self.unit_office_a, "call", "区防指来电：明日有暴雨")
        add(self.alice, self.unit_office_a, "document", "收到节前检查通知")
        add(self.charlie, self.unit_office_b, "call", "九龙坡区来电")
        client = self.login(self.alice)
        body = client.get("/api/v1/watch/log").json()
        self.assertEqual(body["count"], 2)
        calls = client.get("/api/v1/watch/log", {"kind": "call"}).json()["items"]
        self.assertEqual(
            [(e["id"], e["unit_name"], e["kind_label"]) for e in calls], [(call.pk, "沙坪坝区安委办", "来电")]
        )
        self.assertEqual(calls[0]["duty_date"], str(call.duty_day.day))
        self.assertEqual(client.get("/api/v1/watch/log", {"q": "九龙坡"}).json()["count"], 0)
        self.assertEqual(client.get("/api/v1/watch/log", {"kind": "nonsense"}).status_code, 422)
        self.assertEqual(self.login(self.emma).get("/api/v1/watch/log").status_code, 403)

    def test_information_reports_with_their_chain(self):
        report = services.report_create(actor=self.erin, data=event(), now=at("2030-05-06 10:00"))
        services.report_pass_on(actor=self.erin, report=report, now=at("2030-05-06 11:20"))  # 20 minutes late
        client = self.login(self.alice)
        [item] = client.get("/api/v1/watch/reports").json()["items"]
        self.assertEqual((item["number"], item["region_name"], item["late"]), (report.number, "凤凰村", True))
        self.assertEqual(client.get("/api/v1/watch/reports", {"late": "0"}).json()["count"], 0)
        detail = client.get(f"/api/v1/watch/reports/{report.pk}").json()
        self.assertTrue(detail["late"])
        town, county = sorted(detail["levels"], key=lambda level: -level["level"])
        self.assertEqual((town["region_name"], town["late"], town["passed_by_name"]), ("凤凰镇", True, "erin"))
        self.assertEqual(county["region_name"], "沙坪坝区")
        self.assertEqual(detail["updates"], [])
        self.assertEqual(self.login(self.charlie).get(f"/api/v1/watch/reports/{report.pk}").status_code, 404)
        self.assertEqual(self.login(self.charlie).get("/api/v1/watch/reports").json()["count"], 0)
        self.assertEqual(self.login(self.emma).get(f"/api/v1/watch/reports/{report.pk}").status_code, 404)
