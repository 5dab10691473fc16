"""Step 2: each document's hazard becomes its subject ("hazards.hazard", id), with how the hazard reads.

A migration of its own (not in 0003 or 0005), so on PostgreSQL the rows are updated in a transaction
of their own, apart from the ALTER TABLEs around it."""

from django.db import migrations

HAZARD = "hazards.hazard"


def forwards(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    rows = Document.objects.filter(hazard__isnull=False).select_related("hazard")
    for document in rows.iterator(chunk_size=500):
        hazard = document.hazard
        Document.objects.filter(pk=document.pk).update(
            subject_type=HAZARD, subject_id=hazard.pk, subject_repr=f"{hazard.number} {hazard.description[:30]}"[:200])


def backwards(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    for pk, subject_id in Document.objects.filter(subject_type=HAZARD).values_list("pk", "subject_id").iterator():
        Document.objects.filter(pk=pk).update(hazard_id=subject_id)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_document_subject")]
    operations = [migrations.RunPython(forwards, backwards)]
