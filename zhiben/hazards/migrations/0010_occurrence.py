# Hazards: which time the same hazard is found (a repeat's is its predecessor's plus one). On SQLite, AddField of a
# NOT NULL column would remake the table and lose its tally triggers (0007): the column is added in place instead,
# on both databases, with a default of 1 that every hazard already written takes.

from django.db import migrations, models

COLUMN = 'ALTER TABLE hazards_hazard ADD COLUMN occurrence integer NOT NULL DEFAULT 1 CHECK ("occurrence" >= 0)'


def add(apps, schema_editor):
    schema_editor.execute(COLUMN)


def remove(apps, schema_editor):
    schema_editor.execute("ALTER TABLE hazards_hazard DROP COLUMN occurrence")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0009_tally_fillfactor"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="hazard",
                    name="occurrence",
                    field=models.PositiveIntegerField(
                        default=1,
                        help_text="复发的隐患为其复发自的隐患的次数加一：同一隐患屡改屡犯的次数",
                        verbose_name="第几次发现",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add, remove)],
        ),
    ]
