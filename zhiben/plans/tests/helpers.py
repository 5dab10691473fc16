"""Builders for plan tests (on top of the fixed cast in zhiben.testing)."""

from pathlib import Path

from zhiben.plans import services
from zhiben.plans.parsing import parse_plan

FIXTURES = Path(__file__).parent / "fixtures"
SEED_000 = FIXTURES / "000_a050215f287c916e.txt"


def seed_parse(year=2024):
    return parse_plan(SEED_000.read_bytes(), SEED_000.name, year=year)


def import_seed(actor, region, *, publish=True, **extra):
    """Seed 000 (凤凰镇's 2024–2026 plan, 79 tasks) imported as `actor` into `region`."""
    parsed = seed_parse()
    return services.plan_import(
        actor=actor,
        tasks=parsed.as_dicts(),
        parse=parsed,
        year=parsed.year,
        title=parsed.title,
        filename=SEED_000.name,
        warnings=parsed.warnings,
        region=region,
        publish=publish,
        **extra,
    )


def small_plan(actor, region, tasks=None, *, publish=True, title="测试方案（2024—2026年）", **extra):
    """A plan from a few task dicts; units in "responsible"/"cooperating" lists, deadline as text."""
    tasks = tasks or [
        {
            "action": "一、风险管控行动",
            "key_task": "1.源头管控",
            "content": "建立安全风险评估会商机制",
            "deadline_text": "2024年",
            "responsible": ["应急办"],
            "cooperating": [],
        },
        {
            "action": "一、风险管控行动",
            "key_task": "1.源头管控",
            "content": "开展重大事故隐患大排查",
            "deadline_text": "2024年6月底前",
            "responsible": ["应急办"],
            "cooperating": ["经发办"],
        },
        {
            "action": "二、隐患清零行动",
            "key_task": "2.督办销号",
            "content": "每季度开展一次专项督查",
            "deadline_text": "每季度",
            "responsible": ["应急办"],
            "cooperating": [],
        },
        {
            "action": "二、隐患清零行动",
            "key_task": "2.督办销号",
            "content": "定期晾晒考核",
            "deadline_text": "长期坚持",
            "responsible": ["镇安委会办公室"],
            "cooperating": [],
        },
    ]
    return services.plan_import(
        actor=actor, tasks=tasks, year=2024, title=title, region=region, publish=publish, **extra
    )
