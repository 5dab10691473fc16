# Hazards: a request for 销号 stops the rectification deadline's clock (choices.OVERDUE_STATUSES): a hazard whose
# enterprise reports it rectified is no longer 逾期未整改 while its review waits (the review has its own deadline,
# 0011), and counts again if the review sends it back. The tally triggers of 0007 are written again with the
# narrower statuses, and the tallies refilled from the hazards there are.

from importlib import import_module

from django.db import migrations

tallies = import_module("zhiben.hazards.migrations.0007_tallies")

DUE = ("verified", "rectifying")


def _rewrite(due):
    def run(apps, schema_editor):
        tallies.drop(apps, schema_editor)
        with schema_editor.connection.cursor() as cursor:
            for table in tallies.TABLES:
                cursor.execute(f"DELETE FROM {table}")
        tallies.create(apps, schema_editor, due=due)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0011_review_deadline"),
    ]

    operations = [migrations.RunPython(_rewrite(DUE), _rewrite(tallies.DUE))]
