"""Demo: posts of a 沙坪坝区 enterprise — one with its four items and recent 班前会 (the emergency card
revised once, so a superseded version can be viewed), one still missing its 岗位操作卡 — and a post of the demo
enterprise user's own furniture factory, through the services."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.demo import own_enterprise
from zhiben.core.scoping import subtree_q
from zhiben.enterprises.models import Enterprise

from . import services
from .models import Briefing, CardVersion, Post

COUNTY = "500106"

CARDS = {
    "risk": ["储罐区物料泄漏引发火灾爆炸（红色风险）", "装卸作业静电积聚", "高处作业坠落"],
    "duty": ["执行交接班制度，检查设备运行参数", "发现隐患立即报告班长并记录", "参加班前会和应急演练"],
    "operation": ["作业前检查静电接地和呼吸器", "按操作规程开启进料阀，控制流速不超过1米/秒", "作业后关闭阀门并记录"],
    "emergency": [
        "发现泄漏立即停止作业，关闭紧急切断阀",
        "佩戴空气呼吸器，疏散无关人员至上风向",
        "立即报告值班长（电话 8001）并拨打119",
        "启动现场处置方案，设置警戒区",
    ],
}
# the demo enterprise user's furniture factory: its spray-painting post
PAINTER_CARDS = {
    "risk": ["喷漆房有机溶剂蒸气遇火源引发火灾爆炸", "木粉尘积聚引发粉尘爆炸", "吸入漆雾导致职业中毒"],
    "duty": ["班前检查喷漆房通风和防爆电器", "按规定佩戴防毒面具和防护服", "下班前清理积尘和废漆渣"],
    "operation": ["开机前确认排风机运行正常", "油漆、稀释剂当班用量领用，不在喷漆房存放", "作业中禁止使用非防爆工具"],
    "emergency": ["发生火情立即停止作业、切断电源", "使用干粉灭火器初期扑救，拨打119", "组织人员从东侧安全出口疏散"],
}


def load(stdout=None):
    if Post.objects.exists():
        return
    enterprise = (
        Enterprise.objects.filter(subtree_q(COUNTY), status="operating", industry__code="hazchem")
        .order_by("id")
        .first()
        or Enterprise.objects.filter(subtree_q(COUNTY), status="operating").order_by("id").first()
    )
    if enterprise is None:
        return
    today = timezone.localdate()
    post = services.post_save(
        actor=None, data={"enterprise": enterprise.pk, "name": "储罐区操作工", "team": "储运车间甲班"}
    )
    for kind, items in CARDS.items():
        services.card_save(
            actor=None, post=post, kind=kind, data={"items": items[:-1] if kind == "emergency" else items}
        )
    services.card_save(
        actor=None, post=post, kind="emergency", data={"items": CARDS["emergency"], "note": "增加警戒区要求"}
    )
    for days_ago in (0, 1, 2):
        services.briefing_save(
            actor=None,
            post=post,
            data={
                "held_on": (today - timedelta(days=days_ago)).isoformat(),
                "attendees": "张三、李四、王五、赵六",
                "content": "讲风险：储罐区静电；讲要点：进料流速控制；讲应急：泄漏时关闭紧急切断阀。",
                "recorder": "张三",
            },
        )
    second = services.post_save(
        actor=None, data={"enterprise": enterprise.pk, "name": "装卸工", "team": "储运车间乙班"}
    )
    for kind in ("risk", "duty", "emergency"):
        services.card_save(actor=None, post=second, kind=kind, data={"items": CARDS[kind]})
    own = own_enterprise()
    if own is not None and own != enterprise:
        painter = services.post_save(actor=None, data={"enterprise": own.pk, "name": "喷漆工", "team": "涂装车间"})
        for kind, items in PAINTER_CARDS.items():
            services.card_save(actor=None, post=painter, kind=kind, data={"items": items})
        services.briefing_save(
            actor=None,
            post=painter,
            data={
                "held_on": (today - timedelta(days=1)).isoformat(),
                "attendees": "陈师傅、吴师傅、郑师傅",
                "content": "讲风险：喷漆房溶剂蒸气；讲要点：先开排风后作业；讲应急：起火先断电、用干粉灭火器。",
                "recorder": "陈师傅",
            },
        )


def summary():
    return f"{Post.objects.count()} 个岗位，{CardVersion.objects.count()} 个两单两卡版本，{Briefing.objects.count()} 次班前会"
