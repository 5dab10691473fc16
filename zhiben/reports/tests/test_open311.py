"""The Open311 GeoReport v2 facade: a client library written by others reads it from a live server after a
report is posted the way the spec says; submissions are refused for a missing key, bad input, the wrong
county and floods, with nothing written; the public reads filter as the spec says and never show (or load)
who reported, what they wrote or where exactly."""

import json
import re
from datetime import timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree

import requests as http
from django.db import connection
from django.test import Client, LiveServerTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from georeport import GeoReport

from zhiben.core.models import Rule
from zhiben.reports import services
from zhiben.reports.choices import Source
from zhiben.reports.models import Attempt, Category, Report
from zhiben.testing import CastTestCase, build_cast

BASE = "/open311/v2"
PHONE = "13912345678"
LAST, FIRST = "欧阳", "秀英"
NAME = LAST + FIRST
DESCRIPTION = "工业路8号仓库后门堆放了二十多桶油漆稀释剂，旁边有人抽烟，已经好几天了。"
SECRET = re.compile(r"查询密码 ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def cells(table=None):
    """Every value of every row of `table` (or of every table), read with raw SQL, as text."""
    with connection.cursor() as cursor:
        tables = [table] if table else connection.introspection.table_names(cursor)
        for name in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "ignore")
                    yield name, "" if value is None else str(value)


def in_clear(*needles, table=None):
    """(table, needle) for each needle found in clear, also as JSON's \\u escapes."""
    forms = {n: {n, json.dumps(n)[1:-1]} for n in needles}
    return {
        (name, n) for name, text in cells(table) for n, variants in forms.items() if any(v in text for v in variants)
    }


class GeoReportClientTest(LiveServerTestCase):
    """The `georeport` package (its authors never saw this project) lists, defines and reads back."""

    def setUp(self):
        build_cast(self)
        self.key_row, self.key = services.open311_key_create(
            actor=self.alice, name="城市随手拍", region_code=self.county_a.code
        )
        self.base = f"{self.live_server_url}{BASE}"

    def test_a_civic_app_posts_a_named_report_and_reads_it_back_without_identity_in_the_database(self):
        client = GeoReport(self.base)
        listed = {s["service_code"]: s for s in client.get_service_list()}
        assert set(listed) == set(Category.objects.filter(is_active=True).values_list("code", flat=True))
        assert listed["hazchem"]["service_name"] == "危险化学品"
        assert listed["hazchem"]["metadata"] is True and listed["hazchem"]["group"] == "事故隐患"

        definition = client.get_service_definition("hazchem")
        attributes = {a["code"]: a for a in definition["attributes"]}
        assert definition["service_code"] == "hazchem"
        assert attributes["region"]["required"] is True and attributes["region"]["datatype"] == "string"
        assert {v["key"] for v in attributes["anonymous"]["values"]} == {"true", "false"}

        # POST the way GeoReport v2 specifies: form-encoded, with the key, a name and a phone
        response = http.post(
            f"{self.base}/requests.json",
            data={
                "api_key": self.key,
                "service_code": "hazchem",
                "description": DESCRIPTION,
                "first_name": FIRST,
                "last_name": LAST,
                "phone": PHONE,
                "email": "xiuying@example.com",
                "device_id": "phone-0001",
                "attribute[region]": self.village_a1.code,
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        [answer] = response.json()
        code = answer["service_request_id"]
        secret = SECRET.search(answer["service_notice"]).group(1)
        assert answer["account_id"] is None
        assert services.report_find(code, secret).code == code  # the secret shown once is the real one

        one = client.get_service_request(code)
        assert one["service_request_id"] == code and one["status"] == "open"
        assert one["service_code"] == "hazchem" and one["agency_responsible"] == "凤凰镇应急办"
        assert one["address"] == "凤凰镇凤凰村" and one["lat"] is None and one["long"] is None
        assert one["description"] == "危险化学品（凤凰镇凤凰村）"
        by_filter = client.get_service_requests(service_code="hazchem", status="open")
        assert [r["service_request_id"] for r in by_filter] == [code]
        assert client.get_service_requests(service_code="hazchem", status="closed") == []
        assert [r["service_request_id"] for r in client.get_service_requests(service_request_id=code)] == [code]
        for text in (PHONE, NAME, "油漆稀释剂", secret):
            assert text not in json.dumps(by_filter, ensure_ascii=False)
        # the same through the client's XML mode
        assert GeoReport(self.base, output_format="xml").get_service_request(code)["service_request_id"] == code

        report = Report.objects.get(code=code)
        assert report.source == Source.OPEN311 and report.open311_client == self.key_row
        assert not report.anonymous and report.reporter_name == NAME and report.reporter_phone == PHONE
        # raw SQL: the row holds neither the phone, the name nor the secret in clear, nor the e-mail at all
        found = in_clear(PHONE, NAME, secret, secret.replace("-", ""), "xiuying@example.com", table="reports_report")
        assert found == set()
        # the scan does read the row, Chinese included: the description is kept in clear
        assert in_clear(code, "油漆稀释剂", table="reports_report") == {
            ("reports_report", code),
            ("reports_report", "油漆稀释剂"),
        }
        # nor does any other table (audit log, timeline, notifications, attempts)
        assert in_clear(PHONE, NAME, secret, "xiuying@example.com") == set()


class Open311Test(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.key_row, cls.key = services.open311_key_create(
            actor=cls.alice, name="城市随手拍", region_code=cls.county_a.code
        )
        cls.key_row_b, cls.key_b = services.open311_key_create(
            actor=cls.charlie, name="九龙坡随手拍", region_code=cls.county_b.code
        )

    # ------------------------------------------------------------ helpers

    def post(self, key=True, **fields):
        data = {
            "api_key": self.key if key is True else key,
            "service_code": "hazchem",
            "description": DESCRIPTION,
            "attribute[region]": self.village_a1.code,
        } | fields
        data = {k: v for k, v in data.items() if v is not None}
        client = Client(enforce_csrf_checks=True)  # a civic app has no CSRF token
        return client.post(f"{BASE}/requests.json", urlencode(data), content_type="application/x-www-form-urlencoded")

    def get(self, path, **params):
        return self.client.get(f"{BASE}/{path}", params)

    def make(self, category="hazchem", region=None, days_ago=0, **data):
        report, _ = services.report_submit(
            data={
                "category": category,
                "region": (region or self.village_a1).code,
                "description": DESCRIPTION,
                **data,
            }
        )
        if days_ago:
            Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        return report

    def close(self, report, reply="经现场核查，反映的问题不存在，现场未见堆放物品。"):
        services.report_accept(actor=self.alice, report=report)
        return services.report_unfounded(actor=self.alice, report=report, reply=reply)

    def ids(self, response):
        assert response.status_code == 200, response.content.decode()
        return {r["service_request_id"] for r in response.json()}

    def refused(self, response, status, *texts):
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert isinstance(body, list) and body and all(e["code"] == status for e in body)
        joined = "；".join(e["description"] for e in body)
        for text in texts:
            assert text in joined, joined
        return joined

    # ------------------------------------------------------------ submitting

    def test_a_named_report_is_taken_with_the_secret_in_the_notice(self):
        response = self.post(
            first_name=FIRST,
            last_name=LAST,
            phone=PHONE,
            email="xiuying@example.com",
            media_url="http://192.168.0.1/photo.jpg",
            device_id="phone-0001",
            **{"attribute[enterprise_name]": "凤凰化工有限公司", "attribute[is_employee]": "true"},
        )
        assert response.status_code == 200, response.content.decode()
        assert response["Cache-Control"] == "no-store"
        [answer] = response.json()
        secret = SECRET.search(answer["service_notice"]).group(1)
        assert "http://testserver/report/track/" in answer["service_notice"]
        report = services.report_find(answer["service_request_id"], secret)
        assert report.source == Source.OPEN311 and report.open311_client == self.key_row
        assert report.reporter_name == NAME and report.reporter_phone == PHONE and not report.anonymous
        assert report.enterprise == self.enterprise_a and report.is_employee
        assert report.photos.count() == 0  # media_url is never fetched
        assert in_clear("xiuying@example.com", "192.168.0.1", PHONE, NAME, table="reports_report") == set()

    def test_the_anonymous_attribute_drops_name_and_phone(self):
        response = self.post(first_name=FIRST, last_name=LAST, phone=PHONE, **{"attribute[anonymous]": "true"})
        assert response.status_code == 200, response.content.decode()
        report = Report.objects.get(code=response.json()[0]["service_request_id"])
        assert report.anonymous and report.reporter_name == "" and report.reporter_phone == ""

    def test_without_name_or_phone_a_report_is_anonymous(self):
        response = self.post()
        assert response.status_code == 200, response.content.decode()
        assert Report.objects.get().anonymous

    def test_a_missing_unknown_or_disabled_key_is_refused_and_nothing_is_written(self):
        _, disabled = services.open311_key_create(actor=self.alice, name="停用的应用", region_code=self.county_a.code)
        from zhiben.reports.models import Open311Key

        Open311Key.objects.filter(name="停用的应用").update(is_active=False)
        for key in (None, "", "not-a-key", disabled):
            self.refused(self.post(key=key), 403, "api_key")
        assert Report.objects.count() == 0 and Attempt.objects.count() == 0

    def test_bad_input_is_refused_in_chinese_and_nothing_is_written(self):
        cases = [
            ({"service_code": "no-such-thing"}, "service_code：请选择举报类别"),
            ({"service_code": "<script>"}, "请选择举报类别"),
            ({"description": "有隐患"}, "至少10个字"),
            ({"first_name": FIRST, "last_name": LAST}, "phone：实名举报请填写正确的手机号码"),
            ({"phone": "12345"}, "手机号码"),
            ({"attribute[anonymous]": "false"}, "实名举报请填写姓名"),
            ({"attribute[anonymous]": "maybe"}, "attribute[anonymous] 只能是 true 或 false"),
            ({"lat": "north"}, "lat：纬度“north”不是数字"),
            ({"long": "200"}, "超出范围"),
            ({"description": DESCRIPTION + "\x00"}, "空字符"),
            ({"attribute[region]": "500106"}, "范围太大"),
            ({"attribute[region]": "凤凰村"}, "不是12位区划代码"),
            ({"attribute[region]": "999999999999"}, "请选择隐患所在的镇街"),
            ({"jurisdiction_id": "x"}, "jurisdiction_id"),
        ]
        for fields, text in cases:
            with self.subTest(fields=fields):
                self.refused(self.post(**fields), 400, text)
        assert Report.objects.count() == 0 and Attempt.objects.count() == 0

    def test_the_region_cannot_come_from_coordinates(self):
        joined = self.refused(
            self.post(**{"attribute[region]": None, "lat": "29.60", "long": "106.30"}), 400, "attribute[region]"
        )
        assert "不能根据经纬度或地址确定区划" in joined
        self.refused(self.post(**{"attribute[region]": None}), 400, "12位区划代码")
        assert Report.objects.count() == 0

    def test_a_key_of_county_a_cannot_submit_in_county_b(self):
        self.refused(
            self.post(**{"attribute[region]": self.village_b1.code}), 400, "该应用只能提交沙坪坝区范围内的举报"
        )
        self.refused(self.post(jurisdiction_id=self.county_b.code), 400, "不在该应用可提交的范围（沙坪坝区）")
        self.refused(self.post(jurisdiction_id=self.town_a2.code), 400, "不在 jurisdiction_id（青木关镇）范围内")
        assert Report.objects.count() == 0
        # county B's own key may
        response = self.post(key=self.key_b, jurisdiction_id="500107", **{"attribute[region]": self.village_b1.code})
        assert response.status_code == 200, response.content.decode()
        assert Report.objects.get().region == self.village_b1

    def test_floods_from_one_device_are_refused(self):
        Rule.objects.create(key="reports.limit_device_hour", region_code="", value=1)
        assert self.post(device_id="phone-0001").status_code == 200
        self.refused(self.post(device_id="phone-0001"), 429, "同一设备提交过于频繁")
        assert Report.objects.count() == 1
        assert self.post(device_id="phone-0002").status_code == 200

    def test_floods_from_one_address_are_refused(self):
        Rule.objects.create(key="reports.limit_address_hour", region_code="", value=1)
        assert self.post().status_code == 200
        self.refused(self.post(device_id="another"), 429, "同一网络提交过于频繁")
        assert Report.objects.count() == 1

    def test_a_json_body_or_an_unreadable_form_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        body = json.dumps({"api_key": self.key, "service_code": "hazchem", "description": DESCRIPTION})
        self.refused(client.post(f"{BASE}/requests.json", body, content_type="application/json"), 400, "表单")
        broken = client.post(f"{BASE}/requests.json", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
        assert broken.status_code in (400, 403) and broken["Content-Type"].startswith("application/json")
        assert Report.objects.count() == 0

    # ------------------------------------------------------------ services

    def test_services_list_only_active_categories(self):
        Category.objects.filter(code="mining").update(is_active=False)
        response = self.get("services.json")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        services_ = {s["service_code"]: s for s in response.json()}
        assert "mining" not in services_ and "fire" in services_
        assert services_["fire"]["type"] == "realtime"
        assert "堵塞消防通道" in services_["fire"]["keywords"].split(",")
        assert services_["illegal"]["group"] == "非法违法生产经营建设行为"
        self.refused(self.get("services/mining.json"), 404, "mining")

    def test_service_definition_and_unknown_codes(self):
        body = self.get("services/fire.json").json()
        required = [a["code"] for a in body["attributes"] if a["required"]]
        assert body["service_code"] == "fire" and required == ["region"]
        for code in ("nothing", "%00", "x" * 5000, "消防"):
            self.refused(self.get(f"services/{code}.json"), 404, "service_code")

    def test_xml_is_served_and_other_formats_refused(self):
        root = ElementTree.fromstring(self.get("services.xml").content)
        assert root.tag == "services" and root.find("service/service_code").text == "fire"
        definition = ElementTree.fromstring(self.get("services/fire.xml").content)
        assert definition.find("attributes/attribute/code") is not None
        missing = self.get("services/nothing.xml")
        assert missing.status_code == 404 and ElementTree.fromstring(missing.content).find("error/code").text == "404"
        self.refused(self.get("services.yaml"), 400, "json")

    # ------------------------------------------------------------ reading requests

    def test_requests_filter_by_status_service_code_date_and_id(self):
        fresh = self.make("hazchem")
        closed = self.close(self.make("fire", days_ago=5))
        old = self.make("gas", days_ago=100)
        spam = self.make("hazchem")
        services.report_spam(actor=self.alice, report=spam, reason="广告信息")

        assert self.ids(self.get("requests.json")) == {fresh.code, closed.code}  # last 90 days, no spam
        assert self.ids(self.get("requests.json", status="open")) == {fresh.code}
        assert self.ids(self.get("requests.json", status="closed")) == {closed.code}
        assert self.ids(self.get("requests.json", status="open,closed")) == {fresh.code, closed.code}
        assert self.ids(self.get("requests.json", service_code="fire,gas")) == {closed.code}
        assert self.ids(self.get("requests.json", service_code="no-such")) == set()
        now = timezone.now()
        window = {
            "start_date": (now - timedelta(days=120)).isoformat(),
            "end_date": (now - timedelta(days=80)).isoformat(),
        }
        assert self.ids(self.get("requests.json", **window)) == {old.code}
        since = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert self.ids(self.get("requests.json", start_date=since)) == {fresh.code, closed.code}
        until = (now - timedelta(days=3)).strftime("%Y-%m-%d")
        assert self.ids(self.get("requests.json", end_date=until)) == {closed.code}
        # a list of ids overrides every other filter; spam stays out
        ids = f"{old.code},{spam.code}, {fresh.code.lower()}"
        assert self.ids(self.get("requests.json", service_request_id=ids, status="closed")) == {old.code, fresh.code}
        assert self.ids(self.get("requests.json", foo="bar", page="2")) == {fresh.code, closed.code}

    def test_closed_requests_carry_the_reply_and_the_outcome(self):
        report = self.close(self.make("fire"))
        [row] = self.get(f"requests/{report.code}.json").json()
        assert row["status"] == "closed"
        assert row["status_notes"] == "不属实：经现场核查，反映的问题不存在，现场未见堆放物品。"
        assert row["agency_responsible"] == "沙坪坝区安委办"
        assert row["requested_datetime"].endswith("+08:00")
        assert row["expected_datetime"] == f"{report.deadline:%Y-%m-%d}T23:59:59+08:00"

    def test_bad_dates_and_spans_answer_400(self):
        cases = [
            ({"start_date": "yesterday"}, "start_date“yesterday”不是有效的 W3C 日期时间"),
            ({"end_date": "2026-13-45"}, "end_date"),
            ({"start_date": "0001-01-01T00:00:00"}, "start_date"),
            ({"start_date": "9999-12-31T23:59:59Z"}, "超出可查询的时间范围"),
            ({"end_date": "0001-01-01T00:00:00Z"}, "超出可查询的时间范围"),
            ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "不能超过90天"),
            ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date 早于 start_date"),
            ({"status": "pending"}, "status 只能是 open"),
            ({"jurisdiction_id": "999999"}, "jurisdiction_id“999999”不是已知的行政区划代码"),
            ({"service_request_id": ",".join(["JB-AAAA-AAAA"] * 101)}, "最多 100 个"),
            ({"status": "open\x00"}, "空字符"),
        ]
        for params, text in cases:
            with self.subTest(params=params):
                self.refused(self.get("requests.json", **params), 400, text)

    def test_spam_is_never_listed_or_returned(self):
        spam = self.make("hazchem")
        services.report_spam(actor=self.alice, report=spam, reason="广告信息")
        assert self.ids(self.get("requests.json")) == set()
        assert self.ids(self.get("requests.json", service_request_id=spam.code)) == set()
        self.refused(self.get(f"requests/{spam.code}.json"), 404, spam.code)
        self.refused(self.get(f"tokens/{spam.code}.json"), 404)

    def test_one_request_and_its_token(self):
        report = self.make("hazchem")
        [row] = self.get(f"requests/{report.code.lower().replace('-', '')}.json").json()
        assert row["service_request_id"] == report.code and row["status"] == "open"
        assert row["status_notes"] == "待受理"
        assert self.get(f"tokens/{report.code}.json").json() == [
            {"service_request_id": report.code, "token": report.code}
        ]
        root = ElementTree.fromstring(self.get(f"tokens/{report.code}.xml").content)
        assert root.find("request/token").text == report.code
        for missing in ("JB-2222-2222", "9" * 5000, "%00", "%E4%B8%AD"):
            self.refused(self.get(f"requests/{missing}.json"), 404, "没有编号为")
            self.refused(self.get(f"tokens/{missing}.json"), 404)

    def test_jurisdiction_narrows_the_reads(self):
        a = self.make("hazchem")
        b = self.make("hazchem", region=self.village_b1)
        assert self.ids(self.get("requests.json")) == {a.code, b.code}
        assert self.ids(self.get("requests.json", jurisdiction_id="500106")) == {a.code}
        assert self.ids(self.get("requests.json", jurisdiction_id=self.county_b.code)) == {b.code}
        self.refused(self.get(f"requests/{b.code}.json", jurisdiction_id="500106"), 404)
        assert self.get(f"requests/{b.code}.json", jurisdiction_id="500107").status_code == 200

    def test_public_reads_neither_show_nor_load_who_reported_what_or_where(self):
        report = self.make(
            "hazchem",
            name=NAME,
            phone=PHONE,
            anonymous="0",
            address="工业路8号仓库后门",
            latitude="29.612345",
            longitude="106.298765",
            enterprise_name="凤凰化工有限公司",
        )
        services.report_accept(actor=self.alice, report=report, reply="您的举报已受理，我们将尽快到现场核查。")
        services.report_message(actor=self.alice, report=report, text="内部：请联系举报人核实细节", internal=True)
        with CaptureQueriesContext(connection) as queries:
            responses = [
                self.get("requests.json"),
                self.get(f"requests/{report.code}.json"),
                self.get(f"tokens/{report.code}.json"),
                self.get(f"requests/{report.code}.xml"),
            ]
        for response in responses:
            assert response.status_code == 200 and response["Cache-Control"] == "no-store"
            body = response.content.decode()
            assert report.code in body
            for secret in (NAME, PHONE, "油漆稀释剂", "工业路8号", "29.61", "106.29", "凤凰化工", "内部："):
                assert secret not in body, (secret, body)
        [row] = responses[1].json()
        assert row["status"] == "open" and row["status_notes"] == "核查中：您的举报已受理，我们将尽快到现场核查。"
        report_sql = [q["sql"] for q in queries.captured_queries if "reports_report" in q["sql"]]
        assert report_sql
        for sql in report_sql:
            for column in ("reporter_", "description", "address", "latitude", "longitude", "enterprise_name"):
                assert column not in sql, (column, sql)

    # ------------------------------------------------------------ the protocol

    def test_wrong_methods_and_unknown_endpoints_answer_json(self):
        client = Client(enforce_csrf_checks=True)
        self.refused(client.delete(f"{BASE}/requests.json"), 405, "DELETE")
        self.refused(client.post(f"{BASE}/services.json"), 405)
        self.refused(client.post(f"{BASE}/requests/JB-2222-2222.json"), 405)
        self.refused(client.post(f"{BASE}/nothing.json"), 404)
        self.refused(self.get("nothing"), 404, "没有这个 Open311 接口")
        self.refused(self.get("requests/"), 404)
        self.refused(self.client.get("/open311/v2/"), 404)

    def test_the_report_status_maps_to_open_and_closed(self):
        verifying = self.make("hazchem")
        services.report_accept(actor=self.alice, report=verifying)
        referred = self.make("hazchem")
        services.report_refer(actor=self.alice, report=referred, body="区公安分局")
        rows = {r["service_request_id"]: r for r in self.get("requests.json").json()}
        assert rows[verifying.code]["status"] == "open"
        assert rows[referred.code]["status"] == "closed"
        assert rows[referred.code]["status_notes"].startswith("已移交：")
