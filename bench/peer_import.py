"""The peer our importers must beat, measured in the same run on the same file (issue 23): django-import-export,
tuned as STACK.md measured it — bulk writes, no per-row diff, existing rows loaded once, foreign keys and
choices looked up in memory — plus its own loading of the .xlsx (tablib/openpyxl). It checks the credit code
as ours does; it writes no audit rows and no blind indexes, so the comparison favours it."""

from pathlib import Path
from time import perf_counter


def _resource():
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from zhiben.enterprises.choices import Scale, StandardGrade, Status
    from zhiben.enterprises.models import Enterprise
    from zhiben.enterprises.services import FIELDS
    from zhiben.enterprises.validators import credit_code_error
    from zhiben.regions.models import Industry, Region

    from .enterprise_import import HEADER_OVERRIDES

    class InMemory(widgets.Widget):
        """A foreign key or choice looked up in a dict loaded once (the library's ForeignKeyWidget queries
        per row)."""

        def __init__(self, mapping):
            super().__init__()
            self.mapping = mapping

        def clean(self, value, row=None, **kwargs):
            return self.mapping.get(str(value or "").strip())

    class YesNo(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return str(value or "").strip() == "是"

    def choice(choices):
        return InMemory({label: value for value, label in choices.choices} | {"": ""})

    special = {
        "region": InMemory({r.code: r for r in Region.objects.all()}),
        "industry": InMemory({i.name: i for i in Industry.objects.all()}),
        "high_risk": YesNo(),
        "directly_supervised": YesNo(),
        "liability_insurance": YesNo(),
        "scale": choice(Scale),
        "standard_grade": choice(StandardGrade),
        "status": choice(Status),
        "employees": widgets.IntegerWidget(),
        "longitude": widgets.DecimalWidget(),
        "latitude": widgets.DecimalWidget(),
    }
    declared = {
        name: fields.Field(
            attribute=name,
            column_name=HEADER_OVERRIDES.get(name, label),
            widget=special.get(name, widgets.CharWidget()),
        )
        for name, (label, _) in FIELDS.items()
    }

    class Meta:
        model = Enterprise
        fields = tuple(FIELDS)
        import_id_fields = ("credit_code",)
        use_bulk = True
        batch_size = 2000
        skip_diff = True
        skip_unchanged = False
        instance_loader_class = CachedInstanceLoader

    def before_import_row(self, row, **kwargs):
        error = credit_code_error(str(row.get(HEADER_OVERRIDES.get("credit_code", "统一社会信用代码")) or ""))
        if error:
            raise ValueError(error)

    return type(
        "EnterpriseResource",
        (resources.ModelResource,),
        {**declared, "Meta": Meta, "before_import_row": before_import_row},
    )()


def import_once(path):
    """(total seconds, (load, import)) of one import of `path` by django-import-export."""
    import tablib

    t0 = perf_counter()
    dataset = tablib.Dataset().load(Path(path).read_bytes(), format="xlsx")
    t1 = perf_counter()
    result = _resource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    t2 = perf_counter()
    assert not result.has_errors() and not result.has_validation_errors(), "peer import refused rows"
    return t2 - t0, (t1 - t0, t2 - t1)


def _ledger_resource():
    """django-import-export for the hazard ledger, tuned the same way: bulk writes, no diff, every row new,
    enterprises and levels looked up in dicts loaded once, numbers counted in memory from the county's counter;
    region and industry from the enterprise; the description and enterprise required. No events, no audit."""
    from django.utils import timezone
    from import_export import fields, resources, widgets

    from zhiben.core.models import Counter
    from zhiben.enterprises.models import Enterprise
    from zhiben.hazards.models import Hazard

    from .enterprise_import import COUNTY

    class InMemory(widgets.Widget):
        def __init__(self, mapping):
            super().__init__()
            self.mapping = mapping

        def clean(self, value, row=None, **kwargs):
            return self.mapping.get(str(value or "").strip())

    enterprises = {e.name: e for e in Enterprise.objects.all()}
    year = timezone.localdate().year
    counter = Counter.objects.filter(key=f"hazard:{COUNTY[:6]}:{year}").values_list("value", flat=True).first() or 0
    numbers = iter(range(counter + 1, counter + 10_000_000))
    date = widgets.DateWidget("%Y-%m-%d")
    columns = {
        "enterprise": ("单位名称", InMemory(enterprises)),
        "location": ("隐患部位", widgets.CharWidget()),
        "description": ("隐患描述", widgets.CharWidget()),
        "level": ("隐患等级", InMemory({"一般": "general", "重大": "major", "": "general"})),
        "found_date": ("发现日期", date),
        "measures": ("整改措施", widgets.CharWidget()),
        "responsible_person": ("整改责任人", widgets.CharWidget()),
        "funds": ("整改资金（元）", widgets.DecimalWidget()),
        "deadline": ("整改期限", date),
        "remarks": ("备注", widgets.CharWidget()),
    }
    declared = {
        name: fields.Field(attribute=name, column_name=column, widget=widget)
        for name, (column, widget) in columns.items()
    }

    class Meta:
        model = Hazard
        fields = tuple(columns)
        use_bulk = True
        batch_size = 2000
        skip_diff = True
        skip_unchanged = False
        force_init_instance = True  # every row is new: no lookup of an existing one

    def before_import_row(self, row, **kwargs):
        if not str(row.get("隐患描述") or "").strip():
            raise ValueError("隐患描述为空")
        if str(row.get("单位名称") or "").strip() not in enterprises:
            raise ValueError("单位未登记")

    def before_save_instance(self, instance, row, **kwargs):
        enterprise = instance.enterprise
        instance.region_id, instance.industry_id = enterprise.region_id, enterprise.industry_id
        instance.number = f"YH{enterprise.region_id[:6]}{instance.found_date.year}{next(numbers):06d}"
        instance.channel, instance.original_deadline = "self", instance.deadline
        if instance.level == "major":
            instance.criteria_other = "台账导入：判定依据见原台账"

    return type(
        "HazardLedgerResource",
        (resources.ModelResource,),
        {
            **declared,
            "Meta": Meta,
            "before_import_row": before_import_row,
            "before_save_instance": before_save_instance,
        },
    )()


def ledger_import_once(path):
    """(total seconds, (load, import)) of one import of the hazard ledger at `path` by django-import-export."""
    import tablib

    t0 = perf_counter()
    dataset = tablib.Dataset().load(Path(path).read_bytes(), format="xlsx")
    t1 = perf_counter()
    result = _ledger_resource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    t2 = perf_counter()
    assert not result.has_errors() and not result.has_validation_errors(), "peer ledger import refused rows"
    assert result.totals["new"] == len(dataset), result.totals
    return t2 - t0, (t1 - t0, t2 - t1)
