from django import template
from django.utils.safestring import SafeString

from zhiben.core.tables import choose_box as _choose_box

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ row|get_item:"field" }}` for dict rows in templates."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def choose_box(pk, steps, label):
    """`{% choose_box r.pk steps r.number %}`: the row's box for a batch step (core.tables.choose_box)."""
    return SafeString(_choose_box(pk, steps, str(label)))
