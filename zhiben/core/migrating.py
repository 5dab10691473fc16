"""Applying migrations without re-rendering the whole model graph at each step.

Django keeps, while it migrates, a rendered class for every model of the state reached so far. After each
operation it renders the changed model again and, for a new model or a new relation, every model related to it,
recursively. Almost every model here points to the region, the unit or the user, so each CreateModel re-rendered
all ~125 models: 83 migrations took 51 s on SQLite and 59 s on PostgreSQL (2-core machine, 2026-12), 85% of it in
that re-rendering. The test databases, `make run` on a fresh machine and a restore into a new database pay it.

`lean_state()` renders only the changed model for the three operations that add something no other model can read
yet:

- CreateModel: nothing refers to a model that did not exist;
- AddIndex / AddConstraint: no other model's field or table depends on an index or a constraint;
- AddField: no field of another model can refer to a field that did not exist (a `to_field` pointing at it comes
  with a later AlterField, which still reloads the way Django does).

Every other operation (AlterField, RenameModel, DeleteModel, …) is left to Django. Related classes rendered earlier
keep pointing to the model's previous class until they are rendered again. That is what Django's own delayed
rendering (`reload_model(delay=True)`) already allows, and the state is marked delayed the same way, so `migrate`
renders the whole state afresh before its post-migrate steps. The difference a migration could see is a reverse
accessor (`region.hazard_set`) missing from a historical model in a RunPython; ours use none.

Measured on the 83 migrations (same machine, same run): SQLite 51 s → 19 s, PostgreSQL 59 s → 17 s; the schema
(`.schema`, `pg_dump -s`) and the seeded rows came out identical. `core/tests/test_migrating.py` checks the schema a
lean migration built against the models on each database.
"""

from contextlib import contextmanager

from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED


def _render_alone(state, app_label, model_name):
    if "apps" in state.__dict__:  # as Django tests it: hasattr would render the state
        state.is_delayed = True
        state.apps.unregister_model(app_label, model_name)
        state.apps.render_multiple([state.models[app_label, model_name]])


def _add_model(state, model_state):
    key = model_state.app_label, model_state.name_lower
    state.models[key] = model_state
    if state._relations is not None:
        state.resolve_model_relations(key)
    _render_alone(state, *key)


def _add_field(state, app_label, model_name, name, field, preserve_default):
    if not preserve_default:
        field = field.clone()
        field.default = NOT_PROVIDED
    key = app_label, model_name
    state.models[key].fields[name] = field
    if state._relations is not None:
        state.resolve_model_field_relations(key, name, field)
    _render_alone(state, *key)


def _append_option(state, app_label, model_name, option_name, obj):
    model_state = state.models[app_label, model_name]
    model_state.options[option_name] = [*model_state.options[option_name], obj]
    _render_alone(state, app_label, model_name)


LEAN = {"add_model": _add_model, "add_field": _add_field, "_append_option": _append_option}


@contextmanager
def lean_state():
    """Within: migrations render only the model an adding operation changed (module docstring)."""
    stock = {name: ProjectState.__dict__[name] for name in LEAN}
    for name, method in LEAN.items():
        setattr(ProjectState, name, method)
    try:
        yield
    finally:
        for name, method in stock.items():
            setattr(ProjectState, name, method)
