"""The per-enterprise figure pages (drill compliance, 两单两卡一会 coverage, statistical report compliance) read a
district's enterprises with only what their rows show: their queries do not grow with the enterprises, on the page
or in its export (a field left unread would be read again for each row shown)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhiben.testing import CastTestCase, make_enterprise

PAGES = [
    "/drills/compliance/",
    "/drills/compliance/export/",
    "/posts/coverage/",
    "/posts/coverage/export/",
    "/duties/compliance/",
    "/duties/compliance/export/",
]


class FigurePageQueryTests(CastTestCase):
    def queries(self, url):
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(captured.captured_queries), response

    def test_queries_do_not_grow_with_the_enterprises(self):
        self.login(self.alice)
        for url in PAGES:
            self.client.get(url)  # per-process caches (rules, options) filled first
        before = {url: self.queries(url)[0] for url in PAGES}
        for i in range(12):
            make_enterprise(self.village_a1 if i % 2 else self.town_a1, name=f"新增企业{i:02d}有限公司")
        for url in PAGES:
            count, response = self.queries(url)
            self.assertEqual(count, before[url], url)
            if not url.endswith("export/"):
                self.assertContains(response, "新增企业00有限公司")
