"""The case and order lists sorted from their column headers each way (the old ?sort= keys giving the same orders),
their default orders unchanged, exported with the page's query and order, each jurisdiction's rows only, and a page
read in as many queries whatever its number of rows."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhiben.enforcement import services
from zhiben.enforcement.models import RectificationOrder

from .test_enforcement import EnforcementTestCase
from .test_typical_list import header_link, sheet_rows


class ListCase(EnforcementTestCase):
    url = ""

    def numbers(self, page):
        return [row.number for row in page.context["page"]]

    def sorted_by(self, header, ascending, descending):
        """Follow `header`'s link from the default page, then again: the rows in `ascending` order, then in
        `descending`, each header marked and linking to the other way."""
        client = self.login(self.alice)
        page = client.get(self.url)
        up = client.get(self.url + header_link(page, header))
        self.assertEqual(self.numbers(up), [row.number for row in ascending])
        self.assertContains(up, f"{header} ▲")
        down = client.get(self.url + header_link(up, header))
        self.assertEqual(self.numbers(down), [row.number for row in descending])
        self.assertContains(down, f"{header} ▼")
        self.assertEqual(header_link(down, header), header_link(page, header))
        return header_link(up, header), header_link(down, header)

    def page_queries(self):
        with CaptureQueriesContext(connection) as queries:
            page = self.login(self.alice).get(self.url)
        self.assertEqual(page.status_code, 200)
        return len(queries), len(page.context["page"])


class CaseListTests(ListCase):
    url = reverse("enforcement:cases")

    def setUp(self):
        day = self.today - timedelta(days=30)
        self.early = self.decide(
            self.case(filed_date=day), fine="5000", decision_date=day + timedelta(days=20), decision_number="凤1号"
        )
        self.middle = self.decide(
            self.case(filed_date=day + timedelta(days=5)),
            fine="80000",
            decision_date=day + timedelta(days=10),
            decision_number="凤2号",
        )
        self.late = self.case(filed_date=day + timedelta(days=10))  # no fine, no decision yet
        services.case_mark_typical(actor=self.erin, case=self.middle)
        self.other = services.case_create(
            actor=self.charlie, data={"enterprise": self.enterprise_b.pk, "violation": "未建立隐患排查治理制度"}
        )

    def test_the_default_order_is_the_latest_filed_first(self):
        page = self.login(self.alice).get(self.url)
        self.assertEqual(self.numbers(page), [self.late.number, self.middle.number, self.early.number])
        self.assertContains(page, "立案日期 ▼")
        self.assertEqual(header_link(page, "立案日期"), "?sort=filed")
        self.assertContains(page, '<td data-label="罚款" class="num">80,000.00</td>', html=True)
        self.assertContains(page, '<span class="badge orange">典型</span>', count=1)
        self.assertNotContains(page, "排序：")

    def test_the_headers_sort_each_way_as_the_old_links_did(self):
        cases = (self.early, self.middle, self.late)
        early, middle, late = cases
        links = self.sorted_by("立案日期", [early, middle, late], [late, middle, early])
        self.assertEqual(links, ("?sort=-filed", "?sort=filed"))
        links = self.sorted_by("罚款（元）", [early, middle, late], [middle, early, late])  # no fine: last
        self.assertEqual(links, ("?sort=-fine", "?sort=fine"))
        links = self.sorted_by("决定日期", [middle, early, late], [early, middle, late])  # undecided: last
        self.assertEqual(links, ("?sort=-decided", "?sort=decided"))
        by_number = sorted(cases, key=lambda c: c.number)
        self.sorted_by("案件编号", by_number, by_number[::-1])

    def test_the_header_links_keep_the_filters_and_the_export_the_order(self):
        client = self.login(self.alice)
        page = client.get(self.url, {"status": "decided", "sort": "-fine", "page": "1"})
        self.assertEqual(header_link(page, "罚款（元）"), "?status=decided&sort=fine")
        self.assertEqual(self.numbers(page), [self.middle.number, self.early.number])
        export = client.get(reverse("enforcement:case_export") + "?" + page.context["export_query"])
        self.assertEqual([r[0] for r in sheet_rows(export)[1:]], self.numbers(page))

    def test_each_jurisdiction_sees_its_own(self):
        page = self.login(self.alice).get(self.url)
        self.assertNotContains(page, self.other.number)
        for unit in ("9" * 25, "²"):  # a number no id column holds overflowed in the query (a 500): none has it
            self.assertEqual(self.numbers(self.login(self.alice).get(self.url, {"unit": unit})), [])
        page = self.login(self.charlie).get(self.url, {"sort": "fine"})
        self.assertEqual(self.numbers(page), [self.other.number])
        self.assertNotContains(page, self.early.number)

    def test_a_page_takes_as_many_queries_whatever_its_rows(self):
        self.page_queries()  # the caches of the filter options filled
        few, rows = self.page_queries()
        for _ in range(4):
            self.decide(self.case(), fine="1000")
        self.assertEqual(self.page_queries(), (few, rows + 4))


class OrderListTests(ListCase):
    url = reverse("enforcement:orders")

    def setUp(self):
        self.soon = self.order(deadline=self.today + timedelta(days=3))
        self.later = self.order(deadline=self.today + timedelta(days=30))
        self.newest = self.order(deadline=self.today + timedelta(days=10))
        self.other = services.order_create(
            actor=self.charlie,
            data={"enterprise": self.enterprise_b.pk, "items": "1. 消防通道堵塞", "deadline": self.today},
        )

    def test_the_default_order_is_the_newest_first(self):
        page = self.login(self.alice).get(self.url)
        self.assertEqual(self.numbers(page), [self.newest.number, self.later.number, self.soon.number])
        self.assertEqual(header_link(page, "整改期限"), "?sort=deadline")
        self.assertNotContains(page, "整改期限 ▲")
        self.assertNotContains(page, "整改期限 ▼")
        self.assertContains(page, 'data-label="期限"')
        self.assertNotContains(page, "排序：")

    def test_the_deadline_header_sorts_each_way_as_the_old_links_did(self):
        links = self.sorted_by("整改期限", [self.soon, self.newest, self.later], [self.later, self.newest, self.soon])
        self.assertEqual(links, ("?sort=-deadline", "?sort=deadline"))

    def test_an_overdue_order_is_marked(self):
        RectificationOrder.objects.filter(pk=self.soon.pk).update(deadline=self.today - timedelta(days=1))
        self.assertContains(self.login(self.alice).get(self.url), '<span class="badge red">逾期</span>', count=1)

    def test_the_header_links_keep_the_filters_and_the_export_the_order(self):
        client = self.login(self.alice)
        page = client.get(self.url, {"status": "open", "sort": "-deadline", "page": "1"})
        self.assertEqual(header_link(page, "整改期限"), "?status=open&sort=deadline")
        self.assertEqual(self.numbers(page), [self.later.number, self.newest.number, self.soon.number])
        export = client.get(reverse("enforcement:order_export") + "?" + page.context["export_query"])
        self.assertEqual([r[0] for r in sheet_rows(export)[1:]], self.numbers(page))

    def test_each_jurisdiction_sees_its_own(self):
        self.assertNotContains(self.login(self.alice).get(self.url), self.other.number)
        for unit in ("9" * 25, "²"):  # a number no id column holds overflowed in the query (a 500): none has it
            self.assertEqual(self.numbers(self.login(self.alice).get(self.url, {"unit": unit})), [])
        page = self.login(self.charlie).get(self.url, {"sort": "-deadline"})
        self.assertEqual(self.numbers(page), [self.other.number])

    def test_a_page_takes_as_many_queries_whatever_its_rows(self):
        self.page_queries()
        few, rows = self.page_queries()
        for _ in range(4):
            self.order()
        self.assertEqual(self.page_queries(), (few, rows + 4))
