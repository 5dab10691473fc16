"""`python manage.py plan_quality [--quiet] [--data DIR]`: the plan extractor's task F1, deadline and
responsible-unit accuracy over the project's annotated plans (`zhiben/plans/tests/data/plans`)."""

from django.core.management.base import BaseCommand

from zhiben.plans.parsing.evaluation import DATA, evaluate, report


class Command(BaseCommand):
    help = "方案任务提取质量：按标注样本计算任务 F1、完成时间准确率、责任单位准确率，并列出差异。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="不列出差异")
        parser.add_argument("--data", default=str(DATA), help="标注样本目录（默认项目自带）")

    def handle(self, *args, **options):
        for line in report(evaluate(options["data"]), misses=not options["quiet"]):
            self.stdout.write(line)
