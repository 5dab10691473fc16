import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from zhiben.core.jobs import run_once


class Command(BaseCommand):
    help = "后台任务常驻进程：每隔若干秒执行一轮 tick（可同时运行多个）。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30, help="两轮之间的秒数（默认 30）")
        parser.add_argument("--rounds", type=int, default=0, help="执行若干轮后退出（0 表示一直运行）")

    def handle(self, *args, interval, rounds, **options):
        done = 0
        self.stdout.write(f"后台任务已启动，每 {interval:g} 秒一轮，按 Ctrl+C 停止。")
        try:
            while not rounds or done < rounds:
                close_old_connections()
                run_once(stdout=self.stdout if options["verbosity"] > 1 else None)
                done += 1
                if not rounds or done < rounds:
                    time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
