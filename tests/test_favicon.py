"""Issue 25: the site had no favicon (a browser asked for one and got a 404). Every page, the login page and
the error page included, names the icon, and the icon is there."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from zhiben.testing import CastTestCase

ICON = '<link rel="icon" href="/static/zhiben/favicon.svg" type="image/svg+xml">'


class FaviconTests(CastTestCase):
    def test_pages_name_the_icon_and_it_is_an_svg_file(self):
        self.assertContains(self.client.get("/accounts/login/"), ICON, html=False)
        self.assertContains(self.login(self.alice).get("/"), ICON, html=False)
        self.assertIn(ICON, render_to_string("errors/500.html"))
        path = finders.find("zhiben/favicon.svg")
        self.assertIsNotNone(path)
        with open(path, encoding="utf-8") as f:
            self.assertIn("<svg", f.read())

    def test_the_address_browsers_ask_leads_to_the_icon_without_logging_in(self):
        answer = self.client.get("/favicon.ico")
        self.assertEqual(answer.status_code, 301)
        self.assertEqual(answer["Location"], "/static/zhiben/favicon.svg")
