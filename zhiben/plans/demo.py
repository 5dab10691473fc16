"""Demo plan: 凤凰镇's real 2024–2026 plan (seed 000), imported through the plan importer and published."""

from pathlib import Path

from zhiben.accounts.models import User

from .models import Plan
from .parsing import parse_plan
from .services import plan_import


def load(stdout=None):
    if Plan.objects.exists():
        return
    path = Path(__file__).parent / "demo_data" / "fenghuang_plan_2024.txt"
    parsed = parse_plan(path.read_bytes(), path.name, year=2024)
    actor = User.objects.get(username="fhanweiban")
    plan_import(
        actor=actor,
        tasks=parsed.as_dicts(),
        parse=parsed,
        year=parsed.year,
        title=parsed.title,
        filename=path.name,
        warnings=parsed.warnings,
        region=actor.region,
        publish=True,
    )


def summary():
    return f"{Plan.objects.count()} 个行动方案"
