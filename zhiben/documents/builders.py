"""Helpers every kind's builder shares (the kinds themselves live in the modules that register them).

A module's `DocumentKind.build(subject, unit)` returns the placeholder values as strings; these
helpers format them the way GB/T 9704 and our templates expect.
"""

from django.utils import timezone


def cn_date(value):
    """2024年6月12日 (Arabic numerals, as GB/T 9704 wants for 成文日期); '' for None."""
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def sentence(text):
    """Text without a trailing full stop, so templates can end the sentence themselves."""
    return (text or "").strip().rstrip("。；;.")
