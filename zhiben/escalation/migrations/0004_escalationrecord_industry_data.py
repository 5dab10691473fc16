"""Step 2: the records taken so far on hazards (target "hazard") take the hazard's industry (one UPDATE);
plan-task records stay without one (not domain-restricted).

A migration of its own, so on PostgreSQL the rows are updated in a transaction apart from the ALTER TABLE."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    EscalationRecord = apps.get_model("escalation", "EscalationRecord")
    Hazard = apps.get_model("hazards", "Hazard")
    industry = Hazard.objects.filter(pk=OuterRef("object_id")).values("industry_id")[:1]
    EscalationRecord.objects.filter(target="hazard", industry__isnull=True).update(industry_id=Subquery(industry))


class Migration(migrations.Migration):
    dependencies = [("escalation", "0003_escalationrecord_industry"), ("hazards", "0002_seed_criteria")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
