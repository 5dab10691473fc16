"""Issue 25: the task page said "长期坚持（长期坚持）" and showed an indicator cut at its start."""

from zhiben.plans.models import Indicator, Task
from zhiben.plans.tests.helpers import small_plan
from zhiben.testing import CastTestCase


class TaskPageTextTests(CastTestCase):
    def test_an_ongoing_task_says_so_once_and_an_indicator_shows_its_sentence(self):
        plan = small_plan(self.alice, self.town_a1)
        task = Task.objects.get(plan=plan, deadline_text="长期坚持")
        Indicator.objects.create(
            plan=plan,
            task=task,
            name="率达到100%",
            target_value=100,
            source_text="企业主要负责人安全培训考核合格率达到100%",
        )
        page = self.login(self.alice).get(task.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        body = page.content.decode()
        self.assertNotIn("长期坚持（长期坚持）", body)
        self.assertIn("长期坚持", body)
        self.assertIn("原文：企业主要负责人安全培训考核合格率达到100%", body)
        quarterly = Task.objects.get(plan=plan, deadline_text="每季度")
        self.assertContains(self.client.get(quarterly.get_absolute_url()), "每季度")
