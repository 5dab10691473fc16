"""The demo gas campaign (燃气“带病运行”排查整治) of 沙坪坝区: defined from the preset by the district
安委办, some gas-pipe places in 凤凰镇, started, and checked by the 凤凰镇规建办 and the village grid
worker, every write through the services (findings become hazards)."""

from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.hazards.models import Place
from zhiben.regions.models import Region

from . import services
from .models import Campaign, CampaignCheck
from .presets import preset
from .selectors import target_querysets

COUNTY = "500106000000"
PLACES = [
    ("凤凰村老旧小区中压燃气管道", "500106105002", "凤凰村3组"),
    ("凤凰村农贸市场燃气管道", "500106105002", "凤凰村农贸市场"),
    ("凤凰村安置房小区燃气立管", "500106105002", "凤凰村安置房"),
    ("双碑村沿街商铺燃气管道", "500106105003", "双碑村老街"),
]


def _photo(seed):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), (200, 120 + seed * 23 % 100, 80))
    ImageDraw.Draw(image).ellipse((120, 80, 360, 280), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"现场照片{seed}.jpg", out.getvalue(), content_type="image/jpeg")


def load(stdout=None):
    if Campaign.objects.filter(region_id=COUNTY, preset="gas").exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["anweiban", "guijian", "wangge"])}
    if len(users) < 3 or not Region.objects.filter(code=COUNTY).exists():
        return
    committee = users["anweiban"]
    for name, code, address in PLACES:
        if Region.objects.filter(code=code).exists():
            Place.objects.get_or_create(
                name=name, region_id=code, defaults={"kind": "gas_pipe", "address": address, "created_by": committee}
            )
    today = timezone.localdate()
    gas = preset("gas")
    campaign = services.campaign_create(
        actor=committee,
        data={
            **gas,
            "name": f"{today.year}年燃气“带病运行”排查整治",
            "preset": "gas",
            "start_date": today - timedelta(days=45),
            "end_date": today + timedelta(days=120),
        },
    )
    services.campaign_transition(actor=committee, campaign=campaign, action="activate", note="全区部署")
    enterprises, places = target_querysets(campaign)
    checks = [(users["guijian"], f"e{e.pk}") for e in enterprises.filter(region__code__startswith="500106105")[:6]]
    checks += [(users["wangge"], f"p{p.pk}") for p in places.filter(region_id="500106105002")]
    findings = [
        {"problem_hose": "是", "problem_text": "灶具连接软管老化龟裂，超期使用"},
        {},
        {"problem_environment": "是", "problem_text": "燃气表间堆放杂物，通风不良"},
        {"problem_network": "是", "problem_text": "管道被违章搭建占压"},
        {},
        {"problem_cylinder": "是", "problem_valve": "是"},
    ]
    for n, (actor, target) in enumerate(checks):
        values = {
            "user_type": "燃气管道" if target.startswith("p") else "燃气经营企业",
            "alarm_installed": "是" if n % 2 else "否",
            **findings[n % len(findings)],
        }
        services.check_record(
            actor=actor,
            campaign=campaign,
            data={
                "target": target,
                "date": today - timedelta(days=40 - n * 4),
                "checker": actor.display_name,
                "values": values,
                "note": "已当场告知整改要求" if values.get("problem_text") else "",
            },
            files=[_photo(n)] if n < 3 else [],
            today=today,
        )


def summary():
    return f"{Campaign.objects.count()} 项专项整治（{CampaignCheck.objects.count()} 次检查）"
