"""Shared write helpers."""

import re

from django.db import IntegrityError, connection, transaction

from .models import Counter


def next_number(key, count=1):
    """Return the next value of sequence `key` (with `count`, the last of the next `count` values). Call
    inside the caller's transaction: the row lock is held until it commits, so two concurrent callers get
    consecutive numbers and a rollback leaves no gap. One statement once the sequence exists
    (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35)."""
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Counter._meta.db_table)} SET {quote('value')} = {quote('value')} + {int(count)} "
        f"WHERE {quote('key')} = %s RETURNING {quote('value')}"
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass  # created by a concurrent caller: the UPDATE below waits for its lock
            cursor.execute(sql, [key])
            row = cursor.fetchone()
    return row[0]


def claim_once(model, **fields):
    """Create the row, or return None when a unique constraint says another worker already has: the
    "exactly once" claim of escalation steps and reminders. A savepoint keeps the caller's transaction
    usable after the refusal."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


@transaction.atomic
def rule_save(*, actor, key, region_code, value=None, text=None):
    """Set rule `key` for jurisdiction `region_code` — the one way every rule is written (the rules page,
    the API, commands). `text` is what was typed (for a month-day rule, the fields {"month", "day"}),
    `value` a value already typed; both None removes the override, so the upper level's (or the
    national default) applies again. Refused unless the actor holds "rule.manage" and `region_code` is
    in its jurisdiction ('' national: superusers only). Audited ("rule.save"); returns the value saved."""
    from zhiben.audit.services import audit_record

    from .exceptions import ApplicationError
    from .models import Rule
    from .rules import check_rule_access, definition, parse_rule_value

    check_rule_access(actor, region_code)
    try:
        ruledef = definition(key)
    except KeyError:
        raise ApplicationError(f"没有名为“{key}”的规则。") from None
    if not ruledef.editable:
        raise ApplicationError(f"规则“{ruledef.label}”不能在此修改。")
    raw = text if text is not None else value
    new = None if raw is None else parse_rule_value(ruledef, raw)
    previous = Rule.objects.select_for_update().filter(key=key, region_code=region_code).first()
    if new is None:
        Rule.objects.filter(key=key, region_code=region_code).delete()
    else:
        Rule.objects.update_or_create(
            key=key, region_code=region_code, defaults={"value": new, "note": ruledef.label[:200]}
        )
    audit_record(
        actor=actor,
        action="rule.save",
        object_type="core.rule",
        object_id=f"{key}@{region_code}",
        object_repr=f"{ruledef.label[:160]}（{region_code or '全国'}）",
        region_code=region_code,
        data={"key": key, "before": previous.value if previous else None, "after": new},
    )
    return new


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


# ---------------------------------------------------------------- reading form and API data

DAY_AT_END = re.compile(r"(\D\d{1,2}|^\d{8})\s*[日号]?$")  # a text ending in a day of the month


def data_text(data, key, limit=None):
    """`data[key]` as trimmed text ('' when missing), cut to `limit` characters."""
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    return value[:limit] if limit else value


def data_date(value, label, errors, field):
    """A day as people write it (2026-11-05, 2026年11月5日, 2026/11/5, an Excel serial, a date), None when
    empty; otherwise None with a Chinese error appended. Text naming only a month or a year ("2026年11月")
    is not a day."""
    from .cntext import DateError, parse_date

    if value in (None, ""):
        return None
    day = None
    if not isinstance(value, str) or DAY_AT_END.search(value.strip()):
        try:
            day = parse_date(value)
        except DateError:
            day = None
    if day is None:
        errors.append((field, f"{label}“{value}”不是有效日期（格式：2026-11-05）。"))
    return day
