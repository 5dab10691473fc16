"""How well the extractor reads real plan documents: task F1, deadline and responsible-unit accuracy.

An annotated plan is a pair in `zhiben/plans/tests/data/plans/`: the document (`NN-name.txt`) and
its answer (`NN-name.json`): the tasks a person would list, each by a `key` — words that the task's
content must contain — with, where the document says it, its `deadline` (ISO dates; [] for none),
`recurrence`, `responsible` and `cooperating` units. A task marked `optional` (a clause that may
fairly be read as its own task or as part of another) is neither required nor counted against.

Extracted tasks are matched one-to-one to expected ones by key (text compared after removing
whitespace and punctuation, Traditional characters read as Simplified). Then:
- task F1 over all documents (micro), from matched / extracted (less optional) / expected;
- deadline accuracy: matched tasks with an expected deadline whose dates (and recurrence) agree;
- unit accuracy: matched tasks with expected units where every expected unit is named by an
  extracted one and every extracted one names an expected one (either containing the other).
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import parse_plan

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "plans"
_NOISE = re.compile(r"[\s\W_]+")


def _simplified(text):
    try:
        from zhiben.core.cntext import to_simplified
    except ImportError:  # pragma: no cover
        return text
    return to_simplified(text)


def squeeze(text):
    return _NOISE.sub("", _simplified(text or ""))


@dataclass
class PlanResult:
    name: str
    expected: int = 0
    extracted: int = 0
    matched: int = 0
    deadline: list = field(default_factory=lambda: [0, 0])  # right, checked
    units: list = field(default_factory=lambda: [0, 0])
    misses: list = field(default_factory=list)


def _units_agree(expected, got):
    exp, got = [squeeze(u) for u in expected], [squeeze(u) for u in got]

    def named(a, pool):
        return any(a in b or b in a for b in pool if b)

    return all(named(e, got) for e in exp) and all(named(g, exp) for g in got)


def evaluate_plan(name, text_path, answer):
    result = PlanResult(name=name)
    try:
        parsed = parse_plan(text_path.read_bytes(), text_path.name)
        tasks = parsed.tasks
    except Exception:  # noqa: BLE001 — an extractor failure scores as nothing found
        tasks = []
    contents = [squeeze(f"{t.key_task}{t.content}") for t in tasks]
    used = set()
    expected = answer["tasks"]
    # required tasks first, so an optional key never takes the task a required one needs
    order = sorted(range(len(expected)), key=lambda i: bool(expected[i].get("optional")))
    optional_hits = 0
    for i in order:
        exp = expected[i]
        key = squeeze(exp["key"])
        hit = next((j for j, c in enumerate(contents) if j not in used and key in c), None)
        if exp.get("optional"):
            if hit is not None:
                used.add(hit)
                optional_hits += 1
            continue
        result.expected += 1
        if hit is None:
            result.misses.append(f"未找到：{exp['key']}")
            continue
        used.add(hit)
        result.matched += 1
        task = tasks[hit]
        if "deadline" in exp or "recurrence" in exp:
            result.deadline[1] += 1
            dates = sorted(d.isoformat() for d in task.deadline.dates)
            ok = dates == sorted(exp.get("deadline", dates)) and (
                "recurrence" not in exp or task.deadline.recurrence == exp["recurrence"]
            )
            result.deadline[0] += ok
            if not ok:
                result.misses.append(
                    f"期限：{exp['key']} 期望 {exp.get('deadline')} {exp.get('recurrence', '')}"
                    f" → {dates} {task.deadline.recurrence}"
                )
        if "responsible" in exp or "cooperating" in exp:
            result.units[1] += 1
            ok = _units_agree(exp.get("responsible", []), task.responsible) and _units_agree(
                exp.get("cooperating", []), task.cooperating
            )
            result.units[0] += ok
            if not ok:
                result.misses.append(
                    f"单位：{exp['key']} 期望 {exp.get('responsible')}/{exp.get('cooperating', [])}"
                    f" → {task.responsible}/{task.cooperating}"
                )
    result.extracted = len(tasks) - optional_hits
    for j, t in enumerate(tasks):
        if j not in used:
            result.misses.append(f"多出：{(t.content or t.key_task)[:30]}")
    return result


def evaluate(directory=DATA):
    results = []
    for answer_path in sorted(Path(directory).glob("*.json")):
        text_path = answer_path.with_suffix(".txt")
        results.append(evaluate_plan(answer_path.stem, text_path, json.loads(answer_path.read_text("utf-8"))))
    matched = sum(r.matched for r in results)
    extracted = sum(r.extracted for r in results)
    expected = sum(r.expected for r in results)
    precision = matched / extracted if extracted else 0.0
    recall = matched / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    d_right, d_all = sum(r.deadline[0] for r in results), sum(r.deadline[1] for r in results)
    u_right, u_all = sum(r.units[0] for r in results), sum(r.units[1] for r in results)
    return {
        "plans": results,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "deadline": d_right / d_all if d_all else 0.0,
        "deadline_n": (d_right, d_all),
        "units": u_right / u_all if u_all else 0.0,
        "units_n": (u_right, u_all),
    }


def report(figures, *, misses=True):
    lines = [
        f"方案任务：F1 {figures['f1']:.2f}（精确率 {figures['precision']:.2f}，召回率 {figures['recall']:.2f}），"
        f"完成时间准确率 {figures['deadline']:.2f}（{figures['deadline_n'][0]}/{figures['deadline_n'][1]}），"
        f"责任单位准确率 {figures['units']:.2f}（{figures['units_n'][0]}/{figures['units_n'][1]}）"
    ]
    for r in figures["plans"]:
        lines.append(
            f"  {r.name} 任务 {r.matched}/{r.expected}（提取 {r.extracted}），期限 {r.deadline[0]}/{r.deadline[1]}，"
            f"单位 {r.units[0]}/{r.units[1]}"
        )
        if misses:
            lines += [f"      {m}" for m in r.misses]
    return lines
