"""Pages: the duty desk, the roster week (view, edit, import), a duty day with its 值班日报, information
reports (list, export, new, detail, pass on, 续报/终报), the home cards; scope (another county: 404) and
roles (enterprise users see nothing)."""

import io
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.testing import CastTestCase

from .. import selectors, services
from ..models import DutyDay, DutyLogEntry, DutyPerson, EventReport, ReportLevel
from .helpers import write


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def moment(delta):
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


class DutyPageTests(CastTestCase):
    def setUp(self):
        # the duty day now (before the first shift of the morning it is still yesterday's)
        self.today = selectors.duty_date_of(self.unit_office_a, timezone.now())
        for offset in (-1, 0):
            write(
                self.alice,
                self.unit_office_a,
                self.today + timedelta(days=offset),
                "张三 13800138000",
                "李四",
                today=self.today + timedelta(days=offset),
            )

    def test_the_desk_shows_who_is_on_duty_and_takes_log_entries(self):
        client = self.login(self.alice)
        response = client.get("/watch/")
        self.assertContains(response, "张三")
        self.assertContains(response, "13800138000")  # the unit's own manager sees the full number
        response = client.post(
            f"/watch/units/{self.unit_office_a.pk}/log/",
            {"kind": "call", "content": "区应急局来电通知防汛"},
            follow=True,
        )
        self.assertContains(response, "已记录值班日志")
        self.assertContains(response, "区应急局来电通知防汛")
        response = self.login(self.dave).get(f"/watch/?unit={self.unit_office_a.pk}")
        self.assertContains(response, "138****8000")  # a reader sees it masked
        self.assertNotContains(response, "13800138000")
        self.assertNotContains(response, "记录值班日志")
        self.assertEqual(
            self.login(self.dave)
            .post(f"/watch/units/{self.unit_office_a.pk}/log/", {"kind": "call", "content": "x来电"})
            .status_code,
            403,
        )
        self.assertEqual(DutyLogEntry.objects.count(), 1)

    def test_another_county_gets_404_and_an_enterprise_user_403(self):
        charlie = self.login(self.charlie)
        self.assertEqual(charlie.get(f"/watch/?unit={self.unit_office_a.pk}").status_code, 404)
        self.assertEqual(charlie.get(f"/watch/roster/?unit={self.unit_office_a.pk}").status_code, 404)
        self.assertEqual(charlie.get(f"/watch/units/{self.unit_office_a.pk}/days/{self.today}/").status_code, 404)
        self.assertEqual(
            charlie.post(
                f"/watch/units/{self.unit_office_a.pk}/log/", {"kind": "call", "content": "来电内容"}
            ).status_code,
            404,
        )
        emma = self.login(self.emma)
        for url in ("/watch/", "/watch/roster/", "/watch/reports/", "/watch/reports/export/"):
            self.assertEqual(emma.get(url).status_code, 403, url)
        for user in (self.sam, self.sid, self.aud):
            self.assertEqual(self.login(user).get("/watch/").status_code, 403)

    def test_the_roster_week_shows_gaps_and_is_filled_on_one_page(self):
        client = self.login(self.alice)
        response = client.get(f"/watch/roster/?unit={self.unit_office_a.pk}")
        self.assertContains(response, "值班表缺口")
        tomorrow = self.today + timedelta(days=1)
        monday = self.today - timedelta(days=self.today.weekday())
        response = client.get(f"/watch/roster/edit/?unit={self.unit_office_a.pk}&week={tomorrow}")
        field = f"d{tomorrow:%Y%m%d}_0"
        self.assertContains(response, f'name="{field}_leaders"')
        if monday < self.today:  # days gone by are shown, not edited
            self.assertNotContains(response, f'name="d{monday:%Y%m%d}_0_leaders"')
        response = client.post(
            f"/watch/roster/edit/?unit={self.unit_office_a.pk}&week={tomorrow}",
            {f"{field}_leaders": "赵六 13600136000", f"{field}_staff": "钱七、孙八"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            set(DutyPerson.objects.filter(slot__duty_day__day=tomorrow).values_list("name", flat=True)),
            {"赵六", "钱七", "孙八"},
        )
        response = client.post(
            f"/watch/roster/edit/?unit={self.unit_office_a.pk}&week={tomorrow}", {f"{field}_leaders": "13600136000"}
        )
        self.assertContains(response, "缺少姓名")
        self.assertEqual(DutyPerson.objects.filter(slot__duty_day__day=tomorrow).count(), 3)  # nothing changed
        self.assertEqual(
            self.login(self.dave).get(f"/watch/roster/edit/?unit={self.unit_office_a.pk}").status_code, 403
        )

    def test_the_import_page_and_its_template(self):
        client = self.login(self.alice)
        template = client.get("/watch/roster/template/")
        headers = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
        self.assertEqual(headers, ["日期", "班次", "带班领导", "带班领导电话", "值班人员", "联系电话"])
        upload = io.BytesIO(template.content)
        upload.name = "值班表.xlsx"
        response = client.post(f"/watch/roster/import/?unit={self.unit_office_a.pk}", {"file": upload}, follow=True)
        self.assertContains(response, "已导入 1 个班次的值班安排")

    def test_the_day_page_issues_the_daily_summary(self):
        from zhiben.documents.models import Document
        from zhiben.documents.services import document_issue

        services.log_add(
            actor=self.alice, unit=self.unit_office_a, data={"kind": "document", "content": "收到区防指防汛通知"}
        )
        duty_day = DutyDay.objects.get(unit=self.unit_office_a, day=self.today)
        response = self.login(self.alice).get(f"/watch/units/{self.unit_office_a.pk}/days/{self.today}/")
        self.assertContains(response, "收到区防指防汛通知")
        self.assertContains(response, "值班日报")
        document = document_issue(actor=self.alice, kind="watch_daily", subject=duty_day)
        self.assertEqual(Document.objects.count(), 1)
        self.assertEqual(
            document.title, f"沙坪坝区安委办值班日报（{self.today.year}年{self.today.month}月{self.today.day}日）"
        )
        self.assertIn("带班领导张三，值班人员李四", document.body)
        self.assertIn("［来文］收到区防指防汛通知", document.body)
        self.assertEqual(document.addressee, "本单位领导")  # a county office with no office above it in the cast
        self.assertNotIn("本单位领导", document.body)  # the renderer prints the 主送 line; the body does not repeat it
        self.assertEqual(self.login(self.charlie).get(f"/documents/{document.pk}/").status_code, 404)

    def test_the_home_page_shows_who_is_on_duty_now(self):
        response = self.login(self.dave).get("/")
        cards = {c["label"]: c["value"] for c in response.context["summary"]["cards"]}
        self.assertEqual(cards["今日值班 · 沙坪坝区安委办"], "带班 张三 · 值班 李四")
        self.assertNotIn("值班表缺口（班次）", cards)  # a reader is not asked to fill the roster
        cards = {c["label"]: c["value"] for c in self.login(self.alice).get("/").context["summary"]["cards"]}
        self.assertGreater(cards["值班表缺口（班次）"], 0)
        cards = {c["label"]: c["value"] for c in self.login(self.charlie).get("/").context["summary"]["cards"]}
        self.assertEqual(cards["今日值班 · 九龙坡区安委办"], "未排班")
        labels = [c["label"] for c in self.login(self.emma).get("/").context["summary"]["cards"]]
        self.assertFalse([label for label in labels if "值班" in label or "信息" in label])


class ReportPageTests(CastTestCase):
    def test_create_pass_on_follow_up_and_close_through_the_pages(self):
        erin = self.login(self.erin)
        response = erin.post(
            "/watch/reports/new/",
            {
                "kind": "emergency",
                "title": "凤凰村山体滑坡",
                "region": self.village_a1.code,
                "occurred_at": moment(timedelta(minutes=-50)),
                "description": "村道旁山体滑坡，阻断道路。",
                "deaths": "0",
                "injured": "0",
            },
        )
        report = EventReport.objects.get()
        self.assertRedirects(response, f"/watch/reports/{report.pk}/")
        self.assertEqual(as_user(self.alice).get(f"/watch/reports/{report.pk}/").status_code, 404)  # not yet up
        response = erin.post(f"/watch/reports/{report.pk}/pass/", follow=True)
        self.assertContains(response, "已上报上一级")
        alice = as_user(self.alice)
        response = alice.get(f"/watch/reports/{report.pk}/")
        self.assertContains(response, "凤凰镇")
        self.assertContains(response, "上报上一级")
        self.assertEqual(as_user(self.charlie).get(f"/watch/reports/{report.pk}/").status_code, 404)
        response = alice.post(
            f"/watch/reports/{report.pk}/followup/", {"text": "已组织抢通道路", "injured": "-1"}, follow=True
        )
        self.assertEqual(report.updates.count(), 0)
        alice.post(f"/watch/reports/{report.pk}/pass/")
        response = alice.post(f"/watch/reports/{report.pk}/final/", {"text": "道路已抢通，无人员伤亡。"}, follow=True)
        self.assertContains(response, "已终报")
        report.refresh_from_db()
        self.assertEqual(report.status, "closed")
        self.assertEqual(ReportLevel.objects.filter(report=report).count(), 3)

    def test_list_filters_and_export(self):
        now = timezone.now()
        data = {
            "title": "西彭镇危化品泄漏",
            "description": "储罐阀门泄漏，已处置。",
            "occurred_at": now - timedelta(hours=3),
            "received_at": now - timedelta(hours=2, minutes=50),
        }
        late = services.report_create(actor=self.charlie, data=data, now=now)
        services.report_create(
            actor=self.charlie, data={**data, "title": "西彭镇交通事故", "received_at": now}, now=now
        )
        client = self.login(self.charlie)
        response = client.get("/watch/reports/?late=1")
        self.assertEqual([r.pk for r in response.context["page"]], [late.pk])
        self.assertContains(response, "迟报")
        export = client.get("/watch/reports/export/?late=0")
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        self.assertEqual(rows[0][:3], ("编号", "类别", "事件名称"))
        self.assertEqual([r[2] for r in rows[1:]], ["西彭镇交通事故"])
        self.assertEqual(list(self.login(self.alice).get("/watch/reports/").context["page"]), [])
        self.assertEqual(self.login(self.dave).get("/watch/reports/new/").status_code, 403)


class NoRosterTests(CastTestCase):
    def test_a_grid_worker_sees_the_duty_of_the_committee_above_read_only(self):
        client = self.login(self.gina)
        response = client.get("/watch/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "沙坪坝区安委办")
        self.assertNotContains(response, "记录值班日志")
        self.assertEqual(client.get(f"/watch/?unit={self.unit_office_a.pk}").status_code, 200)
        self.assertEqual(client.get(f"/watch/roster/?unit={self.unit_office_a.pk}").status_code, 200)
        self.assertEqual(client.get(f"/watch/?unit={self.unit_office_b.pk}").status_code, 404)
        self.assertEqual(client.get(f"/watch/?unit={self.unit_emergency_a1.pk}").status_code, 404)

    def test_where_no_committee_keeps_a_roster_the_page_says_so(self):
        from zhiben.accounts.choices import Role
        from zhiben.testing import make_region, make_user

        make_region("500108", "孤县")
        make_region("500108001", "孤镇")
        lone = make_user("lone", Role.GRID, make_region("500108001001", "孤村"))
        client = self.login(lone)
        for path, title in (("/watch/", "值班"), ("/watch/roster/", "值班表")):
            response = client.get(path)
            self.assertEqual(response.status_code, 200, path)
            self.assertContains(response, "没有编排值班的单位")
            self.assertContains(response, f"<h1>{title}</h1>")
