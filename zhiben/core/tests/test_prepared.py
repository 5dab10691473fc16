"""core.db.prepared_cursor: the intake's hand-written statements are parsed and planned once per PostgreSQL
connection; the ORM's queries stay unprepared; SQLite gets the usual cursor."""

import os
from unittest import mock, skipUnless

from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from zhiben.core.db import native_placeholders, prepared_cursor
from zhiben.settings import database_from_url

POSTGRES = connection.vendor == "postgresql"


def prepared_statements(fragment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return cursor.fetchone()[0]


class PreparedCursorTests(TestCase):
    def test_values_are_bound_and_read_back(self):
        for value in (1, 41):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %s + 1, %s", [value, "隐患"])
                self.assertEqual(cursor.fetchone(), (value + 1, "隐患"))

    @skipUnless(POSTGRES, "prepared statements are PostgreSQL's")
    def test_a_statement_is_prepared_once_per_connection(self):
        for value in range(3):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %s::int * 7 AS zhiben_prepared_probe", [value])
                self.assertEqual(cursor.fetchone(), (value * 7,))
        self.assertEqual(prepared_statements("zhiben_prepared_probe"), 1)

    @skipUnless(POSTGRES, "prepared statements are PostgreSQL's")
    def test_orm_queries_are_not_prepared(self):
        for _ in range(8):  # past any threshold
            with connection.cursor() as cursor:
                cursor.execute("SELECT %s::int AS zhiben_orm_probe", [5])
        self.assertEqual(prepared_statements("zhiben_orm_probe"), 0)

    @skipUnless(POSTGRES, "the cursors' time zone is PostgreSQL's")
    def test_timestamps_are_read_in_the_zone_the_orm_reads_them_in(self):
        def read(make_cursor):
            with make_cursor() as cursor:
                cursor.execute("SELECT %s::timestamptz", ["2026-03-08 17:30:00+00"])
                value = cursor.fetchone()[0]
            return value, value.utcoffset()

        self.assertEqual(read(prepared_cursor), read(connection.cursor))

    def test_a_long_statement_with_many_values(self):
        """Over psycopg's 4,096 characters and 50 values (the numbered INSERT of an intake is), and a percent sign."""
        values = list(range(60))
        columns = ", ".join(
            f"CAST(%s AS integer) AS zhiben_column_{i:03d}_with_a_long_name_to_pass_the_limit" for i in values
        )
        with prepared_cursor() as cursor:
            cursor.execute(f"SELECT {columns}, '100%%'", values)
            self.assertEqual(cursor.fetchone(), (*values, "100%"))

    def test_its_statements_are_seen_like_any_other(self):
        with CaptureQueriesContext(connection) as ctx, prepared_cursor() as cursor:
            cursor.execute("SELECT %s + 2", [1])
        self.assertEqual(len(ctx.captured_queries), 1)


class NativePlaceholderTests(SimpleTestCase):
    def test_placeholders_are_numbered_and_percent_signs_kept(self):
        self.assertEqual(
            native_placeholders("SELECT %s, %s FROM t WHERE a LIKE '%%s%%' AND b = %s"),
            "SELECT $1, $2 FROM t WHERE a LIKE '%s%' AND b = $3",
        )


class PrepareSwitchTests(SimpleTestCase):
    def test_on_by_default_and_off_for_a_transaction_pooler(self):
        url = "postgres://zhiben@db.example:5432/zhiben"
        with mock.patch.dict(os.environ, {}, clear=False):
            os.environ.pop("ZHIBEN_DB_PREPARE", None)
            self.assertEqual(database_from_url(url)["OPTIONS"]["prepare_threshold"], 5)
        with mock.patch.dict(os.environ, {"ZHIBEN_DB_PREPARE": "0"}):
            self.assertNotIn("prepare_threshold", database_from_url(url)["OPTIONS"])
