from django import template

from zhiben.audit.labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code):
    return _action_label(code)
