"""The enterprise picker: its suggestions (scoped, names starting with the text first, codes by their start), how a
typed or picked enterprise is read back, and forms of a jurisdiction with many enterprises offering the picker
instead of a select of them all (static/zhiben/picker.js, driven in tests/browser/test_enterprise_picker.py)."""

from unittest import mock

from django.urls import reverse

from zhiben.enterprises.forms import EnterpriseField, enterprise_field
from zhiben.enterprises.selectors import enterprise_from_text, picked_text
from zhiben.hazards.forms import HazardReportForm
from zhiben.hazards.models import Hazard
from zhiben.testing import CastTestCase, make_enterprise


class LookupTests(CastTestCase):
    def setUp(self):
        self.later = make_enterprise(self.village_a1, name="新凤凰建材有限公司")
        self.url = reverse("enterprises:lookup")

    def names(self, user, q):
        response = self.login(user).get(self.url, {"q": q})
        self.assertEqual(response.status_code, 200)
        return [r["name"] for r in response.json()["results"]]

    def test_names_holding_the_text_in_the_users_jurisdiction_those_starting_with_it_first(self):
        found = self.names(self.alice, "凤凰")
        self.assertEqual(found[-1], "新凤凰建材有限公司")  # after every name that starts with 凤凰
        self.assertTrue(all(name.startswith("凤凰") for name in found[:-1]) and "凤凰化工有限公司" in found)
        self.assertEqual(self.names(self.alice, "西彭"), [])  # county B's
        self.assertEqual(self.names(self.charlie, "化工"), ["西彭化工有限公司"])
        self.assertEqual(self.names(self.emma, "凤凰"), ["凤凰化工有限公司"])  # an enterprise user: its own only

    def test_a_code_is_found_by_its_start_in_any_case(self):
        code = self.enterprise_a.credit_code
        response = self.login(self.alice).get(self.url, {"q": code[:17].lower()})
        (found,) = response.json()["results"]
        self.assertEqual(
            found,
            {
                "id": self.enterprise_a.pk,
                "name": "凤凰化工有限公司",
                "code": code,
                "region": self.village_a1.name,
                "text": f"凤凰化工有限公司（{code}）",
            },
        )

    def test_nothing_for_no_text_and_refused_without_the_capability(self):
        self.assertEqual(self.names(self.alice, "  "), [])
        self.assertEqual(self.login(self.aud).get(self.url, {"q": "凤凰"}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url, {"q": "凤凰"}).status_code, 302)  # to the login page


class ReadBackTests(CastTestCase):
    def test_an_id_a_code_a_picked_text_or_the_exact_name(self):
        a = self.enterprise_a
        for text in (str(a.pk), a.credit_code.lower(), picked_text(a), f"{a.name}({a.credit_code})", f" {a.name} "):
            self.assertEqual(enterprise_from_text(self.alice, text), a, text)

    def test_nothing_outside_the_jurisdiction_or_for_a_part_of_a_name(self):
        b = self.enterprise_b
        for text in (str(b.pk), b.credit_code, picked_text(b), b.name, "凤凰", "", "²", "9" * 25):
            self.assertIsNone(enterprise_from_text(self.alice, text), text)
        # a picked text is read by its code: another enterprise's name in front does not matter
        self.assertEqual(
            enterprise_from_text(self.alice, f"别的名称（{self.enterprise_a.credit_code}）"), self.enterprise_a
        )


class ManyEnterprisesTests(CastTestCase):
    """Over the limit (patched to 1 here; 300 in use) a form offers the picker, not a select of every enterprise."""

    def setUp(self):
        self.second = make_enterprise(self.village_a1, name="凤凰建材有限公司")

    def test_the_field_is_a_select_up_to_the_limit_and_the_picker_above_it(self):
        with mock.patch("zhiben.enterprises.forms.SELECT_LIMIT", 5):
            self.assertNotIsInstance(enterprise_field(self.alice, label="单位"), EnterpriseField)
        with mock.patch("zhiben.enterprises.forms.SELECT_LIMIT", 1):
            field = enterprise_field(self.alice, label="单位")
            self.assertIsInstance(field, EnterpriseField)
            self.assertIn('data-picker="/enterprises/lookup/"', field.widget.render("enterprise", None))

    def test_a_hazard_is_reported_with_a_picked_enterprise(self):
        self.login(self.alice)
        with mock.patch("zhiben.enterprises.forms.SELECT_LIMIT", 1):
            page = self.client.get(reverse("hazards:report"), {"enterprise": self.second.pk})
            self.assertNotContains(page, ">凤凰化工有限公司</option>")
            self.assertContains(page, f'value="{picked_text(self.second)}"')  # a link's ?enterprise= shown as picked
            response = self.client.post(
                reverse("hazards:report"),
                {
                    "enterprise": picked_text(self.second),
                    "description": "仓库消防通道堵塞",
                    "level": "general",
                    "channel": "supervision",
                    "found_date": "2026-12-01",
                },
            )
        hazard = Hazard.objects.get(description="仓库消防通道堵塞")
        self.assertRedirects(response, reverse("hazards:detail", args=[hazard.pk]), fetch_redirect_response=False)
        self.assertEqual(hazard.enterprise, self.second)

    def test_another_countys_enterprise_is_refused_in_chinese(self):
        self.login(self.alice)
        with mock.patch("zhiben.enterprises.forms.SELECT_LIMIT", 1):
            response = self.client.post(
                reverse("hazards:report"),
                {
                    "enterprise": self.enterprise_b.credit_code,
                    "description": "仓库消防通道堵塞",
                    "level": "general",
                    "channel": "supervision",
                    "found_date": "2026-12-01",
                },
            )
        self.assertContains(response, f"管辖范围内没有代码或名称为“{self.enterprise_b.credit_code}”的单位。")
        self.assertFalse(Hazard.objects.filter(description="仓库消防通道堵塞").exists())
        form = response.context["form"]
        self.assertIsInstance(form, HazardReportForm)
