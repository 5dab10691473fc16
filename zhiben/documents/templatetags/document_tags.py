"""The 公文 section of a subject's page: {% subject_documents obj %} lists the documents about `obj` the
user may see, with a button for each kind that may be issued about it now; `available_kinds` gives
those kinds for other layouts."""

from django import template

from zhiben.documents import kinds, selectors

register = template.Library()


@register.simple_tag
def available_kinds(subject):
    """{% available_kinds obj as kinds %}: the registered kinds that may be issued about `obj` now."""
    return kinds.available_kinds(subject)


@register.inclusion_tag("documents/_subject_documents.html", takes_context=True)
def subject_documents(context, subject):
    user = context["request"].user
    if not user.can("document.view"):
        return {"show": False}
    documents = list(selectors.subject_documents(user=user, subject=subject))
    can_issue = user.can("document.issue") and (user.unit_id or user.is_superuser)
    available = kinds.available_kinds(subject) if can_issue else []
    return {
        "show": bool(documents or available),
        "documents": documents,
        "kinds": available,
        "subject": subject,
        "subject_type": kinds.model_label(subject),
    }
