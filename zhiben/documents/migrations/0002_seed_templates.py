from django.db import migrations


def seed(apps, schema_editor):
    """The national default template (region '') of each kind the modules register (zhiben.core.registry)."""
    from zhiben.core.registry import ordered

    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for kind in ordered("document_kinds"):
        text = {name: kind.template.get(name, "") for name in ("title", "body", "table")}
        DocumentTemplate.objects.get_or_create(kind=kind.key, region_code="", defaults=text)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
