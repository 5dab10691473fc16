"""Pages and API: scope (404), the ledger filters and export, intake by form and API, actions by POST."""

import io

from openpyxl import load_workbook

from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase

from .helpers import photo, ready, report


class HazardPageTests(CastTestCase):
    def setUp(self):
        self.hazard_a = report(self.gina, self.enterprise_a, description="一号车间配电箱未接地")
        self.hazard_b = report(self.charlie, self.enterprise_b, description="西彭储罐区无紧急切断阀")

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        pk = self.hazard_a.pk
        for url in (f"/hazards/{pk}/", f"/api/v1/hazards/{pk}"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        for url in (
            f"/hazards/{pk}/do/verify/",
            f"/hazards/{pk}/plan/",
            f"/hazards/{pk}/attach/",
            f"/hazards/{pk}/list/",
            f"/hazards/{pk}/extension/",
        ):
            self.assertEqual(self.client.post(url, {"note": "x"}).status_code, 404, url)
        self.assertEqual(
            self.client.post(
                f"/api/v1/hazards/{pk}/transitions", {"action": "verify"}, content_type="application/json"
            ).status_code,
            404,
        )
        self.assertEqual(Hazard.objects.get(pk=pk).status, Status.REPORTED)
        self.assertNotContains(self.client.get("/hazards/"), self.hazard_a.number)

    def test_ledger_lists_filters_and_exports_exactly_the_filtered_rows(self):
        major = report(
            self.gina, self.enterprise_a, level="major", criteria_other="重大理由", description="涉爆粉尘车间电气不防爆"
        )
        self.login(self.alice)
        response = self.client.get("/hazards/")
        self.assertContains(response, self.hazard_a.number)
        self.assertContains(response, major.number)
        self.assertNotContains(response, self.hazard_b.number)
        filtered = self.client.get("/hazards/?level=major")
        self.assertContains(filtered, major.number)
        self.assertNotContains(filtered, self.hazard_a.number)
        export = self.client.get("/hazards/export/?level=major")
        self.assertEqual(export.status_code, 200)
        sheet = load_workbook(io.BytesIO(export.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("序号", "隐患编号", "单位/场所名称"))
        self.assertEqual([r[1] for r in rows[1:]], [major.number])

    def test_leader_reads_but_sees_no_action_buttons(self):
        self.login(self.dave)
        response = self.client.get(f"/hazards/{self.hazard_a.pk}/")
        self.assertContains(response, self.hazard_a.number)
        self.assertNotContains(response, 'data-action="verify"')
        self.assertEqual(self.client.post(f"/hazards/{self.hazard_a.pk}/do/verify/").status_code, 302)
        self.assertEqual(Hazard.objects.get(pk=self.hazard_a.pk).status, Status.REPORTED)

    def test_the_evidence_form_begins_with_the_kind_the_state_asks_for(self):
        """An enterprise rectifying uploads 整改后 photos (what 销号 needs), a reviewer 验收材料; the photos are shown
        before the buttons that act on them."""
        hazard = ready(self.hazard_a, self.erin, status=Status.RECTIFYING, with_photo=False)
        for user, status, kind in (
            (self.emma, Status.RECTIFYING, "after"),
            (self.erin, Status.SUBMITTED, "acceptance"),
            (self.erin, Status.VERIFIED, "before"),
        ):
            Hazard.objects.filter(pk=hazard.pk).update(status=status)
            page = self.login(user).get(f"/hazards/{hazard.pk}/").content.decode()
            self.assertIn(f'<option value="{kind}" selected>', page, (user.username, status))
            self.assertLess(page.index("<h2>证据材料</h2>"), page.index("<h2>处置</h2>"))

    def test_report_form_with_photo(self):
        self.login(self.gina)
        response = self.client.post(
            "/hazards/report/",
            {
                "enterprise": self.enterprise_a.pk,
                "channel": "supervision",
                "level": "general",
                "description": "厂房安全出口被货物堵塞",
                "photos": [photo("现场.png")],
            },
        )
        hazard = Hazard.objects.get(description="厂房安全出口被货物堵塞")
        self.assertRedirects(response, f"/hazards/{hazard.pk}/")
        self.assertEqual(hazard.attachments.get().kind, "found")
        detail = self.client.get(f"/hazards/{hazard.pk}/")
        self.assertContains(detail, "现场.png")
        self.assertEqual(
            self.client.get(f"/hazards/{hazard.pk}/files/{hazard.attachments.get().pk}/thumb/").status_code, 200
        )

    def test_the_report_form_starts_at_the_channel_the_reporter_uses(self):
        """A grid worker's find is 督导检查 unless changed (not the first choice, 企业自查上报, which would count it as
        the enterprise's own); an enterprise has only its self-inspection."""
        form = self.login(self.gina).get("/hazards/report/").context["form"]
        self.assertEqual(form["channel"].value(), "supervision")
        form = self.login(self.emma).get("/hazards/report/").context["form"]
        self.assertEqual((form["channel"].value(), len(form.fields["channel"].choices)), ("self", 1))

    def test_report_form_shows_errors_next_to_fields(self):
        self.login(self.gina)
        response = self.client.post(
            "/hazards/report/",
            {
                "enterprise": self.enterprise_a.pk,
                "channel": "supervision",
                "level": "major",
                "description": "重大隐患未给依据",
            },
        )
        self.assertContains(response, "重大隐患须选择判定依据条款")
        self.assertEqual(Hazard.objects.count(), 2)

    def test_verify_button_posts_transition(self):
        self.login(self.erin)
        detail = self.client.get(f"/hazards/{self.hazard_a.pk}/")
        self.assertContains(detail, 'data-action="verify"')
        self.client.post(f"/hazards/{self.hazard_a.pk}/do/verify/", {"note": "属实"})
        self.assertEqual(Hazard.objects.get(pk=self.hazard_a.pk).status, Status.VERIFIED)
        again = self.client.post(f"/hazards/{self.hazard_a.pk}/do/verify/", {"note": "属实"}, follow=True)
        self.assertContains(again, "不能执行")


class HazardApiTests(CastTestCase):
    def test_intake_list_detail_and_transition(self):
        self.login(self.gina)
        response = self.client.post(
            "/api/v1/hazards/",
            {"enterprise": self.enterprise_a.pk, "description": "叉车无证驾驶", "channel": "supervision"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        self.assertEqual(response.json()["status"], "reported")
        listing = self.client.get("/api/v1/hazards/?status=open").json()
        self.assertEqual([item["id"] for item in listing["items"]], [pk])
        self.login(self.erin)
        result = self.client.post(
            f"/api/v1/hazards/{pk}/transitions",
            {"action": "verify", "note": "核实属实"},
            content_type="application/json",
        )
        self.assertEqual(result.status_code, 200)
        self.assertEqual([e["action"] for e in result.json()["events"]], ["report", "verify"])
        refused = self.client.post(
            f"/api/v1/hazards/{pk}/transitions", {"action": "close"}, content_type="application/json"
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("不能执行", refused.json()["detail"])

    def test_bad_intake_is_a_chinese_400(self):
        self.login(self.alice)
        response = self.client.post(
            "/api/v1/hazards/",
            {"enterprise": self.enterprise_b.pk, "description": "外县企业隐患"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("管辖范围", response.json()["detail"])

    def test_attachment_upload(self):
        hazard = ready(report(self.gina, self.enterprise_a), self.erin, status="rectifying", with_photo=False)
        self.login(self.emma)
        response = self.client.post(f"/api/v1/hazards/{hazard.pk}/attachments", {"kind": "after", "files": [photo()]})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(hazard.attachments.count(), 1)


class AdministratorProbeTests(CastTestCase):
    def test_an_administrator_cannot_tell_which_hazards_exist(self):
        """The rights check comes before the lookup: the same 403 for an existing id and a missing one."""
        pk = report(self.gina, self.enterprise_a).pk
        self.login(self.sam)
        for target in (pk, pk + 1000):
            for url, data in (
                (f"/api/v1/hazards/{target}/transitions", {"action": "verify"}),
                (f"/api/v1/hazards/{target}/attachments", None),
            ):
                if data is None:
                    response = self.client.post(url, {"kind": "after"})
                else:
                    response = self.client.post(url, data, content_type="application/json")
                self.assertEqual(response.status_code, 403, url)
