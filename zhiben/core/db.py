"""Driver-level bulk INSERT."""

from django.db import connection


def insert_rows(model, columns, rows):
    """INSERT `rows` (tuples of database-ready values in `columns` order) through the driver.

    Measured on 10,000 enterprises: bulk_create spends 1.3 s (SQLite) / 0.8 s (PostgreSQL) compiling
    250,000 placeholders; executemany (SQLite) and COPY (PostgreSQL) take 0.1–0.2 s.
    """
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)
