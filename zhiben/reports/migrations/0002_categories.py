"""The national default report categories (Open311 services); a deployment may add or deactivate its own."""

from django.db import migrations


def seed(apps, schema_editor):
    from zhiben.reports.choices import seed_categories

    seed_categories(apps.get_model("reports", "Category"), apps.get_model("regions", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
