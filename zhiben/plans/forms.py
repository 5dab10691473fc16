"""Forms only collect input; the services validate and write."""

from django import forms

from zhiben.core.evidence import evidence_field
from zhiben.core.registry import ordered
from zhiben.regions.models import Region

from .choices import Direction, Granularity, Kind
from .filters import PLAN_FILTERS, TASK_FILTERS
from .models import Plan

# The plan and task lists' filter forms, made from the one declaration the selectors and the API use too.
PlanFilterForm = PLAN_FILTERS.form_class("PlanFilterForm")
TaskFilterForm = TASK_FILTERS.form_class("TaskFilterForm")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="方案文件",
        help_text="支持 .txt、.docx、.doc、.xlsx、.pdf（有文字的 PDF，非扫描件）：表格（含合并单元格）或正文中的“（X牵头，A、B配合，2024年底前完成）”",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.doc,.wps,.rtf,.pdf,.xlsx,.xls,.et,.ods,.csv"}),
    )
    kind = forms.ChoiceField(label="文件类型", choices=Kind.choices, initial=Kind.ACTION_PLAN)
    region = forms.ChoiceField(label="所属区划", required=False)
    year = forms.IntegerField(
        label="方案年度",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="用于“年底前”“12月”等未写年份的时限；留空则从文件识别",
    )
    parent = forms.ChoiceField(label="上级方案（可选）", required=False)
    previous = forms.ChoiceField(
        label="作为新版本替换（可选）", required=False, help_text="上传已有清单的修订稿时选择原清单"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.for_user(user).filter(level__in=[2, 3, 4, 5]).order_by("code")[:500]
        self.fields["region"].choices = [(r.code, ("　" * max(0, r.level - 3)) + r.name) for r in regions]
        self.fields["region"].initial = user.region_id
        from .selectors import parent_plan_candidates

        parents = parent_plan_candidates(user.region_id or "").order_by("-start_year")[:100] if user.region_id else []
        self.fields["parent"].choices = [("", "（无）")] + [(p.pk, f"{p.region.name} · {p}") for p in parents]
        own = Plan.objects.visible_to(user).select_related("region").order_by("-id")[:200]
        self.fields["previous"].choices = [("", "（新方案/新清单）")] + [
            (p.pk, f"{p.region.name} · {p} · {p.get_kind_display()}") for p in own
        ]


class MetaForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=Kind.choices)
    year = forms.IntegerField(label="方案年度", min_value=2000, max_value=2100)
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="截止年度", min_value=2000, max_value=2100)


class ReportForm(forms.Form):
    milestone = forms.ChoiceField(label="节点", required=False)
    percentage = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100, initial=0)
    text = forms.CharField(
        label="工作进展",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="已开展的工作、取得的成效、存在的问题和下一步措施",
    )
    files = evidence_field("佐证材料", camera=False)

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（最早未完成的节点）")]
        if task is not None:
            choices += [
                (m.pk, f"{m.label}（{m.due_date:%Y-%m-%d}前，{m.get_status_display()}）")
                for m in task.milestones.exclude(status="completed")
            ]
        self.fields["milestone"].choices = choices


class ReviewForm(forms.Form):
    note = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(label="工作进展", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    percentage = forms.IntegerField(label="完成进度（%）", required=False, min_value=0, max_value=100)


class TaskForm(forms.Form):
    content = forms.CharField(label="具体任务", widget=forms.Textarea(attrs={"rows": 3}))
    deadline_text = forms.CharField(
        label="完成时间（原文）",
        required=False,
        max_length=200,
        help_text="如“2024年6月底前”“2025年 2026年”“每季度”“长期坚持”",
    )
    responsible = forms.CharField(label="牵头/责任单位", required=False, help_text="以“、”分隔；牵头单位后加“（牵头）”")
    cooperating = forms.CharField(label="配合单位", required=False)


class IndicatorForm(forms.Form):
    name = forms.CharField(label="指标", max_length=200)
    target_value = forms.DecimalField(label="目标值", max_digits=14, decimal_places=2)
    measure = forms.CharField(label="计量单位", max_length=20, required=False, initial="%")
    direction = forms.ChoiceField(label="达标方向", choices=Direction.choices)
    period = forms.ChoiceField(label="统计周期", choices=[("year", "按年"), ("quarter", "按季度")])
    task = forms.ChoiceField(label="关联任务", required=False)
    figure_key = forms.ChoiceField(
        label="实时取数", required=False, help_text="选择系统统计口径后，一张表直接显示本辖区当年的实时数值"
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        tasks = plan.tasks.order_by("sort") if plan is not None else []
        self.fields["task"].choices = [("", "（不关联）")] + [(t.pk, f"{t.sort}. {t.content[:40]}") for t in tasks]
        self.fields["figure_key"].choices = [("", "（按报送值）")] + [(f.key, f.label) for f in ordered("figures")]


class IndicatorValueForm(forms.Form):
    period = forms.CharField(label="统计期", max_length=7, help_text="按年填 2024；按季度填 2024Q2")
    value = forms.DecimalField(label="数值", max_digits=14, decimal_places=2)
    note = forms.CharField(label="说明", max_length=300, required=False)


class BoardFilterForm(forms.Form):
    period = forms.ChoiceField(label="列", choices=Granularity.choices, required=False)
    unit = forms.ChoiceField(label="单位", required=False)
    action = forms.ChoiceField(label="行动", required=False)
