"""The statutory reporting API: the reports in view with their filters and one report with its figures, deadline and
standing; the report page's steps (open, regenerate, attest, submit) through the services, each allowed and refused;
and the compliance figures of a period hand-counted, as the 报送情况 page counts them. Another county's report is a
404 and its lists empty, a user without `duty.submit` or `duty.monitor` a 403, a supervisor on a step a 403, a step
the report's state refuses a 400, a bad value a 422."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.core.services import rule_save
from zhiben.duties import services
from zhiben.duties.models import PeriodReport
from zhiben.duties.periods import Period, quarter_of
from zhiben.enterprises.models import Enterprise
from zhiben.testing import CastTestCase, make_enterprise, make_user

BASE = "/api/v1/duties"


class DutiesApiCase(CastTestCase):
    """Two quarters back (its deadline past whatever today is), in county A: 凤凰化工 (emma) sent on the deadline
    day, 凤凰重工 (emily) three days late, 凤凰建设 never (逾期未报); 青木关建材 in town A2, whose rule gives a year,
    may still send (待报送); 凤凰新材料 registered today, after the deadline (exempt); a closed enterprise owes
    nothing. Last quarter 凤凰化工 has a draft. In county B, 西彭化工 never sent."""

    def setUp(self):
        today = timezone.localdate()
        self.period = quarter_of(today).previous().previous()
        self.last = quarter_of(today).previous()
        long_ago = timezone.now() - timedelta(days=800)
        Enterprise.objects.update(created_at=long_ago)
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="王建国")
        self.heavy = make_enterprise(self.village_a2, "machinery", name="凤凰重工有限公司", principal="张三")
        self.emily = make_user("emily", Role.ENTERPRISE, self.village_a2, enterprise=self.heavy)
        rule_save(actor=self.alice, key="duty.quarterly.deadline", region_code=self.town_a2.code, value={"days": 366})
        self.waiting = make_enterprise(self.town_a2, "construction", name="青木关建材有限公司")
        closed = make_enterprise(self.village_a1, "hazchem", name="凤凰已关闭有限公司", status="closed")
        Enterprise.objects.filter(pk__in=[self.heavy.pk, self.waiting.pk, closed.pk]).update(created_at=long_ago)
        self.newcomer = make_enterprise(self.village_a1, "hazchem", name="凤凰新材料有限公司")
        self.deadline = services.deadline_for(self.period, self.village_a1.code)
        self.on_time = self.sent(self.emma, "王建国", self.deadline)
        self.late = self.sent(self.emily, "张三", self.deadline + timedelta(days=3))
        self.draft = services.report_open(actor=self.emma, period_code=self.last.code)

    def sent(self, user, principal, day):
        report = services.report_open(actor=user, period_code=self.period.code)
        services.report_attest(actor=user, report=report, name=principal, confirmed=True, analysis="整改到位")
        return services.report_submit(actor=user, report=report, today=day)

    def post(self, url, body=None):
        return self.client.post(url, body or {}, content_type="application/json")

    def ids(self, url, user=None, **params):
        if user is not None:
            self.login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, response.content)
        return [item.get("id", item.get("enterprise_id")) for item in response.json()["items"]]


class ReportApiTests(DutiesApiCase):
    def test_reports_in_view_with_the_filters_and_one_report(self):
        url = f"{BASE}/reports"
        self.login(self.alice)
        items = self.client.get(url).json()["items"]
        self.assertEqual([i["id"] for i in items], [self.draft.pk, self.on_time.pk, self.late.pk])  # latest first
        sent, late = items[1], items[2]
        self.assertEqual(
            (sent["enterprise_name"], sent["period"], sent["period_label"], sent["kind_label"], sent["status_label"]),
            ("凤凰化工有限公司", self.period.code, self.period.label, "季度", "已报送"),
        )
        self.assertEqual(
            (sent["deadline"], sent["state"], sent["state_label"], sent["late"], sent["attested_name"]),
            (self.deadline.isoformat(), "on_time", "按期报送", False, "王建国"),
        )
        self.assertEqual((late["state"], late["state_label"], late["late"]), ("late", "逾期报送", True))
        self.assertEqual(items[0]["status"], "draft")
        self.assertEqual(self.ids(url, period=self.period.code), [self.on_time.pk, self.late.pk])
        self.assertEqual(self.ids(url, period=self.period.code.lower()), [self.on_time.pk, self.late.pk])
        self.assertEqual(self.ids(url, status="draft"), [self.draft.pk])
        self.assertEqual(self.ids(url, q="重工"), [self.late.pk])
        self.assertEqual(self.ids(url, region=self.village_a1.code), [self.draft.pk, self.on_time.pk])
        self.assertEqual(self.ids(url, kind="annual"), [])
        self.assertEqual(self.ids(url, sort="period"), [self.on_time.pk, self.late.pk, self.draft.pk])
        for params, field in [
            ({"status": "nonsense"}, "status"),
            ({"period": "2026Q5"}, "period"),
            ({"region": "abc"}, "region"),
            ({"sort": "nonsense"}, "sort"),
            ({"page": "0"}, "page"),
        ]:
            with self.subTest(params=params):
                refused = self.client.get(url, params)
                self.assertEqual((refused.status_code, refused.json()["errors"][0]["field"]), (422, field))
        self.assertEqual(self.ids(url, self.emma), [self.draft.pk, self.on_time.pk])  # its own only
        self.assertEqual(self.ids(url, self.emily), [self.late.pk])
        self.assertEqual(self.ids(url, self.dave), [self.draft.pk, self.on_time.pk, self.late.pk])  # the leader reads
        self.assertEqual(self.ids(url, self.charlie), [])
        self.assertEqual(self.login(self.sam).get(url).status_code, 403)
        self.assertEqual(self.login(self.gina).get(url).status_code, 403)

    def test_one_report_with_its_figures_record_and_the_steps_the_caller_may_take(self):
        url = f"{BASE}/reports/{self.on_time.pk}"
        detail = self.login(self.alice).get(url).json()
        self.assertEqual(
            [(r["key"], r["total"]) for r in detail["figures"]["rows"]],
            [("found", 0), ("rectified", 0), ("closed", 0), ("open_end", 0), ("overdue_end", 0)],
        )
        self.assertEqual((detail["figures"]["funds"], detail["figures"]["rectification_rate"]), ("0.00", None))
        self.assertEqual(
            (detail["analysis"], detail["generated_by_name"], detail["attested_by_name"], detail["submitted_by_name"]),
            ("整改到位", "emma", "emma", "emma"),
        )
        self.assertEqual([e["action"] for e in detail["events"]], ["generate", "attest", "submit"])
        self.assertEqual(detail["events"][-1]["action_label"], "报送")
        self.assertEqual(detail["actions"], [])  # a supervisor reads, takes no step
        self.assertEqual(self.client.get(f"{BASE}/reports/{self.draft.pk}").json()["state"], self.draft_state())
        self.assertEqual(self.login(self.emma).get(url).json()["actions"], [])  # submitted: nothing left
        self.assertEqual(self.client.get(f"{BASE}/reports/{self.draft.pk}").json()["actions"], ["regenerate", "attest"])
        self.assertEqual(self.client.get(f"{BASE}/reports/{self.late.pk}").status_code, 404)  # another enterprise's
        self.assertEqual(self.client.get(f"{BASE}/reports/abc").status_code, 422)
        self.assertEqual(self.login(self.dave).get(url).status_code, 200)
        self.assertEqual(self.login(self.charlie).get(url).status_code, 404)
        self.assertEqual(self.login(self.sam).get(url).status_code, 403)
        self.assertEqual(self.client.get(f"{BASE}/reports/999999").status_code, 403)  # before any lookup
        pending = PeriodReport.objects.create(
            enterprise=self.enterprise_a_construction, kind="annual", period="2024", year=2024,
            period_start=Period(2024).start, period_end=Period(2024).end,
        )  # fmt: skip  # as the job leaves it when it marks the enterprise overdue
        pending_detail = self.login(self.alice).get(f"{BASE}/reports/{pending.pk}").json()
        self.assertEqual((pending_detail["status"], pending_detail["figures"]), ("pending", None))

    def draft_state(self):
        deadline = services.deadline_for(self.last, self.village_a1.code)
        return "overdue" if timezone.localdate() > deadline else "open"


class ReportStepApiTests(DutiesApiCase):
    def test_open_an_ended_period_only_as_the_enterprise_itself(self):
        url = f"{BASE}/reports"
        year = str(timezone.localdate().year - 1)
        self.login(self.alice)
        self.assertEqual(self.post(url, {"period": year}).status_code, 403)
        self.login(self.dave)
        self.assertEqual(self.post(url, {"period": year}).status_code, 403)
        self.login(self.emma)
        self.assertEqual(self.post(url, {}).status_code, 422)
        self.assertEqual(self.post(url, {"period": 2025}).status_code, 422)
        unended = self.post(url, {"period": quarter_of(timezone.localdate()).code})
        self.assertEqual(unended.status_code, 400)
        self.assertIn("尚未结束", unended.json()["detail"])
        self.assertEqual(self.post(url, {"period": "2026Q9"}).status_code, 400)
        opened = self.post(url, {"period": year})
        self.assertEqual(opened.status_code, 200, opened.content)
        report = PeriodReport.objects.get(enterprise=self.enterprise_a, period=year)
        self.assertEqual(
            (opened.json()["id"], opened.json()["status"], opened.json()["kind"], opened.json()["actions"]),
            (report.pk, "draft", "annual", ["regenerate", "attest"]),
        )
        self.assertEqual(self.post(url, {"period": year}).json()["id"], report.pk)  # once per period
        self.assertEqual(self.post(url, {"period": self.period.code}).json()["status"], "submitted")  # left as sent

    def test_regenerate_attest_and_submit_each_allowed_and_refused(self):
        url = f"{BASE}/reports/{self.draft.pk}"
        eve = make_user("eve", Role.ENTERPRISE, self.village_b1, enterprise=self.enterprise_b)
        neighbour = make_user("ned", Role.ENTERPRISE, self.village_a2, enterprise=self.enterprise_a_construction)
        signed = {"name": "王建国", "confirmed": True, "analysis": "重点排查罐区"}
        for user, status in [(self.alice, 403), (self.dave, 403), (self.sam, 403), (eve, 404), (neighbour, 404)]:
            self.login(user)
            for step, body in [("regenerate", {}), ("attest", signed), ("submit", {})]:
                with self.subTest(user=user.username, step=step):
                    self.assertEqual(self.post(f"{url}/{step}", body).status_code, status)
        self.assertEqual(PeriodReport.objects.get(pk=self.draft.pk).status, "draft")
        self.login(self.emma)
        unsigned = self.post(f"{url}/submit")
        self.assertEqual((unsigned.status_code, unsigned.json()["code"]), (400, "not_attested"))
        wrong = self.post(f"{url}/attest", {"name": "李四", "confirmed": True})
        self.assertEqual((wrong.status_code, wrong.json()["errors"][0]["field"]), (400, "name"))
        unconfirmed = self.post(f"{url}/attest", {"name": "王建国"})
        self.assertEqual((unconfirmed.status_code, unconfirmed.json()["errors"][0]["field"]), (400, "confirmed"))
        self.assertEqual(self.post(f"{url}/attest", {"name": "王建国", "confirmed": "maybe"}).status_code, 422)
        self.assertEqual(self.post(f"{url}/attest", {"name": "王" * 51, "confirmed": True}).status_code, 422)
        attested = self.post(f"{url}/attest", signed)
        self.assertEqual(attested.status_code, 200, attested.content)
        self.assertEqual(
            (attested.json()["status"], attested.json()["attested_name"], attested.json()["analysis"]),
            ("attested", "王建国", "重点排查罐区"),
        )
        self.assertEqual(attested.json()["actions"], ["regenerate", "submit"])
        again = self.post(f"{url}/attest", signed)
        self.assertEqual((again.status_code, again.json()["code"]), (400, "bad_state"))
        regenerated = self.post(f"{url}/regenerate")  # the signature no longer holds
        self.assertEqual(regenerated.status_code, 200, regenerated.content)
        self.assertEqual((regenerated.json()["status"], regenerated.json()["attested_name"]), ("draft", ""))
        self.assertEqual(self.post(f"{url}/attest", signed).status_code, 200)
        sent = self.post(f"{url}/submit")
        self.assertEqual(sent.status_code, 200, sent.content)
        deadline = services.deadline_for(self.last, self.village_a1.code)
        late = timezone.localdate() > deadline
        self.assertEqual(
            (sent.json()["status"], sent.json()["late"], sent.json()["state"], sent.json()["actions"]),
            ("submitted", late, "late" if late else "on_time", []),
        )
        self.assertEqual(
            [e["action"] for e in sent.json()["events"]], ["generate", "attest", "generate", "attest", "submit"]
        )
        for step, body in [("submit", {}), ("attest", signed), ("regenerate", {})]:
            with self.subTest(after="submitted", step=step):
                self.assertEqual(self.post(f"{url}/{step}", body).status_code, 400)
        self.assertEqual(self.post(f"{BASE}/reports/abc/submit").status_code, 422)
        self.assertEqual(self.post(f"{BASE}/reports/{self.late.pk}/submit").status_code, 404)


class ComplianceApiTests(DutiesApiCase):
    def figures(self, user=None, **params):
        if user is not None:
            self.login(user)
        response = self.client.get(f"{BASE}/compliance", {"period": self.period.code, **params})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        return {key: body[key] for key in ("total", "submitted", "on_time", "late", "overdue", "open", "exempt")}

    def test_the_figures_hand_counted_as_the_page_counts_them(self):
        counted = {"total": 4, "submitted": 2, "on_time": 1, "late": 1, "overdue": 1, "open": 1, "exempt": 1}
        self.assertEqual(self.figures(self.alice), counted)
        page = self.client.get("/duties/compliance/", {"period": self.period.code})
        self.assertEqual({key: page.context["summary"][key] for key in counted}, counted)
        body = self.client.get(f"{BASE}/compliance", {"period": self.period.code}).json()
        self.assertEqual((body["period"], body["period_label"]), (self.period.code, self.period.label))
        self.assertEqual(self.figures(state="overdue", sort="name"), counted)  # these only choose the list
        only_town = {"total": 1, "submitted": 0, "on_time": 0, "late": 0, "overdue": 0, "open": 1, "exempt": 0}
        self.assertEqual(self.figures(region=self.town_a2.code), only_town)
        self.assertEqual(self.figures(region="500106104"), only_town)  # a code in its short form
        page = self.client.get("/duties/compliance/", {"period": self.period.code, "region": self.town_a2.code})
        self.assertEqual({key: page.context["summary"][key] for key in counted}, only_town)
        self.assertEqual(self.figures(q="凤凰建设")["overdue"], 1)
        self.assertEqual(self.figures(q="凤凰建设")["total"], 1)
        self.assertEqual(self.figures(self.dave), counted)  # the county's leader reads the same
        charlie = {"total": 1, "submitted": 0, "on_time": 0, "late": 0, "overdue": 1, "open": 0, "exempt": 0}
        self.assertEqual(self.figures(self.charlie), charlie)
        bob = self.figures(self.bob)  # the city: both counties
        self.assertEqual((bob["total"], bob["overdue"]), (5, 2))
        default = self.login(self.alice).get(f"{BASE}/compliance").json()
        self.assertEqual(default["period"], quarter_of(timezone.localdate()).previous().code)  # the page's default

    def test_the_enterprises_behind_the_figures_in_the_page_s_order(self):
        url = f"{BASE}/compliance/enterprises"
        a, construction, newcomer = self.enterprise_a.pk, self.enterprise_a_construction.pk, self.newcomer.pk
        heavy, waiting = self.heavy.pk, self.waiting.pk
        self.login(self.alice)
        body = self.client.get(url, {"period": self.period.code}).json()
        self.assertEqual(body["count"], 5)
        rows = {row["enterprise_id"]: row for row in body["items"]}
        self.assertEqual(
            [row["enterprise_id"] for row in body["items"]], [waiting, a, newcomer, construction, heavy]
        )  # by place (town A2, village A1a, village A1b), then name
        overdue = rows[construction]
        self.assertEqual(
            (overdue["state"], overdue["state_label"], overdue["report_id"], overdue["deadline"]),
            ("overdue", "逾期未报", None, self.deadline.isoformat()),
        )
        self.assertEqual(overdue["overdue_days"], (timezone.localdate() - self.deadline).days)
        self.assertEqual((overdue["region_name"], overdue["industry_name"]), ("双碑村", "建筑施工"))
        self.assertEqual(
            (rows[a]["report_id"], rows[a]["report_status"], rows[a]["attested_name"], rows[a]["overdue_days"]),
            (self.on_time.pk, "submitted", "王建国", 0),
        )
        self.assertIsNotNone(rows[a]["submitted_at"])
        self.assertEqual(rows[waiting]["state"], "open")
        self.assertEqual(rows[newcomer]["state"], "exempt")
        self.assertEqual(self.ids(url, period=self.period.code, state="overdue"), [construction])
        self.assertEqual(
            self.ids(url, period=self.period.code, sort="state"), [construction, heavy, waiting, a, newcomer]
        )  # 逾期未报, 逾期报送, 待报送, 按期报送, then those not counted
        self.assertEqual(self.ids(url, period=self.period.code, page_size=2, page=3), [heavy])
        self.assertEqual(self.ids(url, self.charlie, period=self.period.code), [self.enterprise_b.pk])
        self.assertEqual(
            self.ids(url, self.charlie, period=self.period.code, region=self.county_b.code), [self.enterprise_b.pk]
        )

    def test_refusals(self):
        self.login(self.alice)
        for params, field in [
            ({"period": "2019"}, "period"),  # not one the page offers
            ({"period": quarter_of(timezone.localdate()).code}, "period"),  # not ended
            ({"period": "nonsense"}, "period"),
            ({"state": "nonsense"}, "state"),
            ({"sort": "nonsense"}, "sort"),
            ({"region": "abc"}, "region"),
        ]:
            for path in ("compliance", "compliance/enterprises"):
                with self.subTest(path=path, params=params):
                    refused = self.client.get(f"{BASE}/{path}", params)
                    self.assertEqual((refused.status_code, refused.json()["errors"][0]["field"]), (422, field))
        self.assertEqual(self.client.get(f"{BASE}/compliance", {"region": self.county_b.code}).status_code, 404)
        self.assertEqual(
            self.client.get(f"{BASE}/compliance/enterprises", {"region": self.county_b.code}).status_code, 404
        )
        for user in (self.emma, self.sam, self.gina):
            self.login(user)
            for path in ("compliance", "compliance/enterprises"):
                with self.subTest(user=user.username, path=path):
                    self.assertEqual(self.client.get(f"{BASE}/{path}").status_code, 403)
