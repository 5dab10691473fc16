"""Answers kept so that they are not computed again.

- `memo_scope()` and `@memoized`: for the span of one computation — a dashboard's figure table, a home page — when
  several modules' figures ask the same thing (the operating enterprises counted by place, industry and high risk).
  Inside a scope a `@memoized` function runs once per arguments; outside one it simply runs.
- `ProcessCache`: per process, for a while, reference data that most requests read and people rarely change (rule
  overrides, a region's children, the department supervising an industry, a list's region options).
"""

import contextlib
import contextvars
import functools
import threading
import time
from concurrent.futures import Future

from django.conf import settings

_memo = contextvars.ContextVar("zhiben_memo", default=None)
_guard = threading.Lock()


@contextlib.contextmanager
def memo_scope():
    """Keep the answers of @memoized functions until the block ends (an enclosing scope keeps its own)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoized(function):
    """Answer a repeated call inside a memo_scope() from the first (arguments must be hashable: model
    instances compare by primary key). The caller must not change what it gets back. Threads working for the
    same scope (core.parallel) share it: a second caller waits for the first one's answer."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        memo = _memo.get()
        if memo is None:
            return function(*args, **kwargs)
        key = (function, args, tuple(sorted(kwargs.items())))
        with _guard:
            answer = memo.get(key)
            mine = answer is None
            if mine:
                answer = memo[key] = Future()
        if mine:
            try:
                answer.set_result(function(*args, **kwargs))
            except BaseException as exc:
                answer.set_exception(exc)
        return answer.result()

    return wrapper


_process_caches = []


class ProcessCache:
    """Answers kept in this process for `setting` seconds (a setting's name; `default` when unset). A change made
    through this process forgets them at once: `clear_on(model, ...)` connects the models' save and delete signals
    (an m2m table's changes for an auto-created through model), and a bulk write, which sends none, calls `clear`.
    Other processes see a change when their answer is older than the setting."""

    def __init__(self, name, setting, default=30):  # settings.py sets RULE_CACHE_SECONDS, REGION_CACHE_SECONDS
        self.name, self.setting, self.default = name, setting, default
        self._answers = {}
        _process_caches.append(self)

    def get(self, key, compute):
        """The answer kept for `key`, or compute() kept for it (the caller must not change what it gets back)."""
        now = time.monotonic()
        hit = self._answers.get(key)
        if hit is not None and now - hit[0] < getattr(settings, self.setting, self.default):
            return hit[1]
        answer = compute()
        self._answers[key] = (now, answer)
        return answer

    def clear(self, **_):
        self._answers.clear()

    def clear_on(self, *models):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        for model in models:
            uid = f"zhiben-cache:{self.name}:{id(self)}:{model._meta.label}"
            if model._meta.auto_created:  # the table of a ManyToManyField
                m2m_changed.connect(self.clear, sender=model, dispatch_uid=uid)
                continue
            post_save.connect(self.clear, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(self.clear, sender=model, dispatch_uid=f"{uid}:delete")


def clear_process_caches():
    """Forget every ProcessCache's answers (a test starts: rows its predecessor rolled back sent no signal)."""
    for cache in _process_caches:
        cache.clear()
