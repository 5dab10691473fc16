"""`python manage.py ledger_quality [--quiet] [--data DIR]`: the header mapper's per-field accuracy over the
project's annotated ledgers (`zhiben/hazards/tests/data/ledgers`), with every miss listed."""

from django.core.management.base import BaseCommand

from zhiben.hazards.ledger.evaluation import DATA, evaluate, report


class Command(BaseCommand):
    help = "台账表头识别质量：按标注样本逐列计算准确率（总体、逐样本、逐字段），并列出未对的列。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="不列出未对的列")
        parser.add_argument("--data", default=str(DATA), help="标注样本目录（默认项目自带）")

    def handle(self, *args, **options):
        for line in report(evaluate(options["data"]), misses=not options["quiet"]):
            self.stdout.write(line)
