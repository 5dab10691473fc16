"""Shared bench machinery: throwaway databases, a Django subprocess per database, the result table."""

import base64
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/"
PG_BENCH_DB = f"zhiben_bench_{os.getpid()}"  # one per run: two benches at once do not drop each other's


@dataclass
class Result:
    part: str
    database: str
    data: str
    times: list = field(default_factory=list)  # seconds, one per run
    target: float | None = None
    anchor: str = ""
    note: str = ""  # a breakdown or the reason it was skipped
    failed: bool = False
    # Machine-readable figures (--json): percentiles in seconds when the figure is a latency, the anchor's own
    # value measured in the same run, and the figure's ratio to it with the target ratio and its direction.
    p50: float | None = None
    p95: float | None = None
    anchor_value: float | None = None
    ratio: float | None = None
    target_ratio: float | None = None
    ratio_at_least: bool = False  # True: the ratio must reach target_ratio; False: stay at or below it
    verdict: bool | None = None  # set by a part whose target is neither a time nor a ratio (readings/s)

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None

    @property
    def met(self):
        """Whether the target was met: the ratio target if there is one, else the time target; None without one."""
        if self.verdict is not None:
            return self.verdict
        if self.target_ratio is not None and self.ratio is not None:
            return self.ratio >= self.target_ratio if self.ratio_at_least else self.ratio <= self.target_ratio
        if self.target is not None and self.median is not None:
            return self.median < self.target
        return None

    def target_text(self, with_anchor=False):
        """The target as the table and the JSON say it: a ratio to the anchor, else a time; None without one."""
        if self.target_ratio is not None:
            text = f"{'≥' if self.ratio_at_least else '≤'} {self.target_ratio:g}×"
            return f"{text} {self.anchor}".strip() if with_anchor else text
        if self.target is not None:
            return f"< {self.target * 1000:g} ms" if self.p95 is not None else f"< {self.target:g} s"
        return None

    def as_json(self):
        """One JSON object of the figure: part, database, size, p50_ms/p95_ms or median_s, target, met, anchor,
        anchor_value, ratio."""
        row = {"part": self.part, "database": self.database, "size": self.data}
        if self.p95 is not None:
            row["p50_ms"] = None if self.p50 is None else round(self.p50 * 1000, 2)
            row["p95_ms"] = round(self.p95 * 1000, 2)
        else:
            row["median_s"] = None if self.median is None else round(self.median, 4)
        row["target"] = self.target_text(with_anchor=True)
        row.update(
            met=self.met,
            anchor=self.anchor or None,
            anchor_value=self.anchor_value,
            ratio=None if self.ratio is None else round(self.ratio, 4),
        )
        if self.note:
            row["note"] = self.note
        return row


def write_json(results, path):
    """`--json FILE`: one JSON object per figure, one per line."""
    with open(path, "w", encoding="utf-8") as out:
        for r in results:
            out.write(json.dumps(r.as_json(), ensure_ascii=False) + "\n")


class Unavailable(Exception):
    """The database server cannot be reached: the part is skipped for it, not failed."""


@contextlib.contextmanager
def sqlite_database():
    """A temporary SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="zhiben-bench-") as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite3"


@contextlib.contextmanager
def postgres_database():
    """A throwaway database `zhiben_bench_<pid>` on the server of DATABASE_URL (or the local default), dropped afterwards.

    Only the server and credentials of DATABASE_URL are used; its own database is never touched.
    """
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    base = base if urlparse(base).scheme in {"postgres", "postgresql", "pgsql"} else PG_DEFAULT
    parts = urlparse(base)
    admin = urlunparse(parts._replace(scheme="postgresql", path="/postgres", query=""))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    except psycopg.OperationalError as exc:
        raise Unavailable(
            f"无法连接 {parts.hostname}:{parts.port or 5432}（{str(exc).strip().splitlines()[0]}）"
        ) from exc
    try:
        yield urlunparse(parts._replace(path=f"/{PG_BENCH_DB}"))
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


DATABASES = {"sqlite": ("SQLite", sqlite_database), "postgres": ("PostgreSQL", postgres_database)}


# The bench runs the production configuration (DEBUG off), which refuses to start without its secrets:
# throwaway ones for this run, the same for every worker process so they read each other's rows.
BENCH_SECRETS = {
    "ZHIBEN_SECRET_KEY": secrets.token_urlsafe(64),
    "ZHIBEN_FIELD_KEYS": "bench:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    "ZHIBEN_AUDIT_KEY": secrets.token_urlsafe(48),
    "ZHIBEN_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
}


def _production_env(database_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhiben.settings",
        "DATABASE_URL": database_url,
        **BENCH_SECRETS,
        "ZHIBEN_DEBUG": "0",
        "ZHIBEN_HTTPS": "0",
        "ZHIBEN_LOG_LEVEL": "ERROR",
    }


def collect_static():
    """The production configuration serves hashed static files from a manifest: build it once per run, as
    `make serve` does, so pages render on a fresh clone."""
    env = _production_env(os.environ.get("DATABASE_URL", "sqlite:///:memory:"))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def in_django(database_url, target, **kwargs):
    """Run `target` ('module:function') in a fresh Python with Django configured for `database_url`
    and the schema migrated; return what it returns (JSON-able)."""
    env = _production_env(database_url)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", target],
        input=json.dumps(kwargs),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip().strip("^~ ")]
        raise RuntimeError(lines[-1] if lines else f"exit {proc.returncode}")
    if proc.stderr.strip():
        print(proc.stderr.rstrip(), file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def for_each_database(options, part, measure):
    """Call measure(label, url) → Result inside each selected throwaway database; failures become rows."""
    results = []
    for key in options.databases:
        if key not in DATABASES:
            raise SystemExit(f"未知数据库 {key}；可选：{', '.join(DATABASES)}")
        label, make = DATABASES[key]
        print(f"   {label} …", flush=True)
        try:
            with make() as url:
                outcome = measure(label, url)
                results.extend(outcome if isinstance(outcome, list) else [outcome])
        except Unavailable as exc:
            results.append(Result(part=part, database=label, data="—", note=f"跳过：{exc}"))
        except Exception as exc:  # report and continue with the next database
            results.append(
                Result(part=part, database=label, data="—", note=f"失败：{type(exc).__name__}: {exc}", failed=True)
            )
    return results


def _fmt(seconds):
    return "—" if seconds is None else f"{seconds:.3f} s"


def print_table(results):
    headers = ["部分", "数据库", "数据量", "中位数", "各次", "目标", "达标", "锚点"]
    lines = []
    for r in results:
        ok = "" if r.met is None else ("✓" if r.met else "✗")
        lines.append(
            [
                r.part,
                r.database,
                r.data,
                _fmt(r.median),
                " / ".join(f"{t:.3f}" for t in r.times) or "—",
                r.target_text() or "—",
                ok,
                r.anchor or "—",
            ]
        )
    widths = [max(_width(str(row[i])) for row in [headers, *lines]) for i in range(len(headers))]
    print()
    for row in [headers, ["-" * w for w in widths], *lines]:
        print("  ".join(str(cell) + " " * (w - _width(str(cell))) for cell, w in zip(row, widths)).rstrip())
    for r in results:
        if r.note:
            print(f"  {r.part} · {r.database}: {r.note}")


def _width(text):
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def postgres_only(options, part):
    """(rows, options) for a part measured on PostgreSQL alone: the skip row when PostgreSQL was not asked
    for, else None and the options narrowed to it."""
    if "postgres" not in options.databases:
        return [
            Result(part=part, database="SQLite", data="—", note="跳过：本项只在 PostgreSQL 上测量（--db postgres）")
        ], None
    return None, type(options)(**{**vars(options), "databases": ["postgres"]})
