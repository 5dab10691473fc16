"""The test database is built by `migrate` with core.migrating's lean rendering: its tables must be what the models
say, to the column, key, index and constraint, on SQLite and on PostgreSQL."""

from django.apps import apps
from django.db import connection
from django.db.migrations.state import ProjectState
from django.test import TestCase

from zhiben.core.migrating import LEAN, lean_state


def _tables():
    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
        for model in apps.get_models(include_auto_created=True):
            opts = model._meta
            if not opts.managed or opts.proxy:
                continue
            yield (
                model,
                opts.db_table in names and connection.introspection.get_table_description(cursor, opts.db_table),
                opts.db_table in names and connection.introspection.get_constraints(cursor, opts.db_table),
            )


class LeanMigrationSchemaTests(TestCase):
    def test_every_model_has_its_table_columns_keys_indexes_and_constraints(self):
        for model, description, constraints in _tables():
            opts = model._meta
            with self.subTest(model=opts.label):
                self.assertIsNot(description, False, "表不存在")
                self.assertEqual({c.name for c in description}, {f.column for f in opts.local_concrete_fields})
                found = list(constraints.values())
                for name in [index.name for index in opts.indexes] + [c.name for c in opts.constraints]:
                    self.assertIn(name, constraints)
                for field in opts.local_concrete_fields:
                    if field.primary_key:
                        self.assertTrue(any(c["primary_key"] and c["columns"] == [field.column] for c in found))
                    elif field.unique:
                        self.assertTrue(any(c["unique"] and c["columns"] == [field.column] for c in found), field)
                    if field.remote_field and field.db_constraint:
                        target = (field.target_field.model._meta.db_table, field.target_field.column)
                        self.assertTrue(
                            any(c["foreign_key"] == target and c["columns"] == [field.column] for c in found), field
                        )
                    if field.db_index and not field.unique and not field.primary_key:
                        self.assertTrue(any(c["columns"][:1] == [field.column] for c in found), field)


class LeanStateTests(TestCase):
    def test_django_renders_as_usual_outside_and_after_a_failure(self):
        stock = {name: ProjectState.__dict__[name] for name in LEAN}
        with self.assertRaises(RuntimeError), lean_state():
            self.assertEqual({name: ProjectState.__dict__[name] for name in LEAN}, LEAN)
            raise RuntimeError
        self.assertEqual({name: ProjectState.__dict__[name] for name in LEAN}, stock)
