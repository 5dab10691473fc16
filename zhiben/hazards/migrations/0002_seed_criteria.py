from django.db import migrations


def seed(apps, schema_editor):
    from zhiben.hazards.criteria_seed import seed_criteria

    seed_criteria(apps.get_model("hazards", "CriteriaStandard"), apps.get_model("hazards", "CriteriaPart"),
                  apps.get_model("hazards", "CriteriaItem"), apps.get_model("regions", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial"), ("regions", "0002_seed_industries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
