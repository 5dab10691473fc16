"""`make bench` / `python -m bench`: performance figures measured against their anchors.

Each part is a module of this package listed in PARTS, with a `run(options)` that returns table rows
(see `bench.common.Result`). Parts run their timed code in a subprocess per database
(`bench.common.in_django`), so every figure comes from a freshly configured, migrated Django.
"""

PARTS = ["enterprise_import", "hazards", "analytics", "selfchecks", "monitoring", "import_quality"]
