"""Which file inputs ask the phone to shrink large photos before sending them (static/zhiben/uploads.js, driven in
tests/browser/test_uploads_phone.py): evidence photos and public reports do, accident evidence keeps the photos as
taken, and the setting 0 turns it off."""

from django.test import SimpleTestCase, override_settings

from zhiben.accidents.forms import AccidentForm
from zhiben.core.evidence import SHRINK_OVER, evidence_field, photo_attrs
from zhiben.hazards.forms import HazardReportForm
from zhiben.reports.forms import ReportForm


def attrs(field):
    return field.widget.attrs


class PhotoShrinkTests(SimpleTestCase):
    def test_evidence_and_public_photos_are_shrunk_to_the_setting(self):
        for field in (HazardReportForm.base_fields["photos"], ReportForm.base_fields["photos"], evidence_field()):
            self.assertEqual(attrs(field)["data-shrink-px"], 2560)
            self.assertEqual(attrs(field)["data-shrink-over"], SHRINK_OVER)
        html = evidence_field().widget.render("photos", None)
        self.assertIn('data-shrink-px="2560"', html)

    def test_accident_evidence_is_sent_as_taken(self):
        self.assertNotIn("data-shrink-px", attrs(AccidentForm.base_fields["files"]))
        self.assertNotIn("data-shrink-px", attrs(evidence_field(shrink=False)))

    @override_settings(PHOTO_SHRINK_PX=0)
    def test_the_setting_zero_sends_every_photo_as_taken(self):
        self.assertEqual(photo_attrs(), {})
        self.assertNotIn("data-shrink-px", attrs(evidence_field()))

    def test_every_page_loads_the_scripts(self):
        from django.template.loader import render_to_string

        page = render_to_string("base.html")
        for script in ("uploads.js", "picker.js", "drafts.js"):
            self.assertIn(f"zhiben/{script}", page)
