"""The one choke point that decides which rows a user may see.

A scoped model names its scope fields in `Meta`-like class attribute `SCOPE`:
    SCOPE = {"region": "region_id", "domain": "domain_id", "enterprise": "id"}
- region: a field holding a 12-digit region code; the user sees their region's subtree;
- domain: the regulatory industry; a department user sees only what their unit supervises;
- enterprise: the enterprise id; an enterprise user sees only their own enterprise.
A key left out means the model is not restricted by it.
A model whose rows may have no industry (an escalation record of a plan task, a document about a
subject outside the industries) sets `SCOPE_DOMAIN_OPTIONAL = True`: a row without one is no
department's alone, so every department of the region sees it.
"""

from functools import lru_cache

from django.db.models import Q

# significant prefix length of a 12-digit 统计用区划代码 by level
LEVEL_PREFIX = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
CODE_LENGTH = 12


def code_level(code):
    """Level of a padded 12-digit code: 1 province, 2 city, 3 county, 4 town, 5 village."""
    if code[2:] == "0" * 10:
        return 1
    if code[4:] == "0" * 8:
        return 2
    if code[6:] == "0" * 6:
        return 3
    if code[9:] == "000":
        return 4
    return 5


def child_prefix_length(code):
    """How many leading digits name a child of region `code` (a village has no children: 12)."""
    return LEVEL_PREFIX[min(code_level(code) + 1, 5)]


def child_code(prefix):
    """The 12-digit code of the child named by a prefix (see child_prefix_length)."""
    return prefix.ljust(CODE_LENGTH, "0")


def subtree_range(code):
    """(low, high) bounds of every code inside `code`'s subtree, itself included."""
    keep = LEVEL_PREFIX[code_level(code)]
    return code, code[:keep] + "9" * (CODE_LENGTH - keep)


def normalize_code(value):
    """'500106' → '500106000000'; returns '' for anything that is not a 2/4/6/9/12-digit code."""
    text = str(value or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        return ""
    return text.ljust(12, "0")


def subtree_q(value, field="region_id"):
    """The filter for rows whose `field` lies in the subtree of region `value` (any accepted code form),
    or None when `value` is not a region code."""
    code = normalize_code(value)
    if not code:
        return None
    low, high = subtree_range(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def in_subtree(code, ancestor):
    low, high = subtree_range(ancestor)
    return bool(code) and low <= code <= high


NOTHING = Q(pk__in=[])


def scope_terms(user, model):
    """The visibility rule of `user` on `model` as data: None when nothing is visible, [] when
    everything is, else [(field, op, value)] that must all hold (op: "range", "in", "in_or_none" or "eq").
    Both the database filter (`scope_q`) and the in-memory check (`scope_allows`) are built from it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return []
    scope = model.SCOPE
    terms = []
    if "region" in scope:
        if not user.region_id:
            return None
        terms.append((scope["region"], "range", subtree_range(user.region_id)))
    if user.enterprise_id:
        if "enterprise" not in scope:
            return terms if getattr(model, "SCOPE_ENTERPRISE_SEES_REGION", False) else None
        terms.append((scope["enterprise"], "eq", user.enterprise_id))
    elif "domain" in scope and user.limited_to_domains:
        op = "in_or_none" if getattr(model, "SCOPE_DOMAIN_OPTIONAL", False) else "in"
        terms.append((scope["domain"], op, tuple(user.domain_ids)))
    return terms


def scope_key(user, model):
    """A hashable value that users who see the same rows of `model` share (what a per-jurisdiction cache keys on);
    None when `user` sees none."""
    terms = scope_terms(user, model)
    return (
        None
        if terms is None
        else tuple((field, op, tuple(value) if isinstance(value, list) else value) for field, op, value in terms)
    )


def scope_q(user, model):
    """The filter that limits `model` rows to what `user` may see."""
    terms = scope_terms(user, model)
    if terms is None:
        return NOTHING
    q = Q()
    for field, op, value in terms:
        if op == "range":
            q &= Q(**{f"{field}__gte": value[0], f"{field}__lte": value[1]})
        elif op == "in":
            q &= Q(**{f"{field}__in": value})
        elif op == "in_or_none":
            q &= Q(**{f"{field}__in": value}) | Q(**{f"{field}__isnull": True})
        else:
            q &= Q(**{field: value})
    return q


def scope_allows(user, obj):
    """The same rule evaluated on an instance in memory: the check after save without a query."""
    terms = scope_terms(user, type(obj))
    if terms is None:
        return False
    for field, op, value in terms:
        actual = getattr(obj, field)
        if op == "range":
            ok = actual is not None and value[0] <= actual <= value[1]
        elif op == "in":
            ok = actual in value
        elif op == "in_or_none":
            ok = actual is None or actual in value
        else:
            ok = actual == value
        if not ok:
            return False
    return True


def assert_in_scope(user, obj):
    """Raise ScopeError unless `obj` is visible to `user` (used by services after writing)."""
    from .exceptions import ScopeError

    model = type(obj)
    if not model._default_manager.filter(pk=obj.pk).filter(scope_q(user, model)).exists():
        raise ScopeError()


def region_chain(code, *, national=False):
    """`code` and its ancestors' codes, nearest first (a village, its town, county, city, province);
    with `national` the national level '' comes last. Used wherever the nearest jurisdiction's own
    setting wins (rules, ladders, templates, the supervising department)."""
    return list(_chain(code, national))


@lru_cache(maxsize=8192)
def _chain(code, national):
    """region_chain's answer, once per code (a figure over 30,000 enterprises looks a rule up for each: the chain of
    their few hundred villages was worked out 120,000 times, 0.4 s of a 1.5 s page)."""
    code = normalize_code(code)
    chain = list(
        dict.fromkeys(code[:n].ljust(CODE_LENGTH, "0") for n in sorted(set(LEVEL_PREFIX.values()), reverse=True))
    )
    chain = [c for c in chain if in_subtree(code, c)] if code else []
    return tuple(chain + [""] if national else chain)
