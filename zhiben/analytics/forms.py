"""Forms of the analytics pages; the service checks the uploaded map again (size rule, GeoJSON, scope)."""

from django import forms


class RegionMapForm(forms.Form):
    file = forms.FileField(
        label="地图文件（GeoJSON）",
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
        error_messages={"required": "请选择地图文件（GeoJSON）。", "empty": "文件为空。"},
    )
