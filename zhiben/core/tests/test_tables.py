"""core.tables: a list's rows written in Python escape every value as the template did, fold into cards on a phone
by their data-label, link sortable headers both ways and say when there is nothing."""

from datetime import UTC, date, datetime

from django.test import SimpleTestCase
from django.utils.text import Truncator

from zhiben.core.tables import Column, Table, badge, day, esc, link_to, truncated


class Row:
    def __init__(self, pk, name, count=0):
        self.pk, self.name, self.count = pk, name, count


TABLE = Table(
    columns=(
        Column("名称", ("name",), lambda r, c: f'<a href="{c["detail"](r.pk)}">{esc(r.name)}</a>', sort="name"),
        Column("数量", ("count",), lambda r, _: str(r.count), label="数", css="num", sort="count"),
        Column("说明", ("name", "note"), lambda r, _: truncated(r.name, 4)),
    ),
    empty="没有记录。",
    extra_fields=("id",),
)


class TableTests(SimpleTestCase):
    def test_values_are_escaped_and_cells_labelled(self):
        html = TABLE.rows_html([Row(7, '<script>alert("x")</script>&', 3)], detail=lambda pk: f"/x/{pk}/")
        self.assertIn('<a href="/x/7/">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;</a>', html)
        self.assertIn('<td data-label="数" class="num">3</td>', html)
        cut = Truncator('<script>alert("x")</script>&').chars(4)  # as the template's truncatechars cuts
        self.assertIn(f'<td data-label="说明">{esc(cut)}</td>', html)
        self.assertNotIn("<script>", html)

    def test_no_rows_say_so_across_the_table(self):
        self.assertEqual(TABLE.rows_html([]), '<tr><td colspan="3" class="muted">没有记录。</td></tr>')

    def test_sortable_headers_link_to_each_order(self):
        head = TABLE.head_html(query="q=%E7%94%B2&region=5001", current="name")
        self.assertIn('<th><a href="?q=%E7%94%B2&amp;region=5001&amp;sort=-name">名称 ▲</a></th>', head)
        self.assertIn(
            '<th class="num"><a href="?q=%E7%94%B2&amp;region=5001&amp;sort=count">数量</a></th>', head
        )  # aligned as its cells
        self.assertIn("<th>说明</th>", head)
        self.assertIn("数量 ▼", TABLE.head_html(current="-count"))
        self.assertIn('href="?sort=name"', TABLE.head_html())

    def test_fields_are_read_once_each(self):
        self.assertEqual(TABLE.fields, ("id", "name", "count", "note"))

    def test_helpers(self):
        self.assertEqual(day(date(2026, 3, 9)), "2026-03-09")
        self.assertEqual(day(datetime(2026, 3, 8, 17, 30, tzinfo=UTC)), "2026-03-09")  # the local day (UTC+8)
        self.assertEqual(day(None), "")
        self.assertEqual(badge("逾期", "red"), '<span class="badge red">逾期</span>')
        self.assertEqual(badge("a&b"), '<span class="badge">a&amp;b</span>')
        self.assertEqual(truncated("一二三", 3), "一二三")

    def test_link_to_matches_reverse(self):
        from django.urls import reverse

        self.assertEqual(link_to("hazards:detail")(42), reverse("hazards:detail", args=[42]))


class BothWaysSortTests(SimpleTestCase):
    def test_each_key_sorts_the_other_way_with_a_minus(self):
        from zhiben.core.filters import Sort

        sort = Sort.both_ways({"name": ("name", "id"), "due": ("-deadline", "name")}, default=("-id",))
        self.assertEqual(
            sort.orders,
            {
                "name": ("name", "id"),
                "-name": ("-name", "-id"),
                "due": ("-deadline", "name"),
                "-due": ("deadline", "-name"),
            },
        )
        self.assertEqual(sort.default, ("-id",))

    def test_the_order_shown_is_the_one_given_or_the_defaults_key(self):
        from zhiben.core.filters import Sort

        sort = Sort.both_ways({"at": ("at", "id"), "days": ("days", "at")}, default=("-at", "-id"))
        self.assertEqual(
            [sort.shown(v) for v in ("days", "-days", "", None, "-password")], ["days", "-days", "-at", "-at", "-at"]
        )
        self.assertEqual(Sort.both_ways({"a": ("a",)}, default=("b",)).shown(""), "")  # a default no key gives

    def test_an_expression_turns_and_keeps_its_empty_values_where_they_were(self):
        from django.db.models import F

        from zhiben.core.filters import Sort

        sort = Sort.both_ways({"fine": (F("fine").asc(nulls_last=True), "id")}, default=("-id",))
        ahead, back = sort.orders["fine"][0], sort.orders["-fine"][0]
        self.assertEqual((ahead.descending, ahead.nulls_last), (False, True))
        self.assertEqual((back.descending, back.nulls_last, back.nulls_first), (True, True, None))
        self.assertEqual(back.expression, F("fine"))
        self.assertEqual(sort.orders["-fine"][1], "-id")


class TableRelatedTests(SimpleTestCase):
    def test_a_table_names_the_related_rows_its_cells_read(self):
        table = Table(
            columns=(
                Column("单位", ("enterprise__name", "unit__name"), lambda r, c: ""),
                Column("编号", ("number",), lambda r, c: ""),
                Column("区划", ("enterprise__region_id",), lambda r, c: ""),
            )
        )
        self.assertEqual(table.related, ("enterprise", "unit"))


class JoinedTests(SimpleTestCase):
    def test_no_related_rows_join_nothing(self):
        from zhiben.core.db import joined
        from zhiben.enforcement.models import EnforcementCase

        qs = EnforcementCase.objects.all()
        self.assertFalse(joined(qs, ()).query.select_related)  # select_related() would follow every foreign key
        self.assertEqual(joined(qs, ("enterprise",)).query.select_related, {"enterprise": {}})
