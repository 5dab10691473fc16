"""A list page's filter form is written out in Python (no template per field or widget): the markup is
exactly what includes/field.html and Django's widget templates give, with values, errors and labels."""

from datetime import date

from django import forms
from django.template.loader import get_template
from django.test import SimpleTestCase

from zhiben.core.filters import (
    Filter,
    FilterSet,
    QuickDateInput,
    QuickHiddenInput,
    QuickTextInput,
    Sort,
)
from zhiben.testing import CastTestCase

FILTERS = FilterSet(
    Filter(
        "region",
        "区划",
        "choice",
        choices=lambda user: [("500106", "沙坪坝区"), ("500106001", "\u3000街道")],
        lookup="region_id",
    ),  # fmt: skip
    Filter("level", "等级", "choice", choices=[("major", "重大"), ("general", "一般")], lookup="level"),
    Filter("found_from", "发现日期从", "date", lookup="found_date__gte"),
    Filter("q", "关键<词>", "search", search=("number",), placeholder='编号或"描述"'),
    Filter("enterprise", "企业", "hidden", lookup="enterprise_id"),
    Sort("sort", {"found": ("found_date",)}),
)
FilterForm = FILTERS.form_class("TestFilterForm")


class QuickMarkupTests(SimpleTestCase):
    def django_html(self, form):
        field = get_template("includes/field.html")
        return "".join(field.render({"field": bound}) for bound in form.visible_fields())

    def test_the_fields_are_written_as_the_include_writes_them(self):
        cases = [
            FilterForm(user=None),
            FilterForm(initial={"region": "500106001", "q": '<a href="x">&', "found_from": "2026-01-02"}, user=None),
            FilterForm({"found_from": "not a date", "level": "nope", "q": "x" * 201, "sort": "found"}, user=None),
            FilterForm({"found_from": "2026-03-04", "region": "500106", "enterprise": "7"}, user=None),
        ]
        for form in cases:
            with self.subTest(data=form.data, initial=form.initial):
                self.assertEqual(form.visible_html(), self.django_html(form))
                self.assertEqual(
                    "".join(str(b) for b in form.hidden_fields()),
                    "".join(b.as_widget(widget=self.plain(b.field.widget)) for b in form.hidden_fields()),
                )
        self.assertIn("has-error", cases[2].visible_html())
        self.assertIn('<option value="500106001" selected>', cases[1].visible_html())

    def plain(self, widget):
        """The Django widget the quick one stands for (rendered through its template)."""
        for quick, django in ((QuickTextInput, forms.TextInput), (QuickDateInput, forms.DateInput),
                              (QuickHiddenInput, forms.HiddenInput)):  # fmt: skip
            if isinstance(widget, quick):
                copy = django(attrs=widget.attrs)
                copy.input_type = widget.input_type
                copy.format = getattr(widget, "format", None)
                return copy
        return widget

    def test_quick_inputs_match_django_inputs(self):
        attrs = {"id": "id_x", "placeholder": 'a "b" <c>', "required": True, "disabled": False, "data-n": 3}
        pairs = [
            (QuickTextInput(attrs={"type": "search"}), forms.TextInput(attrs={"type": "search"})),
            (
                QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            ),  # fmt: skip
            (QuickHiddenInput(), forms.HiddenInput()),
        ]
        for quick, django in pairs:
            for value in (None, "", "abc", '"><script>', date(2026, 5, 6), 12):
                with self.subTest(widget=type(quick).__name__, value=value):
                    self.assertEqual(quick.render("n", value, attrs), django.render("n", value, attrs))


class FilterPanelTests(CastTestCase):
    """On a phone the filter panel folds away; it opens by itself only when the query narrows the list — not when
    the user pages or sorts, which would push the rows down on every page."""

    def test_the_panel_opens_for_filters_only(self):
        client = self.login(self.alice)
        checked = 'class="filtertoggle" checked'
        for url, opened in (
            ("/hazards/", False),
            ("/hazards/?page=2&page_size=50&sort=-found", False),
            ("/hazards/?status=closed", True),
            ("/hazards/?q=&page=2", False),
            ("/enterprises/?q=化工", True),
        ):
            page = client.get(url).content.decode()
            self.assertEqual(checked in page, opened, url)
        self.assertNotIn("清除筛选", client.get("/enterprises/?page=2").content.decode())
