"""Writes of drills and rescue resources: rights and jurisdiction checked, Chinese messages naming the
field, audited in the same transaction, nothing written when anything is wrong (photos included)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.cntext import ascii_digits
from zhiben.core.db import as_id, row_by_id, whole_number
from zhiben.core.evidence import store_upload
from zhiben.core.exceptions import ScopeError
from zhiben.core.services import actor_covers, data_date, data_text, ensure_capability, fail
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Industry, Region

from .choices import DrillForm, DrillKind, TeamLevel
from .models import Drill, DrillPhoto, DutyLapse, Equipment, RescueStation, RescueTeam

MANAGE = "drill.manage"
MAX_COUNT = 2**31 - 1  # the largest a PositiveIntegerField holds


def _count(data, key, label, errors):
    raw = data_text(data, key)
    number = whole_number(ascii_digits(raw))
    if not raw:
        errors.append((key, f"请填写{label}。"))
    elif number is None or not 1 <= number <= MAX_COUNT:  # past the column's range too
        errors.append((key, f"{label}“{raw}”应为正整数。"))
    else:
        return number
    return None


def _day(data, key, label, errors, *, required=True, past=True):
    day = data_date(data.get(key), label, errors, key)
    if day is None and required and not any(f == key for f, _ in errors):
        errors.append((key, f"请填写{label}。"))
    if day is not None and past and day > timezone.localdate():
        errors.append((key, f"{label}“{day}”晚于今天。"))
    return day


def _choice(data, key, choices, label, errors):
    value = data_text(data, key)
    if value not in dict(choices):
        errors.append((key, f"{label}“{value}”无效。" if value else f"请选择{label}。"))
    return value


@transaction.atomic
def drill_save(*, actor, data, photos=()):
    """Record a drill of an enterprise (an enterprise user: its own), with photos checked like other uploads."""
    ensure_capability(actor, MANAGE)
    pk = actor.enterprise_id if actor is not None and actor.enterprise_id else data.get("enterprise")
    qs = Enterprise.objects.all() if actor is None else Enterprise.objects.for_user(actor)
    errors = []
    enterprise = row_by_id(qs, pk)
    if enterprise is None:
        if whole_number(pk) is not None:
            raise ScopeError("企业不存在或不在您的管辖范围内。")
        errors.append(("enterprise", "请选择企业。"))
    kind = _choice(data, "kind", DrillKind.choices, "演练类型", errors)
    form = data_text(data, "form") or DrillForm.LIVE
    if form not in DrillForm.values:
        errors.append(("form", f"演练形式“{form}”无效。"))
    held_on = _day(data, "held_on", "演练日期", errors)
    participants = _count(data, "participants", "参演人数", errors)
    scenario = data_text(data, "scenario", 5000)
    if not scenario:
        errors.append(("scenario", "请填写演练情景。"))
    if errors:
        fail(errors)
    drill = Drill.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        industry_id=enterprise.industry_id,
        kind=kind,
        form=form,
        held_on=held_on,
        participants=participants,
        scenario=scenario,
        evaluation=data_text(data, "evaluation", 5000),
        created_by=actor,
    )
    for upload in photos:
        store_upload(
            DrillPhoto(drill=drill, uploaded_by=actor),
            upload,
            size_rule="drills.attachment_max_mb",
            region_code=drill.region_id,
        )
    audit_record(
        actor=actor,
        action="drill.record",
        obj=drill,
        region_code=drill.region_id,
        data={"enterprise": enterprise.pk, "kind": kind, "held_on": held_on, "photos": len(photos)},
    )
    return drill


def _region(actor, data, errors, key="region"):
    code = data_text(data, key)
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        errors.append((key, f"所属区划“{code}”不存在。" if code else "请选择所属区划。"))
        return None
    if not actor_covers(actor, region.code):
        raise ScopeError()
    return region


@transaction.atomic
def team_save(*, actor, data):
    ensure_capability(actor, MANAGE)
    errors = []
    name = data_text(data, "name", 100)
    if not name:
        errors.append(("name", "请填写队伍名称。"))
    level = _choice(data, "level", TeamLevel.choices, "队伍类别", errors)
    region = _region(actor, data, errors)
    industry = None
    if level == TeamLevel.INDUSTRY:
        code = data_text(data, "industry")
        industry = Industry.objects.filter(code=code).first() if code else None
        if industry is None:
            errors.append(("industry", "行业专业队伍须选择专业行业。"))
    if region is not None and level == TeamLevel.TOWN and region.level != 4:
        errors.append(("region", f"镇级队伍的所属区划应为镇街，“{region.name}”不是。"))
    if region is not None and level == TeamLevel.VILLAGE and region.level != 5:
        errors.append(("region", f"村级队伍的所属区划应为村社区，“{region.name}”不是。"))
    members = _count(data, "members", "队员人数", errors)
    established = _day(data, "established_on", "组建日期", errors)
    if errors:
        fail(errors)
    team = RescueTeam.objects.create(
        name=name,
        level=level,
        region=region,
        industry=industry,
        members=members,
        leader=data_text(data, "leader", 50),
        established_on=established,
        created_by=actor,
    )
    audit_record(actor=actor, action="drill.team_save", obj=team, region_code=region.code, data={"level": level})
    return team


@transaction.atomic
def station_save(*, actor, data):
    ensure_capability(actor, MANAGE)
    errors = []
    name = data_text(data, "name", 100)
    if not name:
        errors.append(("name", "请填写站点名称。"))
    region = _region(actor, data, errors)
    established = _day(data, "established_on", "建成日期", errors)
    if errors:
        fail(errors)
    station = RescueStation.objects.create(
        name=name, region=region, address=data_text(data, "address", 200), established_on=established, created_by=actor
    )
    audit_record(actor=actor, action="drill.station_save", obj=station, region_code=region.code)
    return station


@transaction.atomic
def equipment_save(*, actor, data):
    ensure_capability(actor, MANAGE)
    errors = []
    name = data_text(data, "name", 100)
    if not name:
        errors.append(("name", "请填写装备名称。"))
    team_id, station_id = data_text(data, "team"), data_text(data, "station")
    owner = None
    if whole_number(team_id) is not None:
        owner = (
            RescueTeam.objects.for_user(actor).filter(pk=as_id(team_id)).first()
            if actor
            else RescueTeam.objects.filter(pk=as_id(team_id)).first()
        )
    elif whole_number(station_id) is not None:
        owner = (
            RescueStation.objects.for_user(actor).filter(pk=as_id(station_id)).first()
            if actor
            else RescueStation.objects.filter(pk=as_id(station_id)).first()
        )
    if owner is None:
        errors.append(("team", "请选择所属队伍或站点。"))
    quantity = _count(data, "quantity", "数量", errors)
    last = _day(data, "last_inspected_on", "上次检验日期", errors, required=False)
    next_day = _day(data, "next_inspection_on", "下次检验日期", errors, past=False)
    if last and next_day and next_day <= last:
        errors.append(("next_inspection_on", "下次检验日期应晚于上次检验日期。"))
    if errors:
        fail(errors)
    equipment = Equipment.objects.create(
        name=name,
        team=owner if isinstance(owner, RescueTeam) else None,
        station=owner if isinstance(owner, RescueStation) else None,
        region_id=owner.region_id,
        quantity=quantity,
        last_inspected_on=last,
        next_inspection_on=next_day,
        created_by=actor,
    )
    audit_record(actor=actor, action="drill.equipment_save", obj=equipment, region_code=equipment.region_id)
    return equipment


# ---------------------------------------------------------------- lapsed drill duties (what the ladder follows)


@transaction.atomic
def lapses_sync(today):
    """Bring the lapses up to `today`: record each operating enterprise whose previous drill period (the one
    just before the period containing `today`) passed without a drill held since its start — unless it was
    registered after that period ended — and resolve the open lapses of enterprises that have held a drill
    since the lapse's period began (in it, recorded late, or after it). Idempotent, safe with two workers
    (one lapse per enterprise and period). Returns (recorded, resolved)."""
    from .selectors import period_months, period_of

    owing = {}
    for e in Enterprise.objects.filter(status="operating").only(
        "pk", "region_id", "industry_id", "high_risk", "created_at"
    ):
        months = period_months(e)
        start, end = period_of(period_of(today, months)[0] - timedelta(days=1), months)
        if timezone.localtime(e.created_at).date() <= end:
            owing[e.pk] = (e, start, end, months)
    open_lapses = list(DutyLapse.objects.filter(resolved_on__isnull=True))
    starts = [row[1] for row in owing.values()] + [lapse.start for lapse in open_lapses]
    drills = {}
    if starts:
        for enterprise_id, pk, held_on in (
            Drill.objects.filter(held_on__gte=min(starts), held_on__lte=today)
            .order_by("held_on", "pk")
            .values_list("enterprise_id", "pk", "held_on")
        ):
            drills.setdefault(enterprise_id, []).append((held_on, pk))
    resolved = []
    for lapse in open_lapses:
        since = [pk for held_on, pk in drills.get(lapse.enterprise_id, []) if held_on >= lapse.start]
        if since:
            lapse.resolved_on, lapse.drill_id = today, since[0]
            resolved.append(lapse)
    DutyLapse.objects.bulk_update(resolved, ["resolved_on", "drill"], batch_size=500)
    known = set()
    if owing:
        known = set(
            DutyLapse.objects.filter(start__gte=min(row[1] for row in owing.values())).values_list(
                "enterprise_id", "start"
            )
        )
    new = [
        DutyLapse(enterprise=e, region_id=e.region_id, industry_id=e.industry_id, start=start, end=end, months=months)
        for e, start, end, months in owing.values()
        if (e.pk, start) not in known and not any(held_on >= start for held_on, _ in drills.get(e.pk, []))
    ]
    DutyLapse.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new), len(resolved)
