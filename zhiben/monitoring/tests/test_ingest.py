"""Readings in over HTTP: device token auth, every bad-input reason counted per device, valid readings in a
bad batch still stored, malformed payloads."""

import json
from datetime import timedelta

from django.utils import timezone

from zhiben.core.services import rule_save
from zhiben.monitoring import services
from zhiben.monitoring.ingest import Item, Refused, decode, ingest
from zhiben.monitoring.models import Alarm, Device, Reading, Rejection
from zhiben.testing import CastTestCase

from .helpers import make_device

URL = "/monitoring/ingest/"


def iso(dt):
    return dt.isoformat()


class HttpIngestTests(CastTestCase):
    def setUp(self):
        self.device, self.token = make_device(self.alice, self.enterprise_a, "LEL-A", rules=[("above", 25, 0)])
        self.other, self.other_token = make_device(self.charlie, self.enterprise_b, "LEL-B")
        self.now = timezone.now()

    def post(self, body, token=None, **headers):
        token = self.token if token is None else token
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(URL, data, content_type="application/json", **headers)

    def counts(self, device=None):
        return dict(Rejection.objects.filter(device=device or self.device).values_list("reason", "count"))

    def test_a_batch_is_stored_and_an_alarm_raised(self):
        readings = [{"ts": iso(self.now - timedelta(minutes=m)), "value": v} for m, v in ((2, 3.5), (1, 4), (0, 27))]
        response = self.post(readings)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual((body["accepted"], body["rejected"], body["alarms"]), (3, 0, 1))
        self.assertEqual(Reading.objects.filter(device=self.device).count(), 3)
        device = Device.objects.get(pk=self.device.pk)
        self.assertEqual(device.last_value, 27)
        self.assertIsNotNone(device.last_seen)
        self.assertEqual(Alarm.objects.get().device, self.device)

    def test_a_single_object_and_the_wrapped_form(self):
        self.assertEqual(self.post({"ts": iso(self.now), "value": 1.5}).json()["accepted"], 1)
        wrapped = {"device": "LEL-A", "readings": [{"ts": iso(self.now), "value": 2, "unit": "%LEL"}]}
        self.assertEqual(self.post(wrapped).json()["accepted"], 1)

    def test_bad_input_is_refused_per_reading_with_reasons_and_valid_ones_stored(self):
        rule_save(actor=self.alice, key="monitoring.future_minutes", region_code=self.county_a.code, value=10)
        readings = [
            {"ts": iso(self.now), "value": 1.0},  # fine
            {"ts": iso(self.now), "value": "12.5"},  # text, not a number
            {"ts": iso(self.now), "value": None},
            {"ts": iso(self.now), "value": True},
            {"ts": iso(self.now), "value": 3, "unit": "ppm"},  # the device measures %LEL
            {"ts": "yesterday", "value": 3},
            {"value": 3},
            {"ts": iso(self.now + timedelta(minutes=11)), "value": 3},  # beyond the county's 10 minutes
            {"ts": iso(self.now + timedelta(minutes=9)), "value": 3.3},  # within them: fine
            {"ts": iso(self.now - timedelta(days=8)), "value": 3},  # older than 7 days
            [1, 2],
            {"ts": iso(self.now), "value": 2.5},
        ]
        response = self.post(readings)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual((body["accepted"], body["rejected"]), (3, 9))
        self.assertEqual(
            body["reasons"],
            {"bad_value": 3, "wrong_unit": 1, "bad_ts": 2, "future": 1, "too_old": 1, "malformed": 1},
        )
        self.assertEqual(body["errors"][0]["index"], 1)
        self.assertIn("不是数字", body["errors"][0]["message"])
        self.assertEqual(
            self.counts(),
            {"bad_value": 3, "wrong_unit": 1, "bad_ts": 2, "future": 1, "too_old": 1, "malformed": 1},
        )
        self.assertEqual(sorted(Reading.objects.values_list("value", flat=True)), [1.0, 2.5, 3.3])
        self.post([{"ts": iso(self.now), "value": "x"}])  # counted up, not replaced
        self.assertEqual(self.counts()["bad_value"], 4)

    def test_nan_and_infinity_are_not_readings(self):
        ts = iso(self.now)
        response = self.post(f'[{{"ts": "{ts}", "value": NaN}}, {{"ts": "{ts}", "value": Infinity}}]')
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["reasons"], {"bad_value": 2})

    def test_malformed_json_is_refused_and_counted(self):
        response = self.post('[{"ts": "2026-11-05T08:00:00+08:00", "value": 1.0')
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["reasons"], {"malformed": 1})
        self.assertEqual(self.counts(), {"malformed": 1})
        self.assertEqual(self.post('"just text"').json()["reasons"], {"malformed": 1})
        self.assertEqual(self.post(b"\xff\xfe").status_code, 400)
        self.assertFalse(Reading.objects.exists())

    def test_no_or_bad_token_is_401(self):
        self.assertEqual(self.post([], token="").status_code, 401)
        response = self.post([{"ts": iso(self.now), "value": 1}], token="not-a-token", HTTP_X_DEVICE_CODE="LEL-A")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["detail"], "设备令牌无效。")
        self.assertEqual(self.counts(), {"bad_token": 1})
        self.assertFalse(Reading.objects.exists())

    def test_another_enterprises_token_is_403_and_stores_nothing(self):
        response = self.post([{"ts": iso(self.now), "value": 1}], token=self.other_token, HTTP_X_DEVICE_CODE="LEL-A")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["detail"], "该令牌不属于设备 LEL-A。")
        self.assertEqual(self.counts(), {"bad_token": 1})
        wrapped = {"device": "LEL-A", "readings": [{"ts": iso(self.now), "value": 1}]}
        self.assertEqual(self.post(wrapped, token=self.other_token).status_code, 403)
        self.assertFalse(Reading.objects.exists())

    def test_a_replaced_token_stops_working(self):
        new = services.device_new_token(actor=self.emma, device=self.device)
        self.assertEqual(self.post([{"ts": iso(self.now), "value": 1}]).status_code, 401)
        self.assertEqual(self.post([{"ts": iso(self.now), "value": 1}], token=new).status_code, 200)
        self.assertNotIn(new, Device.objects.get(pk=self.device.pk).token_hash)

    def test_an_inactive_device_is_refused(self):
        services.device_set_active(actor=self.emma, device=self.device, active=False)
        response = self.post([{"ts": iso(self.now), "value": 1}])
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.counts(), {"inactive": 1})

    def test_a_flood_beyond_the_batch_limit_is_refused_and_the_rest_stored(self):
        rule_save(actor=self.alice, key="monitoring.max_batch", region_code=self.county_a.code, value=5)
        response = self.post([{"ts": iso(self.now - timedelta(seconds=i)), "value": i} for i in range(8)])
        self.assertEqual((response.json()["accepted"], response.json()["reasons"]), (5, {"too_many": 3}))
        self.assertEqual(Reading.objects.count(), 5)

    def test_get_is_not_allowed(self):
        self.assertEqual(self.client.get(URL).status_code, 405)


class IngestFunctionTests(CastTestCase):
    """What MQTT hands the ingest: device codes from topics, payloads decoded or refused."""

    def test_unknown_device_is_counted_in_one_row(self):
        now = timezone.now()
        outcome = ingest(
            [Item("NOPE-1", {"ts": now.isoformat(), "value": 1}), Item("NOPE-2", {"ts": now.isoformat(), "value": 1})],
            now=now,
        )
        self.assertEqual(outcome.reasons(), {"unknown_device": 2})
        row = Rejection.objects.get(device=None)
        self.assertEqual((row.reason, row.count), ("unknown_device", 2))
        self.assertIn("NOPE-2", row.last_detail)

    def test_decode(self):
        self.assertEqual(decode(b'{"ts": "x", "value": 1}'), ([{"ts": "x", "value": 1}], None))
        self.assertEqual(decode("[]"), ([], None))
        entries, refused = decode(b"{oops")
        self.assertIsNone(entries)
        self.assertEqual(refused.reason, "malformed")
        self.assertEqual(decode("42")[1].reason, "malformed")

    def test_a_refused_payload_still_lets_the_batch_through(self):
        device, _ = make_device(self.alice, self.enterprise_a, "LEL-M")
        now = timezone.now()
        outcome = ingest(
            [Item("LEL-M", Refused("malformed", "bad")), Item("LEL-M", {"ts": now.isoformat(), "value": 2})], now=now
        )
        self.assertEqual((outcome.accepted, outcome.reasons()), (1, {"malformed": 1}))
        self.assertEqual(Rejection.objects.get(device=device).count, 1)
