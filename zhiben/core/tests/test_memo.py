"""core.memo: answers kept for one computation only."""

from django.test import SimpleTestCase

from zhiben.core.memo import memo_scope, memoized

calls = []


@memoized
def census(region, industry=""):
    calls.append((region, industry))
    return [region, industry]


class MemoTests(SimpleTestCase):
    def setUp(self):
        calls.clear()

    def test_outside_a_scope_every_call_runs(self):
        census("500106")
        census("500106")
        self.assertEqual(len(calls), 2)

    def test_inside_a_scope_each_arguments_run_once_and_nothing_outlives_it(self):
        with memo_scope():
            self.assertEqual(census("500106"), ["500106", ""])
            census("500106")
            census("500106", industry="hazchem")
            census("500106", industry="hazchem")
            with memo_scope():  # an inner scope shares the outer one's answers
                census("500106")
            self.assertEqual(calls, [("500106", ""), ("500106", "hazchem")])
        census("500106")  # the scope is over: counted anew
        self.assertEqual(len(calls), 3)

    def test_a_scope_as_decorator(self):
        @memo_scope()
        def dashboard():
            return census("500107"), census("500107")

        dashboard()
        dashboard()
        self.assertEqual(len(calls), 2)  # once per dashboard
