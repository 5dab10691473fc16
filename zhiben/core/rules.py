"""Rules as data: defaults here, overrides in the Rule table (global or per jurisdiction)."""

from datetime import date

DEFAULTS = {
    # 存量/增量 baseline of the 2024–2026 plans: hazards found on or before it are stock.
    "hazard.baseline_date": ("2023-12-31", "存量隐患基准日：此日及以前发现的隐患为存量"),
    # default rectification period by level when the reporter gives none (days)
    "hazard.default_days.general": (30, "一般隐患默认整改期限（天）"),
    "hazard.default_days.major": (90, "重大隐患默认整改期限（天）"),
    # duplicates: how similar (0–1) descriptions must be, how far back closed hazards count (days)
    "hazard.duplicate_similarity": (0.5, "重复隐患提示的描述相似度阈值"),
    "hazard.duplicate_closed_days": (180, "销号多少天内再次发现视为重复/复发"),
    # evidence
    "hazard.attachment_max_mb": (15, "单个证据文件大小上限（MB）"),
    # reminders and statutory reporting duties (16号令: 季度统计分析表下一季度15日前、年度下一年1月31日前报送)
    "hazard.reminder_days": (3, "隐患整改期限届满前多少天提醒"),
    "duty.quarterly.deadline": ({"month": 1, "day": 15}, "季度隐患排查治理统计分析表报送期限（16号令：下一季度15日前）"),
    "duty.annual.deadline": ({"month": 1, "day": 31}, "年度隐患排查治理统计分析表报送期限（16号令：下一年1月31日前）"),
    "duty.reminder_days": (7, "统计分析表报送期限届满前多少天提醒"),
}


def rule(key, region_code=""):
    """The value of rule `key` for `region_code` (nearest ancestor's override, else the default)."""
    from .models import Rule
    from .scoping import LEVEL_PREFIX

    candidates = [""]
    if region_code:
        candidates += [region_code[:n].ljust(12, "0") for n in sorted(set(LEVEL_PREFIX.values()))]
    rows = dict(Rule.objects.filter(key=key, region_code__in=candidates).values_list("region_code", "value"))
    for code in reversed(candidates):
        if code in rows:
            return rows[code]
    return DEFAULTS[key][0]


def rule_date(key, region_code=""):
    return date.fromisoformat(rule(key, region_code))


# Rules an 安委办 edits on the 规则参数 page, with the kind of value each takes.
# (The statutory reporting deadlines and reminder days are edited on the 统计报送 rules page.)
EDITABLE = {
    "hazard.baseline_date": "date",
    "hazard.default_days.general": "days",
    "hazard.default_days.major": "days",
    "hazard.duplicate_similarity": "ratio",
    "hazard.duplicate_closed_days": "days",
    "hazard.attachment_max_mb": "megabytes",
}


def parse_rule_value(key, text):
    """Turn the text typed on the page into the rule's value, or raise ApplicationError in Chinese."""
    from .exceptions import ApplicationError

    kind = EDITABLE[key]
    text = (text or "").strip()
    label = DEFAULTS[key][1]
    try:
        if kind == "date":
            return date.fromisoformat(text).isoformat()
        if kind == "ratio":
            value = float(text)
            if not 0 < value <= 1:
                raise ValueError
            return value
        value = int(text)
        if not (1 if kind == "megabytes" else 0) <= value <= (200 if kind == "megabytes" else 3650):
            raise ValueError
        return value
    except ValueError:
        hint = {"date": "日期，如 2023-12-31", "ratio": "0 到 1 之间的小数，如 0.5", "days": "0 到 3650 之间的整数（天）",
                "megabytes": "1 到 200 之间的整数（MB）"}[kind]
        raise ApplicationError(f"“{label}”应为{hint}，实际为“{text}”。") from None
