"""Demo: drills of 沙坪坝区 enterprises this period (one enterprise left without, so compliance shows who
is missing), town teams for every town but one, village stations, an industry team and equipment due for
inspection — through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.demo import own_enterprise
from zhiben.core.scoping import subtree_q
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Region

from . import services
from .models import Drill, Equipment, RescueStation, RescueTeam
from .selectors import period_months, period_of

COUNTY = "500106"


def load(stdout=None):
    if Drill.objects.exists() or RescueTeam.objects.exists():
        return
    today = timezone.localdate()
    own = own_enterprise()  # the demo enterprise user's factory drilled this period (below), not the one missing
    operating = Enterprise.objects.filter(subtree_q(COUNTY), status="operating").exclude(pk=own.pk if own else None)
    enterprises = list(operating.order_by("id")[:4])
    tank = (20, "12", "储罐区液氨泄漏，现场人员关闭紧急切断阀并疏散", "响应及时，警戒区设置偏小，已整改")
    drills = [(enterprise, tank) for enterprise in enterprises[:-1]]  # the last one is missing its drill
    if own is not None:
        fire = (
            35,
            "46",
            "涂装车间喷漆房起火，全员疏散并用干粉灭火器初期扑救",
            "疏散用时4分10秒；东侧安全出口有杂物，已清理",
        )
        drills.append((own, fire))
    for enterprise, (days_ago, participants, scenario, evaluation) in drills:
        start, _ = period_of(today, period_months(enterprise))
        services.drill_save(
            actor=None,
            data={
                "enterprise": enterprise.pk,
                "kind": "onsite",
                "held_on": max(start, today - timedelta(days=days_ago)).isoformat(),
                "participants": participants,
                "scenario": scenario,
                "evaluation": evaluation,
            },
        )
    towns = list(Region.objects.filter(subtree_q(COUNTY, "code"), level=4).order_by("code"))
    established = (today - timedelta(days=400)).isoformat()
    for town in towns[:-1]:  # one town is missing its team
        team = services.team_save(
            actor=None,
            data={
                "name": f"{town.name}应急救援队",
                "level": "town",
                "region": town.code,
                "members": "20",
                "leader": "队长",
                "established_on": established,
            },
        )
        services.equipment_save(
            actor=None,
            data={
                "name": "正压式空气呼吸器",
                "team": str(team.pk),
                "quantity": "6",
                "last_inspected_on": (today - timedelta(days=340)).isoformat(),
                "next_inspection_on": (today + timedelta(days=25)).isoformat(),
            },
        )
    for village in Region.objects.filter(subtree_q(COUNTY, "code"), level=5).order_by("code")[:3]:
        services.station_save(
            actor=None,
            data={"name": f"{village.name}微型消防站", "region": village.code, "established_on": established},
        )
    county = Region.objects.filter(code=COUNTY.ljust(12, "0")).first()
    if county is not None:
        services.team_save(
            actor=None,
            data={
                "name": "区危化专业救援队",
                "level": "industry",
                "industry": "hazchem",
                "region": county.code,
                "members": "30",
                "established_on": established,
            },
        )


def summary():
    return (
        f"{Drill.objects.count()} 次演练，{RescueTeam.objects.count()} 支救援队伍，"
        f"{RescueStation.objects.count()} 个救援站点，{Equipment.objects.count()} 项救援装备"
    )
