"""Self-inspection compliance at district scale on PostgreSQL: 30,000 enterprises and three years of
self-inspection records (about 9 million rows, loaded with INSERT … SELECT on the server).

Measured: one month's compliance (every operating enterprise against every duty binding it, the
selector the page and its export use) for one town and for the whole district, beside the raw SQL of
its grouped count (the anchor). Targets (DESIGN.md): a town < 1 s, the district < 5 s.
"""

from datetime import timedelta
from time import perf_counter

from .common import Result, for_each_database, in_django, postgres_only
from .hazards import COUNTY, ENTERPRISES, _build, _pct

PART = "selfchecks"
YEARS = 3
TARGETS = {"town": 1.0, "district": 5.0}
# Share of enterprises keeping a daily record (the rest keep the weekly, monthly and principal duties):
# with 30,000 enterprises this gives about 9 million rows over three years.
DAILY_SHARE = 0.09
KEPT = 0.93  # share of duty periods with a record


def run(options):
    skipped, options_pg = postgres_only(options, PART)
    if skipped:
        return skipped
    scale = (options.rows or ENTERPRISES) / ENTERPRISES

    def measure(label, url):
        out = in_django(
            url, "bench.selfchecks:measure", enterprises=int(ENTERPRISES * scale), runs=max(3, options.runs)
        )
        data = f"{out['enterprises']:,} 家企业，{out['records']:,} 条自查记录（{YEARS} 年，生成 {out['build']:.0f} s）"
        rows = []
        for key, name in (("town", "一个镇"), ("district", "全区")):
            p = out[key]
            rows.append(
                Result(
                    part=f"{PART}.{key}",
                    database=label,
                    data=data,
                    times=p["times"],
                    target=TARGETS[key],
                    anchor="原始 SQL",
                    anchor_value=round(p["raw"] * 1000, 2),
                    ratio=p["median"] / p["raw"],
                    note=f"{name}{out['month']}完成情况：{p['enterprises']:,} 家企业 × 适用制度，"
                    f"中位数 {p['median'] * 1000:.0f} ms；同一分组计数的原始 SQL {p['raw'] * 1000:.0f} ms，"
                    f"比值 {p['median'] / p['raw']:.2f}×；本月记录 {p['month_records']:,} 条",
                )
            )
        return rows

    return for_each_database(options_pg, PART, measure)


# --- runs inside the Django subprocess ---------------------------------------------------------

BUCKET_SQL = {
    # the same buckets as zhiben/selfchecks/periods.py bucket_of()
    "day": "(d - DATE '0001-01-01') + 1",
    "week": "((d - DATE '0001-01-01')) / 7",
    "month": "EXTRACT(YEAR FROM d)::int * 12 + EXTRACT(MONTH FROM d)::int - 1",
    "quarter": "EXTRACT(YEAR FROM d)::int * 4 + (EXTRACT(MONTH FROM d)::int - 1) / 3",
}
STEP = {"day": "1 day", "week": "7 days", "month": "1 month", "quarter": "3 months"}


def _load_records(start, end):
    """Three years of records for every enterprise, generated on the server with the indexes dropped
    during the load and rebuilt after it."""
    from django.db import connection

    from zhiben.selfchecks.models import Duty, SelfInspection

    table = SelfInspection._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = [(name, sql) for name, sql in cursor.fetchall() if not name.endswith("_pkey")]
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for duty in Duty.objects.filter(active=True):
            who = {
                "all": "TRUE",
                "ordinary": "NOT e.high_risk",
                "high_risk": "e.high_risk",
            }[duty.applies_to]
            if duty.frequency == "day":
                who += f" AND MOD(e.id, 1000) < {int(DAILY_SHARE * 1000)}"
            cursor.execute(
                f"""
                INSERT INTO {table} (enterprise_id, duty_id, date, bucket, inspector, participants, scope,
                                     findings, note, source, created_at)
                SELECT e.id, %s, d, {BUCKET_SQL[duty.frequency]}, '张三', '', '一车间', 0, '', 'import', now()
                FROM enterprises_enterprise e
                CROSS JOIN LATERAL (
                    SELECT (g + MOD(e.id * 7 + EXTRACT(DOY FROM g)::int, %s) * INTERVAL '1 day')::date AS d
                    FROM generate_series(%s::date, %s::date, INTERVAL '{STEP[duty.frequency]}') AS g
                ) AS days
                WHERE {who} AND d <= %s AND random() < {KEPT}
                """,
                [duty.pk, {"day": 1, "week": 7, "month": 28, "quarter": 90}[duty.frequency], start, end, end],
            )
        for _, sql in indexes:
            cursor.execute(sql)
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def measure(enterprises, runs):
    import random

    from django.db import connection
    from django.utils import timezone

    from zhiben.accounts.choices import Role
    from zhiben.accounts.models import User
    from zhiben.enterprises.models import Enterprise
    from zhiben.selfchecks import selectors
    from zhiben.selfchecks.periods import window_containing

    t0 = perf_counter()
    town = _build(enterprises, 0)
    today = timezone.localdate()
    start = today.replace(day=1) - timedelta(days=365 * YEARS)
    rng = random.Random(11)
    Enterprise.objects.update(created_at=timezone.now() - timedelta(days=365 * YEARS + 40))
    high = [pk for pk in Enterprise.objects.values_list("pk", flat=True) if rng.random() < 0.1]
    Enterprise.objects.filter(pk__in=high).update(high_risk=True)
    records = _load_records(start, today)
    build = perf_counter() - t0
    user = User.objects.create(
        username="bench", name="基准", role=Role.COMMITTEE_ADMIN, region_id=COUNTY, password_changed_at=timezone.now()
    )
    window = window_containing(today.replace(day=1) - timedelta(days=1))  # the last full month
    out = {"enterprises": enterprises, "records": records, "build": build, "month": window.label}
    for key, region in (("town", town.code[:9]), ("district", "")):
        selectors.compliance(user=user, window=window, region=region)  # warm
        times = []
        for _ in range(runs):
            t1 = perf_counter()
            rows, duties, summary = selectors.compliance(user=user, window=window, region=region)
            times.append(perf_counter() - t1)
        raw = _raw_anchor(connection, window, duties, region, runs)
        month_records = _count(connection, window, region)
        out[key] = {
            "times": times,
            "median": sorted(times)[len(times) // 2],
            "raw": raw,
            "enterprises": summary["total"],
            "month_records": month_records,
        }
    return out


def _raw_anchor(connection, window, duties, region, runs):
    """The grouped count the selector runs, as one hand-written statement."""
    from django.utils import timezone

    from zhiben.selfchecks.periods import bucket_of

    today = timezone.localdate()
    parts, params = [], []
    for d in duties:
        span = window.buckets(d.frequency)
        parts.append("(s.duty_id = %s AND s.bucket >= %s AND s.bucket < %s)")
        params += [d.pk, span.start, span.stop]
    ended = " OR ".join(f"(s.duty_id = {d.pk} AND s.bucket < {bucket_of(today, d.frequency)})" for d in duties)
    where_region = "AND e.region_id LIKE %s" if region else ""
    sql = f"""
        SELECT s.enterprise_id, s.duty_id, COUNT(DISTINCT s.bucket),
               COUNT(DISTINCT s.bucket) FILTER (WHERE {ended})
        FROM selfchecks_selfinspection s JOIN enterprises_enterprise e ON e.id = s.enterprise_id
        WHERE ({" OR ".join(parts)}) AND e.status = 'operating' {where_region}
        GROUP BY 1, 2
    """
    if region:
        params.append(region + "%")
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):
            t0 = perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(perf_counter() - t0)
    return _pct(times[1:])["p50"]


def _count(connection, window, region):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM selfchecks_selfinspection s JOIN enterprises_enterprise e ON e.id = s.enterprise_id "
            "WHERE s.date BETWEEN %s AND %s AND e.region_id LIKE %s",
            [window.start, window.end, (region or COUNTY[:6]) + "%"],
        )
        return cursor.fetchone()[0]
