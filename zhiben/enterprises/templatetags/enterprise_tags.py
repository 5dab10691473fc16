"""Template filters of the enterprise pages."""

from django import template

from zhiben.core import crypto

register = template.Library()


@register.filter
def mask_phone(value):
    """'13812345678' → '138****5678' (`crypto.mask_phone`: other numbers keep 3 characters in front, 2 at the end)."""
    return crypto.mask_phone(value)
