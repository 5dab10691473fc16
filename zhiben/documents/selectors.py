"""Reads of documents: always through the scoped queryset, so nothing outside a user's jurisdiction shows."""

from collections import defaultdict

from django.db.models import Q
from django.shortcuts import get_object_or_404

from zhiben.core.db import whole_number
from zhiben.core.filters import Sort, id_q

from . import kinds
from .models import Document

# The list's orders (?sort=key, "-key" descending). 发文字号 sorts as a register does: each unit's series of each
# kind by year and number (the text would put 〔2026〕12号 before 〔2026〕9号).
DOCUMENT_SORT = Sort.both_ways(
    {
        "issued": ("issued_at", "id"),
        "number": ("issuing_unit__name", "kind", "year", "sequence", "id"),
        "unit": ("issuing_unit__name", "issued_at", "id"),
    },
    default=("-issued_at", "-id"),
)


def _by_id(qs, field, value):
    """`qs` narrowed to the rows whose `field` is the id `value` (none for a number no column holds), unchanged when
    `value` is no number."""
    by_id = id_q(field)(str(value or ""), None)
    return qs if by_id is None else qs.filter(by_id)


def document_list(*, user, filters=None):
    """The documents `user` may see, narrowed by kind, kind of subject (and subject), issuing unit, year and free text,
    in the order `sort` names (DOCUMENT_SORT; the latest first by default)."""
    filters = filters or {}
    qs = Document.objects.for_user(user)
    if filters.get("kind") and kinds.find(filters["kind"]) is not None:
        qs = qs.filter(kind=filters["kind"])
    subject_type = (filters.get("subject_type") or "").lower()
    if subject_type in dict(kinds.subject_types()):
        qs = qs.filter(subject_type=subject_type)
        qs = _by_id(qs, "subject_id", filters.get("subject"))
    qs = _by_id(qs, "issuing_unit_id", filters.get("unit"))
    if (year := whole_number(filters.get("year"))) is not None:
        qs = qs.filter(year=year)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(addressee__icontains=text)
            | Q(subject_repr__icontains=text)
        )
    return DOCUMENT_SORT.narrow(qs.select_related("issuing_unit"), str(filters.get("sort") or ""), None)


def document_get(*, user, pk):
    """One document, or 404 when it does not exist or lies outside the user's jurisdiction."""
    return get_object_or_404(Document.objects.for_user(user).select_related("issuing_unit", "issued_by"), pk=pk)


def subject_documents(*, user, subject):
    """The documents about `subject` that `user` may see, newest first."""
    return (
        Document.objects.for_user(user)
        .filter(subject_type=kinds.model_label(subject), subject_id=subject.pk)
        .select_related("issuing_unit")
        .order_by("-issued_at", "-id")
    )


def attach_subjects(documents):
    """Load the subjects of a page of documents with one query per subject type (not one per row)."""
    documents = list(documents)
    wanted = defaultdict(set)
    for document in documents:
        if document.subject_type and document.subject_id is not None:
            wanted[document.subject_type].add(document.subject_id)
    loaded = {}
    for subject_type, ids in wanted.items():
        model = kinds.subject_model(subject_type)
        objects = model._default_manager.in_bulk(ids) if model is not None else {}
        loaded.update({(subject_type, pk): obj for pk, obj in objects.items()})
    for document in documents:
        if document.subject_type:
            document.__dict__["subject"] = loaded.get((document.subject_type, document.subject_id))
    return documents


def filter_choices(*, user):
    """Issuing units and years that occur in the user's documents (for the list filters)."""
    qs = Document.objects.for_user(user)
    units = {}
    for pk, name in qs.values_list("issuing_unit_id", "issuing_unit__name").distinct():
        units[pk] = name
    years = sorted(set(qs.values_list("year", flat=True)), reverse=True)
    return sorted(units.items(), key=lambda item: item[1]), years
