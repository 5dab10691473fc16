"""The monitoring API: devices and alarms in view with their pages' filters, one device with its rules, a device's
readings over a period, one alarm with its timeline, and the alarm's steps (acknowledge, close, report as a hazard)
through the services: each allowed and refused. Another county's device or alarm is a 404, a user without
`monitoring.view` a 403, a role that may only look a 403 on a step, a bad value a 422."""

from datetime import timedelta

from django.utils import timezone

from zhiben.hazards.models import Hazard
from zhiben.monitoring.choices import AlarmStatus
from zhiben.monitoring.models import Alarm
from zhiben.testing import CastTestCase

from .helpers import base_time, make_device, send

BASE = "/api/v1/monitoring"


class MonitoringApiTests(CastTestCase):
    def setUp(self):
        self.t0 = base_time()
        self.gas, _ = make_device(self.alice, self.enterprise_a, "LEL-1", rules=[("above", 25, 0)], location="罐区")
        self.temp, _ = make_device(self.alice, self.enterprise_a, "T-1", kind="temperature")
        self.other, _ = make_device(self.charlie, self.enterprise_b, "LEL-B")
        send(self.gas, [3, 4, 26.5], start=self.t0)
        self.alarm = Alarm.objects.get(device=self.gas)

    def post(self, url, body):
        return self.client.post(url, body, content_type="application/json")

    def test_devices_in_view_with_the_pages_filters_and_one_device(self):
        client = self.login(self.alice)
        items = client.get(f"{BASE}/devices").json()["items"]
        self.assertEqual([i["code"] for i in items], ["LEL-1", "T-1"])  # by enterprise, then code
        first = items[0]
        self.assertEqual(
            (first["kind_label"], first["unit"], first["enterprise_name"], first["location"], first["last_value"]),
            ("可燃气体浓度", "%LEL", self.enterprise_a.name, "罐区", 26.5),
        )
        self.assertEqual(first["open_alarms"], 1)
        self.assertNotIn("token_hash", first)
        self.assertEqual([i["code"] for i in client.get(f"{BASE}/devices?alarm=1").json()["items"]], ["LEL-1"])
        self.assertEqual([i["code"] for i in client.get(f"{BASE}/devices?kind=temperature").json()["items"]], ["T-1"])
        self.assertEqual(client.get(f"{BASE}/devices?kind=nonsense").status_code, 422)
        detail = client.get(f"{BASE}/devices/{self.gas.pk}").json()
        self.assertEqual(
            [(r["kind"], r["threshold"], r["text"]) for r in detail["rules"]],
            [("above", 25.0, "读数高于 25 %LEL（即时）")],
        )
        self.assertEqual(client.get(f"{BASE}/devices/{self.other.pk}").status_code, 404)
        self.assertEqual(
            [i["code"] for i in self.login(self.charlie).get(f"{BASE}/devices").json()["items"]], ["LEL-B"]
        )
        self.assertEqual(self.login(self.sam).get(f"{BASE}/devices").status_code, 403)
        self.assertEqual(self.login(self.sam).get(f"{BASE}/devices/{self.gas.pk}").status_code, 403)

    def test_readings_of_a_period_oldest_first(self):
        client = self.login(self.emma)
        since = (self.t0 + timedelta(minutes=1)).isoformat()
        until = (self.t0 + timedelta(minutes=2)).isoformat()
        url = f"{BASE}/devices/{self.gas.pk}/readings"
        everything = client.get(url).json()  # the last 24 hours by default
        self.assertEqual([r["value"] for r in everything["items"]], [3.0, 4.0, 26.5])
        self.assertEqual(everything["count"], 3)
        window = client.get(url, {"since": since, "until": until}).json()["items"]  # until is not included
        self.assertEqual([r["value"] for r in window], [4.0])
        self.assertEqual([r["value"] for r in client.get(url, {"page_size": 2, "page": 2}).json()["items"]], [26.5])
        refused = client.get(url, {"since": until, "until": since})
        self.assertEqual((refused.status_code, refused.json()["errors"][0]["field"]), (422, "since"))
        too_long = client.get(url, {"since": (self.t0 - timedelta(days=40)).isoformat()})
        self.assertEqual(too_long.status_code, 422)
        self.assertIn("31 天", too_long.json()["detail"])
        self.assertEqual(client.get(url, {"since": "yesterday"}).status_code, 422)
        edge = {"since": "0001-01-01T00:00:00+14:00", "until": "0001-01-02T00:00:00+14:00"}  # before year 1 in UTC
        self.assertEqual(client.get(url, edge).status_code, 422)
        self.assertEqual(client.get(f"{BASE}/devices/{self.other.pk}/readings").status_code, 404)
        self.assertEqual(self.login(self.sam).get(url).status_code, 403)

    def test_alarms_in_view_and_one_alarm(self):
        send(self.other, [1], start=self.t0)
        client = self.login(self.alice)
        items = client.get(f"{BASE}/alarms").json()["items"]
        self.assertEqual([i["id"] for i in items], [self.alarm.pk])
        self.assertEqual(
            (items[0]["device_code"], items[0]["status"], items[0]["status_label"], items[0]["value"]),
            ("LEL-1", "raised", "待确认", 26.5),
        )
        self.assertEqual(len(client.get(f"{BASE}/alarms?status=open").json()["items"]), 1)
        self.assertEqual(client.get(f"{BASE}/alarms?status=closed").json()["items"], [])
        self.assertEqual(len(client.get(f"{BASE}/alarms?unack=1").json()["items"]), 1)
        self.assertEqual(client.get(f"{BASE}/alarms?raised_from=someday").status_code, 422)
        detail = client.get(f"{BASE}/alarms/{self.alarm.pk}").json()
        self.assertEqual((detail["acknowledged_by_name"], detail["hazard_number"], detail["hazard_id"]), ("", "", None))
        self.assertEqual(self.login(self.charlie).get(f"{BASE}/alarms/{self.alarm.pk}").status_code, 404)
        self.assertEqual(self.login(self.charlie).get(f"{BASE}/alarms").json()["items"], [])
        self.assertEqual(self.login(self.sam).get(f"{BASE}/alarms").status_code, 403)

    def test_acknowledge_then_close_each_once(self):
        url = f"{BASE}/alarms/{self.alarm.pk}"
        self.login(self.dave)  # a leader looks, does not act
        self.assertEqual(self.post(f"{url}/acknowledge", {}).status_code, 403)
        self.login(self.charlie)  # another county's
        self.assertEqual(self.post(f"{url}/acknowledge", {}).status_code, 404)
        self.login(self.emma)
        done = self.post(f"{url}/acknowledge", {"note": "已派人查看"})
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual((done.json()["status"], done.json()["acknowledged_by_name"]), ("acknowledged", self.emma.name))
        self.assertEqual(done.json()["events"][-1]["note"], "确认报警：已派人查看")
        again = self.post(f"{url}/acknowledge", {})
        self.assertEqual(again.status_code, 400)
        self.assertIn("不能确认", again.json()["detail"])
        short = self.post(f"{url}/close", {"note": "好"})
        self.assertEqual((short.status_code, short.json()["errors"][0]["field"]), (400, "note"))
        self.assertEqual(Alarm.objects.get(pk=self.alarm.pk).status, AlarmStatus.ACKNOWLEDGED)
        closed = self.post(f"{url}/close", {"note": "阀门泄漏已紧固，复测正常"})
        self.assertEqual(closed.status_code, 200, closed.content)
        self.assertEqual(
            (closed.json()["status"], closed.json()["close_note"], closed.json()["closed_by_name"]),
            ("closed", "阀门泄漏已紧固，复测正常", self.emma.name),
        )
        self.assertEqual(self.post(f"{url}/close", {"note": "再次关闭"}).status_code, 400)
        self.assertEqual(self.post(f"{url}/acknowledge", {"note": 5}).status_code, 422)

    def test_report_an_alarm_as_a_hazard_once(self):
        url = f"{BASE}/alarms/{self.alarm.pk}/hazard"
        self.login(self.dave)
        self.assertEqual(self.post(url, {}).status_code, 403)
        self.assertFalse(Hazard.objects.exists())
        self.login(self.alice)
        bad = self.post(url, {"deadline": "下周"})
        self.assertEqual(bad.status_code, 422)
        too_far = self.post(url, {"deadline": "2099-01-31"})  # the hazards' own rule: the longest deadline
        self.assertEqual((too_far.status_code, too_far.json()["errors"][0]["field"]), (400, "deadline"))
        deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
        made = self.post(url, {"level": "general", "deadline": deadline})
        self.assertEqual(made.status_code, 201, made.content)
        hazard = Hazard.objects.get()
        self.assertEqual((made.json()["hazard_id"], made.json()["hazard_number"]), (hazard.pk, hazard.number))
        self.assertEqual((hazard.channel, hazard.enterprise_id), ("monitoring", self.enterprise_a.pk))
        self.assertEqual(
            (hazard.description, hazard.deadline.isoformat()), ("监测报警：" + self.alarm.message, deadline)
        )
        self.assertEqual(self.post(url, {}).status_code, 400)  # once per alarm
        self.assertEqual(Hazard.objects.count(), 1)
