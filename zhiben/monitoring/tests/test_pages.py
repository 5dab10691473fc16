"""Pages: who sees and manages which devices and alarms (county B 404), the chart, the export, the enterprise
page's link, home cards, and the buttons of an alarm."""

from datetime import timedelta

from django.utils import timezone

from zhiben.monitoring.models import Alarm, Device
from zhiben.testing import CastTestCase

from .helpers import make_device, send


class PageTests(CastTestCase):
    def setUp(self):
        self.device, _ = make_device(
            self.alice, self.enterprise_a, "LEL-P", rules=[("above", 25, 0)], location="甲类罐区"
        )
        self.b_device, _ = make_device(self.charlie, self.enterprise_b, "LEL-Q")
        now = timezone.now().replace(microsecond=0)
        send(self.device, [2, 3, 30], start=now - timedelta(minutes=3), now=now)
        self.alarm = Alarm.objects.get()

    def test_lists_are_scoped(self):
        response = self.login(self.alice).get("/monitoring/")
        self.assertContains(response, "LEL-P")
        self.assertNotContains(response, "LEL-Q")
        response = self.login(self.charlie).get("/monitoring/")
        self.assertContains(response, "LEL-Q")
        self.assertNotContains(response, "LEL-P")
        self.assertContains(self.login(self.alice).get("/monitoring/alarms/?unack=1"), "高于上限")
        self.assertNotContains(self.login(self.charlie).get("/monitoring/alarms/"), "高于上限")

    def test_a_rule_whose_minutes_are_no_number_is_refused_not_a_500(self):
        """str.isdigit() holds for "²", which int() refuses: the refused form's text reached the service."""
        rules = self.device.rules.count()
        response = self.login(self.alice).post(
            f"/monitoring/devices/{self.device.pk}/rules/", {"kind": "above", "threshold": "30", "minutes": "²"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.device.rules.count(), rules)

    def test_other_county_gets_404(self):
        client = self.login(self.charlie)
        for url in (
            f"/monitoring/devices/{self.device.pk}/",
            f"/monitoring/alarms/{self.alarm.pk}/",
            f"/monitoring/enterprise/{self.enterprise_a.pk}/",
        ):
            self.assertEqual(client.get(url).status_code, 404, url)
        self.assertEqual(client.post(f"/monitoring/alarms/{self.alarm.pk}/acknowledge/").status_code, 404)
        self.assertEqual(client.post(f"/monitoring/devices/{self.device.pk}/token/").status_code, 404)
        self.assertEqual(Alarm.objects.get().status, "raised")

    def test_enterprise_user_manages_only_its_own(self):
        client = self.login(self.emma)
        response = client.post(
            "/monitoring/new/",
            {"code": "EMMA-1", "name": "二号罐温度", "kind": "temperature", "enterprise": "西彭化工有限公司"},
        )
        self.assertContains(response, "令牌只显示这一次")
        device = Device.objects.get(code="EMMA-1")
        self.assertEqual((device.enterprise, device.unit), (self.enterprise_a, "℃"))
        self.assertNotIn(response.context["token"], device.token_hash)
        self.assertEqual(client.get(f"/monitoring/devices/{self.b_device.pk}/").status_code, 404)

    def test_leader_and_grid_read_but_do_not_manage(self):
        response = self.login(self.dave).get(f"/monitoring/alarms/{self.alarm.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "确认报警")
        self.assertEqual(
            self.login(self.dave).post(f"/monitoring/alarms/{self.alarm.pk}/acknowledge/").status_code, 403
        )
        self.assertEqual(self.login(self.dave).get("/monitoring/new/").status_code, 403)
        self.assertEqual(self.login(self.gina).get("/monitoring/").status_code, 200)
        self.assertEqual(self.login(self.sam).get("/monitoring/").status_code, 403)

    def test_device_page_draws_the_chart_as_svg(self):
        response = self.login(self.alice).get(f"/monitoring/devices/{self.device.pk}/")
        self.assertContains(response, "<polyline")
        self.assertContains(response, "上限 25")
        self.assertContains(response, "3 条读数")
        self.assertNotIn("<script", response.content.decode().split("<main", 1)[1])  # no chart script in the page
        points = response.context["chart"]["points"].split()
        self.assertEqual(len(points), 3)

    def test_enterprise_page_links_to_its_monitoring_charts(self):
        response = self.login(self.alice).get(f"/enterprises/{self.enterprise_a.pk}/")
        self.assertContains(response, f'href="/monitoring/enterprise/{self.enterprise_a.pk}/"')
        response = self.login(self.alice).get(f"/monitoring/enterprise/{self.enterprise_a.pk}/")
        self.assertContains(response, "<polyline")
        self.assertContains(response, "LEL-P")
        page = self.login(self.alice).get(f"/enterprises/{self.enterprise_a_construction.pk}/")
        self.assertNotContains(page, "/monitoring/enterprise/")  # no devices, no link

    def test_alarm_buttons_acknowledge_close_and_to_hazard(self):
        client = self.login(self.emma)
        client.post(f"/monitoring/alarms/{self.alarm.pk}/acknowledge/")
        self.assertEqual(Alarm.objects.get().status, "acknowledged")
        client.post(f"/monitoring/alarms/{self.alarm.pk}/close/", {"note": ""})
        self.assertEqual(Alarm.objects.get().status, "acknowledged")
        response = self.login(self.erin).post(f"/monitoring/alarms/{self.alarm.pk}/hazard/")
        hazard = Alarm.objects.get().hazard
        self.assertRedirects(response, f"/hazards/{hazard.pk}/", fetch_redirect_response=False)
        client.post(f"/monitoring/alarms/{self.alarm.pk}/close/", {"note": "已处置"})
        self.assertEqual(Alarm.objects.get().status, "closed")

    def test_home_cards(self):
        cards = {c["label"]: c["value"] for c in self.login(self.alice).get("/").context["summary"]["cards"]}
        self.assertEqual((cards["监测报警未关闭"], cards["监测报警未确认"]), (1, 1))
        cards = {c["label"]: c["value"] for c in self.login(self.charlie).get("/").context["summary"]["cards"]}
        self.assertEqual(cards["监测报警未确认"], 0)

    def test_export(self):
        from io import BytesIO

        from openpyxl import load_workbook

        response = self.login(self.alice).get("/monitoring/export/?q=LEL")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "设备编码")
        self.assertEqual([r[0] for r in rows[1:]], ["LEL-P"])

    def test_alarm_export(self):
        """The alarms the list shows, with who acknowledged them, scoped, the export audited."""
        from io import BytesIO

        from openpyxl import load_workbook

        from zhiben.audit.models import AuditEvent

        self.login(self.alice).post(f"/monitoring/alarms/{self.alarm.pk}/acknowledge/")

        def rows(client, query=""):
            response = client.get(f"/monitoring/alarms/export/{query}")
            self.assertEqual(response.status_code, 200)
            return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))

        sheet = rows(self.client, "?status=acknowledged")
        self.assertEqual(sheet[0][:3], ("报警时间", "所属单位", "设备编码"))
        self.assertEqual(len(sheet), 2)
        self.assertEqual(
            (sheet[1][1], sheet[1][2], sheet[1][9]), ("凤凰化工有限公司", "LEL-P", self.alice.display_name)
        )
        self.assertEqual(len(rows(self.client, "?status=closed")), 1)  # the header only
        self.assertEqual(len(rows(self.login(self.charlie))), 1)  # county B sees none of county A's
        event = AuditEvent.objects.filter(action="monitoring.alarm_export").latest("seq")
        self.assertEqual(event.data["filters"], {})
        self.assertContains(self.login(self.alice).get("/monitoring/alarms/"), "/monitoring/alarms/export/?")
