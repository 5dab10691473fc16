"""The first templates repeated the 主送 line (the document already prints it above the body): drop that
first line from the national templates that still hold the original wording."""

from django.db import migrations

KINDS = ("rectification_order", "review_opinion", "penalty_notice", "penalty_decision")


def forwards(apps, schema_editor):
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for row in DocumentTemplate.objects.filter(kind__in=KINDS, region_code=""):
        first, _, rest = row.body.partition("\n")
        if first.startswith("{{单位名称}}") and first.endswith("："):
            row.body = rest
            row.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial"), ("documents", "0007_document_industry_data")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
