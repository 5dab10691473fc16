"""Imports, file read to commit, including validation and audit, beside the peer measured on the same file and
database in the same run (bench/peer_import.py: django-import-export tuned, its own .xlsx loading included):
- the enterprise register, 10,000 rows × 23 columns;
- a hazard ledger (隐患台账), 10,000 rows of 500 enterprises in the usual ledger columns: read, header found
  and mapped, values read (dates, level, funds), rows checked, hazards numbered and written with their events
  and audit rows — the peer numbers them in memory and writes neither events nor audit.
Target: at least 5× faster than the peer.
"""

import random
import statistics
import tempfile
from pathlib import Path
from time import perf_counter

from .common import Result, for_each_database, in_django

PART = "enterprise_import"
DEFAULT_ROWS = 10_000
PEER_RATIO = 5  # file to commit at least 5× faster than django-import-export tuned, measured in the same run
COUNTY = "500106000000"
TOWNS = range(101, 106)  # 5 towns × 10 villages under the county
VILLAGES = range(1, 11)
# Real ledgers rarely use our labels verbatim: a few columns carry common synonyms, and a 序号 column leads.
HEADER_OVERRIDES = {
    "name": "企业名称",
    "region": "行政区划代码",
    "principal": "法定代表人",
    "principal_phone": "联系电话",
}


def build_file(path, count):
    """Write `count` realistic enterprise rows with valid, unique credit codes to `path` (.xlsx)."""
    from zhiben.core.excel import write_xlsx
    from zhiben.enterprises.demo import GIVEN, NAME_HEADS, NAME_MIDS, STREETS, SURNAMES, TRADES
    from zhiben.enterprises.services import FIELDS
    from zhiben.enterprises.validators import CHARSET, make_credit_code
    from zhiben.regions.choices import DEFAULT_INDUSTRIES

    rng = random.Random(2026)
    industry_names = {code: name for code, name, _ in DEFAULT_INDUSTRIES}
    villages = [f"500106{t:03d}{v:03d}" for t in TOWNS for v in VILLAGES]
    codes, names, rows = set(), set(), []
    for i in range(count):
        body = "91500106" + "".join(rng.choice(CHARSET) for _ in range(9))
        while body in codes:
            body = "91500106" + "".join(rng.choice(CHARSET) for _ in range(9))
        codes.add(body)
        industry = rng.choice(list(TRADES))
        name = f"重庆{rng.choice(NAME_HEADS)}{rng.choice(NAME_MIDS)}{rng.choice(TRADES[industry])}有限公司"
        if name in names:
            name = name.replace("有限公司", f"第{i}分公司")
        names.add(name)
        person = lambda: rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)  # noqa: E731
        row = {
            "credit_code": make_credit_code(body),
            "name": name,
            "region": rng.choice(villages),
            "address": f"重庆市沙坪坝区{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            "industry": industry_names[industry],
            "economic_code": "",
            "high_risk": rng.choice(["是", "否", "否"]),
            "directly_supervised": rng.choice(["是"] + ["否"] * 9),
            "scale": rng.choice(["小型", "微型", "小型", "中型", "大型"]),
            "employees": rng.randint(3, 800),
            "principal": person(),
            "principal_phone": f"13{rng.randint(100000000, 999999999)}",
            "controller": person(),
            "controller_phone": f"139{rng.randint(10000000, 99999999)}",
            "safety_manager": person(),
            "safety_manager_phone": f"0236{rng.randint(1000000, 9999999)}",
            "standard_grade": rng.choice(["", "三级", "二级", "小微企业达标"]),
            "liability_insurance": rng.choice(["是", "否"]),
            "status": rng.choice(["在营"] * 12 + ["停产整顿", "关闭"]),
            "longitude": round(106.30 + rng.random() * 0.12, 6),
            "latitude": round(29.55 + rng.random() * 0.12, 6),
            "remarks": "",
        }
        rows.append([i + 1, *(row[f] for f in FIELDS)])
    headers = ["序号", *(HEADER_OVERRIDES.get(f, label) for f, (label, _) in FIELDS.items())]
    Path(path).write_bytes(write_xlsx(headers, rows, sheet_title="企业台账"))
    return len(headers)


LEDGER_HEADERS = ["序号", "单位名称", "隐患部位", "隐患描述", "隐患等级", "发现日期", "整改措施", "整改责任人",
                  "整改资金（元）", "整改期限", "备注"]  # fmt: skip
LEDGER_ENTERPRISES = 500


def ledger_enterprise_names(count=LEDGER_ENTERPRISES):
    return [f"台账基准企业{i:04d}有限公司" for i in range(count)]


def build_ledger(path, count):
    """Write a hazard ledger of `count` rows (.xlsx) naming the enterprises of ledger_enterprise_names."""
    from datetime import date, timedelta

    from zhiben.core.excel import write_xlsx

    rng = random.Random(2027)
    names = ledger_enterprise_names()
    today = date.today()
    places = ["一号车间", "二号仓库", "配电房", "食堂", "办公楼三楼", "危化品库", "锅炉房", "厂区道路"]
    problems = ["配电箱未接地，电线私拉乱接", "安全出口被货物堵塞", "灭火器过期未更换", "有限空间未设置警示标志",
                "粉尘作业区积尘严重", "叉车司机无证上岗", "气瓶未固定防倾倒", "应急照明损坏"]  # fmt: skip
    measures = ["立即整改并加强日常巡查", "更换设备并建立台账", "清理堵塞物，设置警示标志", "组织培训，持证上岗"]
    rows = []
    for i in range(count):
        found = today - timedelta(days=rng.randint(0, 60))
        rows.append(
            [
                i + 1,
                rng.choice(names),
                rng.choice(places),
                f"{rng.choice(problems)}（第{i + 1}处）",
                "重大" if rng.random() < 0.02 else "一般",
                found.isoformat(),
                rng.choice(measures),
                rng.choice(["张伟", "王芳", "李强", "刘洋", "陈静"]),
                rng.choice([0, 200, 500, 1200, 3000]),
                (today + timedelta(days=rng.choice([7, 15, 30, 60]))).isoformat(),
                "",
            ]
        )
    Path(path).write_bytes(write_xlsx(LEDGER_HEADERS, rows, sheet_title="隐患台账"))


def run(options):
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
    django.setup()  # only to import the field list and sample names; the parent touches no database
    count = options.rows or DEFAULT_ROWS
    with tempfile.TemporaryDirectory(prefix="zhiben-bench-") as tmp:
        path = Path(tmp) / "enterprises.xlsx"
        started = perf_counter()
        columns = build_file(path, count)
        size = path.stat().st_size
        print(
            f"   生成 {path.name}：{count:,} 行 × {columns} 列，{size / 1048576:.2f} MB（{perf_counter() - started:.1f} s）",
            flush=True,
        )
        data = f"{count:,} 行 × {columns} 列 .xlsx（{size / 1048576:.1f} MB）"

        def measure(label, url):
            out = in_django(
                url, "bench.enterprise_import:measure", path=str(path), runs=options.runs, profile=options.profile
            )
            read, mapping, service = (statistics.median(split[i] for split in out["parts"]) for i in range(3))
            peer = statistics.median(out["peer_times"])
            load, peer_import = (statistics.median(split[i] for split in out["peer_parts"]) for i in range(2))
            ours = statistics.median(out["times"])
            note = (
                f"{out['server']}；读取 {read:.3f} s + 映射 {mapping:.3f} s + 校验写入审计 {service:.3f} s（各取中位数）；"
                f"写入 {out['enterprises']:,} 家、审计 {out['audit']:,} 条，审计链校验：{out['audit_ok']}；"
                f"同场 django-import-export（调优）载入 .xlsx {load:.3f} s + 导入 {peer_import:.3f} s = {peer:.3f} s，"
                f"我们快 {peer / ours:.1f} 倍（目标 ≥ {PEER_RATIO:g} 倍）"
            )
            return Result(
                part=PART,
                database=label,
                data=data,
                times=out["times"],
                note=note,
                anchor="django-import-export 调优（同场，含载入）s",
                anchor_value=round(peer, 3),
                ratio=peer / ours,
                target_ratio=PEER_RATIO,
                ratio_at_least=True,
            )

        ledger_path = Path(tmp) / "hazard_ledger.xlsx"
        started = perf_counter()
        build_ledger(ledger_path, count)
        ledger_size = ledger_path.stat().st_size
        print(
            f"   生成 {ledger_path.name}：{count:,} 行 × {len(LEDGER_HEADERS)} 列，{ledger_size / 1048576:.2f} MB"
            f"（{perf_counter() - started:.1f} s）",
            flush=True,
        )
        ledger_data = f"{count:,} 行 × {len(LEDGER_HEADERS)} 列 .xlsx（{ledger_size / 1048576:.1f} MB），{LEDGER_ENTERPRISES} 家企业"

        def measure_both(label, url):
            rows = [measure(label, url)]
            out = in_django(
                url,
                "bench.enterprise_import:measure_ledger",
                path=str(ledger_path),
                runs=options.runs,
                profile=options.profile,
            )
            read, service = (statistics.median(split[i] for split in out["parts"]) for i in range(2))
            peer = statistics.median(out["peer_times"])
            load, peer_import = (statistics.median(split[i] for split in out["peer_parts"]) for i in range(2))
            ours = statistics.median(out["times"])
            rows.append(
                Result(
                    part="hazard_ledger_import",
                    database=label,
                    data=ledger_data,
                    times=out["times"],
                    note=(
                        f"{out['server']}；读取识别 {read:.3f} s + 校验编号写入事件审计 {service:.3f} s（各取中位数）；"
                        f"写入 {out['hazards']:,} 条隐患、{out['events']:,} 条事件、审计 {out['audit']:,} 条；"
                        f"同场 django-import-export（调优，内存中编号，不写事件与审计）载入 .xlsx {load:.3f} s + "
                        f"导入 {peer_import:.3f} s = {peer:.3f} s，我们快 {peer / ours:.1f} 倍（目标 ≥ {PEER_RATIO:g} 倍）"
                    ),
                    anchor="django-import-export 调优（同场，含载入）s",
                    anchor_value=round(peer, 3),
                    ratio=peer / ours,
                    target_ratio=PEER_RATIO,
                    ratio_at_least=True,
                )
            )
            return rows

        return for_each_database(options, PART, measure_both)


# --- runs inside the Django subprocess ---------------------------------------------------------


def _setup():
    from zhiben.accounts.choices import Role
    from zhiben.accounts.models import User
    from zhiben.regions.services import region_import

    rows = [("500000000000", "重庆市"), ("500100000000", "市辖区"), (COUNTY, "沙坪坝区")]
    rows += [(f"500106{t:03d}000", f"第{t - 100}镇") for t in TOWNS]
    rows += [(f"500106{t:03d}{v:03d}", f"第{t - 100}镇第{v}村") for t in TOWNS for v in VILLAGES]
    region_import(actor=None, rows=[(i, code, name) for i, (code, name) in enumerate(rows, start=1)])
    user = User(username="bench", name="基准", role=Role.COMMITTEE_ADMIN, region_id=COUNTY)
    user.set_unusable_password()
    user.save()
    return user


def _reset():
    """Empty the enterprise and audit tables between runs (untimed), and refresh planner statistics."""
    from django.db import connection

    from zhiben.audit.models import AuditEvent, AuditHead
    from zhiben.audit.services import GENESIS
    from zhiben.enterprises.models import Enterprise

    Enterprise.objects.all()._raw_delete(connection.alias)
    AuditEvent.objects.all()._raw_delete(connection.alias)
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM" if connection.vendor == "sqlite" else "VACUUM ANALYZE")


def _server():
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    return f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"


def _import_once(actor, path):
    from zhiben.core.excel import read_table
    from zhiben.enterprises.importers import map_rows
    from zhiben.enterprises.services import enterprise_import

    t0 = perf_counter()
    table = read_table(Path(path).read_bytes(), filename=path)
    t1 = perf_counter()
    rows = map_rows(*table)
    t2 = perf_counter()
    result = enterprise_import(actor=actor, rows=rows, source_name=Path(path).name)
    t3 = perf_counter()
    assert result["created"] == len(rows), result
    return t3 - t0, (t1 - t0, t2 - t1, t3 - t2)


def measure(path, runs, profile=False):
    import sys

    from zhiben.audit.models import AuditEvent
    from zhiben.audit.services import audit_verify
    from zhiben.enterprises.models import Enterprise

    from .peer_import import import_once as peer_import_once

    actor = _setup()
    _reset()
    _import_once(actor, path)  # warm-up: imports, first connection, caches (untimed)
    times, parts, peer_times, peer_parts = [], [], [], []
    for _ in range(runs):
        _reset()
        total, split = _import_once(actor, path)
        times.append(total)
        parts.append(split)
        written = {"enterprises": Enterprise.objects.count(), "audit": AuditEvent.objects.count()}
        audit_ok = "通过" if audit_verify()[0] else "失败"
        _reset()
        total, split = peer_import_once(path)
        peer_times.append(total)
        peer_parts.append(split)
    _reset()
    result = {
        "times": times,
        "parts": parts,
        "peer_times": peer_times,
        "peer_parts": peer_parts,
        **written,
        "audit_ok": audit_ok,
        "server": _server(),
    }
    if profile:
        import cProfile
        import pstats

        _reset()
        profiler = cProfile.Profile()
        profiler.runcall(_import_once, actor, path)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return result


# --- the hazard ledger ------------------------------------------------------------------------


def _ledger_setup():
    """Regions (those of the enterprise measurement, if it ran first in this database), the bench user and the
    ledger's enterprises."""
    from zhiben.accounts.models import User
    from zhiben.enterprises.models import Enterprise
    from zhiben.enterprises.validators import make_credit_code
    from zhiben.regions.models import Industry

    actor = User.objects.filter(username="bench").first() or _setup()
    industries = list(Industry.objects.order_by("sort"))
    villages = [f"500106{t:03d}{v:03d}" for t in TOWNS for v in VILLAGES]
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                credit_code=make_credit_code(f"91500106MA{i:07d}"),
                name=name,
                region_id=villages[i % len(villages)],
                industry=industries[i % len(industries)],
            )
            for i, name in enumerate(ledger_enterprise_names())
        ]
    )
    return actor


def _ledger_reset():
    """Empty the hazard, event and audit tables between runs (untimed), and refresh planner statistics."""
    from django.db import connection

    from zhiben.audit.models import AuditEvent, AuditHead
    from zhiben.audit.services import GENESIS
    from zhiben.hazards.models import Hazard, HazardEvent

    HazardEvent.objects.all()._raw_delete(connection.alias)
    Hazard.objects.all()._raw_delete(connection.alias)
    AuditEvent.objects.all()._raw_delete(connection.alias)
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM" if connection.vendor == "sqlite" else "VACUUM ANALYZE")


def _ledger_once(actor, path):
    from zhiben.hazards.ledger import parse_ledger
    from zhiben.hazards.services import hazard_import_ledger

    t0 = perf_counter()
    parsed = parse_ledger(Path(path).read_bytes(), Path(path).name)
    assert not parsed.errors, parsed.errors[:3]
    t1 = perf_counter()
    result = hazard_import_ledger(actor=actor, rows=parsed.rows, source_name=Path(path).name, columns=parsed.headers())
    t2 = perf_counter()
    assert result["created"] == len(parsed.rows), result
    return t2 - t0, (t1 - t0, t2 - t1)


def measure_ledger(path, runs, profile=False):
    import sys

    from zhiben.audit.models import AuditEvent
    from zhiben.hazards.models import Hazard, HazardEvent

    from .peer_import import ledger_import_once as peer_import_once

    actor = _ledger_setup()
    _ledger_reset()
    _ledger_once(actor, path)  # warm-up (untimed)
    times, parts, peer_times, peer_parts = [], [], [], []
    for _ in range(runs):
        _ledger_reset()
        total, split = _ledger_once(actor, path)
        times.append(total)
        parts.append(split)
        written = {
            "hazards": Hazard.objects.count(),
            "events": HazardEvent.objects.count(),
            "audit": AuditEvent.objects.count(),
        }
        _ledger_reset()
        total, split = peer_import_once(path)
        peer_times.append(total)
        peer_parts.append(split)
    _ledger_reset()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(_ledger_once, actor, path)
        _ledger_reset()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return {
        "times": times,
        "parts": parts,
        "peer_times": peer_times,
        "peer_parts": peer_parts,
        **written,
        "server": _server(),
    }
