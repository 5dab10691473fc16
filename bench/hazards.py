"""Hazards at district scale on PostgreSQL: 30,000 enterprises, 300,000 hazards over three years.

Measured through the real stack (Django test client, session of a county 安委办 user):
- the ledger list: a town, open hazards, sorted by deadline, page 1 — HTML page and API, beside the raw
  SQL of the same list query (ratio endpoint / raw);
- the hazard detail page;
- a workflow transition (verify) through the service;
- API intake throughput: POST /api/v1/hazards/ one after another, with audit and events.
Targets (DESIGN.md): list p95 < 100 ms, detail p95 < 50 ms, intake ≥ 100/s.
"""

import random
import statistics
from datetime import timedelta
from time import perf_counter

from .common import Result, for_each_database, in_django, postgres_only

PART = "hazards"
ENTERPRISES = 30_000
HAZARDS = 300_000
COUNTY = "500106000000"
TOWNS = range(101, 106)
VILLAGES = range(1, 11)
TARGETS = {"list": 0.100, "detail": 0.050}
LIST_RATIO = 1.5  # list p95 ≤ 1.5× the raw SQL of the same page query
INTAKE_RATIO = 0.20  # intake at 4 processes ≥ 20% of the plain INSERT rate
BATCH = 1000  # hazards in one POST /api/v1/hazards/batch; target < 1 s on PostgreSQL


def run(options):
    skipped, options_pg = postgres_only(options, PART)
    if skipped:
        return skipped
    scale = (options.rows or HAZARDS) / HAZARDS

    def measure(label, url):
        out = in_django(
            url,
            "bench.hazards:measure",
            enterprises=int(ENTERPRISES * scale),
            hazards=int(HAZARDS * scale),
            samples=max(20, options.runs * 20),
        )
        data = f"{out['enterprises']:,} 家企业，{out['hazards']:,} 条隐患（生成 {out['build']:.0f} s）"
        rows = []
        for key, _name in (
            ("list_html", "台账列表页"),
            ("list_api", "台账列表 API"),
            ("detail", "隐患详情页"),
            ("transition", "核实（状态变更）"),
        ):
            p = out[key]
            target = TARGETS["list"] if key.startswith("list") else TARGETS["detail"] if key == "detail" else None
            note = f"p50 {p['p50'] * 1000:.1f} ms，p95 {p['p95'] * 1000:.1f} ms（{p['n']} 次）"
            if key.startswith("list"):
                note += (
                    f"；同一查询的原始 SQL p95 {out['raw_sql']['p95'] * 1000:.1f} ms，比值 {p['p95'] / out['raw_sql']['p95']:.2f}×（目标 ≤ 1.5×）；"
                    f"原始 SQL 加分页总数 p95 {out['raw_with_count']['p95'] * 1000:.1f} ms，比值 {p['p95'] / out['raw_with_count']['p95']:.2f}×；"
                    f"筛选后 {out['filtered']:,} 条"
                )
            listing = key.startswith("list")
            raw = out["raw_sql"]["p95"]
            rows.append(
                Result(
                    part=f"{PART}.{key}",
                    database=label,
                    data=data,
                    times=[p["p95"]],
                    target=target,
                    anchor="原始 SQL p95" if listing else "",
                    note=note,
                    p50=p["p50"],
                    p95=p["p95"],
                    anchor_value=round(raw * 1000, 2) if listing else None,
                    ratio=p["p95"] / raw if listing else None,
                    target_ratio=LIST_RATIO if listing else None,
                )
            )
        rate = out["intake"]
        rows.append(
            Result(
                part=f"{PART}.intake",
                database=label,
                data=data,
                times=[rate["seconds"]],
                anchor="同机纯 INSERT 条/秒",
                anchor_value=round(rate["plain_rate"], 1),
                ratio=rate["parallel"]["n"] / rate["parallel"]["seconds"] / rate["plain_rate"],
                target_ratio=INTAKE_RATIO,
                ratio_at_least=True,
                note=f"API（令牌）连续上报 {rate['n']} 条用时 {rate['seconds']:.2f} s = {rate['n'] / rate['seconds']:.0f} 条/秒（含审计与事件）；"
                f"{rate['parallel']['workers']} 个进程并发 {rate['parallel']['n']} 条用时 {rate['parallel']['seconds']:.2f} s = "
                f"{rate['parallel']['n'] / rate['parallel']['seconds']:.0f} 条/秒；同机纯 INSERT {rate['plain_rate']:.0f} 条/秒",
            )
        )
        rows.append(
            Result(
                part=f"{PART}.batch",
                database=label,
                data=f"{BATCH:,} 条/批（API 一次调用）",
                times=out["batch"],
                target=1.0,
                anchor="",
                note=f"POST /api/v1/hazards/batch {BATCH:,} 条（含编号、事件与审计，全部或全不）：中位数 "
                f"{statistics.median(out['batch']):.2f} s = {BATCH / statistics.median(out['batch']):,.0f} 条/秒",
            )
        )
        return rows

    return for_each_database(options_pg, PART, measure)


# --- runs inside the Django subprocess ---------------------------------------------------------


def _pct(samples):
    samples = sorted(samples)
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1], "n": len(samples)}


def _build(n_enterprises, n_hazards):
    from django.db import connection
    from django.utils import timezone

    from zhiben.enterprises.models import Enterprise
    from zhiben.enterprises.validators import CHARSET, make_credit_code
    from zhiben.hazards.models import Hazard
    from zhiben.regions.models import Industry, Region, Unit
    from zhiben.regions.services import region_import

    rows = [("500000000000", "重庆市"), ("500100000000", "市辖区"), (COUNTY, "沙坪坝区")]
    rows += [(f"500106{t:03d}000", f"第{t - 100}镇") for t in TOWNS]
    rows += [(f"500106{t:03d}{v:03d}", f"第{t - 100}镇第{v}村") for t in TOWNS for v in VILLAGES]
    region_import(actor=None, rows=[(i, code, name) for i, (code, name) in enumerate(rows, start=1)])
    industries = list(Industry.objects.all())
    for t in TOWNS:
        unit = Unit.objects.create(name=f"第{t - 100}镇应急办", kind="department", region_id=f"500106{t:03d}000")
        unit.industries.set(industries)
    villages = [f"500106{t:03d}{v:03d}" for t in TOWNS for v in VILLAGES]
    rng = random.Random(7)
    now = timezone.now()
    codes = set()
    ent_rows = []
    for i in range(n_enterprises):
        body = "91500106" + "".join(rng.choice(CHARSET) for _ in range(9))
        while body in codes:
            body = "91500106" + "".join(rng.choice(CHARSET) for _ in range(9))
        codes.add(body)
        ent_rows.append(
            {
                "credit_code": make_credit_code(body),
                "name": f"基准企业{i}有限公司",
                "region_id": rng.choice(villages),
                "industry_id": rng.choice(industries).id,
                "created_at": now,
                "updated_at": now,
            }
        )
    _copy(Enterprise, ent_rows)
    enterprises = list(Enterprise.objects.values_list("id", "region_id", "industry_id"))
    today = timezone.localdate()
    start = today - timedelta(days=3 * 365)
    statuses = ["closed"] * 14 + ["rectifying"] * 3 + ["verified", "submitted", "reported"]
    texts = [
        "配电箱未接地，电线私拉乱接",
        "安全出口被货物堵塞",
        "灭火器过期未更换",
        "有限空间未设置警示标志",
        "粉尘作业区积尘严重",
    ]
    hz_rows = []
    for i in range(n_hazards):
        ent_id, region, industry = rng.choice(enterprises)
        found = start + timedelta(days=rng.randint(0, 3 * 365))
        deadline = found + timedelta(days=rng.choice([7, 15, 30, 60, 90]))
        status = rng.choice(statuses)
        level = "major" if rng.random() < 0.01 else "general"
        closed_day = min(found + timedelta(days=rng.randint(1, 120)), today) if status == "closed" else None
        hz_rows.append(
            {
                "number": f"YH500106{found.year}{i:07d}",
                "enterprise_id": ent_id,
                "region_id": region,
                "industry_id": industry,
                "channel": rng.choice(["self", "supervision", "enforcement", "public"]),
                "level": level,
                "listed_level": "county" if level == "major" and rng.random() < 0.3 else "",
                "description": rng.choice(texts),
                "found_date": found,
                "status": status,
                "deadline": deadline,
                "rectified_date": closed_day,
                "closed_at": _noon(closed_day) if closed_day else None,
                "original_deadline": deadline,
                "created_at": now,
                "updated_at": now,
            }
        )
    _copy(Hazard, hz_rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return Region.objects.get(code=f"500106{TOWNS[0]:03d}000")


def _noon(day):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(12)))


def _copy(model, dicts):
    """Bulk-load plain dicts through COPY; fields not given take their model default ('' or None)."""
    from zhiben.core.db import insert_rows

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in fields}
    names = [f.attname for f in fields]
    insert_rows(model, [f.column for f in fields], [tuple(d.get(n, defaults[n]) for n in names) for d in dicts])


def _time(fn, n):
    samples = []
    for _ in range(n):
        t0 = perf_counter()
        fn()
        samples.append(perf_counter() - t0)
    return _pct(samples)


def measure(enterprises, hazards, samples):
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from zhiben.accounts.choices import Role
    from zhiben.accounts.models import User
    from zhiben.hazards import selectors, services
    from zhiben.hazards.models import Hazard

    t0 = perf_counter()
    town = _build(enterprises, hazards)
    build = perf_counter() - t0
    user = User.objects.create(
        username="bench", name="基准", role=Role.COMMITTEE_ADMIN, region_id=COUNTY, password_changed_at=timezone.now()
    )
    client = Client()
    client.force_login(user)
    filters = {"region": town.code, "status": "open", "sort": "deadline"}
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    for url in (f"/hazards/?{query}", f"/api/v1/hazards/?{query}"):
        assert client.get(url).status_code == 200  # warm up
    list_html = _time(lambda: client.get(f"/hazards/?{query}"), samples)
    list_api = _time(lambda: client.get(f"/api/v1/hazards/?{query}"), samples)
    qs = selectors.hazard_list(user=user, filters=filters)
    sql, params = qs[:20].query.sql_with_params()

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    raw_sql = _time(raw, samples)
    filtered = qs.count()

    def raw_with_count():  # what a paginated endpoint must run: the page and the total
        raw()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql_all}) AS sub", params_all)
            cursor.fetchone()

    sql_all, params_all = qs.order_by().values("id").query.sql_with_params()
    raw_count = _time(raw_with_count, samples)
    ids = list(
        Hazard.objects.filter(region_id__gte=town.code, region_id__lte=town.code[:9] + "999").values_list(
            "id", flat=True
        )[:samples]
    )
    ids_iter = iter(ids * 2)
    detail = _time(lambda: client.get(f"/hazards/{next(ids_iter)}/"), samples)
    pending = iter(
        Hazard.objects.filter(status="reported", region_id__gte=town.code, region_id__lte=town.code[:9] + "999")[
            :samples
        ]
    )
    transition = _time(lambda: services.hazard_transition(actor=user, hazard=next(pending), action="verify"), samples)
    enterprise_ids = list(
        Hazard.objects.filter(region_id__gte=town.code, region_id__lte=town.code[:9] + "999").values_list(
            "enterprise_id", flat=True
        )[:50]
    )
    from zhiben.accounts.services import api_token_create

    _, key = api_token_create(actor=user, name="基准接入")
    client = Client(headers={"Authorization": f"Bearer {key}"})  # integrations post with a token, not a browser session
    n = 300
    t0 = perf_counter()
    for i in range(n):
        response = client.post(
            "/api/v1/hazards/",
            {
                "enterprise": enterprise_ids[i % len(enterprise_ids)],
                "channel": "supervision",
                "description": f"基准上报隐患第{i}条：消防通道堵塞",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    seconds = perf_counter() - t0
    parallel = _parallel_intake(key, enterprise_ids, workers=4, per_worker=150)
    batch = []
    for run in range(3):
        items = [
            {
                "enterprise": enterprise_ids[i % len(enterprise_ids)],
                "description": f"批量接入第{run}批第{i}条：消防通道堵塞",
            }
            for i in range(BATCH)
        ]
        t0 = perf_counter()
        response = client.post("/api/v1/hazards/batch", {"items": items}, content_type="application/json")
        batch.append(perf_counter() - t0)
        assert response.status_code == 201, response.content[:500]
    t0 = perf_counter()
    with connection.cursor() as cursor:
        for i in range(n):
            cursor.execute("INSERT INTO core_counter (key, value) VALUES (%s, %s)", [f"bench-{i}", i])
    plain_rate = n / (perf_counter() - t0)
    return {
        "enterprises": enterprises,
        "hazards": Hazard.objects.count(),
        "build": build,
        "list_html": list_html,
        "list_api": list_api,
        "raw_sql": raw_sql,
        "raw_with_count": raw_count,
        "filtered": filtered,
        "detail": detail,
        "transition": transition,
        "intake": {"n": n, "seconds": seconds, "plain_rate": plain_rate, "parallel": parallel},
        "batch": batch,
    }


def _intake_worker(args):
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    django.setup()
    from django.db import connections
    from django.test import Client

    key, enterprise_ids, count, offset = args
    connections.close_all()
    client = Client(headers={"Authorization": f"Bearer {key}"})
    for i in range(count):
        response = client.post(
            "/api/v1/hazards/",
            {
                "enterprise": enterprise_ids[(offset + i) % len(enterprise_ids)],
                "channel": "supervision",
                "description": f"并发上报隐患{offset}-{i}：配电箱未接地",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    connections.close_all()
    return count


def _warm(_):
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    django.setup()


def _parallel_intake(key, enterprise_ids, *, workers, per_worker):
    """Several processes posting at once, as several app-server workers would: hazards per second overall."""
    import multiprocessing

    # spawn, not fork: forked children would share the parent's pooled PostgreSQL connections
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_warm, range(workers))
        t0 = perf_counter()
        done = sum(pool.map(_intake_worker, [(key, enterprise_ids, per_worker, w * 1000) for w in range(workers)]))
        seconds = perf_counter() - t0
    return {"workers": workers, "n": done, "seconds": seconds}
