"""The shape of a workflow table shared by every module with a state machine."""

from collections import namedtuple
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .db import possible_ids
from .exceptions import ApplicationError, ScopeError


@dataclass(frozen=True)
class Transition:
    """action: allowed from `sources`, moves to `target`, needs `duty`; `label`/`style` draw its button."""

    sources: frozenset
    target: str
    duty: str
    label: str
    style: str = ""


BatchOutcome = namedtuple("BatchOutcome", "done failed")  # [object], [(object or None, id, message)]


def transition_many(scoped, ids, move, *, noun):
    """`move(obj)` on each object of `scoped` (the actor's own queryset) whose id is in `ids`, each in a transaction of
    its own: one handled already, or one the actor may not move, is reported with its reason (an ApplicationError's
    message) and leaves the others done. An id outside `scoped`, or no row's at all, is reported as not found, the
    same either way. No ids, or more than settings.BATCH_MAX, refuses the whole. `noun` names the objects in the
    refusals ("隐患")."""
    keys = list(dict.fromkeys(ids))
    if not keys:
        raise ApplicationError(f"请先勾选要处理的{noun}。", code="incomplete")
    limit = settings.BATCH_MAX
    if len(keys) > limit:
        raise ApplicationError(f"一次最多处理 {limit} 条{noun}，已选 {len(keys)} 条。")
    found = {obj.pk: obj for obj in scoped.filter(pk__in=possible_ids(keys))}
    done, failed = [], []
    for key in keys:
        obj = found.get(key)
        if obj is None:
            failed.append((None, key, ScopeError().message))
            continue
        try:
            with transaction.atomic():
                done.append(move(obj))
        except ApplicationError as exc:
            failed.append((obj, key, exc.message))
    return BatchOutcome(done, failed)


@dataclass(frozen=True)
class Batch:
    """A list's 批量处理, declared once in its module's workflow.py: the steps that may be taken on many rows at once
    (`actions`, of `transitions`), the note a step needs (`notes`: what it must say), what the rows are called (`noun`,
    "隐患") and where a step needing more than a note is taken (`elsewhere`, "请在隐患页面逐条处理"). The list's bar
    (`offer`), the service taking the step (`run`) and the view behind the bar (core.views.batch_view) read it."""

    transitions: dict
    actions: tuple
    notes: dict
    noun: str
    elsewhere: str

    def label(self, action):
        return self.transitions[action].label

    def offer(self, steps):
        """What the bar (includes/batch_bar.html) offers: [(action, label, what its note must say or "")] for each
        of the actions one row at least can take now (`steps`: each row's actions)."""
        return [
            (name, self.label(name), self.notes.get(name, ""))
            for name in self.actions
            if any(name in row for row in steps)
        ]

    def check(self, action, note):
        """Refuse, before any row is touched, a step that can apply to none: one not among the batch's actions, or
        one without the note it needs."""
        if action not in self.actions:
            label = self.transitions[action].label if action in self.transitions else None
            raise ApplicationError(f"不能批量执行“{label}”，{self.elsewhere}。" if label else f"未知的操作“{action}”。")
        if action in self.notes and not (note or "").strip():
            raise ApplicationError(f"批量“{self.label(action)}”须填写{self.notes[action]}。", code="incomplete")

    def run(self, scoped, ids, action, note, move):
        """The step `action` by `move(obj)` on the rows of `scoped` (the actor's own queryset) whose ids are `ids`,
        once it is checked (transition_many: each on its own, what cannot be moved reported with the reason)."""
        self.check(action, note)
        return transition_many(scoped, ids, move, noun=self.noun)
