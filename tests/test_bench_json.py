"""`python -m bench --json FILE`: one object per figure with the fields integrations read, and `met` decided by
the ratio target when there is one (the time target otherwise)."""

import json
import tempfile

from django.test import SimpleTestCase

from bench.common import Result, write_json


class BenchJsonTests(SimpleTestCase):
    def test_each_figure_is_one_object_with_its_ratio_and_verdict(self):
        listing = Result(
            part="hazards.list_api",
            database="PostgreSQL",
            data="300,000 条隐患",
            times=[0.018],
            target=0.1,
            anchor="原始 SQL p95",
            p50=0.012,
            p95=0.018,
            anchor_value=11.4,
            ratio=0.018 / 0.0114,
            target_ratio=1.5,
        )
        intake = Result(
            part="hazards.intake",
            database="PostgreSQL",
            data="300,000 条隐患",
            times=[2.0],
            anchor="同机纯 INSERT 条/秒",
            anchor_value=1722.0,
            ratio=0.25,
            target_ratio=0.2,
            ratio_at_least=True,
        )
        imported = Result(
            part="enterprise_import", database="SQLite", data="10,000 行", times=[1.2, 0.9, 1.0], target=1.0
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/bench.json"
            write_json([listing, intake, imported], path)
            with open(path, encoding="utf-8") as f:
                rows = [json.loads(line) for line in f]
        self.assertEqual(len(rows), 3)
        first = rows[0]
        self.assertEqual(
            {k: first[k] for k in ("part", "database", "size", "p50_ms", "p95_ms", "target", "met", "anchor_value")},
            {
                "part": "hazards.list_api",
                "database": "PostgreSQL",
                "size": "300,000 条隐患",
                "p50_ms": 12.0,
                "p95_ms": 18.0,
                "target": "≤ 1.5× 原始 SQL p95",
                "met": False,  # 1.58× the raw SQL although under 100 ms
                "anchor_value": 11.4,
            },
        )
        self.assertAlmostEqual(first["ratio"], 1.5789, places=3)
        self.assertEqual(
            (rows[1]["met"], rows[1]["target"], rows[1]["ratio"]), (True, "≥ 0.2× 同机纯 INSERT 条/秒", 0.25)
        )
        self.assertNotIn("p95_ms", rows[2])
        self.assertEqual((rows[2]["median_s"], rows[2]["target"], rows[2]["met"]), (1.0, "< 1 s", False))
