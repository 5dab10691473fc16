"""Hazard-ledger (隐患台账) import: find the header, map its columns onto our fields, read and check rows.

Real ledgers come in many layouts, so nothing here is tied to one template:

1. **The sheet and its header** (`headers`). Every sheet is read with all its rows and merged ranges
   (`core.excel.read_sheets`: .xlsx, .xls, .ods, CSV/TSV, and the HTML tables or XML 2003
   spreadsheets that web systems save as ".xls"). In the first 60 rows, each row is scored by how many of its cells
   are recognisable column names (below); the best row is the header. Title rows above it
   ("XX公司隐患排查治理台账", "填报单位：… 填报日期：…") are kept as `meta`; a form above the table
   ("被检查单位：XX公司", "检查日期 | 2024-05-06") gives every row its enterprise, found date, found
   by or region when the table has no such column (never from 填报单位/填报日期). The header grows to
   two or three rows when a neighbour row is a parent or child row: merged cells span it
   ("整改情况" over "整改措施|责任人|完成时限"), or, in a CSV without merges, a row of group labels
   has blanks exactly where the row below has names. The best-scoring sheet of a workbook is used.
2. **Column → field** (`vocabulary`, `headers`, `mapping`). A header is normalised (NFKC so full-width becomes half-width, lower case,
   leading "1、" numbering, whitespace, line breaks and punctuation removed; bracketed parts such
   as units "（万元）" or explanations "（包括工程技术措施…）" removed for matching, a unit kept as a
   multiplier for funds). Its candidates come from, in order of strength: the exact synonym table
   (score 100), keyword rules with priorities (`RULES`), a combined cell "X及Y" matched part by part,
   and for a child of a two-row header its parent as context (`CONTEXT`: under "整改情况" 时间 →
   rectified_date; under "验收" 人员 → verified_by, 时间 → closed_date; under "五落实" 责任/措施/资金/时限
   → responsible_person/measures/funds/deadline). The column's values then move the scores
   (`mapping`, with `values.value_profile`): a "隐患等级" full of numbers loses level to a "隐患类型" full of 一般/重大;
   a bare "区域" whose values end in 镇/街道/村 is a region; a date field whose values are long
   text loses. Tick columns ("治理状态" over "未治理|已治理", "隐患级别" over "一般|重大") form one
   group whose value is the label of the ticked column.
   Finally fields are given out greedily, best score first, so **no field goes to two columns**.
   A column that loses its field, or is recognised as a real ledger column we have no field for
   (photos, signatures, phones, penalties, responsible department, supervising unit, plan 预案,
   risk level, equipment, causes, a second remarks column …), maps to **"other"**: kept in the
   row's `_extra`, never imported. A header we do not recognise at all maps to **null**.
3. **Rows** (`rows`). Data rows follow the header. Skipped without counting: blank rows (a row with only a
   pre-filled 序号 is blank), a numbering row "1 2 3 …", a template hint or unit row right under
   the header ("（万元）" there sets the funds unit), repeated header rows, section rows ("一、生产车间" or one cell merged across the
   table), totals (合计/小计) and footers ("注：…", "填表人：… 审核人：…"), and rows whose
   description says nothing was found ("无隐患"). A vertically merged body cell (the same
   enterprise for several rows) is carried down to every row it spans.
4. **Checks** (`values`), each error being {"row": Excel row number, "column": original header, "message"}:
   description missing; a date that cannot be read (every form `core.cntext.parse_date` reads —
   2024-05-01, 2024.5.1, 2024年5月1日, 二〇二四年五月一日, 20240501, Excel serial numbers, 2024年5月,
   5月底前, 6月上旬, 5月20日, 年底前, ranges "5.1-5.10", with the one meaning of 月初/月底/上旬/年底
   given there; a year comes from the row's found date, else from the title — and 7天内 / 一个月内 /
   立即 counted from the found date, as is a number under "整改期限（天）"); a level other than 一般/重大
   (一般隐患, 重大事故隐患, "是否重大"=是/否 accepted; 较大 is reported); funds that are not an
   amount ("2万元" → 20000, "5000元", header unit "（万元）" multiplies; 是/否 flag columns are
   read as no amount).

`parse_ledger(source, filename)` returns a `LedgerParse`; rows hold normalised values: dates as
`datetime.date`, level "一般"/"重大", funds as `Decimal` yuan, status as 已销号/已整改/整改中/未整改 when
recognisable (else the text), everything else as trimmed text; `_extra` keeps the "other" and
unrecognised columns' text by header. A file that cannot be a ledger at all (not a table, no
recognisable header) raises ApplicationError; a header without a description column is one error
with row None. `overrides` lets the confirmation page correct the mapping.
"""

from .headers import LedgerColumn, LedgerTable
from .rows import LedgerParse, parse_ledger
from .values import normalise_status, parse_date, parse_funds, parse_level
from .vocabulary import DATE_FIELDS, FIELD_LABELS, FIELDS, header_candidates

__all__ = [
    "DATE_FIELDS",
    "FIELDS",
    "FIELD_LABELS",
    "LedgerColumn",
    "LedgerParse",
    "LedgerTable",
    "header_candidates",
    "normalise_status",
    "parse_date",
    "parse_funds",
    "parse_ledger",
    "parse_level",
]
