"""A memo for the span of one computation — a dashboard's figure table, a home page — when several
modules' figures ask the same thing (the operating enterprises counted by place, industry and high risk).
Inside `memo_scope()` a `@memoized` function runs once per arguments; outside a scope it simply runs, so
nothing is ever kept beyond the computation that asked."""

import contextlib
import contextvars
import functools
import threading
from concurrent.futures import Future

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
