"""Driver-level bulk INSERT."""

import json
import re
from functools import lru_cache
from itertools import count

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import NotSupportedError, connection
from django.db.models import FloatField, Func
from django.db.models.functions import Substr

from . import crypto

MAX_ID = 2**63 - 1  # the largest id a (big)integer column holds


def possible_ids(ids):
    """The ids among `ids` a row can have (1 to 2^63 - 1): any other is simply not found, where SQLite would raise
    OverflowError on a number past its integers."""
    return [i for i in ids if 0 < i <= MAX_ID]


def whole_number(value):
    """`value` (text from a form, a query or a file) as a whole number written in ASCII digits, or None.
    str.isdigit() also holds for "²" and other scripts' digits, which int() refuses (a 500 where a user typed)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    text = text.lstrip("0") or "0"
    # int() refuses text past 4,300 digits (a ValueError): such a number is past any column and any year alike
    return int(text) if len(text) <= 4000 else 10**4000


def as_id(value):
    """`value` as the id of a row, or None when it cannot be one (not a whole number, or past what a column
    holds: SQLite raises OverflowError on it in a related lookup, PostgreSQL a DataError)."""
    number = whole_number(value) if len(str(value if value is not None else "").strip()) <= 19 else None
    return number if number is not None and number <= MAX_ID else None


def row_by_id(queryset, value):
    """The row of `queryset` whose id `value` (text from a form, a query or a file) names, or None: none when it
    cannot be an id (as_id)."""
    pk = as_id(value)
    return queryset.filter(pk=pk).first() if pk is not None else None


def insert_rows(model, columns, rows):
    """INSERT `rows` (tuples of database-ready values in `columns` order) through the driver.

    Measured on 10,000 enterprises: bulk_create spends 1.3 s (SQLite) / 0.8 s (PostgreSQL) compiling
    250,000 placeholders; executemany (SQLite) and COPY (PostgreSQL) take 0.1–0.2 s.

    The driver bypasses the fields, so encrypted fields (`crypto.EncryptedTextField`) are sealed here:
    clear values in their columns are encrypted, and their blind-index columns are added and filled.
    """
    columns, rows = _sealed(model, list(columns), rows)
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def insert_rows_returning_ids(model, columns, rows):
    """`insert_rows`, returning the new rows' primary keys in `rows` order without reading the rows back.

    PostgreSQL: the keys are drawn from the table's sequence first (one query) and written with the rows.
    SQLite: the rows are inserted in one statement while this transaction holds the database's write lock,
    so they get consecutive rowids ending at last_insert_rowid() (triggers do not change it)."""
    rows = list(rows)
    if not rows:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(rows)]
            )
            ids = [row[0] for row in cursor.fetchall()]
            insert_rows(model, [pk, *columns], [(key, *row) for key, row in zip(ids, rows)])
            return ids
        insert_rows(model, columns, rows)
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
    return list(range(last - len(rows) + 1, last + 1))


def _sealed(model, columns, rows):
    """(columns, rows) with the encrypted columns' values sealed and their blind-index columns appended
    (an index column the caller already gives is recomputed in place). A row whose encrypted values are all empty
    (and whose given index values are too) is not copied, only padded with the empty index columns appended; when
    every row is such, a list of rows is returned as it came. Rows stay a lazy iterable unless given as a list."""
    by_column = {f.column: f for f in crypto.encrypted_fields(model)}
    plan = []  # (position of the encrypted value, position of its index or None)
    given = len(columns)
    for position, column in enumerate(columns):
        field = by_column.get(column)
        if field is None:
            continue
        index = crypto.index_field_of(field)
        if index is None:
            plan.append((position, None))
            continue
        if index.column not in columns:
            columns.append(index.column)
        plan.append((position, columns.index(index.column)))
    if not plan:
        return columns, rows
    width = len(columns)
    pad = ("",) * (width - given)
    values = [position for position, _ in plan]
    indexes = [index for _, index in plan if index is not None and index < given]  # given by the caller
    encrypt, decrypt, is_encrypted, blind_index = (
        crypto.encrypt,
        crypto.decrypt,
        crypto.is_encrypted,
        crypto.blind_index,
    )

    def seal(row):
        row = [*row, *pad]
        for position, index in plan:
            value = row[position]
            if not value:
                if index is not None:
                    row[index] = ""
                continue
            if is_encrypted(value):
                clear = decrypt(value) if index is not None else None
            else:
                clear, row[position] = value, encrypt(value)
            if index is not None:
                row[index] = blind_index(clear)
        return row

    def empty(row):
        return not any(row[p] for p in values) and all(row[i] == "" for i in indexes)

    if isinstance(rows, list):
        if not any(row[p] for p in values for row in rows) and all(row[i] == "" for i in indexes for row in rows):
            return columns, rows if not pad else [(*row, *pad) for row in rows]
    return columns, (((*row, *pad) if pad else row) if empty(row) else seal(row) for row in rows)


def estimated_count(queryset):
    """The planner's estimate of how many rows `queryset` matches (PostgreSQL: EXPLAIN, no rows read), or
    None where there is no planner estimate to ask (SQLite), so the caller counts exactly."""
    if connection.vendor != "postgresql":
        return None
    # The rows' keys only: the planner's row estimate is the same, and planning the page's whole select list (its
    # annotations and subqueries) took 17 ms of the plan task list, where the keys take 1.3 ms.
    try:
        shape = queryset.order_by().values("pk")
    except (TypeError, FieldError, NotSupportedError):  # a combined (union) or already-reduced queryset
        shape = queryset.order_by()
    try:
        sql, params = shape.query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (queryset.none(), an empty IN list)
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def page_count(queryset, *, exact=False):
    """(count, estimated) for a list's pager: counting every matching row is what a long list costs, so
    above settings.LIST_EXACT_COUNT_MAX rows the planner's estimate is shown ("约 18,000 条"), and the
    exact count only when asked (`exact`) or below the threshold."""
    if not exact:
        estimate = estimated_count(queryset)
        if estimate is not None and estimate > getattr(settings, "LIST_EXACT_COUNT_MAX", 10_000):
            return estimate, True
    return queryset.count(), False


class MappedRows:
    """Rows read a slice at a time and made into what a page shows (`make(list of values)` → list of rows, so what
    the rows need besides, such as their reports, is read once per slice), from a query or a list of plain values,
    with their count given by the caller (who has it already, e.g. from the figures above the list): a list that
    judges every enterprise of a district makes only the rows of the page it shows. Iterating makes them all, a query
    read 2,000 rows at a time (an export)."""

    CHUNK = 2000

    def __init__(self, items, make, count):
        self.items, self.make, self.count = items, make, count

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.make(list(self.items[index]))
        return self.make([self.items[index]])[0]

    def __iter__(self):
        reading = self.items.iterator(chunk_size=self.CHUNK) if hasattr(self.items, "iterator") else self.items
        chunk = []
        for values in reading:
            chunk.append(values)
            if len(chunk) == self.CHUNK:
                yield from self.make(chunk)
                chunk = []
        yield from self.make(chunk)


class DaysBetween(Func):
    """Whole days from date `start` to date `end` (end − start), on SQLite and PostgreSQL, as a float
    for averages such as 平均整改天数 (a datetime is first cut to its local day with TruncDate)."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        if connection.vendor == "postgresql":
            sql = f"((({end_sql})::date - ({start_sql})::date)::float)"
        else:
            sql = f"(julianday({end_sql}) - julianday({start_sql}))"
        return sql, (*end_params, *start_params)


def joined(qs, related):
    """qs.select_related(*related), where no `related` joins nothing (Django's select_related() with no field follows
    every foreign key); `related` as a Table names it (core.tables.Table.related)."""
    return qs.select_related(*related) if related else qs


def region_prefix(field, code):
    """The expression of the child region a row lies in, under region `code`: the first digits of the
    row's 12-digit `field` that name the child (GROUP BY it to count child by child)."""
    from .scoping import child_prefix_length

    return Substr(field, 1, child_prefix_length(code))


def grouped(qs, measures, values, *, region, by, region_field="region_id", industry_field="industry__code"):
    """{group: values(counts)} from one aggregate query over `qs`: the whole ("", by=None), each child
    region of `region` (by="region": GROUP BY the leading digits of the row's code that name the child,
    core.db.region_prefix) or each industry (by="industry"). Every child / industry is present, with the
    values of no rows when none lie in it; a region without children (a village) gives {}. By region, the
    whole comes too ("", summed from the same rows, the region's own node included) when every measure is
    a plain Count or Sum, so a reader does not count it again."""
    from django.db.models import Count, F, Sum, Value

    from zhiben.regions.models import Industry
    from zhiben.regions.selectors import child_codes

    from .scoping import child_prefix_length

    if by == "region":
        length = child_prefix_length(region) if region else 0
        children = child_codes(region) if region else []
        groups = {code: code[:length] for code in children}
        if not groups:
            return {}
        key = region_prefix(region_field, region)
    elif by == "industry":
        key, groups = F(industry_field), {code: code for code in Industry.objects.values_list("code", flat=True)}
    else:
        key, groups = Value(""), {"": ""}
    counts = {row.pop("group"): row for row in qs.annotate(group=key).values("group").annotate(**measures).order_by()}
    result = {code: values(counts.get(part, {})) for code, part in groups.items()}
    additive = all(type(m) in (Count, Sum) and not getattr(m, "distinct", False) for m in measures.values())
    if by == "region" and additive:
        total = {}
        for row in counts.values():
            for name, value in row.items():
                total[name] = total.get(name, 0) + (value or 0)
        result[""] = values(total)
    return result


def prepared_cursor():
    """A cursor whose statements PostgreSQL parses and plans once per connection and keeps (a prepared statement):
    for the few hand-written statements every intake runs (a keyed read, the numbered INSERT, the audit row), whose
    text is fixed and whose plan does not depend on the values. ORM queries keep the usual cursor, which binds values
    into the text and is planned for them. Elsewhere, and when DATABASES' OPTIONS carry no `prepare_threshold` (a
    pooler in transaction mode: ZHIBEN_DB_PREPARE=0), it is the usual cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _prepared_cursor_class()(connection.connection)
    _read_timestamps_in_connection_zone(cursor)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


def _read_timestamps_in_connection_zone(cursor):
    """What Django's create_cursor does to each of its cursors: timestamps read in the connection's time zone
    when the connection's loader is set for another (a DATABASES TIME_ZONE of its own)."""
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import adapters
    from psycopg.pq import Format

    loader = connection.connection.adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)


@lru_cache(maxsize=1)
def _prepared_cursor_class():
    import psycopg
    from django.db.backends.postgresql.base import CursorMixin

    class PreparedCursor(CursorMixin, psycopg.RawCursor):
        """Values bound by the server, the statement prepared on first use (psycopg ignores `prepare` while the
        connection's prepare_threshold is None). Statements are written with the ORM's %s placeholders and sent with
        PostgreSQL's own ($1, $2, …), numbered once per text: psycopg re-parses for placeholders, on every call, a
        statement longer than 4,096 characters or with more than 50 values, as the numbered INSERT of an intake is
        (~0.2 ms a report)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(native_placeholders(query), params, prepare=True, binary=binary)

    return PreparedCursor


@lru_cache(maxsize=64)
def native_placeholders(query):
    """`query` written with %s placeholders (and %% for a percent sign) in PostgreSQL's numbered form. Positional
    values only: a prepared cursor refuses named ones (%(name)s) with psycopg's TypeError."""
    numbers = count(1)
    return re.sub(r"%[%s]", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", query)


def select_list(*tables):
    """The SQL select list of every concrete column of each (table alias, model), in turn: the columns a
    hand-written statement reads for `row_instances`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for alias, model in tables for f in model._meta.concrete_fields)


def row_instances(row, *models):
    """([an instance of each of `models`, read in turn from `row` as select_list wrote their columns], the
    values after them)."""
    instances, at = [], 0
    for model in models:
        fields = model._meta.concrete_fields
        instances.append(row_instance(model, fields, row[at : at + len(fields)]))
        at += len(fields)
    return instances, row[at:]


def row_instance(model, fields, values):
    """A `model` instance from column values a hand-written statement read (`fields`: the model fields they are,
    in order), converted as the ORM converts them (the backend's dates, sealed fields decrypted, JSON parsed)."""
    values = list(values)
    for index, converters in _converters(connection.alias, tuple(fields)):
        for convert, expression in converters:
            values[index] = convert(values[index], expression, connection)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


@lru_cache(maxsize=64)
def _converters(alias, fields):
    """[(index, [(converter, expression)])] of the fields whose values the ORM would convert."""
    out = []
    for index, field in enumerate(fields):
        col = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            out.append((index, [(convert, col) for convert in found]))
    return out
