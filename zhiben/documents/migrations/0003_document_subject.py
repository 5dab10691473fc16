"""Document.hazard (a foreign key into the hazards module) becomes a generic subject: step 1, the new columns."""

import zhiben.documents.kinds
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_seed_templates")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="subject_type",
            field=models.CharField(blank=True, default="", help_text="如 hazards.hazard", max_length=60, verbose_name="对象类型"),
        ),
        migrations.AddField(
            model_name="document",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="对象ID"),
        ),
        migrations.AddField(
            model_name="document",
            name="subject_repr",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="对象"),
        ),
        migrations.AlterField(
            model_name="document",
            name="kind",
            field=models.CharField(choices=zhiben.documents.kinds.kind_choices, max_length=40, verbose_name="公文种类"),
        ),
        migrations.AlterField(
            model_name="documenttemplate",
            name="kind",
            field=models.CharField(choices=zhiben.documents.kinds.kind_choices, max_length=40, verbose_name="公文种类"),
        ),
    ]
