"""Deadline text → milestone dates and/or a recurrence.

A plan writes its deadlines as free text: "2024年6月底前", "2025年 2026年", "每季度", "长期坚持",
"年底前" (the plan's own year), "2024年第三季度", "上半年". `parse_deadline` reads one deadline cell;
`extract_inline_deadline` reads the dates a prose task mentions ("…，2022年底前全部考取执法证").

What is plan-specific lives here: the scanner that finds every milestone in a text (a year range
"2025—2026年" or "2025年 2026年" is one milestone per year, a year-less month follows the last year
named), start dates ("2024年起"), baselines in prose ("2023年以来"), and recurrences (每年, 每季度,
长期坚持). What each date means — 月初, 月底, 上旬, 年初, 年底, quarters, halves — is read by
`core.cntext.parse_date` as a deadline, the same reading the hazard-ledger importer uses.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from zhiben.core.cntext import DateError, date_digits, halfwidth, parse_date

ONCE, YEARLY, SEMIANNUAL, QUARTERLY, MONTHLY, ONGOING = (
    "once",
    "yearly",
    "semiannual",
    "quarterly",
    "monthly",
    "ongoing",
)
RECURRENCES = (ONCE, YEARLY, SEMIANNUAL, QUARTERLY, MONTHLY, ONGOING)

_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_PART = r"(?:上旬|中旬|下旬|月初|月底|月末|月中|底|末|中|初)"
_NOT_NUM = r"(?<![\d一二三四五六七八九十两几])"

# One scanner, longest forms first; every alternative names its groups by kind.
_TOKEN = re.compile(
    "|".join(
        [
            rf"(?P<full_y>20\d\d)\s*[年.\-/]\s*(?P<full_m>{_MONTH})\s*[月.\-/]\s*(?P<full_d>{_DAY})\s*[日号]?(?!\d)",
            rf"(?P<yr1>20\d\d)\s*年?\s*(?:-|至|到)\s*(?P<yr2>20\d\d)\s*年(?!\s*{_MONTH}\s*月|\s*[上下]半年|\s*第?\s*[一二三四1-4]\s*季)",
            rf"(?P<mon_y>20\d\d)\s*年\s*(?P<mon_m>{_MONTH})\s*月份?\s*(?P<mon_p>{_PART})?",
            r"(?P<q_y>20\d\d)\s*年\s*(?:第\s*)?(?P<q_q>[一二三四1-4])\s*季度?(?:末|底)?",
            r"(?P<h_y>20\d\d)\s*年\s*(?P<h_h>上半年|下半年|年初|年中|年底|年末|年内|年度|初|底|末|内|中|度)?",
            rf"(?P<num_y>20\d\d)\s*[.\-/]\s*(?P<num_m>{_MONTH})(?![\d.\-/])",
            rf"(?P<md_m>{_NOT_NUM}{_MONTH})\s*月\s*(?P<md_d>{_DAY})\s*[日号]",
            rf"(?P<m_m>{_NOT_NUM}{_MONTH})\s*月份?\s*(?P<m_p>{_PART})?",
            r"(?P<yq_q>(?<![\d年])(?:第\s*)?[一二三四1-4])\s*季度(?:末|底)?",
            rf"(?P<yh_h>{_NOT_NUM}(?:上半年|下半年|年初|年中|年底|年末|年内|当年|本年|今年|年度内))",
            r"(?P<next>明年|次年|下一年)",
            r"(?P<bare_y>(?<!\d)20\d\d)(?![\d年.\-/])",
        ]
    )
)

_PERIODIC = [
    (SEMIANNUAL, re.compile(r"每半年|半年一次|每半年度|每个?半年")),
    (QUARTERLY, re.compile(r"每季|按季|季度一次|逐季|每个季度")),
    (MONTHLY, re.compile(r"每月|按月|每个月|月度|逐月")),
    (YEARLY, re.compile(r"每年|每一年|按年|逐年|一年一次|每个?年度")),
    (ONGOING, re.compile(r"每周|每旬|每日|每天|按周|每星期")),
]
_ONGOING = re.compile(r"长期|持续|常态|经常|日常|全年|常年|定期|不定期|随时|动态|滚动|始终|坚持")
_PROSE_ONGOING = re.compile(r"长期坚持|持续推进|长期开展|长期执行|常态化推进")
_START_AFTER = re.compile(r"\s*(?:年?起|开始|以来|以后|之后|至今)")
_STARTS = re.compile(r"\s*(?:年?起|开始)")
_AS_OF = re.compile(r"(?:截至|截止到)\s*$")  # searched in the few characters before a date
_PROSE_SKIP_AFTER = re.compile(r"\s*(?:年?起|开始|以来|以后|之后|至今|及以前|以前|之前|本[）)]|版|的)")
_RANGE_JOIN = re.compile(r"^\s*(?:-|至|到|~)\s*$")
_BRACKETED = re.compile(r"《[^《》]*》|“[^“”]*”|\"[^\"]*\"|（[^（）]*）|\([^()]*\)")


@dataclass
class Deadline:
    """What a deadline text means: milestone dates (in order), a recurrence, or neither."""

    text: str = ""
    dates: list = field(default_factory=list)
    recurrence: str | None = None

    @property
    def ok(self):
        return bool(self.dates or self.recurrence)

    def as_json(self):
        """The JSON form of the deadline: None, one ISO date, or a list of them."""
        if not self.dates:
            return None
        if len(self.dates) == 1:
            return self.dates[0].isoformat()
        return [d.isoformat() for d in self.dates]


def normalise(text):
    """Full-width digits and punctuation to ASCII, a Chinese-numeral date in digits ("二〇二四年六月" →
    "2024年6月"), dashes unified, runs of blanks collapsed."""
    text = date_digits(halfwidth(text))
    text = re.sub(r"[—–―─~～]+", "-", text)
    return re.sub(r"\s+", " ", text).strip()


_YEAR_GROUPS = ("full_y", "mon_y", "q_y", "h_y", "num_y", "bare_y")


def _token_dates(m, plan_year, last_year):
    """Dates one scanner match stands for (read by `core.cntext`, as deadlines), and the explicit
    year it carried (or None). A year range "2025-2026年" is a milestone at the end of each year."""
    g = m.groupdict()
    if g["yr1"]:
        y1, y2 = int(g["yr1"]), int(g["yr2"])
        return ([date(y, 12, 31) for y in range(y1, y2 + 1)], y2) if y1 <= y2 <= y1 + 10 else ([], None)
    try:
        found = parse_date(m.group(0), year=plan_year if g["next"] else (last_year or plan_year), end=True)
    except DateError:  # 2月30日 and the like
        return [], None
    explicit = next((int(g[k]) for k in _YEAR_GROUPS if g[k]), None)
    return ([found] if found else []), explicit


def _scan(text, plan_year, *, prose=False):
    """[(match text, dates)] for the milestones in text, skipping start dates ("2024年起") and,
    in prose, baselines ("2023年及以前", "2023年以来"); a "2024年6月至2025年12月" range keeps its end."""
    found, starts, last_year, prev = [], [], None, None
    for m in _TOKEN.finditer(text):
        if prose and m.group("bare_y"):
            continue
        dates, explicit_year = _token_dates(m, plan_year, last_year)
        if not dates:
            continue
        if explicit_year:
            last_year = explicit_year
        start = _START_AFTER.match(
            text, m.end()
        )  # at the token's end, not in a copy of the rest (a long text has many)
        if start and not (prose and not _STARTS.match(text, m.end())):
            starts.append(m.group(0).strip() + start.group(0).strip())
            prev = None
            continue
        if prose and (_PROSE_SKIP_AFTER.match(text, m.end()) or _AS_OF.search(text, max(0, m.start() - 20), m.start())):
            prev = None
            continue
        if prev is not None and _RANGE_JOIN.match(text[prev[0].end() : m.start()]):
            both_years = prev[0].group("h_y") and not prev[0].group("h_h") and m.group("h_y") and not m.group("h_h")
            if not both_years:
                found.pop()
        label = m.group(0).strip() + ("前" if text.startswith("前", m.end()) else "")
        found.append((label, dates))
        prev = (m, dates)
    return found, starts


def _recurrence(text, *, prose=False):
    for name, pattern in _PERIODIC:
        m = pattern.search(text)
        if m:
            return name, m.group(0)
    m = (_PROSE_ONGOING if prose else _ONGOING).search(text)
    if m:
        return ONGOING, m.group(0)
    return None, ""


def _ordered_unique(dates):
    out = []
    for d in sorted(dates):
        if d not in out:
            out.append(d)
    return out


def parse_deadline(text, year):
    """Read one deadline cell. `year` is the plan's year, used for "年底前", "12月", "上半年".

    >>> parse_deadline("2024年6月底前", 2024).as_json()
    '2024-06-30'
    """
    raw = (text or "").strip()
    result = Deadline(text=re.sub(r"\s+", " ", raw))
    if not raw:
        return result
    norm = normalise(raw)
    outside = _BRACKETED.sub(" ", norm)
    found, starts = _scan(outside, year)
    if not found and outside != norm:
        found, starts = _scan(norm, year)
    dates = _ordered_unique([d for _, ds in found for d in ds])
    recurrence, _ = _recurrence(outside)
    if recurrence is None and outside != norm:
        recurrence, _ = _recurrence(norm)
    if recurrence is None and starts and not dates:
        recurrence = ONGOING
    if recurrence is None and dates:
        recurrence = ONCE
    result.dates, result.recurrence = dates, recurrence
    return result


def extract_inline_deadline(text, year):
    """The deadlines a prose task states in passing: "2022年底前…", "每年至少开展1次", "年内…".

    Dates inside 《》, quotes and brackets are ignored (titles, slogans, side notes), as are
    baselines ("2023年及以前", "2023年以来") and start dates ("2024年起"). When the text names
    dates, a mere "持续…" does not make it ongoing. The result's `text` lists what was found.
    """
    norm = normalise(text)
    outside = _BRACKETED.sub(" ", norm)
    found, starts = _scan(outside, year, prose=True)
    dates = _ordered_unique([d for _, ds in found for d in ds])
    recurrence, phrase = _recurrence(outside, prose=True)
    if recurrence == ONGOING and dates and phrase and _PROSE_ONGOING.match(phrase):
        recurrence, phrase = None, ""
    if recurrence is None and starts and not dates:
        recurrence, phrase = ONGOING, starts[0]
    parts = []
    for t, _ in found:
        if t not in parts:
            parts.append(t)
    if phrase:
        parts.append(phrase)
    if recurrence is None and dates:
        recurrence = ONCE
    return Deadline(text="、".join(parts), dates=dates, recurrence=recurrence)
