"""The session, people and certificate lists sorted from their column headers each way (the old ?sort= keys giving
the same orders), their default orders unchanged, exported with the page's query and order, each jurisdiction's
rows only, and a page read in as many queries whatever its number of rows."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .. import services
from .helpers import TrainingCase
from .test_bodies import header_link, sheet_rows


class ListCase(TrainingCase):
    url = ""

    def shown(self, page):
        """What identifies each row of the page (its name, title or number)."""
        raise NotImplementedError

    def sorted_by(self, header, ascending):
        """Follow `header`'s link from the default page, then again: the rows in `ascending` order, then reversed,
        each header marked and linking to the other way; the two links followed."""
        client = self.login(self.alice)
        page = client.get(self.url)
        up = client.get(self.url + header_link(page, header))
        self.assertEqual(self.shown(up), ascending)
        self.assertContains(up, f"{header} ▲")
        down = client.get(self.url + header_link(up, header))
        self.assertEqual(self.shown(down), ascending[::-1])
        self.assertContains(down, f"{header} ▼")
        self.assertEqual(header_link(down, header), header_link(page, header))
        return header_link(page, header), header_link(up, header)

    def page_queries(self):
        with CaptureQueriesContext(connection) as queries:
            page = self.login(self.alice).get(self.url)
        self.assertEqual(page.status_code, 200)
        return len(queries), len(page.context["page"])

    def assertQueriesDoNotGrow(self, add_rows):
        self.page_queries()  # the caches of the filter options filled
        few, rows = self.page_queries()
        add_rows()
        self.assertEqual(self.page_queries(), (few, rows + 4))


class SessionListTests(ListCase):
    url = reverse("training:sessions")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.body = services.body_save(actor=cls.alice, data={"name": "凤凰培训学校", "region": cls.county_a.code})
        march = cls.session(
            "worker", date(2026, 3, 1), actor=cls.alice, title="三月培训", topics="重大事故隐患判定标准"
        )
        for name in ("赵三", "王二"):
            person = cls.person(name, cls.enterprise_a, actor=cls.alice)
            services.attendance_add(actor=cls.alice, session=march, person=person)
        cls.session("principal", date(2026, 1, 1), actor=cls.alice, title="一月培训", body=cls.body.pk)
        cls.session("worker", date(2026, 2, 1), actor=cls.alice, title="二月培训")
        cls.session("worker", date(2026, 2, 15), region="500107", actor=cls.charlie, title="西彭培训")

    def shown(self, page):
        return [s.title for s in page.context["page"]]

    def test_the_default_order_is_the_latest_first(self):
        page = self.login(self.alice).get(self.url)
        self.assertEqual(self.shown(page), ["三月培训", "二月培训", "一月培训"])
        self.assertContains(page, "日期 ▼")
        self.assertContains(page, '<small class="muted">凤凰培训学校</small>')
        self.assertContains(page, '<small class="muted">重大事故隐患判定标准</small>')
        self.assertContains(page, 'data-label="组织单位"')
        self.assertNotContains(page, "排序：")

    def test_the_date_header_sorts_each_way_as_the_old_links_did(self):
        links = self.sorted_by("日期", ["一月培训", "二月培训", "三月培训"])
        self.assertEqual(links, ("?sort=held", "?sort=-held"))

    def test_the_header_links_keep_the_filters_and_the_export_the_order(self):
        client = self.login(self.alice)
        page = client.get(self.url, {"kind": "worker", "sort": "held", "page": "1"})
        self.assertEqual(header_link(page, "日期"), "?kind=worker&sort=-held")
        self.assertEqual(self.shown(page), ["二月培训", "三月培训"])
        export = sheet_rows(client.get(reverse("training:session_export") + "?" + page.context["export_query"]))
        self.assertEqual([r[1] for r in export[1:]], self.shown(page))
        self.assertEqual([r[-1] for r in export[1:]], ["0", "2"])  # 参训人数

    def test_each_jurisdiction_sees_its_own(self):
        self.assertNotContains(self.login(self.alice).get(self.url), "西彭培训")
        self.assertEqual(self.shown(self.login(self.charlie).get(self.url, {"sort": "held"})), ["西彭培训"])

    def test_a_page_takes_as_many_queries_whatever_its_rows(self):
        def add_rows():
            for n in range(4):
                self.session("worker", date(2026, 4, n + 1), actor=self.alice, body=self.body.pk)

        self.assertQueriesDoNotGrow(add_rows)


class PersonListTests(ListCase):
    url = reverse("training:people")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # names whose order is the same by code point and by pinyin (安 < 王 < 赵), whatever the database's collation
        cls.person("赵三", cls.enterprise_a, category="welding", actor=cls.alice)  # village A1a
        cls.person("王二", cls.enterprise_a_construction, actor=cls.alice)  # village A1b
        cls.person("安一", kind="official", unit=cls.unit_office_a, actor=cls.alice)  # the county itself
        cls.person("钱四", cls.enterprise_b, actor=cls.charlie)

    def shown(self, page):
        return [p.name for p in page.context["page"]]

    def test_the_default_order_is_by_region_then_name(self):
        page = self.login(self.alice).get(self.url)
        self.assertEqual(self.shown(page), ["安一", "赵三", "王二"])
        self.assertEqual(header_link(page, "姓名"), "?sort=name")
        self.assertNotContains(page, "姓名 ▲")
        self.assertContains(page, '<span class="badge orange">特种作业 · 焊接与热切割作业</span>', html=True)
        self.assertContains(page, "沙坪坝区安委办")
        self.assertContains(page, 'data-label="身份证号">500106')
        self.assertNotContains(page, "排序：")

    def test_the_name_header_sorts_each_way_as_the_old_links_did(self):
        self.assertEqual(self.sorted_by("姓名", ["安一", "王二", "赵三"]), ("?sort=name", "?sort=-name"))

    def test_the_header_links_keep_the_filters_and_the_export_the_order(self):
        client = self.login(self.alice)
        page = client.get(self.url, {"kind": "worker", "sort": "-name", "page": "1"})
        self.assertEqual(header_link(page, "姓名"), "?kind=worker&sort=name")
        self.assertEqual(self.shown(page), ["赵三", "王二"])
        export = client.get(reverse("training:person_export") + "?" + page.context["export_query"])
        self.assertEqual([r[0] for r in sheet_rows(export)[1:]], self.shown(page))

    def test_each_jurisdiction_sees_its_own(self):
        self.assertNotContains(self.login(self.alice).get(self.url), "钱四")
        self.assertEqual(self.shown(self.login(self.charlie).get(self.url, {"sort": "name"})), ["钱四"])

    def test_a_page_takes_as_many_queries_whatever_its_rows(self):
        def add_rows():
            for name in ("孙五", "周六"):
                self.person(name, self.enterprise_a, category="electrical", actor=self.alice)
            for name in ("吴七", "郑八"):
                self.person(name, kind="enforcement", unit=self.unit_office_a, actor=self.alice)

        self.assertQueriesDoNotGrow(add_rows)


class CertificateListTests(ListCase):
    url = reverse("training:certificates")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.holder = cls.person("赵三", cls.enterprise_a, category="welding", actor=cls.alice)
        today = timezone.localdate()
        for number, days in (("T-2", 400), ("T-1", -10), ("T-3", 900)):
            cls.certificate(cls.holder, number, date(2020, 1, 1), today + timedelta(days=days), actor=cls.alice)
        theirs = cls.person("钱四", cls.enterprise_b, category="welding", actor=cls.charlie)
        cls.certificate(theirs, "T-9", date(2020, 1, 1), today + timedelta(days=30), actor=cls.charlie)

    def shown(self, page):
        return [c.number for c in page.context["page"]]

    def test_the_default_order_is_the_soonest_expiring_first(self):
        page = self.login(self.alice).get(self.url)
        self.assertEqual(self.shown(page), ["T-1", "T-2", "T-3"])
        self.assertContains(page, "有效期至 ▲")
        self.assertContains(page, '<span class="badge red">已过期</span>', count=1)
        self.assertContains(page, f'href="{reverse("training:person", args=[self.holder.pk])}">赵三</a>')
        self.assertNotContains(page, "排序：")

    def test_the_expiry_header_sorts_each_way_as_the_old_links_did(self):
        client = self.login(self.alice)
        page = client.get(self.url)
        self.assertEqual(header_link(page, "有效期至"), "?sort=-expires")
        down = client.get(self.url + header_link(page, "有效期至"))
        self.assertEqual(self.shown(down), ["T-3", "T-2", "T-1"])
        self.assertContains(down, "有效期至 ▼")
        up = client.get(self.url + header_link(down, "有效期至"))
        self.assertEqual(self.shown(up), ["T-1", "T-2", "T-3"])
        self.assertEqual(header_link(up, "有效期至"), "?sort=-expires")

    def test_the_header_links_keep_the_filters_and_the_export_the_order(self):
        client = self.login(self.alice)
        page = client.get(self.url, {"kind": "special", "sort": "-expires", "page": "1"})
        self.assertEqual(header_link(page, "有效期至"), "?kind=special&sort=expires")
        self.assertEqual(self.shown(page), ["T-3", "T-2", "T-1"])
        export = client.get(reverse("training:certificate_export") + "?" + page.context["export_query"])
        self.assertEqual([r[3] for r in sheet_rows(export)[1:]], self.shown(page))

    def test_each_jurisdiction_sees_its_own(self):
        self.assertNotContains(self.login(self.alice).get(self.url), "T-9")
        self.assertEqual(self.shown(self.login(self.charlie).get(self.url, {"sort": "-expires"})), ["T-9"])

    def test_a_page_takes_as_many_queries_whatever_its_rows(self):
        def add_rows():
            for n in range(4):
                person = self.person(f"新人{n}", self.enterprise_a, category="electrical", actor=self.alice)
                self.certificate(person, f"N-{n}", date(2021, 1, 1), date(2031, 1, 1), actor=self.alice)

        self.assertQueriesDoNotGrow(add_rows)
