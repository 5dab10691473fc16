from django.db import migrations


def seed(apps, schema_editor):
    """The national default template of each kind (region ''), from zhiben.documents.defaults."""
    from zhiben.documents.defaults import DEFAULT_TEMPLATES

    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for kind, text in DEFAULT_TEMPLATES.items():
        DocumentTemplate.objects.get_or_create(kind=kind.value, region_code="", defaults=dict(text))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
