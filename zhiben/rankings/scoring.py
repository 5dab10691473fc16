"""The arithmetic of a ranking, apart from the database: points per figure, total, rank, tier.

- **relative**: among the subjects that have a value, the best gets the item's full weight, the worst
  zero, linear between ("best" by the item's direction); when all are equal, everybody gets full marks.
- **target**: higher-is-better gets full marks at or over the target, else weight × value / target;
  lower-is-better gets full marks at or under the target, else weight × target / value. (Targets are
  never negative; a value below zero earns nothing on a higher-is-better item.)
- A subject without a value (None) gets zero points for that item and is marked as missing it.
- Points are rounded to 0.01 (half up) item by item; the score is their sum. Equal scores share a rank
  (1, 2, 2, 4 …).
- Tiers by **thresholds**: the first tier whose line the score reaches (the last tier: everybody else).
  By **quantiles**: the tiers take the top share of places in turn — tier k covers the places up to
  round(n × cumulative share / 100), half up — the last tier the rest; a subject's place is its rank, so
  tied subjects always share a tier.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def dec(value):
    """A number as Decimal (None stays None; floats by their shortest text, so 0.1 is 0.1)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def cents(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def number_text(value):
    """95 → "95", 95.50 → "95.5", None → "—" (how numbers are named in messages and the bulletin)."""
    if value is None:
        return "—"
    text = format(dec(value).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Item:
    key: str
    weight: Decimal
    direction: str  # "higher" / "lower"
    method: str  # "relative" / "target"
    target: Decimal | None = None


def item_points(item, values):
    """{subject: points (Decimal, 0.01) or None when it has no value} for one item over {subject: value}."""
    weight = dec(item.weight)
    numbers = {code: dec(v) for code, v in values.items() if dec(v) is not None}
    points = dict.fromkeys(values)
    if not numbers:
        return points
    higher = item.direction == "higher"
    if item.method == "relative":
        low, high = min(numbers.values()), max(numbers.values())
        for code, v in numbers.items():
            if high == low:
                share = Decimal(1)
            else:
                share = (v - low) / (high - low) if higher else (high - v) / (high - low)
            points[code] = cents(weight * share)
    else:
        target = dec(item.target) or Decimal(0)
        for code, v in numbers.items():
            if (higher and v >= target) or (not higher and v <= target):
                share = Decimal(1)
            elif higher:
                share = max(v, Decimal(0)) / target if target > 0 else Decimal(0)
            else:
                share = target / v  # v > target >= 0
            points[code] = cents(weight * share)
    return points


def ranks(scores):
    """{subject: rank} with equal scores sharing a rank and the next rank skipping (1, 2, 2, 4)."""
    ordered = sorted(scores.values(), reverse=True)
    first = {}
    for place, score in enumerate(ordered, start=1):
        first.setdefault(score, place)
    return {code: first[score] for code, score in scores.items()}


def tier_of_score(score, tiers):
    """The first tier whose line `score` reaches; the last tier (value None) takes everybody else."""
    for tier in tiers[:-1]:
        if score >= dec(tier["value"]):
            return tier["name"]
    return tiers[-1]["name"]


def quantile_limits(count, tiers):
    """The last place each tier but the last covers: round(count × cumulative share / 100), half up."""
    limits, total = [], Decimal(0)
    for tier in tiers[:-1]:
        total += dec(tier["value"])
        limits.append(int((Decimal(count) * total / 100).to_integral_value(rounding=ROUND_HALF_UP)))
    return limits


def tier_of_rank(rank, limits, tiers):
    for tier, limit in zip(tiers[:-1], limits, strict=True):
        if rank <= limit:
            return tier["name"]
    return tiers[-1]["name"]


@dataclass
class Result:
    code: str
    score: Decimal
    rank: int
    tier: str
    points: dict  # {figure key: Decimal or None}
    missing: list  # figure keys without a value


def score_all(items, values, tier_mode, tiers):
    """Score every subject of `values` ({subject: {figure key: value}}) by `items`; a list of Result by rank
    (then subject code)."""
    codes = list(values)
    per_item = {item.key: item_points(item, {c: values[c].get(item.key) for c in codes}) for item in items}
    totals, missing = {}, {}
    for code in codes:
        got = [per_item[item.key][code] for item in items]
        totals[code] = sum((p for p in got if p is not None), Decimal("0.00"))
        missing[code] = [item.key for item in items if per_item[item.key][code] is None]
    placed = ranks(totals)
    limits = quantile_limits(len(codes), tiers) if tier_mode == "quantiles" else None
    results = []
    for code in codes:
        tier = tier_of_rank(placed[code], limits, tiers) if limits is not None else tier_of_score(totals[code], tiers)
        points = {item.key: per_item[item.key][code] for item in items}
        results.append(Result(code, totals[code], placed[code], tier, points, missing[code]))
    return sorted(results, key=lambda r: (r.rank, r.code))
