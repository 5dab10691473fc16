"""Forms of the ranking pages. The scorecard form's items and tiers are rows of the page (item-1-figure …,
tier-1-name …) read by `rows_from`; every value is checked by the services, which name the row."""

from django import forms

from zhiben.analytics.selectors import figures
from zhiben.regions.models import Region

from .choices import DEFAULT_TIERS, Direction, Method, PeriodKind, TierMode

ITEM_FIELDS = ("figure", "weight", "direction", "method", "target")
TIER_FIELDS = ("name", "value")
EXTRA_ITEM_ROWS = 3
TIER_ROWS = 6


class ScorecardForm(forms.Form):
    name = forms.CharField(label="评分表名称", max_length=100, required=False)
    region = forms.ChoiceField(label="辖区", required=False, help_text="对其下级区划（镇街或村社区）评分排名")
    period_kind = forms.ChoiceField(label="评分周期", choices=PeriodKind.choices, initial=PeriodKind.MONTH)
    tier_mode = forms.ChoiceField(label="分档方式", choices=TierMode.choices, initial=TierMode.THRESHOLDS)
    active = forms.BooleanField(label="启用（每期结束后自动评分）", required=False, initial=True)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, user=None, fixed_region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_region is not None:
            del self.fields["region"]
        else:
            self.fields["region"].choices = [("", "请选择")] + jurisdiction_choices(user)


def jurisdiction_choices(user):
    """The regions in `user`'s view that have children (a county, its towns …), as (code, name) choices."""
    parents = Region.objects.for_user(user).filter(children__isnull=False).distinct().order_by("code")
    return [(r.code, f"{'　' * max(r.level - 3, 0)}{r.name}") for r in parents[:500]]


def figure_choices():
    """The registered figures grouped by section, for the item rows' select."""
    groups = {}
    for f in figures():
        label = f"{f.label}（{f.unit}）" if f.unit else f.label
        if f.better:
            label += " · " + ("越高越好" if f.better == "higher" else "越低越好")
        groups.setdefault(f.group or "其他", []).append((f.key, label))
    return list(groups.items())


def rows_from(data, prefix, names):
    """[{name: value}] of the rows `prefix`-1-…, `prefix`-2-… posted (as many as the page sent)."""
    rows, n = [], 1
    while any(f"{prefix}-{n}-{name}" in data for name in names):
        rows.append({name: (data.get(f"{prefix}-{n}-{name}") or "").strip() for name in names})
        n += 1
    return rows


def item_rows(scorecard=None, posted=None):
    """The item rows the page shows: what was posted, else the scorecard's items; plus empty rows."""
    if posted is not None:
        rows = posted
    elif scorecard is not None:
        rows = [
            {
                "figure": i.figure,
                "weight": _plain(i.weight),
                "direction": i.direction,
                "method": i.method,
                "target": _plain(i.target) if i.target is not None else "",
            }
            for i in scorecard.items.all()
        ]
    else:
        rows = []
    empty = dict.fromkeys(ITEM_FIELDS, "")
    return rows + [dict(empty) for _ in range(EXTRA_ITEM_ROWS)]


def tier_rows(scorecard=None, posted=None, mode=TierMode.THRESHOLDS):
    if posted is not None:
        rows = posted
    elif scorecard is not None:
        rows = [
            {"name": t["name"], "value": _plain(t["value"]) if t["value"] is not None else ""} for t in scorecard.tiers
        ]
    else:
        rows = [{"name": n, "value": "" if v is None else str(v)} for n, v in DEFAULT_TIERS[mode]]
    return rows + [{"name": "", "value": ""} for _ in range(max(TIER_ROWS - len(rows), 0))]


def _plain(value):
    text = format(value, "f") if not isinstance(value, float) else repr(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


DIRECTIONS = [("", "按指标规定"), *Direction.choices]
METHODS = Method.choices


class ScoreForm(forms.Form):
    period = forms.CharField(label="统计期", max_length=30, help_text="如 2026-11（月）、2026Q3（季度）、2026W07（周）")
