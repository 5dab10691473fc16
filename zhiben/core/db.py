"""Driver-level bulk INSERT."""

from django.db import connection

from . import crypto


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


def _sealed(model, columns, rows):
    """(columns, rows) with the encrypted columns' values sealed and their blind-index columns appended
    (an index column the caller already gives is recomputed in place). Rows stay a lazy iterable."""
    by_column = {f.column: f for f in crypto.encrypted_fields(model)}
    plan = []  # (position of the encrypted value, position of its index or None)
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
    encrypt, decrypt, is_encrypted, blind_index = (
        crypto.encrypt,
        crypto.decrypt,
        crypto.is_encrypted,
        crypto.blind_index,
    )

    def seal(row):
        row = [*row, *[""] * (width - len(row))]
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

    return columns, (seal(row) for row in rows)
