"""Demo: public reports in every state in 凤凰镇 and elsewhere in the county — through the services, as a
reporter and the units would — a reward at each stage, the county 安委办 administrator as identity keeper,
and the QR posters of the demo towns."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.regions.models import Region

from . import services
from .models import Report, Reward

TOWN = "500106105000"

# category, village offset, description, address, enterprise name, anonymous
REPORTS = [
    (
        "fire",
        "凤凰镇某物流仓库晚上把安全出口用铁链锁住了，仓库里堆满纸箱，工人住在二楼。",
        "凤凰镇工业园物流区3号库",
        "",
        True,
    ),
    ("gas", "街边一家火锅店后厨液化气钢瓶放在灶台旁边，没有装燃气报警器，经常闻到气味。", "凤凰镇老街12号", "", True),
    ("construction", "工地塔吊司机好像没有证，塔吊晚上还在吊装，旁边就是居民楼。", "凤凰镇安置房二期工地", "", False),
    ("illegal", "这个厂已经被责令停产整顿了，但是晚上偷偷开工，机器声音很大。", "凤凰镇工业园B区", "", True),
    ("fire", "仓库安全出口锁住了，和之前反映的是同一个地方，还没有整改。", "凤凰镇工业园物流区3号库", "", True),
    ("other", "小区门口的井盖松动了，晚上有人差点摔倒。", "凤凰镇幸福小区门口", "", True),
    ("other", "加微信领取补贴 www.example.com www.example.net www.example.org 点击链接", "", "", True),
    ("industry", "木材加工车间粉尘很大，除尘设备一直没开，车间里还有人抽烟。", "凤凰镇工业园A区", "", True),
]


def _submit(index, category, description, address, enterprise, anonymous, region):
    data = {
        "category": category,
        "region": region.code,
        "description": description,
        "address": address,
        "enterprise_name": enterprise,
        "anonymous": "1" if anonymous else "0",
        "name": "" if anonymous else "王某某",
        "phone": "" if anonymous else "13800000000"[:-3] + f"{index:03d}",
    }
    client = services.Client.of(f"198.51.100.{index}", f"demo-device-{index}")
    return services.report_submit(data=data, client=client)[0]


def load(stdout=None):
    if Report.objects.exists():
        return
    town = Region.objects.filter(code=TOWN).first()
    if town is None:
        return
    villages = list(Region.objects.filter(parent=town).order_by("code")[:4]) or [town]
    handler = User.objects.filter(username="yingji").first()  # 凤凰镇应急办
    chief = User.objects.filter(username="fhanweiban").first()  # 凤凰镇安委办
    county = User.objects.filter(username="anweiban").first()  # 区安委办: keeper, approves rewards
    reports = [
        _submit(i, cat, text, address, ent, anon, villages[i % len(villages)])
        for i, (cat, text, address, ent, anon) in enumerate(REPORTS, start=1)
    ]
    if handler is None or chief is None:
        return
    locked, gas, site, night, again, manhole, advert, dust = reports
    # every report goes first to its routed unit; the town's 安委办 handles what is routed to it
    for report in reports:
        report.refresh_from_db()

    def who(report):
        return handler if report.unit_id == handler.unit_id else chief

    services.report_accept(actor=who(locked), report=locked)
    services.report_verify(
        actor=who(locked),
        report=locked,
        data={
            "level": "major",
            "criteria_other": "安全出口被锁闭，人员密集场所，认定为重大事故隐患",
            "industry": locked.industry_id or "",
        },
        reply="经现场核查，该仓库安全出口确被锁闭且有人员住宿，已认定为重大事故隐患，责令立即整改并纳入隐患台账跟踪。",
    )
    services.report_duplicate(actor=who(again), report=again, of=locked.code)
    services.report_accept(actor=who(gas), report=gas)
    services.report_accept(actor=who(manhole), report=manhole)
    services.report_refer(actor=who(manhole), report=manhole, body="凤凰镇市政管理所")
    services.report_spam(actor=who(advert), report=advert, reason="广告信息")
    services.report_accept(actor=who(night), report=night)
    services.report_unfounded(
        actor=who(night), report=night, reply="经夜间两次突击检查，该厂处于停产状态，未发现擅自生产，将继续跟踪。"
    )
    # site and dust stay 待受理; dust is overdue (the ladder and the home card show it)
    Report.objects.filter(pk=dust.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    secadmin = User.objects.filter(username="secadmin").first()
    if county is not None and secadmin is not None:
        services.keeper_designate(actor=secadmin, user=county)
        locked.refresh_from_db()
        reward = services.reward_propose(actor=who(locked), report=locked, data={"fine": "50000"})
        services.reward_decide(actor=county, reward=reward, approve=True)


def summary():
    return f"{Report.objects.count()} 件群众举报，{Reward.objects.count()} 笔举报奖励"


def accounts():
    lines = ["群众举报（无需登录）：/report/ ；各镇街二维码海报：/report/posters/"]
    for town in Region.objects.filter(code__startswith="500106", level=4).order_by("code")[:3]:
        lines.append(f"  {town.name}举报海报：/report/poster/{town.code}/")
    return lines
