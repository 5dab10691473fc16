"""Issue 25: 按监管行业 on the home page showed the top 8 without saying so, and its figures linked nowhere."""

from zhiben.enterprises import hooks
from zhiben.testing import CastTestCase


class HomeIndustriesTests(CastTestCase):
    def test_the_home_page_says_what_the_list_leaves_out_and_links_each_industry(self):
        response = self.login(self.alice).get("/")
        summary = response.context["summary"]
        rows = summary["by_industry"]
        self.assertTrue(rows)
        self.assertGreaterEqual(summary["by_industry_total"], len(rows))
        for row in rows:
            self.assertContains(response, f'href="/enterprises/?industry={row["industry__code"]}"')
        self.assertContains(response, f"全部 {summary['by_industry_total']} 个行业")

    def test_more_industries_than_shown_are_announced(self):
        self.addCleanup(setattr, hooks, "BY_INDUSTRY_SHOWN", hooks.BY_INDUSTRY_SHOWN)
        hooks.BY_INDUSTRY_SHOWN = 1
        response = self.login(self.alice).get("/")
        total = response.context["summary"]["by_industry_total"]
        if total > 1:
            self.assertContains(response, f"单位数最多的前 1 个行业（共 {total} 个）")
            self.assertContains(response, "查看全部单位")
