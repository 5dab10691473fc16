"""core.parallel: read-only parts run at once on PostgreSQL, in order everywhere else; core.memo shared."""

import threading
import unittest

from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings

from zhiben.core.memo import memo_scope, memoized
from zhiben.core.parallel import concurrently
from zhiben.regions.models import Industry

calls = []


@memoized
def slow_census(code):
    calls.append(threading.get_ident())
    return Industry.objects.filter(code=code).count()


@unittest.skipUnless(connection.vendor == "postgresql", "threads read through their own connections: PostgreSQL")
@override_settings(DB_READ_THREADS=3)
class ConcurrentlyTests(TransactionTestCase):
    def setUp(self):
        calls.clear()
        Industry.objects.create(code="zz-par", name="并行测试行业", sort=999)

    def test_results_in_order_from_other_threads_each_seeing_committed_rows(self):
        here = threading.get_ident()
        results = concurrently(
            [
                lambda: (threading.get_ident(), Industry.objects.filter(code="zz-par").count()),
                lambda: (threading.get_ident(), 2),
                lambda: (threading.get_ident(), Industry.objects.filter(code="zz-none").count()),
            ]
        )
        self.assertEqual([r[1] for r in results], [1, 2, 0])
        self.assertTrue(all(ident != here for ident, _ in results))

    def test_an_exception_reaches_the_caller(self):
        def broken():
            raise ValueError("坏了")

        with self.assertRaisesMessage(ValueError, "坏了"):
            concurrently([lambda: 1, broken])

    def test_threads_of_one_scope_compute_a_memoized_answer_once(self):
        with memo_scope():
            results = concurrently([lambda: slow_census("zz-par") for _ in range(6)])
        self.assertEqual(results, [1] * 6)
        self.assertEqual(len(calls), 1)

    def test_inside_a_transaction_the_parts_run_here_and_see_its_rows(self):
        here = threading.get_ident()
        with transaction.atomic():
            Industry.objects.create(code="zz-new", name="未提交行业", sort=998)
            results = concurrently(
                [lambda: (threading.get_ident(), Industry.objects.filter(code="zz-new").count()) for _ in range(3)]
            )
        self.assertEqual(results, [(here, 1)] * 3)


class SequentialTests(TestCase):
    @override_settings(DB_READ_THREADS=0)
    def test_without_threads_the_parts_run_here_in_order(self):
        here = threading.get_ident()
        self.assertEqual(
            concurrently([lambda n=n: (threading.get_ident(), n) for n in range(3)]), [(here, 0), (here, 1), (here, 2)]
        )
