"""What the API fuzzing (tests/test_api_fuzz.py) found, pinned with the cast's real objects: malformed ids
and pages are 422s in the project's Chinese error shape, a filter value the column cannot hold matches
nothing, and every response class has a name of its own in the OpenAPI document.

Kept apart from the fuzzing module, whose cast lives for the whole module."""

import json
import re

from zhiben.accounts.services import api_token_create
from zhiben.api import api
from zhiben.core.api import MAX_PAGE
from zhiben.testing import CastTestCase

BAD_VALUES = ["²", "9" * 25, "-1"]  # a digit int() refuses, past any id column, below any id


class FoundByTheFuzzTests(CastTestCase):
    def get(self, path, user=None, **params):
        _, key = api_token_create(actor=user or self.alice, name="测试")
        return self.client.get(path, params, headers={"Authorization": f"Bearer {key}"})

    def test_a_malformed_id_is_a_422_in_json_naming_the_parameter(self):
        response = self.get("/api/v1/enterprises/null,null")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            response.json(),
            {
                "detail": "请求参数格式不正确。",
                "code": "invalid_request",
                "errors": [{"field": "pk", "message": "须为整数。"}],
            },
        )
        self.assertEqual(self.get(f"/api/v1/enterprises/{self.enterprise_a.pk}").json()["name"], "凤凰化工有限公司")

    def test_a_literal_path_is_not_taken_for_an_id(self):
        self.assertEqual(self.get("/api/v1/selfchecks/compliance").status_code, 200)
        self.assertEqual(self.get("/api/v1/users/role-requests", self.sam).status_code, 200)

    def test_a_page_past_the_bound_is_a_422_not_a_500(self):
        response = self.get("/api/v1/enterprises/", page=str(MAX_PAGE + 1))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"], [{"field": "page", "message": "超出允许范围。"}])
        self.assertEqual(self.get("/api/v1/enterprises/", page=str(MAX_PAGE)).json()["items"], [])

    def test_a_filter_value_the_filter_cannot_read_is_a_422_naming_it(self):
        """Issue 25: nonsense filters were ignored (200) or matched nothing; the API names them (the page,
        whose form shows the value, lists nothing)."""
        response = self.get("/api/v1/enforcement/cases", unit="abc")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"], [{"field": "unit", "message": "取值不符合要求。"}])
        found = self.get("/api/v1/selfchecks/compliance", region=self.village_a1.code).json()["items"]
        self.assertIn(self.enterprise_a.pk, [row["enterprise_id"] for row in found])
        for path, params, field in [
            ("/api/v1/hazards/", {"enterprise": "abc"}, "enterprise"),
            ("/api/v1/hazards/", {"region": "abc"}, "region"),
            ("/api/v1/hazards/", {"level": "huge"}, "level"),
            ("/api/v1/hazards/", {"found_from": "yesterday"}, "found_from"),
            ("/api/v1/hazards/", {"sort": "nonsense"}, "sort"),
        ]:
            with self.subTest(path=path, params=params):
                response = self.get(path, **params)
                self.assertEqual(response.status_code, 422)
                self.assertEqual(response.json()["errors"][0]["field"], field)
                self.assertIn(field, response.json()["detail"])
        ok = self.get("/api/v1/hazards/", enterprise=str(self.enterprise_a.pk), level="general")
        self.assertEqual(ok.status_code, 200)
        self.client.force_login(self.alice)
        page = self.client.get("/hazards/", {"enterprise": "abc"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "隐患台账")

    def test_a_nul_in_a_parameter_is_refused_before_any_query(self):
        # PostgreSQL cannot hold a NUL in a text column: found by the fuzzer on /plans/tasks and /users/role-requests.
        response = self.get("/api/v1/plans/tasks", q="a\x00b")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "q")
        self.assertIn("控制字符", response.json()["detail"])
        self.assertEqual(self.get("/api/v1/users/role-requests", q="\x00").status_code, 422)
        self.client.force_login(self.alice)
        page = self.client.get("/hazards/", {"q": "\x00"})
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "控制字符", status_code=400)

    def test_without_a_valid_token_it_is_a_401_in_chinese(self):
        response = self.client.get("/api/v1/enterprises/", headers={"Authorization": "Bearer zb_nope"})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "unauthenticated")

    def test_every_schema_name_in_the_document_is_one_class(self):
        """Two response classes of one name share one entry of the document, so one of them was described
        wrongly (the units list was documented with the plans' unit rows)."""
        seen = {}
        for _, router in api._routers:
            for operation_list in router.path_operations.values():
                for operation in operation_list.operations:
                    for model in (operation.response_models or {}).values():
                        for cls in _schema_classes(model):
                            self.assertIs(seen.setdefault(cls.__name__, cls), cls, cls.__name__)
        self.assertIn("UnitOut", seen)

    def test_no_query_parameter_value_is_a_500(self):
        """Every query parameter of every GET operation, one at a time, given a digit int() refuses ("²":
        str.isdigit() holds for it), a number no id column holds (SQLite raised OverflowError on it in a
        related lookup, PostgreSQL a DataError) and a negative number: a 200, 4xx or 404, never a 500."""
        client = self.login(self.alice)
        document = json.loads(client.get("/api/v1/openapi.json").content)
        tried = 0
        for path, item in document["paths"].items():
            operation = item.get("get")
            if operation is None:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)  # the path's ids: 1
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query" or not _text_or_integer(parameter["schema"]):
                    continue
                for value in BAD_VALUES:
                    with self.subTest(path=path, parameter=parameter["name"], value=value):
                        response = client.get(url, {parameter["name"]: value})
                        self.assertNotEqual(response.status_code, 500, response.content[:300])
                    tried += 1
        self.assertGreater(tried, 600)  # the document was read: some 200 parameters, three values each


def _schema_classes(model):
    """The project's Schema classes a response model refers to (through list[...] and nested fields)."""
    from ninja import Schema
    from pydantic import BaseModel

    found, todo = [], [model]
    while todo:
        current = todo.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            if current in found:
                continue
            if issubclass(current, Schema) and current.__module__.startswith("zhiben"):
                found.append(current)
            for info in current.model_fields.values():
                todo.append(info.annotation)
        for arg in getattr(current, "__args__", ()) or ():
            todo.append(arg)
    return found


def _text_or_integer(schema):
    """Whether a parameter's schema takes a text or an integer (possibly null)."""
    types = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
    return bool(types & {"string", "integer"})
