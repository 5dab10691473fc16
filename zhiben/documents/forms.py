"""Forms only collect input; the services validate placeholders and write."""

from django import forms

from zhiben.core.exceptions import ApplicationError
from zhiben.core.filters import form_field

from . import kinds, placeholders
from .selectors import DOCUMENT_SORT


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label="文号/标题/主送/对象", required=False)
    subject_type = forms.ChoiceField(label="对象类型", required=False)
    kind = forms.ChoiceField(label="种类", required=False)
    unit = forms.ChoiceField(label="发文单位", required=False)
    year = forms.ChoiceField(label="年度", required=False)
    sort = form_field(DOCUMENT_SORT)  # set by the list's column headers

    def __init__(self, *args, units=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_type"].choices = [("", "全部")] + kinds.subject_types()
        self.fields["kind"].choices = [("", "全部")] + kinds.kind_choices()
        self.fields["unit"].choices = [("", "全部")] + [(str(pk), name) for pk, name in units]
        self.fields["year"].choices = [("", "全部")] + [(str(y), f"{y}年") for y in years]


class IssueForm(forms.Form):
    """What the record does not hold: the kind's `inputs` (联系人, 联系电话; for 约谈 the people, time and place).

    Each input is (placeholder, label, required[, help text]); the form field is named after the placeholder."""

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, required, *rest in kind.inputs:
            self.fields[name] = forms.CharField(
                label=label, max_length=200, required=bool(required), help_text=rest[0] if rest else ""
            )

    def extra(self):
        """The filled-in values as {placeholder: value}, for `document_issue(extra=...)`."""
        return {name: value for name, value in self.cleaned_data.items() if value}


class TemplateForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="正文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="每行一段；以“一、”开头的段落用黑体，以“（一）”开头的用楷体。",
    )
    table = forms.CharField(
        label="表格",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每行一栏，写作“栏目｜内容”；栏目以“意见”结尾的留出签字位置。",
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kinds.get_kind(kind)
        if not self.kind.form:
            del self.fields["table"]

    def clean(self):
        data = super().clean()
        try:
            placeholders.check(
                self.kind, title=data.get("title", ""), body=data.get("body", ""), table=data.get("table", "")
            )
        except ApplicationError as exc:
            placed = False
            for error in exc.errors:
                if error.get("field") in self.fields:
                    self.add_error(error["field"], error["message"])
                    placed = True
            if not placed:
                raise forms.ValidationError(exc.message) from None
        return data
