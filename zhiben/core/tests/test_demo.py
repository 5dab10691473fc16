import re
from html import unescape
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.audit.services import audit_verify
from zhiben.core.crypto import mask_phone
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.validators import credit_code_error
from zhiben.hazards.choices import OPEN_STATUSES
from zhiben.hazards.models import Hazard
from zhiben.plans.models import Plan
from zhiben.regions.models import Region, Unit
from zhiben.risk.models import RiskHazardLink, RiskPoint, SitePlan

# a mainland mobile number standing alone (not inside a longer number, a hash or a token)
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
# The tour (the last tests below): a link on a page; addresses that are downloads, actions or outside the pages a
# person reads; the address of one record
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(r"(export|download|\.pdf|\.docx|\.xlsx|\.png|\.svg|/static/|/media/|/api/|/open311/|logout|/docs)")
DETAIL = re.compile(r"^/[a-z_]+/(?:[a-z_]+/)?\d+/$")


def clear_mobiles():
    """Every mobile number stored in clear in any column of any table of the database (read through
    the driver, not the models, so encrypted fields show what is really stored):
    [(table, column, row id, masked number)]."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            key = connection.introspection.get_primary_key_column(cursor, table)
            cursor.execute(f"SELECT * FROM {quote(table)}")
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                values = dict(zip(names, row, strict=True))
                for name, value in values.items():
                    if value is None or isinstance(value, (bytes, memoryview, int, float)):
                        continue
                    for match in MOBILE.finditer(str(value)):
                        found.append((table, name, values.get(key, "?"), mask_phone(match.group())))
    return found


def describe(found):
    """One line per table and column: how many numbers, in which rows (the first five)."""
    places = {}
    for table, column, pk, number in found:
        places.setdefault((table, column), []).append(f"{pk}（{number}）")
    return "\n".join(
        f"  表 {table} 列 {column}：{len(rows)} 处，行 {'、'.join(rows[:5])}{' …' if len(rows) > 5 else ''}"
        for (table, column), rows in places.items()
    )


@pytest.mark.demo  # `make run` loads the demo into SQLite: the PostgreSQL run of .ci/run leaves this to the SQLite run
class DemoTests(TestCase):
    """`make run` loads this demo: it must load, be idempotent and meet the foundation issue's size; and every role
    can tour it. One class, so the demo (about 40 s) is loaded once for all of them."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())

    def test_no_mobile_number_is_stored_in_clear(self):
        """等保 8.1.4.8: after the demo (users, enterprises, hazards, notifications, audit rows …) no table
        holds a mobile number in clear — encrypted fields, masked texts and masked audit data."""
        found = clear_mobiles()
        self.assertEqual(found, [], f"数据库中仍有明文手机号：\n{describe(found)}")

    def test_the_scan_finds_a_number_in_clear(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(id) FROM enterprises_enterprise")
            first = cursor.fetchone()[0]
            cursor.execute("UPDATE enterprises_enterprise SET remarks = '联系 13812345678' WHERE id = %s", [first])
        self.assertIn(("enterprises_enterprise", "remarks"), {(t, c) for t, c, _, _ in clear_mobiles()})

    def test_demo_loads_twice_with_the_promised_content(self):
        counts = (
            Region.objects.count(),
            Unit.objects.count(),
            Enterprise.objects.count(),
            Hazard.objects.count(),
            User.objects.count(),
            RiskPoint.objects.count(),
        )
        self.assertGreaterEqual(Region.objects.filter(level=4, code__startswith="500106").count(), 3)
        self.assertGreaterEqual(Region.objects.filter(level=5, code__startswith="500106").count(), 12)
        self.assertGreaterEqual(Enterprise.objects.count(), 300)
        self.assertTrue(
            all(credit_code_error(code) is None for code in Enterprise.objects.values_list("credit_code", flat=True))
        )
        for name in (
            "凤凰镇经发办",
            "凤凰镇应急办",
            "凤凰镇规建办",
            "凤凰镇党建办",
            "凤凰镇司法所",
            "凤凰镇市场监管所",
            "凤凰镇财政办",
        ):
            self.assertTrue(Unit.objects.filter(name=name).exists(), name)
        self.assertGreaterEqual(
            set(User.objects.values_list("role", flat=True)),
            {
                "anweiban_admin",
                "regulator",
                "grid",
                "enterprise",
                "expert",
                "leader",
                "sys_admin",
                "sec_admin",
                "audit_admin",
            },
        )
        self.assertEqual(Plan.objects.get().tasks.count(), 79)  # seed 000's 重点任务清单
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertEqual(
            counts,
            (
                Region.objects.count(),
                Unit.objects.count(),
                Enterprise.objects.count(),
                Hazard.objects.count(),
                User.objects.count(),
                RiskPoint.objects.count(),
            ),
        )
        self.assertIn("Zhiben@2026", out.getvalue())
        self.assertTrue(audit_verify()[0])

    def test_the_statistics_reports_of_the_last_quarter(self):
        """Most enterprises submitted on time, some late, some not at all; the demo enterprise user's own report is
        left to fill in; each submitted one carries the digest of what was signed, as a real one does."""
        from zhiben.duties.models import PeriodReport
        from zhiben.duties.periods import closed_periods
        from zhiben.duties.selectors import compliance_list
        from zhiben.duties.services import signed_digest

        [period] = closed_periods(timezone.localdate(), "quarterly", 1)
        _, _, summary = compliance_list(user=User.objects.get(username="anweiban"), period_code=period.code)
        self.assertGreater(summary["on_time"], summary["late"])
        self.assertGreater(summary["late"], 0)
        self.assertGreater(summary["overdue"], 0)
        self.assertEqual(summary["submitted"], PeriodReport.objects.count())
        qiye = User.objects.get(username="qiye")
        self.assertFalse(PeriodReport.objects.filter(enterprise_id=qiye.enterprise_id).exists())
        report = PeriodReport.objects.filter(late=True).first()
        self.assertEqual(report.attested_sha256, signed_digest(report.data, report.analysis))
        self.assertGreater(timezone.localdate(report.submitted_at), report.deadline)
        self.assertEqual([e.action for e in report.events.order_by("at")], ["generate", "attest", "submit"])

    def test_the_risk_part(self):
        """Four colours, a site plan with the points placed, an overdue review, a cited open hazard (in this class:
        one demo load serves every check of it, each load is ~50 s)."""
        points = RiskPoint.objects.filter(active=True)
        self.assertEqual(set(points.values_list("level", flat=True)), {"major", "larger", "general", "low"})
        plan = SitePlan.objects.get()
        placed = points.filter(enterprise=plan.enterprise, plan_x__isnull=False)
        self.assertEqual(set(placed.values_list("level", flat=True)), {"major", "larger", "general", "low"})
        self.assertEqual(points.filter(next_review__lt=timezone.localdate()).count(), 1)
        link = RiskHazardLink.objects.select_related("hazard").get()
        self.assertIn(link.hazard.status, OPEN_STATUSES)
        self.assertEqual(link.point.enterprise_id, link.hazard.enterprise_id)

    # The tour of the demo as every role (issue 25): each demo account opens the home page, every entry of its
    # menu, and the first records those pages link to. Nothing may answer a server error, a page of the menu must
    # answer (or send the user to bind a second factor), and a link a page offers must not lead to a 404 or 403:
    # a link to something the user may not open is a bug.

    def pages_of(self, client, path):
        response = client.get(path, follow=True)
        return response, [unescape(link) for link in LINK.findall(response.content.decode(errors="replace"))]

    def test_every_role_opens_its_menu_and_the_records_it_links_to(self):
        users = list(User.objects.filter(is_active=True).exclude(role="").order_by("username"))
        self.assertGreaterEqual(len({u.role for u in users}), 6)
        visited = 0
        for user in users:
            client = Client()
            client.force_login(user)
            home, links = self.pages_of(client, "/")
            self.assertEqual(home.status_code, 200, user.username)
            menu = [link for link in links if not SKIP.search(link) and urlsplit(link).path.count("/") <= 3]
            details = []
            for path in dict.fromkeys(menu):
                with self.subTest(user=user.username, page=path):
                    response, found = self.pages_of(client, path)
                    visited += 1
                    self.assertLess(response.status_code, 500, f"{user.username} {path}")
                    self.assertNotIn(response.status_code, (403, 404), f"{user.username} {path}")
                    details += [link for link in found if DETAIL.match(urlsplit(link).path)][:3]
            for path in list(dict.fromkeys(details))[:60]:
                with self.subTest(user=user.username, record=path):
                    response, _ = self.pages_of(client, path)
                    visited += 1
                    self.assertEqual(response.status_code, 200, f"{user.username} {path}")
        self.assertGreater(visited, 100)

    def test_a_home_card_opens_a_list_of_as_many_rows_as_it_says(self):
        """A card's number and the list it opens must agree (a leader clicks 增量隐患 221 and counts 228 rows: which is
        true?). Cards whose page is not a list of rows (a figure page, a form) are left out."""
        users = list(User.objects.filter(is_active=True).exclude(role="").order_by("username"))
        compared, differ = 0, []
        for user in users:
            client = Client()
            client.force_login(user)
            for card in client.get("/").context["summary"]["cards"]:
                if not card.get("url") or not isinstance(card.get("value"), int):
                    continue
                page = client.get(card["url"]).context
                page = page.get("page") if page is not None else None
                paginator = getattr(page, "paginator", None)
                if paginator is None or getattr(paginator, "estimated", False):
                    continue
                compared += 1
                if paginator.count != card["value"]:
                    differ.append(
                        f"{user.username}「{card['label']}」{card['value']} → {card['url']} 列出 {paginator.count}"
                    )
        self.assertEqual(differ, [])
        self.assertGreater(compared, 20)
