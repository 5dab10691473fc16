"""The 隐患台账 export: exactly the filtered rows, in the usual ledger column layout. Personal data
is masked (the 整改责任人's phone shows as 138****5678; in full only on the hazard's detail page)."""

from django.utils import timezone

from zhiben.core.excel import write_xlsx
from zhiben.core.rules import rule_date

from .choices import Status

COLUMNS = [
    ("序号", 6),
    ("隐患编号", 22),
    ("单位/场所名称", 28),
    ("所在区划", 14),
    ("行业领域", 10),
    ("隐患部位", 16),
    ("隐患描述", 40),
    ("隐患等级", 9),
    ("判定依据", 30),
    ("隐患类别", 12),
    ("发现渠道", 12),
    ("发现日期", 11),
    ("发现人", 10),
    ("存量/增量", 9),
    ("整改措施", 30),
    ("整改责任人", 10),
    ("责任人电话", 13),
    ("整改资金（元）", 12),
    ("整改期限", 11),
    ("是否逾期", 8),
    ("逾期天数", 8),
    ("挂牌督办", 14),
    ("监管部门", 16),
    ("状态", 9),
    ("整改完成日期", 12),
    ("销号审核期限", 12),
    ("销号日期", 11),
    ("备注", 20),
]


def ledger_rows(qs, *, user, today=None):
    today = today or timezone.localdate()
    baseline = rule_date("hazard.baseline_date", user.region_id or "")
    qs = qs.select_related("place", "listed_unit", "criteria_item__standard", "supervising_unit")
    for index, h in enumerate(qs.iterator(chunk_size=2000), start=1):
        basis = ""
        if h.criteria_item_id:
            basis = f"{h.criteria_item.standard.name} {h.criteria_item.number}"
        elif h.criteria_other:
            basis = h.criteria_other
        yield [
            index,
            h.number,
            h.enterprise.name if h.enterprise_id else (h.place.name if h.place_id else ""),
            h.region.name,
            h.industry.name,
            h.location,
            h.description,
            h.get_level_display(),
            basis,
            h.get_category_display() if h.category else "",
            h.get_channel_display(),
            h.found_date,
            h.found_by,
            "存量" if h.found_date <= baseline else "增量",
            h.measures,
            h.responsible_person,
            h.responsible_phone_masked,
            float(h.funds) if h.funds is not None else None,
            h.deadline,
            "是" if h.is_overdue(today) else "否",
            h.days_overdue(today) or None,
            f"{h.listed_unit.name}（{h.get_listed_level_display()}）" if h.listed_unit_id else "",
            h.supervising_unit.name if h.supervising_unit_id else "",
            h.get_status_display() + ("（历史台账）" if h.historic else ""),
            h.rectified_date,
            h.review_deadline if h.status == Status.SUBMITTED else None,
            timezone.localtime(h.closed_at).date() if h.closed_at else None,
            h.remarks,
        ]


def ledger_xlsx(qs, *, user):
    return write_xlsx(
        [c for c, _ in COLUMNS], ledger_rows(qs, user=user), sheet_title="隐患台账", widths=[w for _, w in COLUMNS]
    )
