"""Forms of the watch pages: the duty log, handover, roster import, and information reports."""

from django import forms

from .choices import EventKind, LogKind

MOMENT = {"type": "datetime-local"}
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _moment(label, required=False, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=MOMENT_FORMATS,
        widget=forms.DateTimeInput(attrs=MOMENT, format="%Y-%m-%dT%H:%M"),
    )


def _count(label):
    return forms.IntegerField(label=label, required=False, min_value=0, widget=forms.NumberInput(attrs={"min": 0}))


class LogForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=LogKind.choices)
    at = _moment("时间", help_text="留空为现在")
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class HandoverForm(forms.Form):
    handed_by = forms.CharField(label="交班人", max_length=100, required=False, help_text="留空为本班值班人员")
    taken_by = forms.CharField(label="接班人", max_length=100, required=False, help_text="留空为下一班值班人员")
    open_items = forms.CharField(
        label="未办结事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项，下一班在值班台上可见",
    )
    note = forms.CharField(label="交接说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label="值班表文件（.xlsx / .xls / .csv，或 Word 表格 .docx/.doc、PDF 表格）")


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=EventKind.choices)
    title = forms.CharField(label="事件名称", max_length=100)
    region = forms.ChoiceField(label="事发地", choices=())
    place = forms.CharField(label="具体地点", max_length=200, required=False)
    occurred_at = _moment("发生时间", required=True)
    received_at = _moment("接报时间", help_text="留空为现在")
    description = forms.CharField(label="基本情况", widget=forms.Textarea(attrs={"rows": 4}))
    deaths = _count("死亡（人）")
    missing = _count("失踪（人）")
    injured = _count("受伤（人）")
    measures = forms.CharField(label="已采取的措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reporter_name = forms.CharField(label="报告人", max_length=100, required=False, help_text="留空为本人")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)


class UpdateForm(forms.Form):
    at = _moment("报送时间", help_text="留空为现在")
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))
    deaths = _count("死亡（人）")
    missing = _count("失踪（人）")
    injured = _count("受伤（人）")


class PassOnForm(forms.Form):
    passed_at = _moment("上报时间", help_text="留空为现在；电话先行上报的，填实际上报时间")
