"""Step 1: escalation records carry the industry of their object, so a department sees only its industries' records."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_target_from_registry"),
        ("regions", "0003_remove_industry_gbt4754_prefixes"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalationrecord",
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
