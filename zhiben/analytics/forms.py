"""Forms of the analytics pages; the service checks the uploaded map again (size rule, GeoJSON, scope)."""

from django import forms


class RegionMapForm(forms.Form):
    file = forms.FileField(
        label="地图文件（GeoJSON）",
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
        error_messages={"required": "请选择地图文件（GeoJSON）。", "empty": "文件为空。"},
    )


class ScreenLinkForm(forms.Form):
    name = forms.CharField(
        label="名称",
        max_length=100,
        help_text="投放在哪块屏幕上，如“区应急指挥中心大屏”",
        error_messages={"required": "请填写名称。", "max_length": "不超过 100 字。"},
    )
    period = forms.CharField(
        label="统计期",
        max_length=40,
        required=False,
        help_text="空为当年（跨年自动换到新的一年）；也可填 2026H1、2026Q3",
    )
    industry = forms.ChoiceField(label="行业", required=False)

    def __init__(self, *args, **kwargs):
        from zhiben.regions.models import Industry

        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = [("", "全部行业")] + [
            (i.code, i.name) for i in Industry.objects.order_by("sort", "code")
        ]
