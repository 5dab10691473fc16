"""Step 2: the documents issued so far about a hazard take the hazard's industry (one UPDATE).

A migration of its own, so on PostgreSQL the rows are updated in a transaction apart from the ALTER TABLE."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

HAZARD = "hazards.hazard"


def forwards(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    Hazard = apps.get_model("hazards", "Hazard")
    industry = Hazard.objects.filter(pk=OuterRef("subject_id")).values("industry_id")[:1]
    Document.objects.filter(subject_type=HAZARD, industry__isnull=True).update(industry_id=Subquery(industry))


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_document_industry"), ("hazards", "0002_seed_criteria")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
