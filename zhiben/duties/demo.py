"""Demo statistics reports (隐患排查治理统计分析表) of the last quarter that has ended, for the 沙坪坝区 enterprises:
most were generated from their hazard records, signed by their principal and submitted by the deadline, some late,
the rest not at all (the worker marks them 逾期未报). The demo enterprise user's own report is left to be filled
in. Older periods are left empty: each report is computed from the records (about 10 ms), and one period is what
the 统计报送 page opens on."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from zhiben.accounts.demo import own_enterprise

from .choices import Kind, ReportStatus
from .models import DutyEvent, PeriodReport
from .periods import closed_periods
from .services import Deadlines, obliged_enterprises, signed_digest
from .statistics import period_statistics

ON_TIME, LATE = 0.7, 0.12  # shares of the enterprises; the rest have not submitted


def load(stdout=None, seed=2026):
    if PeriodReport.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    [period] = closed_periods(today, Kind.QUARTERLY, 1)
    deadlines = Deadlines()
    own = own_enterprise()
    enterprises = obliged_enterprises().filter(region__code__startswith="500106").exclude(pk=own.pk if own else None)
    enterprises = enterprises.order_by("pk")
    reports, steps = [], []
    for enterprise in enterprises:
        draw = rng.random()
        deadline = deadlines(period, enterprise.region_id)
        if draw < ON_TIME:
            day = period.end + timedelta(days=rng.randint(1, max(1, (deadline - period.end).days)))
        elif draw < ON_TIME + LATE:
            day = deadline + timedelta(days=rng.randint(1, 20))
        else:
            continue
        if day > today or not enterprise.principal:
            continue
        at = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))
        data = period_statistics(enterprise, period)
        report = PeriodReport(
            enterprise=enterprise,
            kind=period.kind,
            period=period.code,
            year=period.year,
            quarter=period.quarter,
            period_start=period.start,
            period_end=period.end,
            status=ReportStatus.SUBMITTED,
            data=data,
            generated_at=at - timedelta(minutes=20),
            attested_name=enterprise.principal,
            attested_at=at - timedelta(minutes=5),
            attested_sha256=signed_digest(data, ""),
            submitted_at=at,
            deadline=deadline,
            late=day > deadline,
        )
        reports.append(report)
        note = (
            f"逾期报送（期限 {deadline}，逾期 {(day - deadline).days} 天）"
            if report.late
            else f"按期报送（期限 {deadline}）"
        )
        steps.append(
            [
                ("generate", report.generated_at, ""),
                ("attest", report.attested_at, f"主要负责人 {enterprise.principal} 签字确认"),
                ("submit", at, note),
            ]
        )
    PeriodReport.objects.bulk_create(reports)
    DutyEvent.objects.bulk_create(
        DutyEvent(report=report, at=at, action=action, note=note, actor_name=report.enterprise.name)
        for report, events in zip(reports, steps)
        for action, at, note in events
    )


def summary():
    return f"{PeriodReport.objects.filter(status=ReportStatus.SUBMITTED).count()} 份已报送的统计分析表"
