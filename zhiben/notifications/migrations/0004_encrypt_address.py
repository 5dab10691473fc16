# The address of a message (a phone, an e-mail) is personal data (等保 8.1.4.8): stored encrypted with a
# blind index. Existing rows are encrypted in place, and any mobile or identity number in the stored
# subjects, bodies and errors is masked (that step cannot be undone).

from django.db import migrations, models

import zhiben.core.crypto

TEXT_COLUMNS = ("subject", "body", "last_error")


def mask_texts(apps, schema_editor):
    from zhiben.core.crypto import mask_text

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table = quote(apps.get_model("notifications", "Notification")._meta.db_table)
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(TEXT_COLUMNS)} FROM {table} WHERE id > %s ORDER BY id LIMIT 1000", [last]
            )
            rows = cursor.fetchall()
            if not rows:
                return
            changed = []
            for pk, *texts in rows:
                masked = [mask_text(t or "") for t in texts]
                if masked != [t or "" for t in texts]:
                    changed.append((*masked, pk))
            if changed:
                assignments = ", ".join(f"{c} = %s" for c in TEXT_COLUMNS)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", changed)
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_reminder_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="to_address_index",
            field=models.CharField(
                blank=True, db_index=True, editable=False, max_length=64, verbose_name="接收地址检索摘要"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="to_address",
            field=zhiben.core.crypto.EncryptedTextField(
                blank=True,
                help_text="手机号、邮箱等（加密存储）",
                index_field="to_address_index",
                verbose_name="接收地址",
            ),
        ),
        zhiben.core.crypto.migration_operation("notifications", "Notification", {"to_address": "to_address_index"}),
        migrations.RunPython(mask_texts, migrations.RunPython.noop),
    ]
