"""Demo self-inspection records for the 沙坪坝区 enterprises over the last three months: most keep their
duties, some skip weeks or months (漏查), a few record findings (filed as hazards through the service)."""

import random
from datetime import timedelta

from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.enterprises.models import Enterprise

from . import selectors, services
from .choices import Frequency, Source
from .models import SelfInspection
from .periods import bucket_bounds, bucket_of

INSPECTORS = ["张班长", "李主任", "王厂长", "赵总经理", "刘安全员"]
SCOPES = ["一车间", "二车间", "原料仓库", "成品库", "配电房", "厂区道路", "办公楼"]
FINDINGS = ["配电箱门未关闭", "消防通道堆放杂物", "灭火器压力不足", "防护罩松动", "警示标志脱落"]


def load(stdout=None, seed=2026, days=92):
    if SelfInspection.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    first = today - timedelta(days=days)
    duties = selectors.active_duties()
    records = []
    enterprises = list(Enterprise.objects.filter(region__code__startswith="500106", status="operating"))
    for enterprise in enterprises:
        diligence = rng.choice([1.0, 1.0, 0.95, 0.8, 0.5])  # share of periods kept
        for duty in selectors.duties_for(enterprise, duties):
            bucket = bucket_of(first, duty.frequency)
            while True:
                start, end = bucket_bounds(bucket, duty.frequency)
                if start > today:
                    break
                if rng.random() < diligence and not (duty.frequency == Frequency.DAY and start == today):
                    day = min(start + timedelta(days=rng.randint(0, (end - start).days)), today)
                    records.append(
                        SelfInspection(
                            enterprise=enterprise,
                            duty=duty,
                            date=day,
                            bucket=bucket_of(day, duty.frequency),
                            inspector=rng.choice(INSPECTORS),
                            scope=rng.choice(SCOPES),
                            source=Source.IMPORT,
                        )
                    )
                bucket += 1
    SelfInspection.objects.bulk_create(records, batch_size=5000)
    user = User.objects.filter(username="qiye").first()
    if user is not None and user.enterprise_id:
        duty = next(d for d in selectors.duties_for(user.enterprise, duties) if d.frequency == Frequency.WEEK)
        services.selfcheck_record(
            actor=user,
            data={
                "duty": duty.pk,
                "date": today - timedelta(days=1),
                "inspector": "孙企",
                "scope": "全厂",
                "findings": [{"description": rng.choice(FINDINGS), "location": rng.choice(SCOPES)}],
            },
        )


def summary():
    return f"{SelfInspection.objects.count()} 条企业自查记录"
