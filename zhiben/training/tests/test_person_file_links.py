"""A person's training file lists every session attended, and links only those the reader may open: a session held
for an industry outside a department's own is listed by its title, not linked to a page that would answer 404."""

from datetime import date

from django.urls import reverse

from .. import services
from .helpers import TrainingCase


class PersonFileLinkTests(TrainingCase):
    def test_sessions_outside_the_readers_industries_are_listed_not_linked(self):
        worker = self.person("李电工", enterprise=self.enterprise_a, actor=self.alice)
        own = self.session(
            "worker", date(2026, 3, 2), enterprise=self.enterprise_a, actor=self.alice, title="危化品岗位培训"
        )
        other = self.session(
            "worker",
            date(2026, 4, 2),
            enterprise=self.enterprise_a_construction,
            actor=self.alice,
            title="建筑施工安全培训",
        )
        for session in (own, other):
            services.attendance_add(actor=self.alice, session=session, person=worker)
        self.login(self.erin)  # 凤凰镇应急办: hazchem and machinery, not construction
        self.assertEqual(self.client.get(reverse("training:session", args=[other.pk])).status_code, 404)
        page = self.client.get(reverse("training:person", args=[worker.pk]))
        self.assertContains(page, f'href="{reverse("training:session", args=[own.pk])}"')
        self.assertContains(page, "建筑施工安全培训")
        self.assertNotContains(page, f'href="{reverse("training:session", args=[other.pk])}"')
        page = self.login(self.alice).get(reverse("training:person", args=[worker.pk]))
        self.assertContains(page, f'href="{reverse("training:session", args=[other.pk])}"')  # the county sees both
