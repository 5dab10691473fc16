"""Rules as data: each module registers its rules (`registry.RuleDef`: default, Chinese label, kind,
group) and the 安委办 overrides them per jurisdiction in the `Rule` table.

The value of a rule for a region is the override of the nearest jurisdiction on the region's chain
(village → town → county → city → province), else the national row (region_code ''), else the
registered default. `rule()` resolves one value; `RuleResolver` resolves one key for many regions with
one query. `parse_rule_value()` turns what a person typed into a value of the rule's kind, or refuses
it in Chinese; `rule_save` (core.services) writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from .memo import ProcessCache
from .registry import entry, ordered
from .scoping import in_subtree, normalize_code, region_chain


def definition(key):
    """The registered RuleDef of `key`; KeyError naming the known keys when there is none."""
    return entry("rules", key)


def definitions(*, editable=None):
    """Every registered rule by its `order` (only the editable ones, or only the others, when asked)."""
    return [d for d in ordered("rules") if editable is None or d.editable == editable]


# Every override of a key, per process: a hazard intake looks up three rules, and each lookup was a query.
_overrides_cache = ProcessCache("rules", "RULE_CACHE_SECONDS")  # cleared on Rule changes (connected in apps)
rules_cache_clear = _overrides_cache.clear


def _rows(key):
    """{region code: value} of every override of `key` ('' the national row), cached per process."""
    from .models import Rule

    return _overrides_cache.get(key, lambda: dict(Rule.objects.filter(key=key).values_list("region_code", "value")))


def _overrides(key, codes):
    rows = _rows(key)
    return {code: rows[code] for code in codes if code in rows}


def rule_source(key, region_code=""):
    """(value, where it comes from) of rule `key` for `region_code`: the region code of the override in
    force ('' for the national row), or None when the registered default applies."""
    default = definition(key).default
    chain = region_chain(region_code, national=True)
    rows = _overrides(key, chain)
    for code in chain:
        if code in rows:
            return rows[code], code
    return default, None


def rule(key, region_code=""):
    """The value of rule `key` for `region_code` (nearest jurisdiction's override, else the national
    row, else the registered default)."""
    return rule_source(key, region_code)[0]


def rule_date(key, region_code=""):
    return date.fromisoformat(rule(key, region_code))


class RuleResolver:
    """One rule for many regions at once: the key's rows are loaded once and each region is resolved in
    memory with the same precedence as `rule()` (jobs and lists that look a rule up for hundreds of
    enterprises)."""

    def __init__(self, key, default=None):
        self.key = key
        self.default = definition(key).default if default is None else default
        self.rows = _rows(key)
        self._cache = {}

    def source(self, region_code=""):
        """(value, region code of the override in force or None for the default)."""
        if region_code not in self._cache:
            chain = region_chain(region_code, national=True)
            code = next((c for c in chain if c in self.rows), None)
            self._cache[region_code] = (self.default, None) if code is None else (self.rows[code], code)
        return self._cache[region_code]

    def value(self, region_code=""):
        return self.source(region_code)[0]

    def values(self):
        """Every value in force somewhere (the default and each override)."""
        return [self.default, *self.rows.values()]

    def largest(self):
        return max(int(v) for v in self.values())


# ---------------------------------------------------------------- kinds of value


@dataclass(frozen=True)
class Kind:
    """How a kind of rule value is typed, checked and shown. Numbers lie in [low, high]; `hint` is the
    expected form, as the refusal says it."""

    hint: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    unit: str = ""


KINDS = {
    "date": Kind("日期，如 2023-12-31"),
    "days": Kind("0 到 3650 之间的整数（天）", 0, 3650, 1, "天"),
    "ratio": Kind("大于 0、不大于 1 的小数，如 0.5", 0, 1, 0.05),
    "megabytes": Kind("1 到 200 之间的整数（MB）", 1, 200, 1, "MB"),
    "count": Kind("0 到 9999 之间的整数", 0, 9999, 1),
    "monthday": Kind("期满后第几个月（1 至 12）的几日（1 至 31），如次月 15 日；或期满后若干日内（1 至 366 天）"),
    "json": Kind("JSON 格式的数据"),
    "flag": Kind("“是”或“否”"),
}

YES, NO = {"1", "是", "true", "yes", "on"}, {"0", "否", "false", "no", "off"}


def _refuse(ruledef, raw, hint=None):
    from .exceptions import ApplicationError

    shown = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False) if raw is not None else ""
    raise ApplicationError(
        f"“{ruledef.label}”应为{hint or KINDS[ruledef.kind].hint}，实际为“{str(shown).strip()}”。",
        errors=[{"field": "value", "message": hint or KINDS[ruledef.kind].hint}],
    )


def _integer(raw):
    """An int from an int or its text ('15', ' 15 '); ValueError otherwise (booleans and 1.5 included)."""
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError
        return int(raw)
    return int(str(raw).strip())


def _monthday(ruledef, raw):
    """{"month", "day"} (or {"days"}) from a mapping of typed fields or of numbers."""
    if isinstance(raw, str):
        text = raw.strip()
        try:
            raw = json.loads(text)
        except ValueError:
            _refuse(ruledef, text)
    if not isinstance(raw, dict):
        _refuse(ruledef, raw)
    fields = {k: v for k, v in raw.items() if v not in (None, "")}
    try:
        if fields.get("mode") == "days" or ("days" in fields and "month" not in fields):
            days = _integer(fields.get("days"))
            if not 1 <= days <= 366:
                raise ValueError
            return {"days": days}
        month, day = _integer(fields.get("month")), _integer(fields.get("day"))
    except (TypeError, ValueError):
        _refuse(ruledef, raw)
    if not 1 <= month <= 12:
        _refuse(ruledef, raw, "期满后第几个月，须为 1 至 12")
    if not 1 <= day <= 31:
        _refuse(ruledef, raw, "每月几日，须为 1 至 31")
    return {"month": month, "day": day}


def _structured(ruledef, raw):
    """A structured value from its JSON text (or the value itself), of the shape of the rule's default; else
    ApplicationError saying in Chinese what is wrong and where."""
    from .exceptions import ApplicationError
    from .rulevalues import check_shape, json_error

    value, problem = raw, None
    if not isinstance(raw, (dict, list)):
        text = str(raw if raw is not None else "")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            problem = json_error(text, exc)
    problem = problem or check_shape(ruledef, value)
    if problem:
        raise ApplicationError(
            f"“{ruledef.label}”未保存：{problem}。", errors=[{"field": "value", "message": f"未保存：{problem}。"}]
        )
    return value


def parse_rule_value(ruledef, raw):
    """The value of rule `ruledef` (a RuleDef or its key) from what was typed — text, or for a month-day
    the fields {"month", "day"} (or {"mode": "days", "days"}) — or from a value already typed
    (a number, a dict). Raises ApplicationError naming the rule and the expected form."""
    from .exceptions import ApplicationError

    if isinstance(ruledef, str):
        try:
            ruledef = definition(ruledef)
        except KeyError:
            raise ApplicationError(f"没有名为“{ruledef}”的规则。") from None
    kind = ruledef.kind
    if kind not in KINDS:
        raise ApplicationError(f"规则“{ruledef.label}”的取值类型“{kind}”无法识别。")
    if kind == "monthday":
        return _monthday(ruledef, raw)
    if kind == "json":
        return _structured(ruledef, raw)
    if isinstance(raw, (dict, list)) or raw is None:
        _refuse(ruledef, raw)
    if kind == "flag":
        text = str(raw).strip().lower()
        if raw is True or (raw is not False and text in YES):
            return True
        if raw is False or text in NO:
            return False
        _refuse(ruledef, raw)
    spec = KINDS[kind]
    try:
        if kind == "date":
            return (raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())).isoformat()
        if kind == "ratio":
            if isinstance(raw, bool):
                raise ValueError
            value = float(str(raw).strip().rstrip("%")) / (100 if str(raw).strip().endswith("%") else 1)
            if not spec.low < value <= spec.high:
                raise ValueError
            return round(value, 4)
        value = _integer(raw)
        if not spec.low <= value <= spec.high:
            raise ValueError
        return value
    except (TypeError, ValueError):
        _refuse(ruledef, raw)


def show_value(ruledef, value, names=None):
    """A rule value as a person reads it ("期满后次月 15 日前", "30 天", "0.5", "是"; a structured value one
    "名称：值" a line, a list of industry codes their names — `names` {code: name} when already read)."""
    from .rulevalues import label_choices, label_unit, show_structured

    kind = ruledef.kind
    if kind == "monthday" and isinstance(value, dict):
        if "days" in value:
            return f"期满后 {value['days']} 日内"
        if value.get("month") == 1:
            return f"期满后次月 {value.get('day')} 日前"
        return f"期满后第 {value.get('month')} 个月的 {value.get('day')} 日前"
    if kind == "json":
        return show_structured(ruledef, value, names)
    if kind == "flag":
        return "是" if value else "否"
    choices = dict(label_choices(ruledef)) if kind == "count" else {}
    if choices and isinstance(value, (bool, int)) and int(value) in choices:
        return choices[int(value)]
    if isinstance(value, bool):
        return "是" if value else "否"
    unit = KINDS.get(kind, Kind("")).unit or (label_unit(ruledef) if kind == "count" else "")
    if unit == "%":
        return f"{value}%"
    return f"{value} {unit}" if unit else str(value)


# ---------------------------------------------------------------- who edits which jurisdiction


def check_rule_access(actor, region_code):
    """Raise ApplicationError(code="forbidden") unless `actor` may set rules for `region_code`: an
    安委办 administrator ("rule.manage") for its own jurisdiction or below; a superuser also nationally ('')."""
    from .exceptions import ApplicationError

    if actor is None or not actor.can("rule.manage"):
        raise ApplicationError("只有安委办管理员可以修改规则参数。", code="forbidden")
    if region_code == "" and actor.is_superuser:
        return
    if (
        not region_code
        or normalize_code(region_code) != region_code
        or not actor.region_id
        or not in_subtree(region_code, actor.region_id)
    ):
        raise ApplicationError("只能修改本辖区的规则参数。", code="forbidden")


def rule_groups(region_code, failed=None):
    """The rules page's content for `region_code`: [(group, [item])], groups in the order of their first
    rule; each item has the RuleDef, value, its display, where it comes from and the editor's fields
    (`editor`: date, monthday, flag, choices, industries, form, json or number). `failed` (key, what was typed,
    the refusal) keeps what was typed in that rule's editor, with the refusal beside it."""
    from .models import Rule
    from .rulevalues import (
        edit_text,
        form_grid,
        industry_names,
        is_industry_list,
        label_choices,
        label_unit,
        shape_hint,
    )

    groups = {}
    keys = [d.key for d in definitions(editable=True)]
    rows = {}
    for key, code, value in Rule.objects.filter(key__in=keys).values_list("key", "region_code", "value"):
        rows.setdefault(key, {})[code] = value
    chain = region_chain(region_code, national=True) if region_code else [""]
    names = _region_names(chain)
    industries = None
    for ruledef in definitions(editable=True):
        own = rows.get(ruledef.key, {})
        code = next((c for c in chain if c in own), None)
        value = ruledef.default if code is None else own[code]
        if code is None:
            source = "全国默认"
        elif code == region_code:
            source = "本辖区"
        else:
            source = f"上级（{names.get(code) or code or '全国'}）"
        if is_industry_list(ruledef) and industries is None:
            industries = industry_names()
        typed, error = (failed[1], failed[2]) if failed and failed[0] == ruledef.key else (None, "")
        item = {
            "rule": ruledef,
            "key": ruledef.key,
            "kind": ruledef.kind,
            "spec": KINDS.get(ruledef.kind),
            "value": value,
            "shown": show_value(ruledef, value, industries),
            "default": show_value(ruledef, ruledef.default, industries),
            "source": source,
            "own": code == region_code,
            "editor": ruledef.kind if ruledef.kind in ("date", "monthday", "flag", "json") else "number",
            "unit": KINDS[ruledef.kind].unit if ruledef.kind in KINDS else "",
            "error": error,
        }
        if ruledef.kind == "monthday":
            spec = value if isinstance(value, dict) else {}
            item["mode"] = "days" if "days" in spec else "month_day"
            item["month"], item["day"], item["days"] = spec.get("month"), spec.get("day"), spec.get("days")
        elif is_industry_list(ruledef):
            chosen = typed if isinstance(typed, list) else value if isinstance(value, list) else []
            item["editor"] = "industries"
            item["industries"] = [(c, n, c in chosen) for c, n in industries.items()]
        elif (
            ruledef.kind == "json"
            and not isinstance(typed, str)
            and (grid := form_grid(ruledef, value if typed is None else typed))
        ):
            item["editor"], item["grid"] = "form", grid
        elif ruledef.kind == "json":
            item["text"] = typed if isinstance(typed, str) else edit_text(value)
            item["rows"] = min(max(sum(len(line) // 40 + 1 for line in item["text"].split("\n")) + 1, 4), 16)
            item["hint"] = shape_hint(ruledef)
        elif ruledef.kind == "count" and (choices := label_choices(ruledef)):
            item["editor"] = "choices"
            item["choices"] = choices
            item["selected"] = int(value) if isinstance(value, (bool, int)) else None
        elif ruledef.kind == "count":
            item["unit"] = label_unit(ruledef)
        item["input"] = typed if item["editor"] in ("number", "date") and isinstance(typed, str) else value
        groups.setdefault(ruledef.group or "其他", []).append(item)
    return list(groups.items())


def _region_names(codes):
    from zhiben.regions.models import Region

    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


MONTHS = [(m, "次月" if m == 1 else f"第 {m} 个月") for m in range(1, 13)]
DAYS = list(range(1, 32))
