"""Writes of rankings: saving a scorecard, scoring a period, and the job that scores each just-ended period.

Every write checks the capability (analytics.manage) and the jurisdiction, is audited in its own
transaction, and writes nothing when anything is wrong (a Chinese message naming the field or row).

Figures are read only through analytics (`zhiben.analytics.selectors.figure_values`), counted in the
scope of the person scoring; the automatic job counts in the scope of the scorecard's committee (its last
editor, else the nearest 安委办管理员 whose jurisdiction covers it), so an automatic run reads the same
numbers that committee sees.

Scoring a period that already has a run writes the next version and keeps the older one as superseded
(`RankingRun.current` False): one transaction, so a reader sees either the old entries or the new ones.
"""

import logging
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhiben.analytics.selectors import children_of, figure_values
from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.periods import Period, PeriodError, current_period, parse_period
from zhiben.core.registry import registry
from zhiben.core.scoping import normalize_code, region_chain
from zhiben.core.services import actor_covers, data_text, ensure_capability, fail
from zhiben.regions.models import Region

from . import scoring
from .choices import DEFAULT_TIERS, Direction, Method, PeriodKind, TierMode
from .models import RankingEntry, RankingRun, Scorecard, ScorecardItem
from .scoring import number_text

log = logging.getLogger("zhiben.rankings")

MANAGE, VIEW = "analytics.manage", "analytics.view"
MAX_ITEMS = 20
MAX_TIERS = 6
# Figures of the jurisdiction as a whole that a run keeps beside the ranking (the bulletin's 总体情况),
# in this order, when registered; the scorecard's own figures follow.
HEADLINE = [
    "hazards.found",
    "hazards.found_major",
    "hazards.closed",
    "hazards.ontime_rate",
    "hazards.open",
    "hazards.overdue",
    "hazards.review_overdue",
    "hazards.major_open",
    "hazards.stock_open",
    "hazards.stock_cleared_rate",
    "hazards.listed_open",
    "hazards.self_share",
]


def _number(raw, label, errors, field, *, positive=False, limit=None):
    """`raw` as a Decimal (two decimal places at most), else None with a Chinese error."""
    text = str(raw if raw is not None else "").strip().replace("，", ".").rstrip("%％分")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append((field, f"{label}“{raw}”不是数字。"))
        return None
    if not value.is_finite():
        errors.append((field, f"{label}“{raw}”不是数字。"))
        return None
    if positive and value <= 0:
        errors.append((field, f"{label}“{raw}”应大于 0。"))
        return None
    if value < 0:
        errors.append((field, f"{label}“{raw}”不能为负数。"))
        return None
    if limit is not None and value > limit:
        errors.append((field, f"{label}“{raw}”不能大于 {limit}。"))
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append((field, f"{label}“{raw}”最多保留两位小数。"))
        return None
    return value


# ---------------------------------------------------------------- scorecards


def _items(rows, errors):
    """The items of the form's rows ([{figure, weight, direction, method, target}]); blank rows are skipped,
    every message names the row as the form numbers it."""
    items, seen = [], {}
    for n, row in enumerate(rows or [], start=1):
        key = data_text(row, "figure")
        weight_raw = data_text(row, "weight")
        if not key and not weight_raw:
            continue
        where = f"第 {n} 项"
        figure = registry["figures"].get(key) if key else None
        if not key:
            errors.append(("items", f"{where}：请选择指标。"))
        elif figure is None:
            errors.append(("items", f"{where}：没有登记名为“{key}”的统计指标。"))
        elif key in seen:
            errors.append(("items", f"{where}：指标“{figure.label}”与第 {seen[key]} 项重复。"))
        else:
            seen[key] = n
        if not weight_raw:
            errors.append(("items", f"{where}：请填写权重。"))
        weight = _number(weight_raw, f"{where}的权重", errors, "items", positive=True, limit=100)
        direction = data_text(row, "direction")
        if figure is not None and not direction:
            direction = figure.better
            if direction not in Direction.values:
                errors.append(
                    ("items", f"{where}：指标“{figure.label}”没有规定高低哪个更好，请选择“越高越好”或“越低越好”。")
                )
        elif direction and direction not in Direction.values:
            errors.append(("items", f"{where}：方向“{direction}”无效。"))
        method = data_text(row, "method") or Method.RELATIVE
        if method not in Method.values:
            errors.append(("items", f"{where}：计分方法“{method}”无效。"))
        target = None
        if method == Method.TARGET:
            raw = data_text(row, "target")
            if not raw:
                errors.append(("items", f"{where}：目标评分须填写目标值。"))
            target = _number(raw, f"{where}的目标值", errors, "items")
        items.append(
            {
                "figure": key,
                "label": figure.label if figure else key,
                "unit": figure.unit if figure else "",
                "weight": weight,
                "direction": direction,
                "method": method,
                "target": target,
            }
        )
    if not items:
        errors.append(("items", "请至少填写一个评分项。"))
    elif len(items) > MAX_ITEMS:
        errors.append(("items", f"评分项最多 {MAX_ITEMS} 项，现有 {len(items)} 项。"))
    weights = [i["weight"] for i in items]
    if items and all(w is not None for w in weights) and sum(weights) != 100:
        errors.append(("items", f"各项权重之和为 {number_text(sum(weights))}，应为 100。"))
    return items


def _tiers(mode, rows, errors):
    """[{"name", "value"}] from the tier rows; the last row is everybody else (no value)."""
    rows = [r for r in rows or [] if data_text(r, "name") or data_text(r, "value")]
    tiers, names = [], set()
    what = "分数线" if mode == TierMode.THRESHOLDS else "比例（%）"
    if len(rows) < 2:
        errors.append(("tiers", "请至少设两个等次（最后一档为其余）。"))
        return []
    if len(rows) > MAX_TIERS:
        errors.append(("tiers", f"等次最多 {MAX_TIERS} 档。"))
    previous = None
    for n, row in enumerate(rows, start=1):
        name, raw = data_text(row, "name"), data_text(row, "value")
        where = f"第 {n} 档"
        if not name:
            errors.append(("tiers", f"{where}：请填写等次名称。"))
        elif len(name) > 10:
            errors.append(("tiers", f"{where}：等次名称“{name}”超过 10 个字。"))
        elif name in names:
            errors.append(("tiers", f"{where}：等次“{name}”重复。"))
        names.add(name)
        last = n == len(rows)
        if last:
            if raw:
                errors.append(("tiers", f"{where}“{name}”是最后一档（其余各单位），{what}应留空。"))
            tiers.append({"name": name, "value": None})
            continue
        if not raw:
            errors.append(("tiers", f"{where}“{name}”：请填写{what}。"))
            tiers.append({"name": name, "value": None})
            continue
        value = _number(raw, f"{where}“{name}”的{what}", errors, "tiers", positive=True, limit=100)
        if value is not None and mode == TierMode.THRESHOLDS and previous is not None and value >= previous:
            errors.append(
                ("tiers", f"{where}“{name}”的分数线 {number_text(value)} 应低于上一档的 {number_text(previous)}。")
            )
        if value is not None:
            previous = value
        tiers.append({"name": name, "value": value})
    if mode == TierMode.QUANTILES:
        shares = [t["value"] for t in tiers[:-1]]
        if all(s is not None for s in shares) and sum(shares) >= 100:
            errors.append(
                ("tiers", f"前 {len(shares)} 档比例之和为 {number_text(sum(shares))}%，应小于 100%（最后一档为其余）。")
            )
    return tiers


def _jurisdiction(actor, code, errors):
    region = Region.objects.filter(code=normalize_code(code) or code).first() if code else None
    if region is None:
        errors.append(("region", f"辖区“{code}”不存在。" if code else "请选择辖区。"))
        return None
    if not actor_covers(actor, region.code):
        raise ScopeError()
    if not Region.objects.filter(parent=region).exists():
        errors.append(("region", f"“{region.name}”没有下级区划，不能作为排名的辖区。"))
    return region


def _plain(value):
    return None if value is None else float(value)


def _spec(items, tier_mode, tiers):
    """The rules as JSON (what a run freezes)."""
    return {
        "items": [
            {
                "key": i["figure"],
                "label": i["label"],
                "unit": i["unit"],
                "weight": _plain(i["weight"]),
                "direction": i["direction"],
                "method": i["method"],
                "target": _plain(i["target"]),
            }
            for i in items
        ],
        "tier_mode": tier_mode,
        "tiers": [{"name": t["name"], "value": _plain(t["value"])} for t in tiers],
    }


def scorecard_spec(scorecard):
    items = [
        {
            "figure": i.figure,
            "label": i.label,
            "unit": i.unit,
            "weight": i.weight,
            "direction": i.direction,
            "method": i.method,
            "target": i.target,
        }
        for i in scorecard.items.all()
    ]
    return _spec(items, scorecard.tier_mode, scorecard.tiers)


@transaction.atomic
def scorecard_save(*, actor, data, scorecard=None):
    """Create (scorecard None) or change a scorecard. `data`: name, region (a code; fixed once created),
    period_kind, tier_mode, tiers [{name, value}], items [{figure, weight, direction, method, target}],
    active, note. The weights must add up to 100; an unknown figure, a bad weight, target or tier line is
    refused with a message naming its row; nothing is saved then."""
    ensure_capability(actor, MANAGE)
    errors = []
    if scorecard is not None:
        qs = Scorecard.objects.all() if actor is None else Scorecard.objects.for_user(actor)
        scorecard = qs.select_for_update().filter(pk=getattr(scorecard, "pk", scorecard)).first()
        if scorecard is None:
            raise ScopeError()
        region = scorecard.region
    else:
        region = _jurisdiction(actor, data_text(data, "region"), errors)
    name = data_text(data, "name")
    if not name:
        errors.append(("name", "请填写评分表名称。"))
    elif len(name) > 100:
        errors.append(("name", "评分表名称不能超过 100 个字。"))
    elif region is not None:
        clash = Scorecard.objects.filter(region=region, name=name)
        if scorecard is not None:
            clash = clash.exclude(pk=scorecard.pk)
        if clash.exists():
            errors.append(("name", f"{region.name}已有名为“{name}”的评分表。"))
    period_kind = data_text(data, "period_kind") or PeriodKind.MONTH
    if period_kind not in PeriodKind.values:
        errors.append(("period_kind", f"评分周期“{period_kind}”无效。"))
    tier_mode = data_text(data, "tier_mode") or TierMode.THRESHOLDS
    if tier_mode not in TierMode.values:
        errors.append(("tier_mode", f"分档方式“{tier_mode}”无效。"))
        tiers = []
    else:
        rows = data.get("tiers")
        if rows is None:
            rows = [{"name": n, "value": "" if v is None else str(v)} for n, v in DEFAULT_TIERS[tier_mode]]
        tiers = _tiers(tier_mode, rows, errors)
    items = _items(data.get("items"), errors)
    if errors:
        fail(errors)
    active = data.get("active", True)
    active = active if isinstance(active, bool) else str(active).lower() in ("1", "true", "on", "yes")
    before = scorecard_spec(scorecard) | {"name": scorecard.name} if scorecard is not None else None
    fields = {
        "name": name,
        "period_kind": period_kind,
        "tier_mode": tier_mode,
        "tiers": [{"name": t["name"], "value": _plain(t["value"])} for t in tiers],
        "active": active,
        "note": data_text(data, "note", 300),
        "updated_by": actor,
    }
    if scorecard is None:
        scorecard = Scorecard.objects.create(region=region, created_by=actor, **fields)
    else:
        for key, value in fields.items():
            setattr(scorecard, key, value)
        scorecard.save()
        scorecard.items.all().delete()
    ScorecardItem.objects.bulk_create(
        ScorecardItem(
            scorecard=scorecard,
            position=n,
            figure=i["figure"],
            label=i["label"][:100],
            unit=i["unit"][:10],
            weight=i["weight"],
            direction=i["direction"],
            method=i["method"],
            target=i["target"] if i["method"] == Method.TARGET else None,
        )
        for n, i in enumerate(items, start=1)
    )
    audit_record(
        actor=actor,
        action="ranking.scorecard_save",
        obj=scorecard,
        region_code=region.code,
        data={
            "before": before,
            "after": _spec(items, tier_mode, tiers) | {"name": name, "active": active, "period_kind": period_kind},
        },
    )
    return scorecard


# ---------------------------------------------------------------- scoring


def scoring_reader(scorecard):
    """Whose jurisdiction the automatic job counts figures in: the scorecard's last editor (else its creator)
    while still an active 安委办 manager covering the jurisdiction, else the active 安委办管理员 nearest above
    it (its own level first); None when there is nobody."""
    from zhiben.accounts.choices import Role
    from zhiben.accounts.models import User

    for user in (scorecard.updated_by, scorecard.created_by):
        if (
            user is not None
            and user.is_active
            and user.can(MANAGE)
            and not user.limited_to_domains
            and not user.enterprise_id
            and actor_covers(user, scorecard.region_id)
        ):
            return user
    chain = region_chain(scorecard.region_id)
    found = User.objects.filter(is_active=True, role=Role.COMMITTEE_ADMIN, region_id__in=chain, enterprise=None)
    found = sorted(found, key=lambda u: (chain.index(u.region_id), u.pk))
    return next((u for u in found if u.can(MANAGE)), None)


def scorecard_period(scorecard, period, today=None):
    """The Period to score: a Period, or its text ("2026-11"); it must be of the scorecard's kind and have begun."""
    today = today or timezone.localdate()
    if isinstance(period, Period):
        found = period
    else:
        text = str(period or "").strip()
        if not text:
            raise ApplicationError("请填写统计期。", errors=[{"field": "period", "message": "请填写统计期。"}])
        try:
            found = parse_period(text)
        except PeriodError as exc:
            raise ApplicationError(str(exc), errors=[{"field": "period", "message": str(exc)}]) from None
    kind = PeriodKind(scorecard.period_kind)
    if found.kind != kind:
        names = dict(PeriodKind.choices) | {"range": "自定义区间"}
        message = (
            f"统计期“{found.text or found.label}”是按{names[found.kind]}的，"
            f"本评分表按{kind.label}评分（如 {current_period(kind, today).text}）。"
        )
        raise ApplicationError(message, errors=[{"field": "period", "message": message}])
    if found.start > today:
        message = f"统计期“{found.label}”尚未开始，不能评分。"
        raise ApplicationError(message, errors=[{"field": "period", "message": message}])
    return current_period(kind, found.start)  # the canonical text (2026-11, 2026Q3 …)


def _json_number(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return round(float(value), 4)


@transaction.atomic
def ranking_score(*, actor, scorecard, period, reader=None, automatic=False, today=None):
    """Score `period` (a Period or its text) of `scorecard` for every child region of its jurisdiction.

    The figures come from analytics (`figure_values(by="region")`), counted in the actor's scope (actor
    None, the system: in `reader`'s, else the scorecard committee's, see `scoring_reader`). Each subject
    gets points per item, a score, a rank (ties share it), a tier and its change since the previous
    period's current run. Scoring a period again writes the next version and marks the earlier one
    superseded. `automatic` (the job): nothing is done (None) when the period has any run already."""
    ensure_capability(actor, MANAGE)
    today = today or timezone.localdate()
    qs = Scorecard.objects.all() if actor is None else Scorecard.objects.for_user(actor)
    card = qs.select_for_update().filter(pk=getattr(scorecard, "pk", scorecard)).select_related("region").first()
    if card is None:
        raise ScopeError()
    period = scorecard_period(card, period, today)
    same = RankingRun.objects.filter(scorecard=card, period_start=period.start, period_end=period.end)
    if automatic and same.exists():
        return None
    reader = actor or reader or scoring_reader(card)
    if reader is None:
        raise ApplicationError(f"评分表“{card.name}”：{card.region.name}没有可按其管辖范围统计指标的安委办管理员账号。")
    items = list(card.items.all())
    if not items:
        raise ApplicationError(f"评分表“{card.name}”还没有评分项。")
    gone = [i.label for i in items if i.figure not in registry["figures"]]
    if gone:
        raise ApplicationError(f"评分项“{'、'.join(gone)}”的指标已不再登记，请先修改评分表“{card.name}”。")
    subjects = children_of(card.region)
    if not subjects:
        raise ApplicationError(f"“{card.region.name}”没有下级区划，无从排名。")

    figure_list = [registry["figures"][i.figure] for i in items]
    found = figure_values(
        user=reader, figure_list=figure_list, region=card.region, period=period, by="region", fresh=True
    )
    values = {s.code: {i.figure: _json_number(found.get(s.code, {}).get(i.figure)) for i in items} for s in subjects}
    rules = [scoring.Item(i.figure, i.weight, i.direction, i.method, i.target) for i in items]
    results = scoring.score_all(rules, values, card.tier_mode, card.tiers)

    keys = [k for k in dict.fromkeys([*HEADLINE, *(i.figure for i in items)]) if k in registry["figures"]]
    wanted = [registry["figures"][k] for k in keys]
    total = figure_values(user=reader, figure_list=wanted, region=card.region, period=period, fresh=True).get("", {})
    headline = [
        {"key": f.key, "label": f.label, "unit": f.unit, "value": _json_number(total.get(f.key))} for f in wanted
    ]

    before = period.previous()
    previous = {
        e.region_id: e
        for e in RankingEntry.objects.filter(
            run__scorecard=card, run__current=True, run__period_start=before.start, run__period_end=before.end
        )
    }
    version = (same.aggregate(v=Max("version"))["v"] or 0) + 1
    superseded = list(same.filter(current=True).values_list("pk", flat=True))
    same.filter(current=True).update(current=False)
    run = RankingRun.objects.create(
        scorecard=card,
        region=card.region,
        name=card.name,
        period_kind=card.period_kind,
        period_text=period.text,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        version=version,
        current=True,
        spec=scorecard_spec(card),
        headline=headline,
        automatic=automatic,
        scored_by=actor,
        scored_by_name=actor.display_name if actor is not None else "系统（自动评分）",
        reader_name=reader.display_name,
    )
    names = {s.code: s.name for s in subjects}
    RankingEntry.objects.bulk_create(
        RankingEntry(
            run=run,
            region_id=r.code,
            name=names[r.code],
            score=r.score,
            rank=r.rank,
            tier=r.tier,
            values=values[r.code],
            points={k: _plain(v) for k, v in r.points.items()},
            missing=r.missing,
            previous_rank=previous[r.code].rank if r.code in previous else None,
            previous_score=previous[r.code].score if r.code in previous else None,
        )
        for r in results
    )
    audit_record(
        actor=actor,
        action="ranking.score",
        obj=run,
        region_code=card.region_id,
        data={
            "scorecard": card.pk,
            "period": period.text,
            "version": version,
            "superseded": superseded,
            "automatic": automatic,
            "reader": reader.pk,
            "subjects": len(results),
        },
    )
    return run


def score_due(today=None):
    """The job: score the period that has just ended for every active scorecard that has no run of it yet
    (once: a period with a run, automatic or by hand, is left alone). One transaction per scorecard; a
    scorecard that cannot be scored is logged and the others go on."""
    today = today or timezone.localdate()
    done, failed = 0, []
    for card in Scorecard.objects.filter(active=True).order_by("pk"):
        period = current_period(card.period_kind, today).previous()
        if RankingRun.objects.filter(scorecard=card, period_start=period.start, period_end=period.end).exists():
            continue
        try:
            run = ranking_score(actor=None, scorecard=card, period=period, automatic=True, today=today)
        except ApplicationError as exc:
            log.warning("scorecard %s not scored: %s", card.pk, exc.message)
            failed.append(card.name)
            continue
        done += run is not None
    text = f"自动评分 {done} 期"
    return text + (f"；未能评分：{'、'.join(failed)}" if failed else "")
