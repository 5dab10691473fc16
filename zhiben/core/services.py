"""Shared write helpers."""

from django.db import IntegrityError, transaction

from .models import Counter


def next_number(key):
    """Return the next value of sequence `key`. Call inside the caller's transaction: the row lock
    is held until it commits, so two concurrent callers get consecutive numbers and a rollback
    leaves no gap."""
    with transaction.atomic(savepoint=False):
        updated = Counter.objects.filter(key=key).select_for_update().first()
        if updated is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass
            updated = Counter.objects.select_for_update().get(key=key)
        updated.value += 1
        Counter.objects.filter(key=key).update(value=updated.value)
    return updated.value


@transaction.atomic
def rule_save(*, actor, key, region_code, text=None):
    """Set the rule `key` for the actor's jurisdiction `region_code` from typed `text`; `text=None` removes
    the override so the upper level's (or the national default) applies again. Audited."""
    from zhiben.audit.services import audit_record

    from .exceptions import ApplicationError
    from .models import Rule
    from .rules import DEFAULTS, EDITABLE, parse_rule_value
    from .scoping import in_subtree

    if not actor.can("rule.manage"):
        raise ApplicationError("只有安委办管理员可以修改规则参数。", code="forbidden")
    if key not in EDITABLE:
        raise ApplicationError(f"规则“{key}”不能在此修改。")
    if not (actor.is_superuser and region_code == "") and not (region_code and actor.region_id and in_subtree(region_code, actor.region_id)):
        raise ApplicationError("只能修改本辖区的规则参数。", code="forbidden")
    previous = Rule.objects.filter(key=key, region_code=region_code).first()
    value = None if text is None else parse_rule_value(key, text)
    if value is None:
        Rule.objects.filter(key=key, region_code=region_code).delete()
    else:
        Rule.objects.update_or_create(key=key, region_code=region_code, defaults={"value": value, "note": DEFAULTS[key][1][:200]})
    audit_record(actor=actor, action="rule.save", object_type="core.rule", object_id=f"{key}@{region_code}",
                 object_repr=DEFAULTS[key][1][:200], region_code=region_code,
                 data={"key": key, "before": previous.value if previous else None, "after": value})
    return value


def ensure_capability(actor, capability, message="您的角色无权进行此操作。", *, system=True):
    """The rights check at the top of a service: ApplicationError(code="forbidden") unless `actor` holds
    `capability`. `actor` None is the system itself (demo loader, worker), allowed unless `system=False`."""
    if (actor is None and not system) or (actor is not None and not actor.can(capability)):
        from .exceptions import ApplicationError

        raise ApplicationError(message, code="forbidden")


def actor_covers(actor, code):
    """True when region `code` lies inside the actor's jurisdiction (the system itself covers everything)."""
    from .scoping import in_subtree

    if actor is None or actor.is_superuser:
        return True
    return bool(actor.region_id) and in_subtree(code, actor.region_id)


def fail(errors):
    """Raise one ApplicationError for [(field, Chinese message)], each message also placed on its field."""
    from .exceptions import ApplicationError

    raise ApplicationError("；".join(m for _, m in errors), errors=[{"field": f, "message": m} for f, m in errors])
