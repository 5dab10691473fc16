"""Backlinks with probes: the probes of a subject are asked in one statement, and only the backlinks whose
probe found a row (or that have no probe) are asked for their links, in registry order."""

from django.test import TestCase

from zhiben.accounts.models import User
from zhiben.core.registry import Backlink, backlinks, register, unregister


class BacklinkProbeTests(TestCase):
    KEYS = ("test.found", "test.missing", "test.none", "test.always", "test.pair")

    def setUp(self):
        self.subject = User.objects.create(username="subject")
        self.other = User.objects.create(username="other")
        self.asked = []
        self.addCleanup(lambda: [unregister("backlinks", key) for key in self.KEYS])

    def links(self, key):
        def links(obj, user):
            self.asked.append(key)
            return [(key, obj.username, f"/{key}/")]

        return links

    def add(self, key, probe, order):
        register(Backlink(key, "accounts.user", self.links(key), order=order, probe=probe))

    def test_only_backlinks_whose_probe_finds_a_row_are_asked(self):
        self.add("test.found", lambda obj, user: User.objects.filter(pk=obj.pk), 1)
        self.add("test.missing", lambda obj, user: User.objects.filter(pk=obj.pk, username="nobody"), 2)
        self.add("test.none", lambda obj, user: None, 3)  # nothing to look for (no capability)
        self.add("test.always", None, 4)  # no probe: always asked
        self.add(
            "test.pair",  # several querysets: any row will do
            lambda obj, user: (User.objects.filter(pk=-1), User.objects.filter(pk__in=[obj.pk, self.other.pk])),
            5,
        )
        with self.assertNumQueries(1):  # every probe in one statement; these links() read nothing
            result = backlinks(self.subject, self.other)
        self.assertEqual(self.asked, ["test.found", "test.always", "test.pair"])
        self.assertEqual(
            result,
            [
                ("test.found", "subject", "/test.found/"),
                ("test.always", "subject", "/test.always/"),
                ("test.pair", "subject", "/test.pair/"),
            ],
        )

    def test_a_single_probe_and_no_probe(self):
        self.add("test.found", lambda obj, user: User.objects.filter(pk=obj.pk), 1)
        with self.assertNumQueries(1):
            self.assertEqual(backlinks(self.subject, self.other), [("test.found", "subject", "/test.found/")])
        unregister("backlinks", "test.found")
        self.add("test.missing", lambda obj, user: User.objects.filter(pk=-1), 1)
        with self.assertNumQueries(1):
            self.assertEqual(backlinks(self.subject, self.other), [])
        unregister("backlinks", "test.missing")
        with self.assertNumQueries(0):
            self.assertEqual(backlinks(self.subject, self.other), [])
        self.assertEqual(self.asked, ["test.found"])
