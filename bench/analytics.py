"""Analytics at district scale on PostgreSQL: the figures API over the 300,000 hazards of bench.hazards
(30,000 enterprises, three years, a county of 5 towns and 50 villages).

Measured through the real stack (Django test client, session of the county 安委办 user):
GET /api/v1/analytics/table for the county and its towns side by side over this year — every registered
figure (hazards from their monthly roll-ups — hazards.models.FoundTally, ClosedTally, DueTally, kept by
triggers, proven equal to counting the hazards by hazards/tests/test_tallies.py — the other modules'
figures through their own queries) —
- cold: the computed-table cache emptied before each request;
- warm: the same request again within the cache's minute;
beside the raw SQL of the same aggregates (every query the cold request ran against the data, replayed
one after another through the driver) as the anchor: ratio cold p95 / raw p95. The request runs its figure
sources at once on PostgreSQL (core.parallel, settings.DB_READ_THREADS); its statements are captured with them
run one after another.
Targets (issue 22): p95 < 300 ms cold and < 50 ms warm; ratio to raw SQL ≤ 1.5.
"""

from .common import Result, for_each_database, in_django, postgres_only
from .hazards import COUNTY, ENTERPRISES, HAZARDS, _build, _time

PART = "analytics"
TARGETS = {"cold": 0.300, "warm": 0.050}
RATIO = 1.5


def run(options):
    skipped, options_pg = postgres_only(options, PART)
    if skipped:
        return skipped
    scale = (options.rows or HAZARDS) / HAZARDS

    def measure(label, url):
        out = in_django(
            url,
            "bench.analytics:measure",
            enterprises=int(ENTERPRISES * scale),
            hazards=int(HAZARDS * scale),
            samples=max(20, options.runs * 10),
        )
        data = f"{out['enterprises']:,} 家企业，{out['hazards']:,} 条隐患，{out['figures']} 项指标 × {out['rows']} 行"
        raw = out["raw"]["p95"]
        rows = []
        for key, name in (("cold", "统计表 API（冷）"), ("warm", "统计表 API（热）")):
            p = out[key]
            cold = key == "cold"
            rows.append(
                Result(
                    part=f"{PART}.{key}",
                    database=label,
                    data=data,
                    times=[p["p95"]],
                    target=TARGETS[key],
                    anchor="同一组聚合的原始 SQL p95" if cold else "",
                    note=f"{name}：p50 {p['p50'] * 1000:.1f} ms，p95 {p['p95'] * 1000:.1f} ms（{p['n']} 次）"
                    + (
                        f"；同一组聚合 {out['queries']} 条查询的原始 SQL p95 {raw * 1000:.1f} ms，比值 {p['p95'] / raw:.2f}×（目标 ≤ {RATIO}×）"
                        if cold
                        else "；一分钟内重复查看沿用已算好的表"
                    ),
                    p50=p["p50"],
                    p95=p["p95"],
                    anchor_value=round(raw * 1000, 2) if cold else None,
                    ratio=p["p95"] / raw if cold else None,
                    target_ratio=RATIO if cold else None,
                    verdict=(p["p95"] < TARGETS[key] and p["p95"] / raw <= RATIO) if cold else None,
                )
            )
        return rows

    return for_each_database(options_pg, PART, measure)


# --- runs inside the Django subprocess ---------------------------------------------------------


def measure(enterprises, hazards, samples):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from zhiben.accounts.choices import Role
    from zhiben.accounts.models import User
    from zhiben.hazards.models import Hazard

    _build(enterprises, hazards)
    user = User.objects.create(
        username="bench", name="基准", role=Role.COMMITTEE_ADMIN, region_id=COUNTY, password_changed_at=timezone.now()
    )
    client = Client()
    client.force_login(user)
    url = f"/api/v1/analytics/table?region={COUNTY}&period={timezone.localdate().year}"
    first = client.get(url)
    assert first.status_code == 200, first.content[:500]
    body = first.json()

    def cold():
        cache.clear()
        assert client.get(url).status_code == 200

    def warm():
        assert client.get(url).status_code == 200

    cold_times = _time(cold, samples)
    warm_times = _time(warm, samples)
    # the anchor: every query of a cold request that reads the data (not the session, user or cache), captured
    # with the sources run one after another on this connection (core.parallel runs them at once in threads)
    cache.clear()
    with override_settings(DB_READ_THREADS=0), CaptureQueriesContext(connection) as captured:
        client.get(url)
    skip = ("django_session", '"accounts_user"', "SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in captured.captured_queries if not any(s in q["sql"] for s in skip)]

    def raw():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace("%", "%%"))
                cursor.fetchall()

    raw()
    raw_times = _time(raw, samples)
    return {
        "enterprises": enterprises,
        "hazards": Hazard.objects.count(),
        "figures": len(body["figures"]),
        "rows": len(body["rows"]),
        "queries": len(statements),
        "cold": cold_times,
        "warm": warm_times,
        "raw": raw_times,
    }
