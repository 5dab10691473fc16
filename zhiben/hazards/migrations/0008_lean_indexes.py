# Hazards: no index another covers, and indexes where set only for the references a new hazard lacks (every
# index is written on every hazard an import creates).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The columns whose own index goes: enterprise and region lead hazard_enterprise_status and
# hazard_region_status_deadline; the others get partial indexes (where set) below. On SQLite, AlterField would
# remake the table (and lose its tally triggers, 0007): the indexes are dropped by name instead, the fields altered in
# the state only.
DROPPED = ("enterprise_id", "region_id", "place_id", "criteria_item_id", "listed_unit_id", "closed_by_id",
           "merged_into_id", "repeat_of_id")  # fmt: skip
FIELDS = ("enterprise", "region", "place", "criteria_item", "listed_unit", "closed_by", "merged_into", "repeat_of")


def _single_column_indexes(schema_editor, table):
    """{column: [index name]} of the plain indexes Django made for one column (its FK index, and on PostgreSQL the
    varchar_pattern_ops "_like" twin), unique ones excepted."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    out = {}
    for name, info in found.items():
        if info["index"] and not info["unique"] and not info["primary_key"] and len(info["columns"]) == 1:
            if name.startswith(table + "_"):
                out.setdefault(info["columns"][0], []).append(name)
    return out


def drop(apps, schema_editor):
    table = apps.get_model("hazards", "Hazard")._meta.db_table
    indexes = _single_column_indexes(schema_editor, table)
    # the hazard number's "_like" twin of its unique index: no query on it is a prefix LIKE (the search is icontains)
    for column in (*DROPPED, "number"):
        for name in indexes.get(column, []):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    model = apps.get_model("hazards", "Hazard")
    for name in FIELDS:
        field = model._meta.get_field(name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        if schema_editor.connection.vendor == "postgresql" and name == "region":
            schema_editor.execute(schema_editor._create_like_index_sql(model, field))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("number")))


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0002_encrypt_phones"),
        ("hazards", "0007_tallies"),
        ("regions", "0003_remove_industry_gbt4754_prefixes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hazard",
                    name="closed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="销号人",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="criteria_item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="hazards.criteriaitem",
                        verbose_name="判定依据条款",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="enterprise",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="enterprises.enterprise",
                        verbose_name="生产经营单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="listed_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="listed_hazards",
                        to="regions.unit",
                        verbose_name="挂牌督办单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="duplicates",
                        to="hazards.hazard",
                        verbose_name="合并至",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="place",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="hazards.place",
                        verbose_name="场所",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="region",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="regions.region",
                        verbose_name="所在区划",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="repeat_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="repeats",
                        to="hazards.hazard",
                        verbose_name="复发自",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, restore)],
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(condition=models.Q(("place__isnull", False)), fields=["place"], name="hazard_place_set"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("criteria_item__isnull", False)),
                fields=["criteria_item"],
                name="hazard_criteria_item_set",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("listed_unit__isnull", False)),
                fields=["listed_unit"],
                name="hazard_listed_unit_set",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("closed_by__isnull", False)), fields=["closed_by"], name="hazard_closed_by_set"
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="hazard_merged_into_set",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("repeat_of__isnull", False)), fields=["repeat_of"], name="hazard_repeat_of_set"
            ),
        ),
    ]
