from django.db import models


class PeriodKind(models.TextChoices):
    WEEK = "week", "周"
    MONTH = "month", "月"
    QUARTER = "quarter", "季度"
    HALF = "half", "半年"
    YEAR = "year", "年"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Method(models.TextChoices):
    RELATIVE = "relative", "相对评分（最好满分、最差零分）"
    TARGET = "target", "目标评分（达到目标满分）"


class TierMode(models.TextChoices):
    THRESHOLDS = "thresholds", "按分数线"
    QUANTILES = "quantiles", "按名次比例"


# What a scorecard starts with: A≥90, B≥75, C≥60, else D; or the top 20% A, next 30% B, next 30% C, the rest D.
DEFAULT_TIERS = {
    TierMode.THRESHOLDS: [("A", 90), ("B", 75), ("C", 60), ("D", None)],
    TierMode.QUANTILES: [("A", 20), ("B", 30), ("C", 30), ("D", None)],
}
