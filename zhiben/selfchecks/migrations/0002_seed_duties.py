from django.db import migrations

BASIS = "安全生产治本攻坚三年行动：班组日排查、部门周排查、厂长月排查；主要负责人每季度带队（高危行业领域每月至少1次）"


def seed(apps, schema_editor):
    from zhiben.selfchecks.choices import DEFAULT_DUTIES

    Duty = apps.get_model("selfchecks", "Duty")
    for key, name, level, frequency, applies_to, sort in DEFAULT_DUTIES:
        Duty.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "level": level,
                "frequency": frequency,
                "applies_to": applies_to,
                "sort": sort,
                "basis": BASIS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("selfchecks", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
