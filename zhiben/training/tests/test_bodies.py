"""The training body list as the mature lists work: sorted from its column headers each way, exported with the
page's filters and order, each jurisdiction's bodies only, refused to a role without training."""

from django.urls import reverse

from zhiben.testing import header_link, sheet_rows

from .. import services
from .helpers import TrainingCase


class BodyListTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        region = cls.county_a.code
        cls.early = services.body_save(
            actor=cls.alice,
            data={"name": "乙培训中心", "region": region, "review_result": "meets", "reviewed_on": "2026-01-10"},
        )
        cls.late = services.body_save(
            actor=cls.alice,
            data={"name": "甲培训学校", "region": region, "review_result": "rectify", "reviewed_on": "2026-05-20"},
        )
        cls.never = services.body_save(actor=cls.alice, data={"name": "丙职业学校", "region": cls.town_a1.code})
        cls.theirs = services.body_save(actor=cls.charlie, data={"name": "九龙坡培训中心", "region": "500107"})

    def names(self, page):
        return [b.name for b in page.context["page"]]

    def test_the_headers_sort_by_name_and_by_review_date_each_way(self):
        client = self.login(self.alice)
        url = reverse("training:bodies")
        page = client.get(url)
        by_name = client.get(url + header_link(page, "机构"))
        self.assertEqual(self.names(by_name), sorted(self.names(by_name)))
        self.assertContains(by_name, "机构 ▲")
        by_name_down = client.get(url + header_link(by_name, "机构"))
        self.assertEqual(self.names(by_name_down), sorted(self.names(by_name), reverse=True))
        reviewed = client.get(url + header_link(page, "评估日期"))
        self.assertEqual(self.names(reviewed), ["乙培训中心", "甲培训学校", "丙职业学校"])  # never reviewed: last
        reviewed_down = client.get(url + header_link(reviewed, "评估日期"))
        self.assertEqual(self.names(reviewed_down), ["甲培训学校", "乙培训中心", "丙职业学校"])
        self.assertContains(reviewed_down, "评估日期 ▼")

    def test_the_header_links_keep_the_filters(self):
        page = self.login(self.alice).get(reverse("training:bodies"), {"region": self.county_a.code, "page": "1"})
        self.assertEqual(header_link(page, "机构"), f"?region={self.county_a.code}&sort=name")

    def test_the_export_holds_the_rows_the_list_shows_in_its_order(self):
        client = self.login(self.alice)
        query = {"review_result": "", "q": "培训", "sort": "-reviewed"}
        page = client.get(reverse("training:bodies"), query)
        self.assertEqual(self.names(page), ["甲培训学校", "乙培训中心"])
        rows = sheet_rows(client.get(reverse("training:bodies"), {**query, "export": "1"}))
        self.assertEqual(rows[0], ("机构名称", "所属区划", "培训范围", "评估结果", "评估日期", "评估意见"))
        self.assertEqual([r[0] for r in rows[1:]], self.names(page))
        self.assertEqual(rows[1][3], "限期整改")

    def test_each_jurisdiction_sees_and_exports_its_own(self):
        for user, own in ((self.alice, {"乙培训中心", "甲培训学校", "丙职业学校"}), (self.charlie, {"九龙坡培训中心"})):
            with self.subTest(user=user.username):
                client = self.login(user)
                self.assertEqual(set(self.names(client.get(reverse("training:bodies")))), own)
                exported = sheet_rows(client.get(reverse("training:bodies"), {"export": "1"}))
                self.assertEqual({r[0] for r in exported[1:]}, own)

    def test_a_role_without_training_is_refused(self):
        client = self.login(self.sam)
        self.assertEqual(client.get(reverse("training:bodies")).status_code, 403)
        self.assertEqual(client.get(reverse("training:bodies"), {"export": "1"}).status_code, 403)
