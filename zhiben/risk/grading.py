"""Grading a risk point: the score (LEC: D = L×E×C; LS: R = L×S) from the score tables, the level from the
jurisdiction's thresholds (rules "risk.lec_thresholds" and "risk.ls_thresholds", nearest region wins), and
the direct 重大 grading (a matching item of a 重大事故隐患判定标准, or "risk.direct_major_exposed" people
or more exposed).

Edge convention (the bound itself belongs to the LOWER level for LEC, to the HIGHER level for LS):
- LEC, thresholds {"major": 320, "larger": 160, "general": 70} read as strict lower bounds:
  D > 320 重大/红; 160 < D ≤ 320 较大/橙; 70 < D ≤ 160 一般/黄; D ≤ 70 低/蓝
  (so D = 320 is 较大, D = 160 一般, D = 70 低) — the LEC tables' "> 320", "160～320", "70～160".
- LS, thresholds {"major": 20, "larger": 10, "general": 4} read as inclusive lower bounds:
  R ≥ 20 重大/红 (20–25); 10 ≤ R < 20 较大/橙 (10–16); 4 ≤ R < 10 一般/黄 (4–9); R < 4 低/蓝 (1–3)
  — R is an integer, so the 总局 four-colour ranges map exactly; a province using 20/15/9 sets those.
"""

from decimal import Decimal, InvalidOperation

from .choices import LEC_C, LEC_E, LEC_L, LS_L, LS_S, Level, Method

LEC_DEFAULT = {"major": 320, "larger": 160, "general": 70}
LS_DEFAULT = {"major": 20, "larger": 10, "general": 4}
RULE_KEYS = {Method.LEC: "risk.lec_thresholds", Method.LS: "risk.ls_thresholds"}
DEFAULTS = {Method.LEC: LEC_DEFAULT, Method.LS: LS_DEFAULT}


def thresholds_from(value, method):
    """The thresholds of a rule value, or the national default when the value is not three descending
    positive numbers under "major", "larger", "general" (a mistyped override never stops grading)."""
    try:
        bounds = {k: Decimal(str(value[k])) for k in ("major", "larger", "general")}
    except (KeyError, TypeError, InvalidOperation, ValueError):
        return {k: Decimal(v) for k, v in DEFAULTS[method].items()}
    if not (bounds["major"] > bounds["larger"] > bounds["general"] > 0):
        return {k: Decimal(v) for k, v in DEFAULTS[method].items()}
    return bounds


def thresholds(method, region_code, resolver=None):
    """The thresholds in force for `region_code` (a RuleResolver of the method's rule may be passed)."""
    from zhiben.core.rules import rule

    value = resolver.value(region_code) if resolver is not None else rule(RULE_KEYS[method], region_code)
    return thresholds_from(value, method)


def level_of(method, score, bounds):
    """The level of `score` under `bounds` with the edge convention of the module docstring."""
    score = Decimal(str(score))
    if method == Method.LEC:
        above = [(Level.MAJOR, score > bounds["major"]), (Level.LARGER, score > bounds["larger"])]
        above.append((Level.GENERAL, score > bounds["general"]))
    else:
        above = [(Level.MAJOR, score >= bounds["major"]), (Level.LARGER, score >= bounds["larger"])]
        above.append((Level.GENERAL, score >= bounds["general"]))
    return next((level for level, hit in above if hit), Level.LOW)


def _table_value(raw, table, label, field, errors):
    """A score that is one of the table's values, else None with a Chinese error."""
    allowed = [v for v, _ in table]
    shown = "、".join(format(v.normalize(), "f") if isinstance(v, Decimal) else str(v) for v in allowed)
    if raw in (None, ""):
        errors.append((field, f"请选择{label}。"))
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value not in allowed:
        errors.append((field, f"{label}“{raw}”不在取值表中（可选 {shown}）。"))
        return None
    return value


def scores(method, data, errors):
    """(l, e, c, s, score) from `data` (keys l, e, c for LEC; l, s for LS), each checked against its table;
    errors are appended as (field, message)."""
    if method == Method.LEC:
        l_score = _table_value(data.get("l"), LEC_L, "L（事故发生的可能性）", "l", errors)
        e_score = _table_value(data.get("e"), LEC_E, "E（暴露于危险环境的频繁程度）", "e", errors)
        c_score = _table_value(data.get("c"), LEC_C, "C（发生事故可能造成的后果）", "c", errors)
        if None in (l_score, e_score, c_score):
            return None
        return l_score, e_score, c_score, None, l_score * e_score * c_score
    table_l = [(Decimal(v), t) for v, t in LS_L]
    table_s = [(Decimal(v), t) for v, t in LS_S]
    l_score = _table_value(data.get("l"), table_l, "L（可能性，1～5）", "l", errors)
    s_score = _table_value(data.get("s"), table_s, "S（严重程度，1～5）", "s", errors)
    if None in (l_score, s_score):
        return None
    return l_score, None, None, int(s_score), l_score * s_score


def grade(method, score, region_code, *, criteria_item=None, exposed=0, resolvers=None):
    """(score_level, level, direct_reason) of a point in `region_code`."""
    from zhiben.core.rules import rule

    resolvers = resolvers or {}
    score_level = level_of(method, score, thresholds(method, region_code, resolvers.get(method)))
    limit = (
        resolvers["exposed"].value(region_code)
        if "exposed" in resolvers
        else rule("risk.direct_major_exposed", region_code)
    )
    reasons = []
    if criteria_item is not None:
        reasons.append(f"符合重大事故隐患判定标准：{criteria_item.standard.name} {criteria_item.number}")
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        limit = 0
    if limit and exposed >= limit:
        reasons.append(f"暴露人数 {exposed} 人，达到 {limit} 人")
    level = Level.MAJOR if reasons else score_level
    return score_level, level, "；".join(reasons)[:300]
