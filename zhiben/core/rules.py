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
