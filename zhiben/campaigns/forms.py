"""Forms only collect input; the services validate and write."""

from django import forms

from zhiben.core.evidence import evidence_field
from zhiben.hazards.choices import PlaceKind
from zhiben.regions.models import Industry

from .choices import ColumnType, Result
from .filters import CAMPAIGN_FILTERS, CHECK_FILTERS

CampaignFilterForm = CAMPAIGN_FILTERS.form_class("CampaignFilterForm")
CheckFilterForm = CHECK_FILTERS.form_class("CheckFilterForm")
EMPTY_COLUMN_ROWS = 3


class CampaignForm(forms.Form):
    """The campaign's own fields; its columns come as rows col-N-* (see `columns_from_post`)."""

    name = forms.CharField(label="专项整治名称", max_length=200)
    description = forms.CharField(label="工作要求", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    industries = forms.ModelMultipleChoiceField(
        label="排查行业（辖区内该行业的生产经营单位）",
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place_kinds = forms.MultipleChoiceField(
        label="排查场所类型（辖区内该类型的场所）",
        choices=PlaceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place_industry = forms.ModelChoiceField(
        label="场所隐患所属行业领域",
        queryset=Industry.objects.all(),
        required=False,
        empty_label="（不排查场所时可不选）",
    )
    checklist = forms.ModelChoiceField(
        label="检查表（可选）", queryset=None, required=False, empty_label="不使用检查表"
    )
    preset = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhiben.inspections.models import ChecklistTemplate

        self.fields["checklist"].queryset = ChecklistTemplate.objects.for_user(user).filter(active=True)

    def service_data(self, columns):
        data = dict(self.cleaned_data)
        data["industries"] = [i.pk for i in data["industries"]]
        data["place_industry"] = data["place_industry"].pk if data["place_industry"] else ""
        data["checklist"] = data["checklist"].pk if data["checklist"] else ""
        data["columns"] = columns
        return data


def columns_from_post(post):
    """The column rows of the campaign form (col-0-label, col-0-type …), blank labels dropped."""
    rows = []
    try:
        count = min(int(post.get("col-count", 0)), 60)
    except ValueError:
        count = 0
    for i in range(count):
        label = post.get(f"col-{i}-label", "").strip()
        if not label:
            continue
        rows.append(
            {
                "key": post.get(f"col-{i}-key", "").strip(),
                "label": label,
                "type": post.get(f"col-{i}-type", "text"),
                "choices": post.get(f"col-{i}-choices", ""),
                "required": bool(post.get(f"col-{i}-required")),
                "problem": bool(post.get(f"col-{i}-problem")),
            }
        )
    return rows


def column_rows(columns, extra=EMPTY_COLUMN_ROWS):
    """Rows for the column editor: the campaign's columns, then `extra` empty ones."""
    rows = [dict(c, choices="、".join(c.get("choices") or [])) for c in columns]
    rows += [{"key": "", "label": "", "type": "text", "choices": "", "required": False, "problem": False}] * extra
    return rows


BOOL_CHOICES = [("1", "是"), ("0", "否")]


class CheckForm(forms.Form):
    """A check on a phone: the target, date, checker, then each checklist item (合格/不合格/不适用 with a
    note), the campaign's own columns, photos and a note. Built for one campaign and its items."""

    target = forms.CharField(label="检查对象", max_length=20, widget=forms.Select)  # the service decides
    date = forms.DateField(label="检查日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    checker = forms.CharField(label="检查人", max_length=100, help_text="多人以顿号分隔")
    unit_name = forms.CharField(label="检查单位", max_length=100, required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = evidence_field("现场照片")
    report_hazards = forms.BooleanField(
        label="将不合格项和发现的问题登记为隐患（督导检查渠道）", required=False, initial=True
    )

    def __init__(self, *args, campaign, items, targets, fixed_target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.items = campaign, items
        if fixed_target is not None:
            self.fields["target"].widget = forms.HiddenInput()
            self.fields["target"].initial = fixed_target[0]
        else:
            self.fields["target"].widget.choices = [("", "请选择")] + targets
        self.item_fields = []
        for number, item in enumerate(items, start=1):
            name = f"item_{item.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{number}. {item.text}",
                choices=Result.choices,
                widget=forms.RadioSelect,
                help_text=item.method,
            )
            self.fields[f"{name}_note"] = forms.CharField(
                label="情况说明",
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"placeholder": "不合格时写明问题"}),
            )
            self.item_fields.append((self[name], self[f"{name}_note"]))
        self.column_fields = []
        for column in campaign.columns:
            name = f"col_{column['key']}"
            required, label = bool(column.get("required")), column["label"]
            if column["type"] == ColumnType.BOOL:
                field = forms.ChoiceField(  # a problem not found is the usual answer; other facts are asked
                    label=label,
                    choices=BOOL_CHOICES,
                    required=required,
                    widget=forms.RadioSelect,
                    initial="0" if column.get("problem") else None,
                )
            elif column["type"] == ColumnType.CHOICE:
                field = forms.ChoiceField(
                    label=label, choices=[("", "请选择")] + [(c, c) for c in column["choices"]], required=required
                )
            elif column["type"] == ColumnType.NUMBER:
                field = forms.CharField(
                    label=label, required=required, widget=forms.TextInput(attrs={"inputmode": "decimal"})
                )
            else:
                field = forms.CharField(
                    label=label, required=required, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
                )
            self.fields[name] = field
            self.column_fields.append(self[name])

    def service_data(self):
        data = self.cleaned_data
        return {
            "target": data["target"],
            "date": data["date"],
            "checker": data["checker"],
            "unit_name": data["unit_name"],
            "note": data["note"],
            "report_hazards": data["report_hazards"],
            "values": {c["key"]: data.get(f"col_{c['key']}") for c in self.campaign.columns},
            "results": {
                str(item.pk): {"result": data.get(f"item_{item.pk}"), "note": data.get(f"item_{item.pk}_note", "")}
                for item in self.items
            },
        }


class ImportForm(forms.Form):
    file = forms.FileField(label="检查记录表（.xlsx/.xls/.csv，或 Word 表格 .docx/.doc、PDF 表格）")
