# The roll-ups of the hazard figures (models.FoundTally, ClosedTally, DueTally), filled from the hazards there
# are and kept by triggers on hazards_hazard from then on: on PostgreSQL one trigger per statement and
# operation (its rows' old contributions out, new ones in, summed per key before one upsert, so a bulk
# import or COPY writes each tally row once); on SQLite one per row. Statuses and channels are those of
# hazards.choices when this was written: a new status or channel needs a migration that writes them again.

import datetime
import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OPEN = ("reported", "verified", "rectifying", "submitted")
DUE = ("verified", "rectifying", "submitted")
CHANNELS = ("self", "supervision", "enforcement", "public", "unannounced", "assigned", "monitoring")
KEY = "region_id, industry_id, month"


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Dialect:
    def __init__(self, vendor):
        self.pg = vendor == "postgresql"

    def month(self, day):
        return f"date_trunc('month', ({day})::timestamp)::date" if self.pg else f"strftime('%Y-%m-01', {day})"

    def local_day(self, moment):
        if self.pg:
            return f"(({moment}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
        # China keeps one offset all year; SQLite has no zone database
        offset = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
        return f"date({moment}, '{int(offset.total_seconds() // 60):+d} minutes')"

    def days(self, end, start):
        return f"(({end}) - ({start}))" if self.pg else f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def tallies(d, r, due=DUE):
    """(table, month expression, rows counted, [(column, condition or value)]) over a hazard row `r` (a prefix
    such as "NEW." or ""). `due`: the statuses whose deadline runs (DueTally); 0012 narrowed them."""
    is_open = f"{r}status IN {_in(OPEN)}"
    closed_day = d.local_day(f"{r}closed_at")
    ontime = (
        f"{r}deadline IS NOT NULL AND (({r}rectified_date IS NOT NULL AND {r}rectified_date <= {r}deadline)"
        f" OR ({r}rectified_date IS NULL AND {closed_day} <= {r}deadline))"
    )
    return [
        (
            "hazards_foundtally",
            d.month(f"{r}found_date"),
            f"{r}status NOT IN ('merged', 'rejected')",
            [
                ("found", "TRUE"),
                ("major", f"{r}level = 'major'"),
                ("repeat", f"{r}repeat_of_id IS NOT NULL"),
                *((f"ch_{c}", f"{r}channel = '{c}'") for c in CHANNELS),
                ("open", is_open),
                ("major_open", f"{is_open} AND {r}level = 'major'"),
                ("listed_open", f"{is_open} AND {r}listed_level <> ''"),
            ],
        ),
        (
            "hazards_closedtally",
            d.month(closed_day),
            f"{r}status = 'closed' AND {r}closed_at IS NOT NULL",
            [
                ("closed", "TRUE"),
                ("with_deadline", f"{r}deadline IS NOT NULL"),
                ("ontime", ontime),
                ("days_sum", ("value", d.days(closed_day, f"{r}found_date"))),
            ],
        ),
        (
            "hazards_duetally",
            d.month(f"{r}deadline"),
            f"{r}status IN {_in(due)} AND NOT {r}historic AND {r}deadline IS NOT NULL",
            [("due", "TRUE")],
        ),
    ]


def _amount(condition, sign):
    if isinstance(condition, tuple):  # a value, not a condition
        return f"({sign}) * ({condition[1]})"
    return f"CASE WHEN {condition} THEN {sign} ELSE 0 END"


def _update(table, columns, qualify):
    target = f"{table}." if qualify else ""
    return ", ".join(f"{c} = {target}{c} + excluded.{c}" for c in columns)


def set_statements(d, source, due=DUE):
    """PostgreSQL: one upsert per tally of the rows of `source` (a query giving hazard rows with a sign `s`),
    summed per key; keys whose sums are all 0 (an update that changed nothing counted) are not written."""
    out = []
    for table, month, where, measures in tallies(d, "", due):
        columns = [c for c, _ in measures]
        sums = [f"SUM({_amount(cond, 's')})" for _, cond in measures]
        out.append(
            f"INSERT INTO {table} ({KEY}, {', '.join(columns)}) "
            f"SELECT region_id, industry_id, {month} AS month, {', '.join(sums)} FROM ({source}) AS r "
            f"WHERE {where} GROUP BY 1, 2, 3 HAVING {' OR '.join(f'{s} <> 0' for s in sums)} ORDER BY 1, 2, 3 "
            f"ON CONFLICT ({KEY}) DO UPDATE SET {_update(table, columns, True)}"
        )
    return out


def row_statements(d, row, sign, due=DUE):
    """SQLite: one upsert per tally of one hazard row (NEW or OLD) with `sign`."""
    out = []
    for table, month, where, measures in tallies(d, f"{row}.", due):
        columns = [c for c, _ in measures]
        amounts = [_amount(cond, sign) for _, cond in measures]
        out.append(
            f"INSERT INTO {table} ({KEY}, {', '.join(columns)}) "
            f"SELECT {row}.region_id, {row}.industry_id, {month}, {', '.join(amounts)} WHERE {where} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET {_update(table, columns, False)}"
        )
    return out


TABLES = ("hazards_foundtally", "hazards_closedtally", "hazards_duetally")
EMPTIED = "; ".join(f"DELETE FROM {t} WHERE NOT EXISTS (SELECT 1 FROM hazards_hazard)" for t in TABLES)

WATCHED = (
    "status",
    "level",
    "channel",
    "region_id",
    "industry_id",
    "found_date",
    "deadline",
    "historic",
    "listed_level",
    "repeat_of_id",
    "closed_at",
    "rectified_date",
)
PG_EVENTS = {
    "insert": ("REFERENCING NEW TABLE AS new_rows", "SELECT *, 1 AS s FROM new_rows"),
    "update": (
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT *, 1 AS s FROM new_rows UNION ALL SELECT *, -1 AS s FROM old_rows",
    ),
    "delete": ("REFERENCING OLD TABLE AS old_rows", "SELECT *, -1 AS s FROM old_rows"),
}


def create(apps, schema_editor, due=DUE):
    connection = schema_editor.connection
    d = Dialect(connection.vendor)
    with connection.cursor() as cursor:
        if d.pg:
            for statement in set_statements(d, "SELECT *, 1 AS s FROM hazards_hazard", due):
                cursor.execute(statement)
            for event, (referencing, source) in PG_EVENTS.items():
                body = ";\n".join(set_statements(d, source, due))
                cursor.execute(
                    f"CREATE FUNCTION hazards_tally_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN {body}; RETURN NULL; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER hazards_tally_{event} AFTER {event.upper()} ON hazards_hazard {referencing} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION hazards_tally_{event}()"
                )
            # TRUNCATE fires no row or delete trigger: the tallies of an emptied table are empty too
            cursor.execute(
                "CREATE FUNCTION hazards_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "".join(f"DELETE FROM {table}; " for table in TABLES)
                + "RETURN NULL; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER hazards_tally_truncate AFTER TRUNCATE ON hazards_hazard "
                "FOR EACH STATEMENT EXECUTE FUNCTION hazards_tally_truncate()"
            )
            return
        for statement in row_statements(d, "NEW", 1, due):  # the hazards there are: one row at a time is fine here
            cursor.execute(statement.replace("NEW.", "h.").replace(" WHERE ", " FROM hazards_hazard AS h WHERE ", 1))
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
        for event, when, parts in (
            ("insert", "", row_statements(d, "NEW", 1, due)),
            # the last hazard gone (as when every table is emptied, in any order): no tally left either
            ("delete", "", row_statements(d, "OLD", -1, due) + [EMPTIED]),
            ("update", f"WHEN {changed}", row_statements(d, "OLD", -1, due) + row_statements(d, "NEW", 1, due)),
        ):
            body = "".join(f"{p};\n" for p in parts)
            cursor.execute(
                f"CREATE TRIGGER hazards_tally_{event} AFTER {event.upper()} ON hazards_hazard FOR EACH ROW {when} "
                f"BEGIN\n{body}END"
            )


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for event in [*PG_EVENTS, "truncate"]:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS hazards_tally_{event}"
                + (" ON hazards_hazard" if connection.vendor == "postgresql" else "")
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS hazards_tally_{event}()")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0006_encrypt_responsible_phone"),
        ("regions", "0003_remove_industry_gbt4754_prefixes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClosedTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="月份")),
                ("closed", models.IntegerField(default=0)),
                ("with_deadline", models.IntegerField(default=0)),
                ("ontime", models.IntegerField(default=0)),
                ("days_sum", models.BigIntegerField(default=0)),
                (
                    "industry",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.industry",
                        verbose_name="行业",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.region",
                        verbose_name="区划",
                    ),
                ),
            ],
            options={
                "verbose_name": "隐患按销号月汇总",
                "verbose_name_plural": "隐患按销号月汇总",
                "constraints": [
                    models.UniqueConstraint(fields=("region", "industry", "month"), name="closed_tally_key")
                ],
            },
        ),
        migrations.CreateModel(
            name="DueTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="月份")),
                ("due", models.IntegerField(default=0)),
                (
                    "industry",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.industry",
                        verbose_name="行业",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.region",
                        verbose_name="区划",
                    ),
                ),
            ],
            options={
                "verbose_name": "隐患按整改期限月汇总",
                "verbose_name_plural": "隐患按整改期限月汇总",
                "constraints": [models.UniqueConstraint(fields=("region", "industry", "month"), name="due_tally_key")],
            },
        ),
        migrations.CreateModel(
            name="FoundTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="月份")),
                ("found", models.IntegerField(default=0)),
                ("major", models.IntegerField(default=0)),
                ("repeat", models.IntegerField(default=0)),
                ("ch_self", models.IntegerField(default=0)),
                ("ch_supervision", models.IntegerField(default=0)),
                ("ch_enforcement", models.IntegerField(default=0)),
                ("ch_public", models.IntegerField(default=0)),
                ("ch_unannounced", models.IntegerField(default=0)),
                ("ch_assigned", models.IntegerField(default=0)),
                ("ch_monitoring", models.IntegerField(default=0)),
                ("open", models.IntegerField(default=0)),
                ("major_open", models.IntegerField(default=0)),
                ("listed_open", models.IntegerField(default=0)),
                (
                    "industry",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.industry",
                        verbose_name="行业",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.region",
                        verbose_name="区划",
                    ),
                ),
            ],
            options={
                "verbose_name": "隐患按发现月汇总",
                "verbose_name_plural": "隐患按发现月汇总",
                "constraints": [
                    models.UniqueConstraint(fields=("region", "industry", "month"), name="found_tally_key")
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
