"""Import quality (issue 24), not speed: the header mapper's per-column accuracy over the annotated
ledgers and the plan extractor's task F1 / deadline / unit accuracy over the annotated plans, as printed
by `manage.py ledger_quality` and `manage.py plan_quality`. No database is used; the time is the
harness's own."""

import subprocess
import sys
from time import perf_counter

from .common import ROOT, Result

PART = "import_quality"
COMMANDS = [("台账表头", "ledger_quality"), ("方案任务", "plan_quality")]


def run(options):
    results = []
    for label, command in COMMANDS:
        start = perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", command, "--quiet"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        elapsed = perf_counter() - start
        lines = done.stdout.strip().splitlines()
        print("\n".join(lines), flush=True)
        results.append(
            Result(
                part=PART,
                database="—",
                data=label,
                times=[elapsed],
                note=lines[0] if lines else done.stderr.strip()[-200:],
                failed=done.returncode != 0,
            )
        )
    return results
