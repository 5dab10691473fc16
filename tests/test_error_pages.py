"""Errors never show a traceback, whatever DEBUG is (issue 25): the API answers JSON, the pages a
Chinese error page; the traceback goes to the log."""

from unittest import mock

from django.test import Client, override_settings

from zhiben.accounts.services import api_token_create
from zhiben.testing import CastTestCase

SECRET = "/srv/zhiben/secret_path.py"


class ErrorPageTests(CastTestCase):
    def client_for(self, user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    def test_a_page_raising_shows_the_chinese_500_page_with_debug_on_and_off(self):
        client = self.client_for(self.alice)
        for debug in (True, False):
            with (
                self.subTest(debug=debug),
                override_settings(DEBUG=debug, TRACEBACKS=False),
                mock.patch("zhiben.core.views.render", side_effect=RuntimeError(SECRET)),
                self.assertLogs("django.request", "ERROR") as logged,
            ):
                response = client.get("/")
            self.assertEqual(response.status_code, 500)
            body = response.content.decode()
            self.assertIn("系统出错了", body)
            self.assertNotIn(SECRET, body)
            self.assertNotIn("Traceback", body)
            self.assertIn(SECRET, "\n".join(logged.output))  # the developer reads it in the log

    def test_a_developer_may_ask_for_the_technical_page(self):
        with (
            override_settings(DEBUG=True, TRACEBACKS=True),
            mock.patch("zhiben.core.views.render", side_effect=RuntimeError(SECRET)),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = self.client_for(self.alice).get("/")
        self.assertEqual(response.status_code, 500)
        self.assertIn(SECRET, response.content.decode())

    def test_the_api_answers_json_without_a_traceback_with_debug_on_and_off(self):
        _, key = api_token_create(actor=self.alice, name="测试")
        client = Client(raise_request_exception=False)
        for debug in (True, False):
            with (
                self.subTest(debug=debug),
                override_settings(DEBUG=debug),
                mock.patch("zhiben.regions.api.require_capability", side_effect=RuntimeError(SECRET)),
                self.assertLogs("django.request", "ERROR"),
            ):
                response = client.get("/api/v1/regions/", headers={"Authorization": f"Bearer {key}"})
            self.assertEqual(response.status_code, 500)
            self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
            self.assertEqual(response.json()["code"], "server_error")
            self.assertNotIn(SECRET, response.content.decode())

    def test_not_found_bad_request_and_server_error_pages_are_chinese(self):
        from django.test import RequestFactory

        from zhiben.core.errors import bad_request, server_error

        response = self.client_for(self.alice).get("/hazards/999999999/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("页面不存在", response.content.decode())
        request = RequestFactory().get("/")
        request.user = self.alice
        self.assertIn("请求有误", bad_request(request).content.decode())
        response = server_error(request)
        self.assertEqual(response.status_code, 500)
        self.assertIn("系统出错了", response.content.decode())
