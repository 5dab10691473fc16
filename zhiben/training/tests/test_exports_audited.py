"""Every training export is recorded in the audit log with the filters it was made with (training.export), as the
other modules' exports are: who took the list of people, certificates or files out of the system."""

from django.urls import reverse

from zhiben.audit.labels import action_label
from zhiben.audit.models import AuditEvent
from zhiben.testing import CastTestCase, make_enterprise
from zhiben.training.selectors import COVERAGES


class TrainingExportAuditTests(CastTestCase):
    def test_each_export_is_audited_with_its_filters(self):
        self.login(self.alice)
        coverage = next(iter(COVERAGES))
        exports = [
            (reverse("training:session_export"), {"kind": "principal"}),
            (reverse("training:person_export"), {"q": "张"}),
            (reverse("training:certificate_export"), {}),
            (reverse("training:uncertified"), {"export": "1"}),
            (reverse("training:bodies"), {"export": "1", "sort": "name"}),
            (reverse("training:coverage_export", args=[coverage]), {}),
            (reverse("training:enterprise_file_export", args=[make_enterprise(self.village_a1).pk]), {}),
        ]
        for url, params in exports:
            before = AuditEvent.objects.filter(action="training.export").count()
            response = self.client.get(url, params)
            self.assertEqual(response.status_code, 200, url)
            self.assertTrue(response["Content-Disposition"].startswith("attachment"), url)
            event = AuditEvent.objects.filter(action="training.export").order_by("-seq").first()
            self.assertEqual(AuditEvent.objects.filter(action="training.export").count(), before + 1, url)
            self.assertEqual(event.data["filters"], params, url)
            self.assertEqual(event.actor_id, self.alice.pk)
        self.assertNotEqual(action_label("training.export"), "training.export")  # shown in Chinese
