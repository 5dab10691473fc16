"""Ledger cell values: placeholders, what a column's values look like (`value_profile`, the evidence
the mapping weighs), and reading one value — dates (through `core.cntext`, plus the deadlines
relative to the found date: 7天内, 一个月内, 立即), levels, funds and status — each as
(value or None, Chinese error or None)."""

import calendar
import functools
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from zhiben.core import cntext
from zhiben.core.cntext import halfwidth
from zhiben.core.excel import cell_text

from .vocabulary import OPTIONS

PLACEHOLDERS = {
    "/",
    "-",
    "--",
    "---",
    "—",
    "——",
    "\\",
    "无",
    "暂无",
    "空",
    "null",
    "none",
    "n/a",
    "na",
    "#n/a",
    ".",
    "…",
    "——/",
}
NOTHING_FOUND = re.compile(
    r"^(无|没有|未发现|未查出|未见)(任何)?(安全)?(隐患|问题|异常)?[。.]?$|^(正常|无异常|一切正常)$"
)
TICKS = {
    "√",
    "✓",
    "✔",
    "v",
    "是",
    "1",
    "y",
    "yes",
    "有",
    "☑",
    "■",
    "●",
    "○",
    "x",
    "×",
    "✗",
    "✘",
    "否",
    "0",
    "n",
    "no",
    "□",
}
UNTICKED = {"", "x", "×", "✗", "✘", "否", "0", "n", "no", "□", "无", "/", "-"}
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")
_LEVEL_WORD = re.compile(r"^(一般|重大|较大)(事故)?(隐患)?(\(?[a-c一二三]级?\)?)?$")
_STATUS_WORD = re.compile(
    r"^(已|未|待|正在)?(整改|治理|完成|销号|闭环|验收|处理|办结)(中|完毕|完成|结束)?$|^(是|否|完成|逾期|逾期未整改)$"
)
_REGION_WORD = re.compile(r"(镇|乡|街道|办事处|村|社区|居委会|片区|网格|开发区|园区|新区|[\u4e00-\u9fff]{2}[区县市])$")
_SITE_WORD = re.compile(r"(厂区|库区|罐区|作业区|生活区|办公区|施工区|装置区|生产区|仓储区|储存区)$")
_ENTERPRISE_WORD = re.compile(
    r"(公司|厂|店|中心|合作社|商行|超市|酒店|饭店|宾馆|餐馆|工地|项目部|门市部|经营部|加工坊|站|场|院|馆|所|部)$"
)


def text_of(value):
    """A cell as text: lines trimmed, blank lines dropped; numbers and dates as `core.excel.cell_text`."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "\n" not in value and "\r" not in value:  # most cells: one line
            return value.strip()
        return "\n".join(line.strip() for line in value.replace("\r", "").split("\n") if line.strip()).strip()
    return cell_text(value)


def is_placeholder(text):
    return len(text) <= 8 and not text.isdigit() and _is_placeholder_word(text)  # a number never is one


@functools.lru_cache(maxsize=4096)  # short cells repeat (levels, names, 无, /): read each one once
def _is_placeholder_word(text):
    return halfwidth(text).strip().lower() in PLACEHOLDERS


def looks_like_date(value):
    if isinstance(value, (date, datetime)):
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 20000 <= value <= 80000
    t = halfwidth(value).strip()
    return bool(re.search(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}月\d{1,2}[日号]|^\d{8}$", t))


def value_profile(values):
    """Fractions of a column's non-empty sample values that look like dates, levels, statuses …"""
    sample = [v for v in values if text_of(v) and not is_placeholder(text_of(v))][:200]
    n = len(sample)
    if not n:
        return {"n": 0}
    texts = [halfwidth(text_of(v)).replace(" ", "") for v in sample]

    def share(pred):
        return sum(1 for x in pred) / n

    return {
        "n": n,
        "date": share(v for v in sample if looks_like_date(v)),
        "level": share(t for t in texts if _LEVEL_WORD.match(t.lower())),
        "status": share(t for t in texts if _STATUS_WORD.match(t)),
        "number": share(t for t in texts if NUMBER.match(t.replace(",", ""))),
        "tick": share(t for t in texts if t.lower() in TICKS),
        "region": share(t for t in texts if _REGION_WORD.search(t) and not _SITE_WORD.search(t) and len(t) <= 12),
        "enterprise": share(t for t in texts if _ENTERPRISE_WORD.search(t) and len(t) >= 4),
        "category": share(t for t in texts if t in OPTIONS["category"]),
        "avg_len": sum(len(t) for t in texts) / n,
    }


# ---------------------------------------------------------------- dates

_SUFFIX = re.compile(r"(之前|以前|前|之内|以内|内|止|为止|截止|完成整改|整改完成|完成|整改|到位)+$")
_RELATIVE = re.compile(r"(?:限期|限|在|于)?(\d{1,3})(个)?(天|日|工作日|周|星期|个月|月)")
_IMMEDIATE = re.compile(r"^(立即|立刻|马上|即时|当场|当天|当日|即刻|现场|当即|立行立改|现场整改|立即整改)")


def parse_date(value, *, base=None, year=None, end=False):
    """(date or None, Chinese error or None) for a ledger date cell, read by `core.cntext.parse_date`
    (whose docstring gives the meaning of 月初, 月底, 上旬 …, 年底). `base` is the row's found date:
    a date without a year takes its year (else `year`, the ledger's from its title), and a deadline
    may count from it ("7天内", "一个月内", "立即"); `end` reads a deadline (the end of a month, a
    range); a year-less deadline before `base` is next year's ("1月10日前" found in December)."""
    if isinstance(value, str):
        return _parse_text_date(value, base, year, end)
    return _parse_date(value, base, year, end)


@functools.lru_cache(maxsize=4096)  # ledgers repeat their date strings: read each one once
def _parse_text_date(value, base, year, end):
    return _parse_date(value, base, year, end)


def _parse_date(value, base, year, end):
    if value is None or value == "" or isinstance(value, date):
        return cntext.parse_date(value), None
    raw = text_of(value)
    if not raw or is_placeholder(raw):
        return None, None
    try:
        found = cntext.parse_date(
            raw if isinstance(value, str) else value,
            year=base.year if base else year,
            end=end,
            after=base if end else None,
        )
    except cntext.DateError as exc:
        if exc.reason == "no_year":
            return None, f"日期“{raw}”缺少年份，本行也没有可参照的发现日期。"
        return None, f"日期“{raw}”不存在。"
    if found:
        return found, None
    return _relative(raw, base)


def _relative(raw, base):
    """A deadline counted from the found date, or the error for a text that is no date."""
    t = cntext.to_digits(halfwidth(raw)).strip()
    m = _RELATIVE.fullmatch(_SUFFIX.sub("", t.replace(" ", "")))
    if m or _IMMEDIATE.match(t):
        if not base:
            return None, f"“{raw}”是相对期限，但本行没有发现日期，无法换算成日期。"
        if not m:
            return base, None
        n, unit = int(m[1]), m[3]
        if unit in ("周", "星期"):
            return base + timedelta(weeks=n), None
        if unit in ("个月", "月"):
            month = base.month - 1 + n
            y, mo = base.year + month // 12, month % 12 + 1
            return date(y, mo, min(base.day, calendar.monthrange(y, mo)[1])), None
        return base + timedelta(days=n if unit != "工作日" else n + (n // 5) * 2), None
    if re.search(r"长期|持续|常态|定期|随时", t):
        return None, f"“{raw}”不是具体日期：请填写完成日期（如 2024-06-30）。"
    return None, f"无法识别的日期“{raw}”：请填写如 2024-05-01 或 2024年5月1日。"


# ---------------------------------------------------------------- levels, funds, status


def parse_level(value, *, yes_no=False):
    """("一般"|"重大"|None, error or None)."""
    raw = text_of(value)
    if not raw or is_placeholder(raw):
        return None, None
    t = halfwidth(raw).replace(" ", "").lower()
    if yes_no and t in ("是", "√", "✓", "y", "yes", "1", "重大"):
        return "重大", None
    if yes_no and t in ("否", "×", "x", "n", "no", "0", "一般"):
        return "一般", None
    t = t.replace("事故", "")
    if t.startswith("一般"):
        return "一般", None
    if t.startswith("重大"):
        return "重大", None
    if t.startswith("较大"):
        return None, f"隐患等级“{raw}”不在分级之内：事故隐患只分“一般”和“重大”，请改为其中之一。"
    return None, f"隐患等级“{raw}”无法识别：应为“一般”或“重大”（也可写“一般隐患”“重大隐患”）。"


def funds_factor(labels):
    """The multiplier a funds header (or the unit row under it) states: （万元） → 10000, （千元） → 1000."""
    text = halfwidth("".join(labels))
    if "万元" in text or re.search(r"\(万\)", text):
        return Decimal(10000)
    if "千元" in text:
        return Decimal(1000)
    return Decimal(1)


_AMOUNT = re.compile(
    r"^(?:约|共|合计|计|人民币|rmb|¥|￥)*([-+]?\d+(?:\.\d+)?)(万元|万|千元|千|元|w|k)?(?:人民币)?(?:左右)?$"
)


def parse_funds(value, *, factor=Decimal(1)):
    """(Decimal yuan or None, error or None)."""
    if isinstance(value, bool):
        return None, None
    if isinstance(value, (int, float)):
        return (Decimal(str(value)) * factor).quantize(Decimal("0.01")), None
    raw = text_of(value)
    if not raw or is_placeholder(raw):
        return None, None
    t = cntext.to_digits(halfwidth(raw)).replace(",", "").replace(" ", "").lower()
    m = _AMOUNT.match(t)
    if not m and (t in TICKS or t in ("有", "已落实", "未落实", "落实")):
        return None, None  # a yes/no "经费落实" flag, not an amount
    if not m:
        return None, f"整改资金“{raw}”不是有效金额：请填写数字，如 5000、5000元 或 2万元。"
    try:
        amount = Decimal(m[1])
    except InvalidOperation:
        return None, f"整改资金“{raw}”不是有效金额。"
    unit = m[2]
    if unit in ("万元", "万", "w"):
        amount *= 10000
    elif unit in ("千元", "千", "k"):
        amount *= 1000
    elif unit is None:
        amount *= factor
    if amount < 0:
        return None, f"整改资金“{raw}”不能为负数。"
    return amount.quantize(Decimal("0.01")), None


_STATUS_CANON = [
    ("已销号", re.compile(r"已?销号|已?闭环|已验收|验收(通过|合格)|复查(通过|合格)|^合格$|^通过$")),
    ("未整改", re.compile(r"^(未|没有|尚未|待)(整改|治理|完成|处理|落实)|^否$|^未$|逾期")),
    ("整改中", re.compile(r"整改中|治理中|正在|进行中|处理中|部分整改")),
    (
        "已整改",
        re.compile(
            r"^已?(整改|治理|完成|处理|办结)(完毕|完成|结束)?$|^是$|^完成$|整改完成|已整改|已完成|已治理|已处理|已办结|^[√✓✔]$"
        ),
    ),
]


def normalise_status(value):
    t = halfwidth(text_of(value)).replace(" ", "")
    if not t or is_placeholder(t):
        return None
    for canon, rx in _STATUS_CANON:
        if rx.search(t):
            return canon
    return text_of(value)
