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


def batch_offer(transitions, actions, notes, steps):
    """What a list's 批量处理 bar offers (includes/batch_bar.html): [(action, label, what its note must say or "")]
    for each of `actions` that one row at least can take now (`steps`: each row's actions)."""
    return [
        (name, transitions[name].label, notes.get(name, "")) for name in actions if any(name in row for row in steps)
    ]


def check_batch(action, note, *, transitions, actions, notes, elsewhere):
    """Refuse, before any row is touched, a batch step that can apply to none: one not among `actions` (a step that
    needs more than a note is taken `elsewhere`, "请在隐患页面逐条处理"), or one without the note it needs (`notes`)."""
    if action not in actions:
        label = transitions[action].label if action in transitions else None
        raise ApplicationError(f"不能批量执行“{label}”，{elsewhere}。" if label else f"未知的操作“{action}”。")
    if action in notes and not (note or "").strip():
        raise ApplicationError(f"批量“{transitions[action].label}”须填写{notes[action]}。", code="incomplete")
