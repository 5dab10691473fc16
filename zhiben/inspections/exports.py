"""The inspection list as a workbook."""

from zhiben.core.excel import write_xlsx

HEADERS = ["检查编号", "检查类型", "被检查单位", "所在区划", "行业", "检查单位", "计划日期", "检查日期"]
HEADERS += ["四不两直", "交叉检查", "状态", "发现隐患数"]


def inspections_xlsx(qs):
    from django.db.models import Count

    rows = (
        [
            i.number,
            i.get_kind_display(),
            str(i.subject),
            i.region.name,
            i.industry.name,
            i.unit.name,
            i.planned_date,
            i.date,
            "是" if i.unannounced else "",
            "是" if i.cross else "",
            i.get_status_display(),
            i.n_hazards,
        ]
        for i in qs.annotate(n_hazards=Count("hazards")).iterator(chunk_size=2000)
    )
    return write_xlsx(HEADERS, rows, sheet_title="监督检查")
