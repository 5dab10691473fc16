"""The enterprise list's filters are declared once (enterprises/filters.py): every declared filter is
accepted by the page, the API and the Excel export, and gives the same rows in all three."""

from zhiben.api import api
from zhiben.core.filters import Sort
from zhiben.enterprises.filters import ENTERPRISE_FILTERS
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.selectors import enterprise_list

from .test_views import ManyEnterprisesTestCase
from .utils import read_xlsx


class OneDeclarationTests(ManyEnterprisesTestCase):
    def setUp(self):
        Enterprise.objects.filter(name="批量企业03").update(status="suspended", address="青木关镇工业园")

    def samples(self):
        """(name, value) for every declared filter and each of its values (region and industry: the
        user's choices on the page)."""
        form = self.client.get("/enterprises/").context["form"]
        values = {"q": ["批量企业1", "凤凰", "工业园", self.enterprise_a.credit_code.lower(), "没有这家"]}
        pairs = []
        for f in ENTERPRISE_FILTERS:
            options = values.get(f.name) or [value for value, _ in form.fields[f.name].choices if value]
            pairs += [(f.name, value) for value in options]
        return pairs

    def test_every_filter_gives_the_same_rows_on_the_page_in_the_api_and_in_the_export(self):
        self.login(self.alice)
        everything = [e.name for e in self.client.get("/enterprises/", {"per_page": 100}).context["page"]]
        narrowed = set()
        for name, value in self.samples():
            query = {name: value}
            with self.subTest(filter=name, value=value):
                expected = [e.name for e in enterprise_list(user=self.alice, filters=query)]
                page = self.client.get("/enterprises/", {**query, "per_page": 100})
                self.assertEqual([e.name for e in page.context["page"]], expected)
                api_rows = self.client.get("/api/v1/enterprises/", {**query, "page_size": 100}).json()["items"]
                self.assertEqual([e["name"] for e in api_rows], expected)
                exported = read_xlsx(self.client.get("/enterprises/export/", query).content)[1:]
                self.assertEqual([r[1] for r in exported], expected)
                sort = isinstance(ENTERPRISE_FILTERS.by_name[name], Sort)
                if (expected != everything) if sort else (len(expected) < len(everything)):
                    narrowed.add(name)
        self.assertEqual(narrowed, set(ENTERPRISE_FILTERS.names))

    def test_the_api_schema_describes_every_filter(self):
        parameters = {
            p["name"]: p for p in api.get_openapi_schema()["paths"]["/api/v1/enterprises/"]["get"]["parameters"]
        }
        for f in ENTERPRISE_FILTERS:
            self.assertIn(f.label, parameters[f.name]["description"])
        self.assertIn("suspended", parameters["status"]["description"])
