"""Django's `migrate`, rendering only the model an adding operation changed (core.migrating): 83 migrations in
19 s rather than 51 s on SQLite. The test databases are built through it too."""

from django.core.management.commands import migrate

from zhiben.core.migrating import lean_state


class Command(migrate.Command):
    def handle(self, *args, **options):
        with lean_state():
            return super().handle(*args, **options)
