"""The typical-case list as the mature lists work: sorted from its column headers each way, exported (the case
export with typical=1) with the same query and order, each jurisdiction's cases only, audited."""

from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.enforcement import services
from zhiben.testing import header_link, sheet_rows

from .test_enforcement import EnforcementTestCase


class TypicalListTests(EnforcementTestCase):
    def setUp(self):
        self.small = self.decide(self.case(), fine="5000", decision_number="凤应急罚〔2026〕1号")
        self.large = self.decide(self.case(), fine="80000", decision_number="凤应急罚〔2026〕2号")
        self.decide(self.case(), decision_number="凤应急罚〔2026〕3号")  # decided, never made typical
        for case in (self.large, self.small):  # the large one is marked first
            services.case_mark_typical(actor=self.erin, case=case)
        other = services.case_create(
            actor=self.charlie, data={"enterprise": self.enterprise_b.pk, "violation": "未建立隐患排查治理制度"}
        )
        other = services.case_transition(
            actor=self.charlie,
            case=other,
            action="decide",
            data={"measures": ["fine"], "fine": "30000", "decision_number": "九应急罚〔2026〕1号"},
        )
        self.other = services.case_mark_typical(actor=self.charlie, case=other)

    def numbers(self, page):
        return [c.number for c in page.context["page"]]

    def test_the_headers_sort_by_fine_and_by_mark_each_way(self):
        client = self.login(self.alice)
        url = reverse("enforcement:typical")
        page = client.get(url)
        ascending = client.get(url + header_link(page, "罚款（元）"))
        self.assertEqual(self.numbers(ascending), [self.small.number, self.large.number])
        self.assertContains(ascending, "罚款（元） ▲")
        descending = client.get(url + header_link(ascending, "罚款（元）"))
        self.assertEqual(self.numbers(descending), [self.large.number, self.small.number])
        self.assertContains(descending, "罚款（元） ▼")
        first_marked = client.get(url + header_link(page, "列为典型"))
        self.assertEqual(self.numbers(first_marked), [self.large.number, self.small.number])
        last_marked = client.get(url + header_link(first_marked, "列为典型"))
        self.assertEqual(self.numbers(last_marked), [self.small.number, self.large.number])

    def test_the_export_holds_the_rows_the_list_shows_in_its_order_and_is_audited(self):
        client = self.login(self.alice)
        page = client.get(reverse("enforcement:typical"), {"sort": "-fine", "page": "1"})
        self.assertEqual(page.context["export_query"], "sort=-fine&typical=1")
        export = client.get(reverse("enforcement:case_export") + "?" + page.context["export_query"])
        rows = sheet_rows(export)
        self.assertEqual([r[0] for r in rows[1:]], self.numbers(page))
        self.assertEqual(rows[1][12], self.erin.display_name)
        self.assertRegex(rows[1][13], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
        event = AuditEvent.objects.filter(action="enforcement.case_export").latest("id")
        self.assertEqual(event.data["filters"], {"sort": "-fine", "typical": "1"})
        self.assertEqual(event.object_repr, "典型案例导出")

    def test_each_jurisdiction_sees_and_exports_its_own(self):
        for user, own, others in (
            (self.alice, {self.small.number, self.large.number}, {self.other.number}),
            (self.charlie, {self.other.number}, {self.small.number, self.large.number}),
        ):
            with self.subTest(user=user.username):
                client = self.login(user)
                page = client.get(reverse("enforcement:typical"))
                self.assertEqual(set(self.numbers(page)), own)
                for number in others:
                    self.assertNotContains(page, number)
                export = client.get(reverse("enforcement:case_export") + "?" + page.context["export_query"])
                self.assertEqual({r[0] for r in sheet_rows(export)[1:]}, own)

    def test_a_role_without_enforcement_refused(self):
        client = self.login(self.gina)
        self.assertEqual(client.get(reverse("enforcement:typical")).status_code, 403)
        self.assertEqual(client.get(reverse("enforcement:case_export"), {"typical": "1"}).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="enforcement.case_export").exists())
