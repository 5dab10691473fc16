# The contacts' phones are personal data (等保 8.1.4.8): stored encrypted (zhiben.core.crypto), each
# with a blind-index column for exact search. Existing rows are encrypted in place, in batches.

from django.db import migrations, models

import zhiben.core.crypto

PHONES = {
    "principal_phone": "principal_phone_index",
    "controller_phone": "controller_phone_index",
    "safety_manager_phone": "safety_manager_phone_index",
}
LABELS = {
    "principal_phone": "主要负责人电话",
    "controller_phone": "实际控制人电话",
    "safety_manager_phone": "安全管理人员电话",
}


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0001_initial"),
    ]

    operations = [
        *[
            migrations.AddField(
                model_name="enterprise",
                name=index,
                field=models.CharField(
                    blank=True, editable=False, max_length=64, verbose_name=f"{LABELS[phone]}检索摘要"
                ),
            )
            for phone, index in PHONES.items()
        ],
        *[
            migrations.AlterField(
                model_name="enterprise",
                name=phone,
                field=zhiben.core.crypto.EncryptedTextField(blank=True, index_field=index, verbose_name=LABELS[phone]),
            )
            for phone, index in PHONES.items()
        ],
        zhiben.core.crypto.migration_operation("enterprises", "Enterprise", PHONES),
    ]
