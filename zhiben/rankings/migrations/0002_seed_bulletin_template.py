from django.db import migrations


def seed(apps, schema_editor):
    """The national default wording of the 晾晒通报 (region ''), for databases whose documents app seeded
    its templates before this kind was registered (a new database gets it from documents' own seed)."""
    from zhiben.rankings.documents import KEY, TEMPLATE

    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    DocumentTemplate.objects.get_or_create(kind=KEY, region_code="", defaults=dict(TEMPLATE))


class Migration(migrations.Migration):
    dependencies = [("rankings", "0001_initial"), ("documents", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
