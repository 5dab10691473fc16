"""Issue 25: a model field's empty choice read "- Select an option -" (Django 6.1, untranslated) on the import page."""

from django.db import models
from django.test import SimpleTestCase


class EmptyChoiceTests(SimpleTestCase):
    def test_the_empty_choice_of_a_model_select_is_chinese(self):
        field = models.CharField(max_length=4, blank=True, choices=[("a", "甲")])
        self.assertEqual(list(field.formfield().choices)[0], ("", "请选择"))
        self.assertNotIn("Select an option", str(field.formfield().widget.render("x", "")))
