"""python -m bench [--only PART[,PART]] [--db sqlite,postgres] [--runs 3] [--rows N] [--json FILE]"""

import argparse
import importlib
import os
import platform
import sys

from . import PARTS
from .common import collect_static, print_table, write_json


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description="治本性能基准：各项目标与锚点同场测量。")
    parser.add_argument("--only", default="", help=f"只运行这些部分，逗号分隔：{', '.join(PARTS)}")
    parser.add_argument("--db", default="sqlite,postgres", help="数据库：sqlite、postgres，逗号分隔")
    parser.add_argument("--runs", type=int, default=3, help="每项重复次数，取中位数（默认 3）")
    parser.add_argument("--rows", type=int, default=0, help="数据量（0 表示各部分的默认值）")
    parser.add_argument("--json", default="", metavar="FILE", help="把各项结果写成 JSON（每行一个对象）")
    parser.add_argument("--profile", action="store_true", help="对一次运行做 cProfile，打印耗时最多的函数")
    options = parser.parse_args(argv)
    wanted = [p.strip() for p in options.only.split(",") if p.strip()] or PARTS
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        parser.error(f"未知的部分：{', '.join(unknown)}；可选：{', '.join(PARTS)}")
    options.databases = [d.strip() for d in options.db.split(",") if d.strip()]
    print(f"机器：{os.cpu_count()} 核，Python {platform.python_version()}，{platform.platform(terse=True)}", flush=True)
    collect_static()
    results = []
    for part in wanted:
        print(f"== {part}", flush=True)
        results.extend(importlib.import_module(f"bench.{part}").run(options))
    print_table(results)
    if options.json:
        write_json(results, options.json)
        print(f"\n结果已写入 {options.json}（{len(results)} 项）")
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
