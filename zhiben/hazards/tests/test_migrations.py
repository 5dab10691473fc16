"""The migrations that change what a hazard already written means: 0011 gives the requests for 销号 already waiting
their review deadline, 0012 stops counting them as overdue in the roll-ups. Run back to 0010 and forward again over
hazards written the way the workflow and the importers wrote them."""

from datetime import timedelta

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum
from django.test import TransactionTestCase
from django.utils import timezone

from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import DueTally, Hazard, HazardEvent
from zhiben.hazards.selectors import hazard_figures
from zhiben.testing import build_cast

from .helpers import ready, report

BEFORE = [("hazards", "0010_occurrence")]
AFTER = [("hazards", "0012_overdue_stops_at_request")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


class ReviewDeadlineMigrationTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        self.today = timezone.localdate()

    def tearDown(self):
        migrate(AFTER)  # whatever happened, the rest of the run has the schema of today

    def hazard(self, description, status, *, deadline=None):
        hazard = ready(report(self.gina, self.enterprise_a, description=description), self.erin, status=status)
        if deadline:
            Hazard.objects.filter(pk=hazard.pk).update(deadline=deadline, original_deadline=deadline)
        return hazard

    def overdue(self, tallies):
        month_end = (self.today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        filters = {"start": "2020-01-01", "end": month_end.isoformat()}
        return hazard_figures(user=self.alice, filters=filters, tallies=tallies)[""]["hazards.overdue"]

    def test_waiting_requests_get_their_review_deadline_and_stop_counting_as_overdue(self):
        past = self.today - timedelta(days=5)
        asked = self.hazard("配电箱未接地", Status.RECTIFYING, deadline=past)
        asked = services.hazard_transition(actor=self.emma, hazard=asked, action="submit")
        three_days_ago = timezone.now() - timedelta(days=3)
        HazardEvent.objects.filter(hazard=asked, action="submit").update(at=three_days_ago)
        imported = self.hazard("灭火器过期未更换", Status.SUBMITTED, deadline=past)  # no 申请销号 event
        twenty_days_ago = timezone.now() - timedelta(days=20)
        Hazard.objects.filter(pk=imported.pk).update(created_at=twenty_days_ago)
        archived = self.hazard("消防通道堵塞", Status.SUBMITTED)
        Hazard.objects.filter(pk=archived.pk).update(historic=True)
        late = self.hazard("安全出口锁闭", Status.RECTIFYING, deadline=past)

        migrate(BEFORE)
        running = DueTally.objects.aggregate(n=Sum("due"))["n"]
        self.assertEqual(running, 3)  # before 0012 the clock runs on for the two waiting requests, as for `late`
        migrate(AFTER)

        deadlines = dict(Hazard.objects.values_list("pk", "review_deadline"))
        self.assertEqual(deadlines[asked.pk], timezone.localdate(three_days_ago) + timedelta(days=10))
        self.assertEqual(deadlines[imported.pk], timezone.localdate(twenty_days_ago) + timedelta(days=10))
        self.assertEqual((deadlines[archived.pk], deadlines[late.pk]), (None, None))
        self.assertEqual((self.overdue(tallies=True), self.overdue(tallies=False)), (1, 1))
        services.hazard_transition(actor=self.erin, hazard=Hazard.objects.get(pk=asked.pk), action="return", note="x")
        self.assertEqual(self.overdue(tallies=True), 2)  # the rewritten triggers count it again
