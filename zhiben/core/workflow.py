"""The shape of a workflow table shared by every module with a state machine."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    """action: allowed from `sources`, moves to `target`, needs `duty`; `label`/`style` draw its button."""

    sources: frozenset
    target: str
    duty: str
    label: str
    style: str = ""
