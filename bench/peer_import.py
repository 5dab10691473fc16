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
