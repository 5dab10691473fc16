"""The campaigns tests' shared set-up: the cast, a checklist, targets in county A and a gas campaign."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.hazards.models import Place
from zhiben.inspections.models import ChecklistTemplate, ChecklistTemplateItem
from zhiben.testing import CastTestCase, make_enterprise, make_user

from .. import services
from ..choices import Status
from ..models import Campaign
from ..presets import preset

TODAY = timezone.localdate()


def png(name="现场.png"):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 50, 50)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def campaign_data(**extra):
    """A gas campaign's definition (the preset's columns) over hazchem enterprises and gas pipes."""
    gas = preset("gas")
    data = {
        "name": "燃气“带病运行”排查整治（测试）",
        "description": gas["description"],
        "start_date": TODAY - timedelta(days=30),
        "end_date": TODAY + timedelta(days=30),
        "industries": ["hazchem"],
        "place_kinds": ["gas_pipe"],
        "place_industry": "gas",
        "columns": gas["columns"],
        "preset": "gas",
    }
    data.update(extra)
    return data


class CampaignTestCase(CastTestCase):
    """Targets of the test campaign in county A: enterprise_a (village A1a), ent_a2 (village A1b), a gas
    pipe in village A1a and one in town A2; enterprise_b is in county B, enterprise_a_construction is
    of another industry, a self-built house is of another kind."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ent_a2 = make_enterprise(cls.village_a2, "hazchem", name="双碑化工有限公司")
        cls.pipe_a1 = Place.objects.create(name="凤凰村燃气管道", kind="gas_pipe", region=cls.village_a1)
        cls.pipe_a2 = Place.objects.create(name="青木关燃气管道", kind="gas_pipe", region=cls.town_a2)
        cls.house_a1 = Place.objects.create(name="凤凰村自建房", kind="self_built", region=cls.village_a1)
        cls.pipe_b = Place.objects.create(name="西彭燃气管道", kind="gas_pipe", region=cls.village_b1)
        cls.fhan = make_user("fhan", Role.COMMITTEE_ADMIN, cls.town_a1)
        cls.template = ChecklistTemplate.objects.create(name="燃气用户检查表", region=cls.county_a)
        cls.item1 = ChecklistTemplateItem.objects.create(template=cls.template, sort=1, text="燃气软管无老化龟裂")
        cls.item2 = ChecklistTemplateItem.objects.create(
            template=cls.template, sort=2, text="安装燃气泄漏报警装置", method="现场查看"
        )
        cls.campaign = services.campaign_create(actor=cls.alice, data=campaign_data(checklist=cls.template.pk))
        services.campaign_transition(actor=cls.alice, campaign=cls.campaign, action="activate")
        cls.campaign.refresh_from_db()

    def passing(self, **extra):
        """A check's data that passes every item and finds no problem."""
        data = {
            "target": f"e{self.enterprise_a.pk}",
            "date": TODAY,
            "checker": "张三、李四",
            "values": {"user_type": "餐饮等单位用户"},
            "results": {str(self.item1.pk): {"result": "pass"}, str(self.item2.pk): {"result": "pass"}},
        }
        data.update(extra)
        return data

    def record(self, actor=None, campaign=None, **extra):
        return services.check_record(
            actor=actor or self.alice, campaign=campaign or self.campaign, data=self.passing(**extra)
        )

    def draft(self, **extra):
        return services.campaign_create(actor=self.alice, data=campaign_data(**extra))


__all__ = ["CampaignTestCase", "Campaign", "Status", "TODAY", "campaign_data", "png"]
