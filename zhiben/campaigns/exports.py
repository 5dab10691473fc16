"""The campaign's ledger (台账) as an Excel workbook in the campaign's own columns, and the import
template with the same header."""

from zhiben.core.excel import write_xlsx

from . import columns as cols
from .selectors import check_list, region_names

HEAD = ["序号", "对象名称", "所在区划", "检查日期", "检查单位", "检查人"]
TAIL = ["发现隐患数", "已整改销号数", "备注"]


def ledger_headers(campaign):
    return HEAD + [c["label"] for c in campaign.columns] + TAIL


def ledger_rows(campaign, user, filters=None):
    checks = list(check_list(user=user, campaign=campaign, filters=filters).order_by("date", "id"))
    names = region_names(c.region_id for c in checks)
    for number, check in enumerate(checks, start=1):
        yield [
            number,
            check.target.name,
            names.get(check.region_id, ""),
            check.date,
            check.unit_name,
            check.checker,
            *(cols.display(c, check.values.get(c["key"])) for c in campaign.columns),
            check.hazard_count,
            check.closed_count,
            check.note,
        ]


def ledger_xlsx(campaign, user, filters=None):
    headers = ledger_headers(campaign)
    widths = [6, 30, 18, 12, 20, 12] + [max(10, len(c["label"]) * 2 + 2) for c in campaign.columns] + [10, 12, 30]
    return write_xlsx(headers, ledger_rows(campaign, user, filters), sheet_title=campaign.name[:31], widths=widths)


def import_template(campaign):
    """An empty sheet with the ledger's header (without the computed columns) to fill in and import."""
    headers = [h for h in ledger_headers(campaign) if h not in ("序号", "发现隐患数", "已整改销号数")]
    required = {c["label"] for c in campaign.columns if c.get("required")} | {"对象名称", "检查日期"}
    headers = [f"{h}*" if h in required else h for h in headers]
    return write_xlsx(headers, [], sheet_title="检查记录", widths=[30, 18, 12, 20, 12] + [14] * (len(headers) - 5))
