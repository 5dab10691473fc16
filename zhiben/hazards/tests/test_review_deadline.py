"""A request for 销号 stops the rectification deadline's clock and has a review deadline of its own (rule hazard.review_days, counted from the day it is made): the
reviewing department is reminded before it, and a request left past it goes up a ladder of its own — the department,
then the 安委办 — shown on the hazard, in the ledger and on the home page."""

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiben.core.models import Rule
from zhiben.escalation.models import EscalationRecord
from zhiben.escalation.services import escalate
from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.hazards.ledger import parse_ledger
from zhiben.hazards.models import Hazard
from zhiben.hazards.selectors import hazard_counts, hazard_figures
from zhiben.notifications.models import Notification
from zhiben.notifications.reminders import remind_deadlines
from zhiben.testing import CastTestCase

from .helpers import ready, report


class ReviewDeadlineTests(CastTestCase):
    def setUp(self):
        self.today = timezone.localdate()
        self.hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)

    def submit(self, hazard=None, today=None):
        return services.hazard_transition(
            actor=self.emma, hazard=hazard or self.hazard, action="submit", today=today or self.today
        )

    def overdue_figure(self):
        return hazard_counts(user=self.alice)["overdue"]  # the home page's 逾期未整改, from the tallies

    def people(self, **filters):
        return set(
            Notification.objects.filter(channel="inbox", object_id=str(self.hazard.pk), **filters).values_list(
                "recipient__username", flat=True
            )
        )

    def test_the_request_sets_its_review_deadline_from_the_rule_of_the_hazards_region(self):
        self.assertIsNone(self.hazard.review_deadline)
        hazard = self.submit()
        self.assertEqual(hazard.review_deadline, self.today + timedelta(days=10))
        self.assertEqual(hazard.review_days_left(self.today), 10)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="return", note="照片不清晰")
        hazard.refresh_from_db()
        self.assertIsNone(hazard.review_days_left(self.today))  # back to the enterprise: no review waits
        self.login(self.alice)
        self.assertIsNone(self.client.get(f"/api/v1/hazards/{hazard.pk}").json()["review_deadline"])
        Rule.objects.create(key="hazard.review_days", region_code=self.town_a1.code, value=5)
        later = self.today + timedelta(days=2)
        hazard = self.submit(hazard, today=later)  # asked again: a new deadline, by the rule in force now
        self.assertEqual(hazard.review_deadline, later + timedelta(days=5))

    def test_the_request_tells_the_reviewers_and_the_review_tells_the_enterprise(self):
        hazard = self.submit()
        [told] = Notification.objects.filter(channel="inbox", object_id=str(hazard.pk))
        self.assertEqual((told.recipient, told.subject), (self.erin, f"隐患申请销号待审核：{hazard.number}"))
        self.assertIn(f"请于 {hazard.review_deadline} 前现场核查验收", told.body)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="return", note="照片看不清整改部位")
        told = Notification.objects.filter(channel="inbox", recipient=self.emma).latest("id")
        self.assertEqual(told.subject, f"隐患销号申请被退回：{hazard.number}")
        self.assertIn("已退回整改：照片看不清整改部位。", told.body)
        services.hazard_transition(actor=self.emma, hazard=hazard, action="submit")
        services.hazard_transition(actor=self.erin, hazard=hazard, action="close", note="现场核查，整改到位")
        told = Notification.objects.filter(channel="inbox", recipient=self.emma).latest("id")
        self.assertEqual(told.subject, f"隐患已销号：{hazard.number}")
        self.assertIn("审核意见：现场核查，整改到位", told.body)

    def test_the_reviewers_are_reminded_once_before_the_review_deadline_and_the_enterprise_is_not(self):
        deadline = self.submit().review_deadline
        self.assertEqual(remind_deadlines("hazard.review", today=deadline - timedelta(days=4)), 0)
        self.assertEqual(remind_deadlines("hazard.review", today=deadline - timedelta(days=3)), 1)
        self.assertEqual(remind_deadlines("hazard.review", today=deadline - timedelta(days=2)), 0)
        self.assertEqual(remind_deadlines("hazard.review", today=deadline + timedelta(days=1)), 0)
        self.assertEqual(self.people(), {"erin"})  # the supervising department signs it off
        body = Notification.objects.filter(recipient=self.erin).latest("id").body
        self.assertIn(f"审核期限 {deadline}（还有 3 天到期）", body)
        # the rectification deadline, still ahead, reminds no one: the enterprise has done its part
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.hazard.deadline - timedelta(days=1)), 0)
        self.assertEqual(self.people(), {"erin"})

    def test_a_request_left_past_its_review_deadline_goes_up_its_own_ladder(self):
        deadline = self.submit().review_deadline
        self.assertEqual(escalate("hazard_review", today=deadline), 0)
        self.assertEqual(escalate("hazard_review", today=deadline + timedelta(days=1)), 1)
        self.assertEqual(self.people(), {"erin"})
        self.assertEqual(escalate("hazard_review", today=deadline + timedelta(days=10)), 1)
        self.assertIn("alice", self.people())  # 纳入通报: the county's 安委办 is told
        steps = EscalationRecord.objects.filter(target="hazard_review", object_id=self.hazard.pk)
        self.assertEqual(sorted(steps.values_list("action", flat=True)), ["bulletin", "remind"])
        self.assertTrue(self.hazard.events.filter(action="escalate", note__startswith="销号审核超期纳入通报").exists())
        # the enterprise's ladder leaves the request alone, and a reviewed request goes no further
        self.assertEqual(escalate("hazard", today=self.hazard.deadline + timedelta(days=40)), 0)
        services.hazard_transition(actor=self.erin, hazard=self.hazard, action="close", note="现场核查，整改到位")
        self.assertEqual(escalate("hazard_review", today=deadline + timedelta(days=30)), 0)

    def test_the_ledger_the_hazard_and_the_home_page_show_requests_left_unreviewed(self):
        Hazard.objects.filter(pk=self.hazard.pk).update(found_date=self.today - timedelta(days=20))
        late = self.submit(today=self.today - timedelta(days=12))  # asked 12 days ago: 2 days past the 10
        waiting = ready(report(self.gina, self.enterprise_a, description="灭火器过期未更换"), self.erin)
        Hazard.objects.filter(pk=waiting.pk).update(status=Status.RECTIFYING)
        waiting = self.submit(waiting)
        ledger = reverse("hazards:list")
        self.login(self.alice)
        page = self.client.get(ledger, {"review_overdue": "1"}).content.decode()
        self.assertIn(late.number, page)
        self.assertNotIn(waiting.number, page)
        self.assertIn("审核超期", page)
        page = self.client.get(ledger, {"review_overdue": "0"}).content.decode()
        self.assertIn(waiting.number, page)
        self.assertNotIn(late.number, page)
        for sort, first in (("review", late), ("-found", waiting)):  # the reviewer's queue: the longest waiting first
            page = self.client.get(ledger, {"status": "submitted", "sort": sort}).content.decode()
            self.assertLess(page.index(first.number), page.index((waiting if first is late else late).number))
        api = self.client.get("/api/v1/hazards/", {"review_overdue": "1"}).json()
        self.assertEqual([h["number"] for h in api["items"]], [late.number])
        for hazard in (late, waiting):
            due = self.client.get(f"/api/v1/hazards/{hazard.pk}").json()["review_deadline"]
            self.assertEqual(due, str(hazard.review_deadline))
        detail = self.client.get(reverse("hazards:detail", args=[late.pk])).content.decode()
        self.assertIn("销号审核超期 2 天", detail)
        self.assertIn(f"{late.review_deadline:%Y-%m-%d}（已超期 2 天，凤凰镇应急办审核）", detail)
        month_end = (self.today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        period = {"start": "2020-01-01", "end": month_end.isoformat()}
        for tallies in (True, False):  # the figure for analytics and rankings, from the roll-ups or the hazards
            figures = hazard_figures(user=self.alice, filters=period, tallies=tallies)[""]
            self.assertEqual(figures["hazards.review_overdue"], 1)
        home = self.client.get("/").content.decode()
        self.assertIn("待审核销号", home)
        self.assertIn("销号审核超期", home)
        self.assertIn("?review_overdue=1", home)
        # the enterprise reads the same requests as its own, waiting on its department
        home = self.login(self.emma).get("/").content.decode()
        self.assertIn("已申请销号（待审核）", home)
        self.assertIn("销号申请超期未审核", home)
        self.assertNotIn("待审核销号", home)
        # another county's 安委办 sees none of it
        self.login(self.charlie)
        self.assertNotIn(late.number, self.client.get(ledger, {"review_overdue": "1"}).content.decode())
        self.assertNotIn("销号审核超期", self.client.get("/").content.decode())
        self.assertEqual(self.client.get(reverse("hazards:detail", args=[late.pk])).status_code, 404)

    def test_the_export_gives_the_review_deadline_and_reads_back_without_taking_it_for_the_rectifications(self):
        waiting = self.submit()
        returned = ready(report(self.gina, self.enterprise_a, description="灭火器过期未更换"), self.erin)
        Hazard.objects.filter(pk=returned.pk).update(status=Status.RECTIFYING)
        returned = services.hazard_transition(actor=self.erin, hazard=self.submit(returned), action="return", note="x")
        self.login(self.alice)
        sheet = load_workbook(io.BytesIO(self.client.get(reverse("hazards:export")).content)).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        number, due, review = header.index("隐患编号"), header.index("整改期限"), header.index("销号审核期限")
        by_number = {row[number]: row for row in rows[1:]}
        self.assertEqual(by_number[waiting.number][review].date(), waiting.review_deadline)
        self.assertIsNone(by_number[returned.number][review])  # returned: no review waits
        parsed = parse_ledger(self.client.get(reverse("hazards:export")).content, "隐患台账.xlsx")
        fields = {column.labels[-1]: column.field for column in parsed.columns}
        self.assertEqual((fields["整改期限"], fields["销号审核期限"]), ("deadline", "other"))
        read = next(row for row in parsed.rows if row["description"] == waiting.description)
        self.assertEqual(read["deadline"], by_number[waiting.number][due].date())

    def test_a_request_stops_the_rectification_clock_and_a_return_starts_it_again(self):
        Hazard.objects.filter(pk=self.hazard.pk).update(
            found_date=self.today - timedelta(days=40), deadline=self.today - timedelta(days=5)
        )
        self.hazard.refresh_from_db()
        self.assertTrue(self.hazard.is_overdue())
        self.assertEqual(self.overdue_figure(), 1)
        hazard = self.submit()  # rectified, asked for 销号: its review waits, the enterprise is not late
        self.assertFalse(hazard.is_overdue())
        self.assertEqual(self.overdue_figure(), 0)
        self.assertFalse(Hazard.objects.overdue().exists())
        self.assertEqual(escalate("hazard"), 0)
        services.hazard_transition(actor=self.erin, hazard=hazard, action="return", note="整改不到位")
        hazard.refresh_from_db()
        self.assertTrue(hazard.is_overdue())
        self.assertEqual(self.overdue_figure(), 1)
        self.assertEqual(escalate("hazard"), 1)  # back on the enterprise's ladder
