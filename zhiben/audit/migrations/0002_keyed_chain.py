"""The audit chain becomes keyed (HMAC-SHA256 under ZHIBEN_AUDIT_KEY) and its head gets a MAC.

An existing chain is checked under the unkeyed SHA-256 it was written with and re-sealed under the key
configured when this migration runs. A chain that does not check out is left as it is, with a warning:
`audit_verify` keeps naming the first bad event, and re-sealing it would make the tampering permanent.
"""

from django.db import migrations, models


def reseal(apps, schema_editor):
    from zhiben.audit.services import audit_reseal
    from zhiben.core.exceptions import ApplicationError

    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "AuditHead")
    if not event_model.objects.exists():
        return
    try:
        count, _ = audit_reseal(event_model=event_model, head_model=head_model)
    except ApplicationError as exc:
        print(f"\n  警告：{exc.message}\n  审计链保持原样；查明原因前 audit_verify 将一直报告该问题。")
    else:
        print(f"\n  审计链已用审计密钥重新封存：{count} 条事件。")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
    ]
