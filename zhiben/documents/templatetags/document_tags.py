"""{% hazard_documents hazard %}: the 公文 section of the hazard page (its documents, and issue links)."""

from django import template

from zhiben.documents import builders, selectors

register = template.Library()


@register.inclusion_tag("documents/_hazard_documents.html", takes_context=True)
def hazard_documents(context, hazard):
    user = context["request"].user
    if not user.can("document.view"):
        return {"show": False}
    documents = list(selectors.hazard_documents(user=user, hazard=hazard))
    kinds = builders.available_kinds(hazard) if user.can("document.issue") and (user.unit_id or user.is_superuser) else []
    return {"show": bool(documents or kinds), "documents": documents, "kinds": kinds, "hazard": hazard}
