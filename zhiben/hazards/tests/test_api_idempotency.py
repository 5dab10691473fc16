"""An integration retrying after a timeout (Idempotency-Key, core.offline.submitted_once): the retry gets the records the
first call created, and nothing is written twice; a refused call leaves its key free; a malformed key is refused."""

from zhiben.core.models import SubmissionKey
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase

KEY = "3f2c9a1e-7b4d-4c8e-9a0f-1d2e3f4a5b6c"


class IdempotencyKeyTests(CastTestCase):
    def post(self, url, body, key=KEY):
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.client.post(url, body, content_type="application/json", headers=headers)

    def item(self, description="泵房未设置可燃气体报警器"):
        return {"enterprise": self.enterprise_a.pk, "channel": "supervision", "description": description}

    def test_a_retried_intake_returns_the_first_record(self):
        self.login(self.gina)
        first = self.post("/api/v1/hazards/", self.item())
        self.assertEqual(first.status_code, 201, first.content)
        again = self.post("/api/v1/hazards/", self.item())
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertEqual(again.json()["number"], first.json()["number"])
        self.assertEqual(Hazard.objects.filter(description="泵房未设置可燃气体报警器").count(), 1)

    def test_a_retried_batch_returns_the_first_records(self):
        self.login(self.gina)
        body = {"items": [self.item(f"批量第{i}条：配电箱未接地") for i in range(3)]}
        first = self.post("/api/v1/hazards/batch", body)
        self.assertEqual(first.status_code, 201, first.content)
        again = self.post("/api/v1/hazards/batch", body)
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual(again.json()["created"], 3)
        self.assertEqual([h["id"] for h in again.json()["items"]], [h["id"] for h in first.json()["items"]])
        self.assertEqual(Hazard.objects.filter(description__startswith="批量第").count(), 3)

    def test_a_refused_call_leaves_its_key_free(self):
        self.login(self.gina)
        refused = self.post("/api/v1/hazards/batch", {"items": [self.item(), self.item("")]})
        self.assertEqual(refused.status_code, 400, refused.content)
        self.assertFalse(SubmissionKey.objects.exists())
        corrected = self.post("/api/v1/hazards/batch", {"items": [self.item(), self.item("消防水池无水")]})
        self.assertEqual(corrected.status_code, 201, corrected.content)

    def test_keys_are_each_callers_own_and_optional(self):
        self.login(self.gina)
        self.post("/api/v1/hazards/", self.item())
        self.login(self.erin)
        self.assertEqual(self.post("/api/v1/hazards/", self.item()).status_code, 201)
        for _ in range(2):
            self.assertEqual(self.post("/api/v1/hazards/", self.item(), key=None).status_code, 201)
        self.assertEqual(Hazard.objects.filter(description="泵房未设置可燃气体报警器").count(), 4)

    def test_a_malformed_key_is_refused(self):
        self.login(self.gina)
        for key in ("short", "有中文的标识符有中文的标识符有中文的标识符", "a b c d e f g h i j k l"):
            response = self.post("/api/v1/hazards/", self.item(), key=key)
            self.assertEqual(response.status_code, 400, key)
            self.assertIn("Idempotency-Key", response.json()["detail"])
        self.assertFalse(Hazard.objects.filter(description="泵房未设置可燃气体报警器").exists())

    def test_the_replay_of_a_record_no_longer_visible_is_a_404(self):
        self.login(self.gina)
        first = self.post("/api/v1/hazards/", self.item())
        Hazard.objects.filter(pk=first.json()["id"]).update(region=self.village_b1)  # moved out of gina's village
        self.assertEqual(self.post("/api/v1/hazards/", self.item()).status_code, 404)
