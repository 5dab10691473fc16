"""Unit names as a plan writes them → units in the database; quantitative targets in task texts.

A plan names its units the short way ("应急办", "镇经发办", "区应急局"); the database holds
"凤凰镇应急办". Each candidate unit is therefore also known by its name without the region's name
("应急办") and with the region's level word instead ("镇应急办"), besides its short name and
aliases. Candidates are the units of the plan's region first, then of the regions above it (nearest
first), then of the regions below it — so "应急办" in a town plan is the town's 应急办.
"""

import re
from decimal import Decimal

from django.db.models import Q

from zhiben.core.db import whole_number
from zhiben.core.scoping import region_chain, subtree_range
from zhiben.plans.parsing import match_units
from zhiben.regions.models import Unit

# choices for a unit name in the preview and in plan_import
CHOICE_NEW, CHOICE_TEXT = "new", "text"
_COLLECTIVE = re.compile(
    r"有关|相关|各|成员单位$|^(?:镇|区|县|街道)?(?:安委会|政府|党委)$|领导|干部|书记|主任|负责人|人员|企业$|主体$"
    r"|长$|委员$|成员$"
)


def _level_word(region_name):
    for word in ("街道", "镇", "乡", "区", "县", "市", "村", "社区"):
        if region_name.endswith(word):
            return word
    return ""


def derived_names(unit, *, own=True):
    """Other names a plan uses for `unit`: with the level word instead of its region's name
    ("镇应急办"), and — in a plan of the unit's own region — without it ("应急办")."""
    names = []
    region_name = unit.region.name if unit.region_id else ""
    if region_name and unit.name.startswith(region_name) and len(unit.name) > len(region_name) + 1:
        rest = unit.name[len(region_name) :]
        if own:
            names.append(rest)
        word = _level_word(region_name)
        if word:
            names.append(word + rest)
    return names


def candidate_units(region_code):
    """Active units a plan of `region_code` may name, in matching priority order."""
    chain = region_chain(region_code)
    low, high = subtree_range(region_code)
    units = list(
        Unit.objects.filter(is_active=True)
        .filter(Q(region_id__in=chain) | Q(region_id__gte=low, region_id__lte=high))
        .select_related("region")
    )
    rank = {code: i for i, code in enumerate(chain)}
    units.sort(key=lambda u: (rank.get(u.region_id, len(chain)), u.region_id, u.name))
    return units


def unit_tuples(units, region_code=None):
    """(id, name, short name, aliases) for match_units. Derived names are given to the units of the
    plan's own region (both) and of the regions above it (the level word only); a unit further down
    is matched by its own name, short name and aliases only."""
    chain = region_chain(region_code) if region_code else []
    out = []
    for u in units:
        derived = derived_names(u, own=u.region_id == region_code) if not chain or u.region_id in chain else []
        out.append((u.pk, u.name, u.short_name, "、".join(filter(None, [u.aliases, *derived]))))
    return out


def is_collective(name):
    """ "镇安委会有关成员单位", "各村（社区）", "党政领导干部": not one unit to link a task to."""
    return bool(_COLLECTIVE.search(name or ""))


def default_choice(result):
    """The preselected choice for one match_units result: the unit, a close suggestion, keep as
    text (collectives) or propose a new unit."""
    if result["match"]:
        return f"unit:{result['match']}"
    suggestions = result["suggestions"]
    if suggestions and suggestions[0]["score"] >= 0.8:
        return f"unit:{suggestions[0]['id']}"
    return CHOICE_TEXT if is_collective(result["name"]) else CHOICE_NEW


def match_names(names, units, region_code=None):
    """[(name, match result, default choice)] for the unit names of a plan of `region_code`."""
    results = match_units(list(names), unit_tuples(units, region_code))
    return [(r["name"], r, default_choice(r)) for r in results]


def parse_choice(choice):
    """ "unit:12" → ("unit", 12); "new"/"text" → (choice, None); anything else → (None, None)."""
    choice = (choice or "").strip()
    if choice.startswith("unit:") and whole_number(choice[5:]) is not None:
        return "unit", whole_number(choice[5:])
    if choice in (CHOICE_NEW, CHOICE_TEXT):
        return choice, None
    return None, None


def new_unit_name(name, region):
    """The full name of a unit created from a plan: "镇经发办" in 凤凰镇 → "凤凰镇经发办"."""
    name = re.sub(r"\s+", "", name)
    if name.startswith(region.name):
        return name
    word = _level_word(region.name)
    if word and name.startswith(word) and not name.startswith(word + word):
        return region.name + name[len(word) :]
    return region.name + name


# ---------------------------------------------------------------- indicators in task texts

_RATE = re.compile(
    r"率\s*(?:要|应|须|必须)?\s*(?:达到|达|提高到|提高至|提升到|提升至|保持在|不低于|超过|高于|在)?\s*(?P<value>\d+(?:\.\d+)?)\s*%"
)
_FULL = re.compile(r"全覆盖(?P<what>培训|排查整治|排查|整治|检查|督查)?")
_WIDE = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_VERBS = re.compile(r"实现|推动|推进|开展|做到|达到|确保|力争|基本|进行|完成|落实|实行|涉及|对")
_CLAUSE = re.compile(r"[，。；;：:,！？!?\n]")  # a list's 、 stays inside a name ("甲、乙、丙等企业")
_SENTENCE = re.compile(r"[。；;！？!?\n]")
_COUNT = re.compile(r"^[\d一二三四五六七八九十两]*(?:次|轮|遍)")
_WHEN = re.compile(r"(?:每年|每半年|每季度|每月|年内)$")
_JOINS = "、的和及与"
NAME_LIMIT = 32


def _subject(prefix, limit=NAME_LIMIT):
    """What a target is about: the words before it, back to the clause's punctuation and the last verb
    ("开展1次", "进行一轮", "每年" say how often, not what: the words before them then). Never cut inside a word
    (issue 25: "重点行业领域…" was shown as "点行业领域…"): a name longer than `limit` starts after the
    first 、/的/和/及/与 that leaves at most `limit` characters, else stays whole."""
    segment = _CLAUSE.split(prefix)[-1]
    pieces = [_WHEN.sub("", _COUNT.sub("", p.strip()).strip()) for p in _VERBS.split(segment)]
    pieces = [p for p in pieces if p]
    name = pieces[-1] if pieces else ""
    if len(name) > limit:
        for i, char in enumerate(name):
            if char in _JOINS and 2 <= len(name) - i - 1 <= limit:
                return name[i + 1 :]
    return name


def _source(text, start, end):
    """The sentence a target stands in, up to the target: what the task page shows as 原文."""
    begin = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
    phrase = text[begin:end].strip()
    while len(phrase) > 300 and "，" in phrase[:-1]:
        phrase = phrase.split("，", 1)[1]
    return phrase[-300:]


def extract_indicators(text):
    """Quantitative targets a task states: [(name, target Decimal, measure, source sentence)].

    "达标率达到100%" → ("二级标准化达标率", 100, "%"); "…安全技能培训全覆盖" → ("安全技能培训覆盖率", 100, "%").
    """
    text = (text or "").translate(_WIDE)
    found = []
    for m in _RATE.finditer(text):
        name = _subject(text[: m.start()])
        if len(name) >= 2:
            found.append((name + "率", Decimal(m.group("value")), "%", _source(text, m.start(), m.end())))
    for m in _FULL.finditer(text):
        name = _subject(text[: m.start()])
        what = m.group("what") or ""
        if len(name) >= 2:
            found.append(
                (
                    f"{name}{what if what not in name else ''}覆盖率",
                    Decimal(100),
                    "%",
                    _source(text, m.start(), m.end()),
                )
            )
    seen, out = set(), []
    for item in found:
        if item[0] not in seen:
            seen.add(item[0])
            out.append(item)
    return out
