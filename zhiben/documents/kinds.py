"""The document kinds modules register (`zhiben.core.registry`, store "document_kinds"), as this app reads them.

The documents app knows no kind itself: a module registers `DocumentKind` entries for its subjects
(hazards: 整改通知书, 督办函 …) and everything here only loops over them.
"""

from django.apps import apps

from zhiben.core.exceptions import ApplicationError
from zhiben.core.registry import entry, ordered, registry

STORE = "document_kinds"


def all_kinds():
    """Every registered kind, in menu order."""
    return ordered(STORE)


def kind_choices():
    """(key, label) of every registered kind: the `choices` of `Document.kind` and `DocumentTemplate.kind`."""
    return [(kind.key, kind.label) for kind in all_kinds()]


def find(key):
    """The registered kind `key`, or None (a document of a kind no module registers any more)."""
    return registry[STORE].get(key)


def get_kind(key):
    """The registered kind `key`; ApplicationError (Chinese) when no module registered it."""
    if not isinstance(key, str):
        key = getattr(key, "key", key)
    try:
        return entry(STORE, key)
    except KeyError:
        raise ApplicationError(f"未知的公文种类“{key}”。", code="unknown_kind") from None


def model_label(obj_or_model):
    """ "app_label.model" (lower case, as `Model._meta.label_lower`) of a model instance or class."""
    return obj_or_model._meta.label_lower


def subject_label(subject_type):
    """The Chinese name of a subject type ("hazards.hazard" → 事故隐患), or the label itself when unknown."""
    model = subject_model(subject_type)
    return str(model._meta.verbose_name) if model is not None else subject_type


def subject_types():
    """(subject_type, Chinese name) of every model some registered kind is issued about, in kind order."""
    seen = dict.fromkeys(kind.subject_model.lower() for kind in all_kinds())
    return [(label, subject_label(label)) for label in seen]


def kinds_for(subject_type):
    """The registered kinds issued about subjects of `subject_type` ("app_label.model")."""
    subject_type = subject_type.lower()
    return [kind for kind in all_kinds() if kind.subject_model.lower() == subject_type]


def available_kinds(subject):
    """The kinds that may be issued about `subject` now (its model's kinds whose `available` says yes)."""
    return [kind for kind in kinds_for(model_label(subject)) if kind.available(subject) is None]


def subject_model(subject_type):
    """The model class of `subject_type` ("app_label.model"), or None when no installed app has it."""
    try:
        return apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None


def load_subject(subject_type, pk):
    """The object `pk` of model `subject_type`, unscoped; None when gone or unknown."""
    model = subject_model(subject_type)
    return model._default_manager.filter(pk=pk).first() if model is not None else None


def subject_url(subject):
    """`subject.get_absolute_url()` when the subject has one, else ''."""
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""
