"""Forms sent from the field, maybe twice (core.offline): a submission key saves a submission once, whatever resends it
(the phone's queue after a lost answer, a retried upload, two tabs); the pages the service worker keeps; the
service worker and the offline page themselves."""

import json
import unittest
from datetime import timedelta

from django.db import connection
from django.test import Client, TransactionTestCase
from django.utils import timezone

from zhiben.campaigns.services import campaign_create
from zhiben.campaigns.tests.base import campaign_data
from zhiben.core.models import SubmissionKey
from zhiben.core.offline import HEADER, REPEATED, purge_submission_keys
from zhiben.hazards.models import Hazard
from zhiben.inspections.models import Inspection
from zhiben.testing import CastTestCase, at_once, build_cast

KEY = "0123456789abcdef0123456789abcdef"


class SubmissionKeyTests(CastTestCase):
    def report(self, key=KEY, **extra):
        data = {
            "enterprise": self.enterprise_a.pk,
            "channel": "supervision",
            "level": "general",
            "description": "仓库消防通道堵塞",
            "submission_key": key,
            **extra,
        }
        return self.client.post("/hazards/report/", data)

    def test_the_same_submission_sent_twice_is_saved_once(self):
        self.login(self.gina)
        first = self.report()
        hazard = Hazard.objects.get(description="仓库消防通道堵塞")
        self.assertRedirects(first, f"/hazards/{hazard.pk}/")
        again = self.report()
        self.assertRedirects(again, f"/hazards/{hazard.pk}/", fetch_redirect_response=False)
        self.assertEqual(Hazard.objects.filter(description="仓库消防通道堵塞").count(), 1)
        page = self.client.get(again["Location"])
        self.assertContains(page, REPEATED)
        self.assertEqual(SubmissionKey.objects.get().url, f"/hazards/{hazard.pk}/")

    def test_a_submission_sent_back_with_errors_may_be_sent_again_with_its_key(self):
        self.login(self.gina)
        refused = self.report(level="major")  # a 重大 hazard needs the criteria it was judged under
        self.assertContains(refused, "重大隐患须选择判定依据条款")
        self.assertFalse(SubmissionKey.objects.exists())
        corrected = self.report()
        self.assertRedirects(corrected, f"/hazards/{Hazard.objects.get(description='仓库消防通道堵塞').pk}/")

    def test_keys_are_each_users_own(self):
        self.login(self.gina)
        self.report()
        self.login(self.erin)
        self.report()  # the same key from another user is another submission
        self.assertEqual(Hazard.objects.filter(description="仓库消防通道堵塞").count(), 2)

    def test_without_a_key_or_with_a_malformed_one_every_submission_is_saved(self):
        self.login(self.gina)
        for key in ("", "", "short", "has spaces in it 0123456789", "x" * 65):
            self.report(key=key)
        self.assertEqual(Hazard.objects.filter(description="仓库消防通道堵塞").count(), 5)
        self.assertFalse(SubmissionKey.objects.exists())

    def test_a_refusal_answered_with_a_redirect_keeps_the_key_free(self):
        """The campaign ended while the phone was offline: the check is refused (a redirect with an error), nothing
        is saved, and a second send is refused again rather than told it was saved."""
        campaign = campaign_create(actor=self.alice, data=campaign_data())  # not started
        self.login(self.alice)
        for _ in range(2):
            response = self.client.post(f"/campaigns/{campaign.pk}/checks/new/", {"submission_key": KEY}, follow=True)
            self.assertContains(response, "尚未启动，不能登记检查")
            self.assertNotContains(response, REPEATED)
        self.assertFalse(SubmissionKey.objects.exists())

    def test_other_field_forms_save_once(self):
        self.login(self.erin)
        data = {
            "kind": "supervision",
            "enterprise": self.enterprise_a.credit_code,
            "planned_date": timezone.localdate().isoformat(),
            "inspectors": [self.erin.pk],
            "submission_key": KEY,
        }
        first = self.client.post("/inspections/new/", data)
        self.assertEqual(first.status_code, 302, first.content.decode()[:2000])
        second = self.client.post("/inspections/new/", data)
        self.assertEqual(second["Location"], first["Location"])
        self.assertEqual(Inspection.objects.count(), 1)

    def test_evidence_photos_sent_twice_are_saved_once_and_a_refused_upload_frees_its_key(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from zhiben.hazards.tests.helpers import photo, ready, report

        hazard = ready(report(self.gina, self.enterprise_a), self.emma, status="rectifying", with_photo=False)
        self.login(self.emma)
        url = f"/hazards/{hazard.pk}/attach/"
        fake = SimpleUploadedFile("整改后.png", b"not a picture", content_type="image/png")
        bad = self.client.post(url, {"kind": "after", "files": [fake], "submission_key": KEY})
        self.assertRedirects(bad, f"/hazards/{hazard.pk}/", fetch_redirect_response=False)
        self.assertContains(self.client.get(bad["Location"]), "内容不是图片")
        self.assertFalse(SubmissionKey.objects.exists())  # nothing saved: the corrected upload may use the key
        first = self.client.post(url, {"kind": "after", "files": [photo()], "submission_key": KEY})
        self.assertRedirects(first, f"/hazards/{hazard.pk}/", fetch_redirect_response=False)
        again = self.client.post(url, {"kind": "after", "files": [photo()], "submission_key": KEY})
        self.assertContains(self.client.get(again["Location"]), REPEATED)
        self.assertEqual(hazard.attachments.filter(kind="after").count(), 1)

    def test_the_form_pages_are_marked_for_the_service_worker(self):
        self.login(self.erin)
        for url in ("/hazards/report/", "/inspections/new/", "/accidents/new/"):
            self.assertEqual(self.client.get(url)[HEADER], "1", url)
        self.assertEqual(self.login(self.emma).get("/selfchecks/new/")[HEADER], "1")
        self.login(self.erin)
        self.assertNotIn(HEADER, self.client.get("/hazards/"))
        self.assertNotIn(HEADER, self.report(level="major"))  # the form sent back is not kept

    def test_each_user_keeps_the_forms_they_may_fill_in(self):
        def kept(user):
            page = self.login(user).get("/").content.decode()
            return page.split('data-offline="')[1].split('"')[0].split() if 'data-offline="' in page else []

        self.assertEqual(kept(self.gina), ["/hazards/report/", "/accidents/new/"])  # a grid worker does not inspect
        self.assertEqual(kept(self.erin), ["/hazards/report/", "/inspections/new/", "/accidents/new/"])
        self.assertEqual(kept(self.emma), ["/hazards/report/", "/selfchecks/new/", "/accidents/new/"])
        self.assertEqual(kept(self.dave), [])  # a leader reads

    def test_old_keys_are_forgotten(self):
        self.login(self.gina)
        self.report()
        SubmissionKey.objects.update(at=timezone.now() - timedelta(days=31))
        self.report(key="f" * 32)
        self.assertEqual(purge_submission_keys(), 1)
        self.assertEqual(list(SubmissionKey.objects.values_list("key", flat=True)), ["f" * 32])


class ServiceWorkerTests(CastTestCase):
    def test_the_service_worker_is_served_from_the_root_with_what_it_keeps(self):
        response = Client().get("/sw.js")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/javascript"))
        self.assertEqual(response["Cache-Control"], "no-cache")
        body = response.content.decode()
        keep = json.loads(body.split("var KEEP = ")[1].split(";")[0])
        self.assertIn("/offline/", keep)
        self.assertTrue(any(url.endswith("offline.js") for url in keep))
        self.assertNotIn("{{", body)

    def test_the_offline_page_holds_nothing_of_the_user(self):
        page = self.login(self.gina).get("/offline/")
        self.assertContains(page, "离线与待发送")
        self.assertNotContains(page, "data-user")
        self.assertNotContains(page, self.gina.display_name)
        self.assertEqual(Client().get("/offline/").status_code, 200)


@unittest.skipUnless(connection.vendor == "postgresql", "concurrent transactions need PostgreSQL")
class SentAtOnceTests(TransactionTestCase):
    def test_two_sends_of_one_submission_at_once_save_it_once(self):
        build_cast(self)
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(self.gina)
        data = {
            "enterprise": self.enterprise_a.pk,
            "channel": "supervision",
            "level": "general",
            "description": "两个标签页同时发送",
            "submission_key": KEY,
        }
        results = at_once(*(lambda c=c: c.post("/hazards/report/", data) for c in clients))
        hazard = Hazard.objects.get(description="两个标签页同时发送")
        self.assertEqual([r["Location"] for r in results], [f"/hazards/{hazard.pk}/"] * 2, results)
