"""core.memo: answers kept for one computation, and per process."""

from django.contrib.auth.models import AnonymousUser
from django.test import SimpleTestCase, override_settings

from zhiben.core.memo import ProcessCache, clear_process_caches, memo_scope, memoized
from zhiben.enterprises.filters import industry_options as enterprise_industries
from zhiben.hazards.filters import industry_options
from zhiben.hazards.filters import region_options as ledger_regions
from zhiben.regions.models import Industry, Unit
from zhiben.testing import CastTestCase, make_region

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


class ProcessCacheTests(CastTestCase):
    """core.memo.ProcessCache: answers kept per process, forgotten on a change made here, refreshed elsewhere after
    the setting's seconds. The filter options (regions.selectors) are one."""

    def setUp(self):
        self.reads = []
        self.cache = ProcessCache("test-cache", "TEST_CACHE_SECONDS")

    def read(self, value):
        self.reads.append(value)
        return value

    def test_an_answer_is_kept_per_key_until_the_setting_expires(self):
        with override_settings(TEST_CACHE_SECONDS=60):
            self.assertEqual(self.cache.get("a", lambda: self.read(1)), 1)
            self.assertEqual(self.cache.get("a", lambda: self.read(2)), 1)
            self.assertEqual(self.cache.get("b", lambda: self.read(3)), 3)
        with override_settings(TEST_CACHE_SECONDS=0):  # another process's change: seen once the answer is older
            self.assertEqual(self.cache.get("a", lambda: self.read(4)), 4)
        self.assertEqual(self.reads, [1, 3, 4])

    def test_saving_or_deleting_a_watched_row_forgets_every_answer(self):
        self.cache.clear_on(Industry, Unit.industries.through)
        industry = Industry.objects.create(code="test-memo", name="测试行业", sort=99)
        self.cache.get("a", lambda: self.read("first"))
        for name, change in (
            ("saved", lambda: industry.save()),
            ("m2m", lambda: self.unit_office_a.industries.add(industry)),
            ("deleted", lambda: industry.delete()),
        ):
            self.cache.get("a", lambda: self.read("kept"))  # still the answer before the change
            change()
            self.cache.get("a", lambda name=name: self.read(name))
        self.assertEqual(self.reads, ["first", "saved", "m2m", "deleted"])
        self.cache.get("a", lambda: self.read("unchanged"))
        self.assertEqual(self.reads[-1], "deleted")  # nothing changed since
        clear_process_caches()
        self.cache.get("a", lambda: self.read("cleared"))
        self.assertEqual(self.reads[-1], "cleared")

    def test_filter_options_follow_a_new_region_and_a_renamed_industry_at_once(self):
        self.assertNotIn("500106105009", dict(ledger_regions(self.alice)))
        make_region("500106105009", "新建村")
        self.assertEqual(dict(ledger_regions(self.alice))["500106105009"], "\u3000\u3000新建村")
        self.assertNotIn("500106105009", dict(ledger_regions(self.charlie)))  # each jurisdiction its own
        Industry.objects.filter(code="hazchem").update(name="改名")  # a bulk write sends no signal …
        industry = Industry.objects.get(code="hazchem")
        industry.name = "危险化学品（改）"
        industry.save()  # … a save does
        self.assertEqual(dict(industry_options(self.alice))["hazchem"], "危险化学品（改）")

    def test_a_department_user_is_offered_its_own_industries(self):
        self.assertEqual({code for code, _ in enterprise_industries(self.erin)}, {"hazchem", "machinery"})
        self.assertGreater(len(enterprise_industries(self.alice)), 2)
        self.assertEqual(ledger_regions(AnonymousUser()), [])
