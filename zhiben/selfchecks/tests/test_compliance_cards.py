"""On a phone the compliance table folds into one card an enterprise: every cell keeps its column's name as its
label (data-label), the duties that do not bind the enterprise (不适用) too."""

from html.parser import HTMLParser

from django.urls import reverse

from zhiben.selfchecks import selectors
from zhiben.testing import CastTestCase


class Cells(HTMLParser):
    """The (data-label, text) of every cell of the table with the given id's body."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.body, self.cell, self.cells = table_id, False, False, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.inside = attrs.get("id") == self.table_id
        elif self.inside and tag == "tbody":
            self.body = True
        elif self.body and tag == "td":
            self.cell = [attrs.get("data-label"), ""]

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.cells.append((self.cell[0], self.cell[1].strip()))
            self.cell = None
        elif tag == "table":
            self.inside = self.body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def cells(response, table_id):
    parser = Cells(table_id)
    parser.feed(response.content.decode())
    return parser.cells


class ComplianceCardTests(CastTestCase):
    def test_every_cell_is_labelled_with_its_column_not_binding_ones_too(self):
        risky = self.enterprise_a
        risky.high_risk = True  # bound by the monthly principal's check, not by the quarterly one
        risky.save()
        page = self.login(self.alice).get(reverse("selfchecks:compliance"))
        found = cells(page, "compliance")
        self.assertTrue(found)
        self.assertEqual([text for label, text in found if not label], [])
        duties = {d.name for d in selectors.active_duties()}
        not_binding = {label for label, text in found if text == "不适用"}
        self.assertTrue(not_binding)
        self.assertLessEqual(not_binding, duties)
