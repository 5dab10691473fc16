"""The interface is Chinese whatever language the browser asks for, Django's own messages included."""

from django.urls import reverse

from zhiben.testing import CastTestCase


class LanguageTests(CastTestCase):
    def test_a_browser_set_to_another_language_still_gets_chinese(self):
        self.login(self.erin)
        for accept in ("en-US,en;q=0.9", "zh-TW,zh;q=0.9", "fr", ""):
            with self.subTest(accept=accept):
                response = self.client.post(reverse("accidents:new"), {"type": ""}, HTTP_ACCEPT_LANGUAGE=accept)
                self.assertContains(response, "这个字段是必填项。")
                self.assertNotContains(response, "This field is required.")
                self.assertNotEqual(response.headers.get("Content-Language"), "en")
