# The roll-ups (FoundTally, ClosedTally, DueTally) are rewritten in place by every hazard written (0007's triggers
# upsert the rows of the keys a statement touches): with pages half empty the new row versions stay on their page
# (heap-only updates, no index entries), where full pages moved each to another page with an entry in every index
# of the table — a third of a 10,000-row import's tally time (PostgreSQL only; pages written from now on).

from django.db import migrations

TABLES = ("hazards_foundtally", "hazards_closedtally", "hazards_duetally")


def fill(factor):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            if factor is None:
                schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} RESET (fillfactor)")
            else:
                schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET (fillfactor = {factor})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("hazards", "0008_lean_indexes")]

    operations = [migrations.RunPython(fill(50), fill(None))]
