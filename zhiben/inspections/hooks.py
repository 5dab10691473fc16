"""What the inspections module offers the platform: registered from `InspectionsConfig.ready()`.
Plans, draws and the expert pool register theirs in plan_hooks.py."""

from . import plan_hooks  # noqa: F401
