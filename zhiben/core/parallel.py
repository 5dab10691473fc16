"""Read-only work run at once on PostgreSQL: a dashboard's figure sources each send their own aggregates, and
while one waits for the database another can compose its query. Each worker thread borrows a connection
from the pool (settings: the psycopg pool of DATABASE_URL) and gives it back when its part is done."""

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections

_executor = None
_lock = threading.Lock()


def _pool():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=settings.DB_READ_THREADS, thread_name_prefix="zhiben-read")
        return _executor


def _run(call):
    try:
        return call()
    finally:
        connections.close_all()  # this thread's connection goes back to the pool


def concurrently(calls):
    """The results of `calls` (functions of no arguments that only read), in order. They run at once on
    PostgreSQL with settings.DB_READ_THREADS > 1; one after another here when the database is SQLite, or when
    this thread is inside a transaction (rows it has not committed are invisible to other connections: a
    service's own reads, the tests). Each runs in a copy of the caller's context (core.memo's scope, the time
    zone); an exception of any is raised here."""
    calls = list(calls)
    threads = getattr(settings, "DB_READ_THREADS", 0)
    if len(calls) < 2 or threads < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [call() for call in calls]
    executor = _pool()
    futures = [executor.submit(contextvars.copy_context().run, _run, call) for call in calls]
    return [future.result() for future in futures]
