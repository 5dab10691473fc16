"""A tour of the demo as every role (issue 25): the whole demo is loaded once, then each demo account opens
the home page, every entry of its menu, and the first records those pages link to. Nothing may answer a
server error, a page of the menu must answer (or send the user to bind a second factor), and a link a
page offers must not lead to a 404 or 403 — a link to something the user may not open is a bug.

Marked `demo` (the demo load takes about a minute): the PostgreSQL run of .ci/run skips it with the browser
tests, the SQLite run drives it."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, TestCase

from zhiben.accounts.models import User

pytestmark = pytest.mark.demo

LINK = re.compile(r'href="(/[^"#]*)"')
# addresses that are downloads, actions or outside the pages a person reads
SKIP = re.compile(r"(export|download|\.pdf|\.docx|\.xlsx|\.png|\.svg|/static/|/media/|/api/|/open311/|logout|/docs)")
DETAIL = re.compile(r"^/[a-z_]+/(?:[a-z_]+/)?\d+/$")


class DemoTour(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

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
