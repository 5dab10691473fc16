"""How well the header mapper reads real layouts: per-field accuracy over annotated ledgers.

An annotated ledger (`zhiben/hazards/tests/data/ledgers/*.json`) lists its columns in order, each
with the header as written, the field(s) a person would give it (`expect`: one field, or a list of
equally right ones, e.g. the losing one of two competing columns may go to remarks or other), a
few values as they appear in the source, and for system exports the English field code (`code`).
Each ledger is written out as a CSV with those values as rows and read by `parse_ledger` exactly as
an upload would be; a layout with codes is read a second time with the codes as headers.

`evaluate()` returns the figures printed by `manage.py ledger_quality` and `make bench`:
- exact: columns mapped to an expected field / all columns;
- lenient: the same, an unrecognised column (null) counting as right where "other" is expected;
- by field: exact accuracy grouped by the first expected field.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from zhiben.core.exceptions import ApplicationError

from .rows import parse_ledger

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "ledgers"
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass
class LayoutResult:
    name: str
    variant: str  # "表头" or "代码"
    columns: list = field(default_factory=list)  # (header, expected list, got)

    @property
    def exact(self):
        return sum(1 for _, exp, got in self.columns if got in exp)

    @property
    def lenient(self):
        return sum(1 for _, exp, got in self.columns if got in exp or (got is None and "other" in exp))


def load_layouts(directory=DATA):
    """[(name, {"kind", "columns"})] of every annotated ledger in the directory, by file name."""
    return [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(Path(directory).glob("*.json"))]


def variants(layout):
    """("表头", [headers]) always; when every column has an identifier-like field code also ("代码", [codes])
    and ("表头+代码", [headers, codes]): the names with the codes in a second header row."""
    cols = layout["columns"]
    names = [c["header"] for c in cols]
    out = [("表头", [names])]
    codes = [c.get("code", "") for c in cols]
    if all(_CODE.match(code or "") for code in codes):
        out += [("代码", [codes]), ("表头+代码", [names, codes])]
    return out


def layout_csv(headers, columns):
    """The layout as CSV bytes: the header row(s), then the annotated values row by row."""
    depth = max((len(c.get("values", [])) for c in columns), default=0)
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in headers if headers and isinstance(headers[0], list) else [headers]:
        writer.writerow(row)
    for r in range(depth):
        writer.writerow([(c.get("values") or [])[r] if r < len(c.get("values") or []) else "" for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def evaluate_layout(name, layout):
    results = []
    for variant, rows in variants(layout):
        result = LayoutResult(name=name, variant=variant)
        try:
            parsed = parse_ledger(layout_csv(rows, layout["columns"]), f"{name}.csv")
            got = {c.index: c.field for c in parsed.columns}
        except ApplicationError:
            got = {}
        for i, (header, col) in enumerate(zip(rows[0], layout["columns"], strict=True)):
            expected = col["expect"] if isinstance(col["expect"], list) else [col["expect"]]
            result.columns.append((header, expected, got.get(i)))
        results.append(result)
    return results


def evaluate(directory=DATA):
    """{"layouts": [LayoutResult], "columns", "exact", "lenient", "by_field": {field: (right, total)}}."""
    layouts = []
    for name, layout in load_layouts(directory):
        layouts += evaluate_layout(name, layout)
    by_field = {}
    for res in layouts:
        for _, expected, got in res.columns:
            right, total = by_field.get(expected[0], (0, 0))
            by_field[expected[0]] = (right + (got in expected), total + 1)
    total = sum(len(r.columns) for r in layouts)
    return {
        "layouts": layouts,
        "columns": total,
        "exact": sum(r.exact for r in layouts) / total if total else 0.0,
        "lenient": sum(r.lenient for r in layouts) / total if total else 0.0,
        "by_field": by_field,
    }


def report(figures, *, misses=True):
    """The figures as printable lines (Chinese labels)."""
    lines = [
        f"台账表头：{figures['columns']} 列，逐列准确率 {figures['exact']:.1%}"
        f"（未识别列按“其他”计：{figures['lenient']:.1%}）"
    ]
    for res in figures["layouts"]:
        lines.append(f"  {res.name}［{res.variant}］ {res.exact}/{len(res.columns)}")
    lines.append("  按字段：")
    for f, (right, total) in sorted(figures["by_field"].items(), key=lambda kv: -kv[1][1]):
        lines.append(f"    {f:<20} {right}/{total}  {right / total:.0%}")
    if misses:
        lines.append("  未对的列（表头：期望 → 实际）：")
        for res in figures["layouts"]:
            for header, expected, got in res.columns:
                if got not in expected:
                    lines.append(f"    {res.name}［{res.variant}］ {header}：{'|'.join(expected)} → {got}")
    return lines
