"""The module's workbooks: the record list, compliance over a period (the duties as columns) and the
import template. Written through core.excel.write_xlsx (user text stays text)."""

from zhiben.core.excel import write_xlsx

from .services import COLUMNS

RECORD_HEADERS = ["单位名称", "统一社会信用代码", "所在区划", "排查类型", "排查日期", "排查负责人"]
RECORD_HEADERS += ["参加人员", "排查范围", "发现隐患数", "来源", "情况说明"]


def records_xlsx(qs):
    rows = (
        [
            r.enterprise.name,
            r.enterprise.credit_code,
            r.enterprise.region.name,
            r.duty.name,
            r.date,
            r.inspector,
            r.participants,
            r.scope,
            r.findings,
            r.get_source_display(),
            r.note,
        ]
        for r in qs.iterator(chunk_size=2000)
    )
    return write_xlsx(RECORD_HEADERS, rows, sheet_title="企业自查记录")


def compliance_xlsx(window, rows, duties):
    headers = ["单位名称", "所在区划", "行业", "高危", "总体情况"]
    for duty in duties:
        headers += [f"{duty.name}（已查/应查）", f"{duty.name}情况"]

    def line(row):
        values = [
            row.enterprise["name"],
            row.enterprise["region__name"],
            row.enterprise["industry__name"],
            "是" if row.enterprise["high_risk"] else "否",
            row.state.label,
        ]
        for duty in duties:
            cell = row.cells.get(duty.pk)
            values += [f"{cell.covered}/{cell.expected}", cell.label] if cell else ["不适用", ""]
        return values

    return write_xlsx(headers, (line(r) for r in rows), sheet_title=f"{window.label}自查完成情况"[:31])


def template_xlsx(*, with_enterprise=True):
    fields = ["credit_code", "enterprise_name"] if with_enterprise else []
    fields += ["duty", "date", "inspector", "participants", "scope", "findings_count", "findings", "note"]
    example = {
        "credit_code": "91500106MA0000000X",
        "enterprise_name": "示例化工有限公司",
        "duty": "班组日排查",
        "date": "2026-11-05",
        "inspector": "张三",
        "participants": "李四、王五",
        "scope": "一车间",
        "findings_count": "1",
        "findings": "配电箱门未关闭",
        "note": "",
    }
    return write_xlsx([COLUMNS[f][0] for f in fields], [[example[f] for f in fields]], sheet_title="企业自查记录")
