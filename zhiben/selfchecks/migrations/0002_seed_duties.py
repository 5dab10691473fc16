from django.db import migrations



def seed(apps, schema_editor):
    from zhiben.selfchecks.choices import seed_duties

    seed_duties(apps.get_model("selfchecks", "Duty"))


class Migration(migrations.Migration):
    dependencies = [("selfchecks", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
