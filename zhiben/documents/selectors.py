"""Reads of documents: always through the scoped queryset, so nothing outside a user's jurisdiction shows."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from .choices import Kind
from .models import Document


def document_list(*, user, filters=None):
    """The documents `user` may see, narrowed by kind, issuing unit, year, hazard and free text."""
    filters = filters or {}
    qs = Document.objects.for_user(user)
    if filters.get("kind") in Kind.values:
        qs = qs.filter(kind=filters["kind"])
    if str(filters.get("unit") or "").isdigit():
        qs = qs.filter(issuing_unit_id=int(filters["unit"]))
    if str(filters.get("year") or "").isdigit():
        qs = qs.filter(year=int(filters["year"]))
    if str(filters.get("hazard") or "").isdigit():
        qs = qs.filter(hazard_id=int(filters["hazard"]))
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(addressee__icontains=text)
                       | Q(hazard__number__icontains=text))
    return qs.select_related("issuing_unit", "hazard").order_by("-issued_at", "-id")


def document_get(*, user, pk):
    """One document, or 404 when it does not exist or lies outside the user's jurisdiction."""
    return get_object_or_404(Document.objects.for_user(user).select_related("issuing_unit", "hazard", "issued_by"), pk=pk)


def hazard_documents(*, user, hazard):
    return Document.objects.for_user(user).filter(hazard=hazard).select_related("issuing_unit").order_by("-issued_at", "-id")


def filter_choices(*, user):
    """Issuing units and years that occur in the user's documents (for the list filters)."""
    qs = Document.objects.for_user(user)
    units = {}
    for pk, name in qs.values_list("issuing_unit_id", "issuing_unit__name").distinct():
        units[pk] = name
    years = sorted(set(qs.values_list("year", flat=True)), reverse=True)
    return sorted(units.items(), key=lambda item: item[1]), years
