"""A hazard opened from the ledger keeps its place in that list: 上一条/下一条 follow the list's filter and order, an
action on the hazard comes back to the same place, and a hazard the action took out of the list (销号 from the queue
of requests) hands on to the one that took its place."""

from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone

from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.hazards.selectors import ledger_neighbours
from zhiben.testing import CastTestCase

from .helpers import ready, report

QUERY = "status=submitted&sort=review"


class QueueTests(CastTestCase):
    def setUp(self):
        today = timezone.localdate()
        self.requests = []
        for n in range(3):  # three requests for 销号, reviewed by 凤凰镇应急办 (erin), the oldest deadline first
            hazard = ready(
                report(self.gina, self.enterprise_a, description=f"配电箱未接地{n}"), self.erin, status="rectifying"
            )
            Hazard.objects.filter(pk=hazard.pk).update(found_date=today - timedelta(10))
            services.hazard_transition(actor=self.emma, hazard=hazard, action="submit", today=today - timedelta(n))
            self.requests.insert(0, hazard)
        self.other = report(self.gina, self.enterprise_a, description="尚未核实")  # not in the queue

    def page(self, hazard, **params):
        return self.client.get(f"/hazards/{hazard.pk}/?{urlencode({'from': QUERY, **params})}")

    def test_the_neighbours_follow_the_lists_filter_and_order(self):
        first, second, third = (h.pk for h in self.requests)
        at = ledger_neighbours(user=self.erin, pk=second, query=QUERY)
        self.assertEqual(at, {"index": 1, "count": 3, "more": False, "previous": first, "next": third, "gone": False})
        self.assertIsNone(ledger_neighbours(user=self.erin, pk=self.other.pk, query=QUERY))  # not in that list
        self.assertIsNone(ledger_neighbours(user=self.charlie, pk=second, query=QUERY))  # nor in another county's
        self.assertIsNone(ledger_neighbours(user=self.erin, pk=second, query="q=%00"))  # a NUL no column can hold
        gone = ledger_neighbours(user=self.erin, pk=self.other.pk, query=QUERY, at=1)  # left it from place 1
        self.assertEqual((gone["previous"], gone["next"], gone["gone"]), (first, second, True))

    def test_the_ledgers_links_open_the_hazard_in_its_queue(self):
        self.login(self.erin)
        ledger = self.client.get(f"/hazards/?{QUERY}").content.decode()
        self.assertIn(f'href="/hazards/{self.requests[0].pk}/?from=status%3Dsubmitted%26sort%3Dreview"', ledger)
        page = self.page(self.requests[1]).content.decode()
        self.assertIn("筛选结果第 2 条，共 3 条", page)
        self.assertIn(f'href="/hazards/{self.requests[0].pk}/?from=status%3Dsubmitted%26sort%3Dreview&amp;at=0"', page)
        self.assertIn(f'href="/hazards/{self.requests[2].pk}/?from=status%3Dsubmitted%26sort%3Dreview&amp;at=2"', page)
        self.assertIn('href="/hazards/?status=submitted&amp;sort=review">返回台账', page)
        self.assertNotIn('class="queue"', self.client.get(f"/hazards/{self.requests[1].pk}/").content.decode())

    def test_after_the_sign_off_the_next_is_the_one_that_took_its_place(self):
        self.login(self.erin)
        second = self.requests[1]
        response = self.client.post(
            f"/hazards/{second.pk}/do/close/", {"note": "现场核查，整改到位", "from": QUERY, "at": "1"}
        )
        self.assertEqual(Hazard.objects.get(pk=second.pk).status, Status.CLOSED)
        self.assertRedirects(
            response,
            f"/hazards/{second.pk}/?from=status%3Dsubmitted%26sort%3Dreview&at=1",
            fetch_redirect_response=False,
        )
        page = self.client.get(response.url).content.decode()
        self.assertIn("本条已不在筛选结果中（原第 2 条）", page)
        self.assertIn(f'href="/hazards/{self.requests[2].pk}/?from=status%3Dsubmitted%26sort%3Dreview&amp;at=1"', page)
        self.assertIn(f'href="/hazards/{self.requests[0].pk}/?from=status%3Dsubmitted%26sort%3Dreview&amp;at=0"', page)
        # a refused action comes back to the same place too
        response = self.client.post(
            f"/hazards/{self.requests[2].pk}/do/return/", {"note": "", "from": QUERY, "at": "1"}
        )
        self.assertIn("from=status%3Dsubmitted%26sort%3Dreview&at=1", response.url)

    def test_every_order_is_total_so_the_neighbours_stay_put(self):
        """Sorted by level, hazards of one level found the same day follow their ids (the newest first): 上一条 and
        下一条 do not swap between two loads of the page."""
        same = [report(self.gina, self.enterprise_a, description=f"灭火器过期未更换{n}") for n in range(3)]
        found = timezone.localdate() - timedelta(days=1)
        Hazard.objects.filter(pk__in=[h.pk for h in same]).update(found_date=found)
        first, middle, last = sorted((h.pk for h in same), reverse=True)
        for query in ("status=reported&sort=level", "status=reported&sort=-level"):
            at = ledger_neighbours(user=self.erin, pk=middle, query=query)
            self.assertEqual((at["previous"], at["next"]), (first, last), query)
