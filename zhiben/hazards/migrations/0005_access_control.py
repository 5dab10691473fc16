# 等保 访问控制: national and local 判定标准 catalogues (a standard's owning region), historic ledger
# rows kept out of on-time/overdue figures, and the 整改责任人's phone stored encrypted.

import django.db.models.deletion
from django.db import migrations, models

import zhiben.core.crypto


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0004_shared_evidence_paths"),
        ("regions", "0003_remove_industry_gbt4754_prefixes"),
    ]

    operations = [
        migrations.AddField(
            model_name="criteriastandard",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="空：国家标准；否则为该区划制定的地方细则，只适用于本区划及下级",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="criteria_standards",
                to="regions.region",
                verbose_name="制定区划",
            ),
        ),
        migrations.AddField(
            model_name="hazard",
            name="historic",
            field=models.BooleanField(
                default=False,
                help_text="安委办导入的历史台账记录：保留原台账状态，不计入按期/逾期统计，不提醒、不督办",
                verbose_name="历史台账",
            ),
        ),
        migrations.AlterField(
            model_name="hazard",
            name="responsible_phone",
            field=zhiben.core.crypto.EncryptedTextField(blank=True, verbose_name="责任人电话"),
        ),
    ]
