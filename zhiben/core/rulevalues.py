"""How the rules page reads and checks a rule value that is not one number: structured ("json") values shown in
Chinese ("重大：D > 320", "死亡 3 人，重伤 10 人，直接经济损失 1000 万元"), lists of industry codes as the industries'
names, numbers with the unit or the choices their label declares ("（分钟）", "（1 是，0 否）"), the shape a typed
structured value must have (that of the registered default), and the hint the edit box shows.

The parts of a structured value are named by the module registering the rule (RuleDef.parts), the levels and a
list item's name here (COMMON); a part named nowhere is shown under its own name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """One part of a structured value, as the module registering the rule names it (RuleDef.parts): its Chinese
    name; `unit` ("元" money, "%" a ratio shown as a percentage, else written after the number); `fmt` the whole
    text of a number ("通知发出后第 {} 个工作日"); `empty` what an empty or null part means; numbers lie in
    [low, high] (`integer`: whole numbers only); `shape`, for a part null by default, the shape it has when set."""

    label: str
    unit: str = ""
    fmt: str = ""
    empty: str = ""
    low: float | None = 0
    high: float | None = None
    integer: bool = False
    shape: dict | None = None  # a part null by default (不予奖励): the shape it takes when set


# Parts every rule may use without naming them: the levels thresholds are keyed by, and a list item's name.
COMMON = {
    "extraordinary": Part("特别重大"),
    "major": Part("重大"),
    "larger": Part("较大"),
    "general": Part("一般"),
    "low": Part("低"),
    "name": Part("名称"),
}

# Levels from the most to the least severe: thresholds keyed by them must fall with the level.
LEVELS = ("extraordinary", "major", "larger", "general", "low")

HHMM = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")  # as watch.selectors reads a shift

# "（分钟）", "（自事故发生之日起，天）", "（%）", "多少分钟内": the unit a count's label declares.
UNIT_IN_LABEL = re.compile(r"[（，](分钟|小时|天|月|%|MB|人|次|元)）|多少(分钟|小时|人|次|条)")
UNIT_WORDS = {"月": "个月"}
# "（1 是，0 否）", "（1 省级、2 市级、3 区县）": the choices a count's label declares (two or more).
CHOICES_IN_LABEL = re.compile(r"（((?:\d+ [^、，（）\s]+[、，])+\d+ [^、，（）\s]+)）")


def _parts(key):
    from .rules import definition

    return definition(key).parts


def field(key, name):
    """The Part `name` of rule `key` (its own name when neither the rule nor COMMON names it)."""
    return _parts(key).get(name) or COMMON.get(name) or Part(str(name))


def _named(key, name):
    return name in _parts(key) or name in COMMON


def label_unit(ruledef):
    """The unit a rule's label declares ("分钟", "%"), or ""."""
    match = UNIT_IN_LABEL.search(ruledef.label)
    unit = (match.group(1) or match.group(2)) if match else ""
    return UNIT_WORDS.get(unit, unit)


def label_choices(ruledef):
    """[(number, name)] a rule's label declares ("（1 是，0 否）" → [(1, "是"), (0, "否")]), or []."""
    match = CHOICES_IN_LABEL.search(ruledef.label)
    if not match:
        return []
    return [(int(n), name) for n, name in re.findall(r"(\d+) ([^、，]+)", match.group(1))]


def is_industry_list(ruledef):
    """A rule whose value is a list of industry codes (RuleDef.items)."""
    return ruledef.items == "industries"


def industry_names():
    """{code: name} of every industry, in their order."""
    from zhiben.regions.models import Industry

    return dict(Industry.objects.values_list("code", "name"))


# ---------------------------------------------------------------- showing


def number_text(value, spec=None):
    """A number as read: 3000 元, 1000 万元, 15%, 3 人, or the Part's own wording."""
    spec = spec or Part("")
    if isinstance(value, float) and value.is_integer() and spec.unit != "%":
        value = int(value)
    if spec.unit == "%":
        text = f"{round(value * 100, 4):g}%"
    elif spec.unit == "元":
        if abs(value) >= 10**8 and value % 10**6 == 0:
            text = f"{value / 10**8:g} 亿元"
        elif abs(value) >= 10**4 and value % 100 == 0:
            text = f"{value / 10**4:g} 万元"
        else:
            text = f"{value:,} 元"
    else:
        text = f"{value:g}" if isinstance(value, float) else str(value)
        text = f"{text} {spec.unit}" if spec.unit else text
    return spec.fmt.format(text) if spec.fmt else text


def _spec(key, name, parent):
    """The Part of `name`; a part named nowhere (一般 under 每瞒报死亡一人) takes its parent's unit and wording: 元."""
    return field(key, name) if _named(key, name) else Part(str(name), parent.unit, parent.fmt)


def _inline(key, value, spec, depth=1):
    """One part of a structured value on one line."""
    if value is None or value == "" or value == [] or value == {}:
        return spec.empty or ("无" if value is None else "未填")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return number_text(value, spec)
    if isinstance(value, dict):
        parts = []
        for name, part in value.items():
            inner = _spec(key, name, spec)
            text = _inline(key, part, inner, depth + 1)
            parts.append(f"{inner.label}（{text}）" if isinstance(part, dict) and part else f"{inner.label} {text}")
        return "，".join(parts) if depth == 1 else "、".join(parts)
    if isinstance(value, list):
        return "、".join(_inline(key, part, spec, depth + 1) for part in value)
    return str(value)


def show_structured(ruledef, value, names=None):
    """A structured value as lines a person reads: a mapping one "名称：值" a line, a list of mappings one item
    a line ("白班：开始时间 08:30"), a list of industry codes their names joined by 、."""
    key = ruledef.key
    if is_industry_list(ruledef) and isinstance(value, list):
        names = industry_names() if names is None else names
        return "、".join(names.get(code) or f"{code}（未知行业代码）" for code in value) or "未选择"
    if isinstance(value, dict):
        return "\n".join(
            f"{field(key, name).label}：{_inline(key, part, field(key, name))}" for name, part in value.items()
        )
    if isinstance(value, list) and value and all(isinstance(part, dict) for part in value):
        lines = []
        for part in value:
            rest = {k: v for k, v in part.items() if k != "name"}
            text = _inline(key, rest, Part("")) if rest else ""
            lines.append(f"{part['name']}：{text}" if part.get("name") else text)
        return "\n".join(lines)
    return _inline(key, value, Part(""))


def edit_text(value):
    """A structured value as typed in its edit box: JSON, one part of a mapping or a list a line."""
    dump = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    if isinstance(value, dict) and value:
        return "{\n" + ",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in value.items()) + "\n}"
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"  {dump(v)}" for v in value) + "\n]"
    return dump(value)


def _skeleton(value):
    if isinstance(value, bool):
        return "true 或 false"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, str):
        return '"时:分"' if HHMM.match(value) else '"文字"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_skeleton(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + (_skeleton(value[0]) + ", …" if value else "") + "]"
    return "null"


def _names(key, value, found):
    """Every named part of `value` with its Chinese name, once, in order."""
    if isinstance(value, dict):
        for name, part in value.items():
            spec = field(key, name)
            if spec.label != str(name) and name not in found:
                found[name] = spec.label + ("（小数，0.15 即 15%）" if spec.unit == "%" else "")
            _names(key, part, found)
    elif isinstance(value, list):
        for part in value:
            _names(key, part, found)
    return found


def shape_hint(ruledef, names=None):
    """What the edit box of a structured rule expects, in Chinese: the shape of the default and what its parts
    mean (or, for a list of industries, the codes to choose from)."""
    if is_industry_list(ruledef):
        names = industry_names() if names is None else names
        return '行业代码列表，如 ["hazchem", "mining"]；可用代码：' + "、".join(f"{c} {n}" for c, n in names.items())
    hint = f"按 JSON 填写（英文引号、逗号、冒号），结构：{_skeleton(ruledef.default)}。"
    found = _names(ruledef.key, ruledef.default, {})
    if found:
        hint += "各项：" + "，".join(f"{name} {label}" for name, label in found.items()) + "。"
    return hint


# ---------------------------------------------------------------- editing as a form

FORM_PREFIX = "f."  # the inputs of a structured value's form: f.larger.deaths, f.0.start
EXTRA_ROWS = 2  # blank rows under a list's items, to add one (a 班次)
MAX_ROWS = 50


def _leaf(template):
    return isinstance(template, (int, float, str)) and not isinstance(template, bool)


def _at(value, name):
    return value.get(name) if isinstance(value, dict) else None


class _Unlaid(Exception):
    """A shape the form cannot lay out."""


def _cells(key, template, value, path, parent, names):
    """The inputs of the leaves under `template` (its value `value`), each named by the parts below the line
    (`names`): [{"name", "label", "value", "type", "unit"}]."""
    if isinstance(template, dict):
        return [
            cell
            for name, part in template.items()
            for spec in [_spec(key, name, parent)]
            for cell in _cells(key, part, _at(value, name), [*path, name], spec, [*names, spec.label])
        ]
    if template is None:  # a part null by default, laid out in the shape it takes when set; left blank: null
        if parent.shape is None:
            raise _Unlaid
        return _cells(key, parent.shape, value, path, parent, names)
    if not _leaf(template):
        raise _Unlaid
    number = not isinstance(template, str)
    if number and isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = f"{value * 100:g}" if parent.unit == "%" else (f"{value:g}" if isinstance(value, float) else str(value))
    else:
        shown = "" if value is None else str(value)
    return [
        {
            "name": FORM_PREFIX + ".".join(map(str, path)),
            "label": " ".join(names),
            "value": shown,
            "type": "number" if number else "time" if HHMM.match(template) else "text",
            "unit": parent.unit if number else "",
        }
    ]


def form_grid(ruledef, value):
    """A structured value laid out as a small form, so that no one types JSON: [(line name, [input])] — a line a
    part of a mapping, an input a number or text under it, named by the parts between (较大事故：死亡、重伤、直接经济
    损失; 瞒报谎报事故：每瞒报死亡一人 一般 …、最高); a list of mappings a line an item, and EXTRA_ROWS blank lines to add
    one (班次：名称、开始时间). A part null by default (一般事故隐患：不予奖励) takes the shape its Part declares, left
    blank for null. A percentage is typed as one (15 for 0.15). None for a shape it cannot lay out (a list of lists),
    which keeps the JSON box."""
    key, template = ruledef.key, ruledef.default
    if is_industry_list(ruledef) or not template:
        return None
    try:
        if isinstance(template, list):
            items = value if isinstance(value, list) else []
            return [
                (f"第 {i + 1} 项" if i < len(items) else "新增", _cells(key, template[0], item, [i], Part(""), []))
                for i, item in enumerate(items[:MAX_ROWS] + [None] * EXTRA_ROWS)
            ]
        if not isinstance(template, dict):
            return None
        lines = []
        for name, part in template.items():
            spec = field(key, name)
            label = f"{spec.label}（全部留空为{spec.empty or '无'}）" if part is None else spec.label
            lines.append((label, _cells(key, part, _at(value, name), [name], spec, [])))
        return lines
    except _Unlaid:
        return None


def read_form(key, data):
    """The value `form_grid`'s form posted (`data`: the POST) in the shape of rule `key`'s default: numbers read as
    numbers (a percentage back to a fraction, 1,000 with its comma), a list's blank lines dropped, a part null by
    default null when left blank. What does not read as a number stays text, for the shape check to name
    ("应为数字，实际为“三”")."""
    from .rules import definition

    try:
        template = definition(key).default
    except KeyError:
        return ""  # the save refuses the unknown rule

    def blank(value):
        return value == "" or (isinstance(value, dict) and all(blank(v) for v in value.values()))

    def build(t, path, parent):
        if isinstance(t, dict):
            return {name: build(part, [*path, name], _spec(key, name, parent)) for name, part in t.items()}
        if t is None:
            value = build(parent.shape or {}, path, parent)
            return None if blank(value) else value
        text = str(data.get(FORM_PREFIX + ".".join(map(str, path)), "")).strip()
        if isinstance(t, str):
            return text
        digits = text.replace(",", "").replace("，", "").rstrip("%％")
        try:
            number = int(digits)
        except ValueError:
            try:
                number = float(digits)
            except ValueError:
                return text
        return round(number / 100, 6) if parent.unit == "%" else number

    if isinstance(template, list):
        items = []
        for i in range(MAX_ROWS + EXTRA_ROWS):
            if not any(key_.startswith(f"{FORM_PREFIX}{i}.") for key_ in data):
                break
            item = build(template[0], [i], Part(""))
            if not blank(item):
                items.append(item)
        return items
    return {name: build(part, [name], field(key, name)) for name, part in template.items()}


# ---------------------------------------------------------------- checking


JSON_ERRORS = (
    ("Expecting property name enclosed in double quotes", "名称须用英文双引号括起，或末尾多了逗号"),
    ("Expecting ',' delimiter", "缺少英文逗号"),
    ("Expecting ':' delimiter", "缺少英文冒号"),
    ("Expecting value", "缺少值，或多了逗号"),
    ("Unterminated string", "引号没有配对"),
    ("Extra data", "末尾有多余的内容"),
    ("Invalid control character", "文字中不能换行"),
)


def json_error(text, exc):
    """Why `text` is not JSON, in Chinese, with where ("第 2 行第 5 个字符附近")."""
    if not text.strip():
        return "未填写"
    why = next((chinese for english, chinese in JSON_ERRORS if exc.msg.startswith(english)), "格式有误")
    message = f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 个字符附近{why}"
    if re.search(r"[，：“”‘’；]", text):
        message += "（请使用英文标点）"
    return message


def _where(key, path):
    """Where in a structured value: “重大事故隐患”的“比例”, 第 2 项的“开始时间”."""
    return "的".join(f"“{field(key, p).label}”" if isinstance(p, str) else f"第 {p + 1} 项" for p in path)


def check_shape(ruledef, value, names=None):
    """None when `value` has the shape of the rule's default (the same parts, numbers where it has numbers, text
    where it has text, times as 时:分, levels' thresholds falling with the level, known industry codes); else
    what is wrong, in Chinese."""
    key = ruledef.key
    if is_industry_list(ruledef):
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            return "应为行业代码的列表"
        if not value:
            return "至少选择一个行业"
        names = industry_names() if names is None else names
        unknown = [code for code in value if code not in names]
        if unknown:
            return f"没有行业代码“{'、'.join(unknown)}”"
        if len(set(value)) != len(value):
            return "行业有重复"
        return None
    return _check(key, ruledef.default, value, [])


def _check(key, template, value, path):
    where = _where(key, path)
    if template is None:  # a part null by default: null, or the shape its Part declares (else free)
        shape = field(key, path[-1]).shape if path and isinstance(path[-1], str) else None
        return None if value is None or shape is None else _check(key, shape, value, path)
    if isinstance(template, bool):
        return None if isinstance(value, bool) else f"{where}应为 true 或 false"
    if isinstance(template, (int, float)):
        spec = field(key, path[-1]) if path and isinstance(path[-1], str) else Part("")
        if value == "":
            return f"{where}未填写"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return f"{where}应为数字，实际为“{shown}”"
        if spec.integer and not float(value).is_integer():
            return f"{where}应为整数"
        if spec.low is not None and value < spec.low:
            return f"{where}不能小于 {spec.low:g}"
        if spec.high is not None and value > spec.high:
            return f"{where}不能大于 {spec.high:g}" + ("（比例按小数填写，15% 填 0.15）" if spec.unit == "%" else "")
        return None
    if isinstance(template, str):
        if not isinstance(value, str):
            return f"{where}应为文字（加英文双引号）"
        if HHMM.match(template) and not HHMM.match(value.strip()):
            return f"{where}应为时:分，如 08:30"
        return None
    if isinstance(template, dict):
        if not isinstance(value, dict):
            return f"{where or '整个值'}应为以 {{ }} 括起的一组“名称: 值”"
        missing = [k for k in template if k not in value]
        extra = [k for k in value if k not in template]
        if missing:
            return f"{where}缺少 " + "、".join(f"“{k}”（{field(key, k).label}）" for k in missing)
        if extra:
            return f"{where}多了不认识的 " + "、".join(f"“{k}”" for k in extra)
        for name in template:
            problem = _check(key, template[name], value[name], [*path, name])
            if problem:
                return problem
        return _falling(key, value, path)
    if isinstance(template, list):
        if not isinstance(value, list):
            return f"{where or '整个值'}应为以 [ ] 括起的列表"
        if template and not value:
            return f"{where}至少填写一项"
        for index, part in enumerate(value):
            problem = _check(key, template[0], part, [*path, index]) if template else None
            if problem:
                return problem
        names = [str(part.get("name", "")).strip() for part in value if isinstance(part, dict) and "name" in part]
        if any(not n for n in names):
            return f"{where}每项都要填写名称"
        if len(set(names)) != len(names):
            return f"{where}名称有重复"
        starts = [HHMM.match(str(part.get("start", "")).strip()) for part in value if isinstance(part, dict)]
        starts = [(int(m.group(1)), int(m.group(2))) for m in starts if m]
        if len(set(starts)) != len(starts):
            return f"{where}开始时间有重复"
        return None
    return None


def _falling(key, value, path):
    """Thresholds keyed by levels must fall with the level (重大 > 较大 > 一般), each number or each part of them."""
    levels = [level for level in LEVELS if level in value]
    if len(levels) < 2:
        return None
    where = _where(key, path) + "的" if path else ""
    numbers = {level: value[level] for level in levels if isinstance(value[level], (int, float))}
    if len(numbers) == len(levels):
        for higher, lower in zip(levels, levels[1:]):
            if not numbers[higher] > numbers[lower]:
                return (
                    f"{where}“{field(key, higher).label}”的数值应大于“{field(key, lower).label}”的"
                    f"（现为 {numbers[higher]:g} 与 {numbers[lower]:g}）"
                )
        if not numbers[levels[-1]] > 0:
            return f"{where}“{field(key, levels[-1]).label}”的数值应大于 0"
        return None
    if all(isinstance(value[level], dict) for level in levels):
        for severe, milder in zip(levels, levels[1:]):
            for name, high in value[severe].items():
                low = value[milder].get(name)
                if isinstance(high, (int, float)) and isinstance(low, (int, float)) and not high > low:
                    return (
                        f"{where}“{field(key, severe).label}”的“{field(key, name).label}”应大于"
                        f"“{field(key, milder).label}”的（现为 {high:g} 与 {low:g}）"
                    )
    return None
