"""Forms only collect input; the services validate placeholders and write."""

from django import forms

from zhiben.core.exceptions import ApplicationError

from . import placeholders
from .choices import FORM_KINDS, Kind


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label="文号/标题/主送/隐患编号", required=False)
    kind = forms.ChoiceField(label="种类", required=False)
    unit = forms.ChoiceField(label="发文单位", required=False)
    year = forms.ChoiceField(label="年度", required=False)

    def __init__(self, *args, units=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部")] + list(Kind.choices)
        self.fields["unit"].choices = [("", "全部")] + [(str(pk), name) for pk, name in units]
        self.fields["year"].choices = [("", "全部")] + [(str(y), f"{y}年") for y in years]


class IssueForm(forms.Form):
    """What the record does not hold: the contact line, and for 约谈 the people, time and place."""

    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    interviewees = forms.CharField(label="约谈对象", max_length=100, required=False, help_text="留空则为企业主要负责人和实际控制人")
    interview_time = forms.CharField(label="约谈时间", max_length=50, required=False, help_text="如 2026年3月9日上午9时")
    interview_place = forms.CharField(label="约谈地点", max_length=100, required=False)

    # form field → template placeholder
    PLACEHOLDERS = {"contact": "联系人", "phone": "联系电话", "interviewees": "约谈对象", "interview_time": "约谈时间", "interview_place": "约谈地点"}
    INTERVIEW_ONLY = ("interviewees", "interview_time", "interview_place")

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != Kind.INTERVIEW_NOTICE:
            for name in self.INTERVIEW_ONLY:
                del self.fields[name]

    def extra(self):
        """The filled-in values as {placeholder: value}, for `document_issue(extra=...)`."""
        return {self.PLACEHOLDERS[name]: value for name, value in self.cleaned_data.items() if value}


class TemplateForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 14}), help_text="每行一段；以“一、”开头的段落用黑体，以“（一）”开头的用楷体。")
    table = forms.CharField(label="表格", required=False, widget=forms.Textarea(attrs={"rows": 12}), help_text="每行一栏，写作“栏目｜内容”；栏目以“意见”结尾的留出签字位置。")

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = Kind(kind)
        if self.kind not in FORM_KINDS:
            del self.fields["table"]

    def clean(self):
        data = super().clean()
        try:
            placeholders.check(self.kind, title=data.get("title", ""), body=data.get("body", ""), table=data.get("table", ""))
        except ApplicationError as exc:
            placed = False
            for error in exc.errors:
                if error.get("field") in self.fields:
                    self.add_error(error["field"], error["message"])
                    placed = True
            if not placed:
                raise forms.ValidationError(exc.message) from None
        return data
