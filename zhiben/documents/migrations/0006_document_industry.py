"""Step 1: documents carry the industry of their subject, so a department sees only its industries' documents."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_remove_document_hazard"),
        ("regions", "0003_remove_industry_gbt4754_prefixes"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="industry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.industry",
                verbose_name="行业领域",
            ),
        ),
    ]
