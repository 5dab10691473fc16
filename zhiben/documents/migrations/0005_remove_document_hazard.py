"""Step 3: drop the foreign key into the hazards module; index the generic subject."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_document_subject_data")]

    operations = [
        migrations.RemoveField(model_name="document", name="hazard"),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["subject_type", "subject_id"], name="document_subject"),
        ),
    ]
