"""Template filters of the enterprise pages."""

from django import template

register = template.Library()


@register.filter
def mask_phone(value):
    """'13812345678' → '138****5678'; shorter numbers keep two digits at each end."""
    digits = str(value or "")
    if not digits:
        return ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:2]}****{digits[-2:]}"
    return "****"
