"""Password rules beyond Django's: character-class complexity (等保 三级)."""

import re

from django.core.exceptions import ValidationError

CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "特殊字符"),
]


class ComplexityValidator:
    """Require at least `min_classes` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for pattern, _ in CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                f"密码须至少包含小写字母、大写字母、数字、特殊字符中的{self.min_classes}类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"至少包含小写字母、大写字母、数字、特殊字符中的{self.min_classes}类。"
