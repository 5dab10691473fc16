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
